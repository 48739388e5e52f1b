import { Injectable } from '@nestjs/common';

import type { Caller } from '../access/caller';
import { sha256Hex } from '../common/hash';
import { normalisePhone } from '../common/phone';
import { notFound, unauthorized } from '../common/problem';
import { Transactions, type Tx } from '../database/transactions';
import { SignupsService } from '../events/signups.service';
import { MembersService } from '../members/members.service';
import type { TextChannel } from '../outbox/outbox-message.entity';
import { OutboxService } from '../outbox/outbox.service';
import type { InboundCall } from './providers/text-provider';
import { TextProviders } from './providers/text-providers';
import { meaningOf } from './reply-words';
import { TextMessagesRepository } from './text-messages.repository';
import { OPT_OUT_TEMPLATE } from './text.worker';

/** A question is answered for this long after it was asked (and only before its event starts). */
const QUESTION_DAYS = 3;

/**
 * What comes back from the providers (issue 24): delivery receipts, and
 * replies. One sender number serves every organisation, so a reply acts on
 * the signup the last question to that number on that channel named, and on
 * nothing else; BAJA / STOP withdraws that channel's consent at once on
 * every record and guest signup holding the number (each audited under its
 * own controller or event host), cancels what is pending to it there, and
 * answers once, naming no organisation; a reply that matches nothing gets a
 * short help text (at most one a day). Nothing here tells anyone which
 * organisations hold a number: the call's answer is the same 204 whatever
 * it found.
 */
@Injectable()
export class TextInboundService {
  constructor(
    private readonly providers: TextProviders,
    private readonly texts: TextMessagesRepository,
    private readonly outbox: OutboxService,
    private readonly signups: SignupsService,
    private readonly members: MembersService,
    private readonly transactions: Transactions,
  ) {}

  /** An inbound call: refused whole (401, nothing recorded) unless its signature is valid; 404 for a channel not configured. */
  async receive(channel: TextChannel, caller: Caller, call: InboundCall): Promise<void> {
    const provider = this.providers.for(channel);
    if (!provider) throw notFound('text channel');
    if (!provider.verifyInbound(call)) throw unauthorized('The signature of this call is missing or not valid.');
    const news = provider.readInbound(call);
    for (const r of news.receipts) await this.outbox.recordReceipt(channel, r.providerMessageId, r.status);
    for (const r of news.replies) {
      const from = normalisePhone(r.from);
      if (from) await this.transactions.run((tx) => this.reply(tx, { ...caller, user: null }, channel, from, r.text));
    }
  }

  /** WhatsApp's subscription handshake: the challenge when the verify token is right; null otherwise. */
  handshake(query: Record<string, unknown>): string | null {
    return this.providers.whatsapp?.handshake(query) ?? null;
  }

  private async reply(tx: Tx, caller: Caller, channel: TextChannel, from: string, text: string): Promise<void> {
    const phoneHash = sha256Hex(from);
    const meaning = meaningOf(text);
    if (meaning === 'opt-out') return this.optOut(tx, caller, channel, from, phoneHash);
    if (meaning === 'confirm' || meaning === 'cancel') {
      const q = await this.texts.question(tx, phoneHash, channel);
      const open = q && ['going', 'waitlisted'].includes(q.status) && q.starts_at.getTime() > Date.now() && Date.now() - q.asked_at.getTime() < QUESTION_DAYS * 86_400_000;
      if (open) return this.signups.answerByText(tx, caller, q.signup_id, meaning, { channel, to: from, locale: q.locale });
    }
    await this.outbox.enqueue(tx, {
      template: 'text.help',
      channel,
      recipient: from,
      locale: await this.texts.localeOf(tx, phoneHash),
      payload: {},
      // One a day at most: an auto-responder answering the help text gets one more, then silence.
      dedupeKey: `text_help:${channel}:${phoneHash}:${new Date().toISOString().slice(0, 10)}`,
    });
  }

  private async optOut(tx: Tx, caller: Caller, channel: TextChannel, phone: string, phoneHash: string): Promise<void> {
    const locale = await this.texts.localeOf(tx, phoneHash);
    const recorded = await this.texts.optOut(tx, phoneHash, channel);
    // Already opted out: nothing more, not even a second confirmation.
    if (!recorded) return;
    await this.members.withdrawTextConsent(tx, caller, phone, channel);
    await this.signups.withdrawGuestTextConsent(tx, caller, phone, channel);
    await this.outbox.cancelPendingTexts(tx, phone, channel);
    await this.outbox.enqueue(tx, { template: OPT_OUT_TEMPLATE, channel, recipient: phone, locale, payload: {}, dedupeKey: `text_opt_out:${channel}:${phoneHash}:${recorded.at.getTime()}` });
  }
}
