import { Inject, Injectable, Logger } from '@nestjs/common';

import { WorkerJob } from '../common/periodic-task';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { Transactions } from '../database/transactions';
import { EventNoticesService } from './event-notices.service';
import { EventsRepository } from './events.repository';
import { SignupsRepository, type ReminderKind } from './signups.repository';

/** How often the reminder job looks for events starting within 24 hours. */
const INTERVAL_MS = 60_000;
/** Signups claimed per transaction. */
const BATCH = 500;

/**
 * Queues the reminder 24 hours before an event to everyone going, and the
 * one two hours before to those reached by text (issue 24), each with its
 * own work list (`reminder_queued_at`, `final_reminder_queued_at`) and
 * dedupe key (`event_reminder:<signup>`, `event_final_reminder:<signup>`).
 * Runs wherever the outbox worker runs (OUTBOX_WORKER: API processes and
 * `npm run worker`), so several copies may run at once: each batch of
 * signups is claimed with FOR UPDATE SKIP LOCKED and marked in the same
 * transaction as its messages, and the dedupe key `event_reminder:<signup>`
 * makes a second message for the same signup impossible anyway.
 */
@Injectable()
export class EventRemindersJob extends WorkerJob {
  constructor(
    private readonly transactions: Transactions,
    private readonly signups: SignupsRepository,
    private readonly events: EventsRepository,
    private readonly notices: EventNoticesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super(new Logger('EventReminders'), config.outboxWorker, INTERVAL_MS);
  }

  protected round(): Promise<number> {
    return this.queueDue();
  }

  /** Queues every reminder now due (the day before, and two hours before); returns how many messages were written. */
  async queueDue(): Promise<number> {
    let written = 0;
    for (const kind of ['day', 'final'] as const) {
      while (!this.task.stopped) {
        const batch = await this.queueBatch(kind);
        written += batch.written;
        if (batch.claimed < BATCH) break;
      }
    }
    return written;
  }

  private async queueBatch(kind: ReminderKind): Promise<{ claimed: number; written: number }> {
    return this.transactions.run(async (tx) => {
      const claimed = await this.signups.claimDueReminders(tx, kind, BATCH);
      if (!claimed.length) return { claimed: 0, written: 0 };
      let written = 0;
      const byEvent = new Map<string, string[]>();
      for (const c of claimed) byEvent.set(c.event_id, [...(byEvent.get(c.event_id) ?? []), c.id]);
      for (const [eventId, ids] of byEvent) {
        const event = (await this.events.byId(tx, eventId))!;
        written += await this.notices.reminders(tx, event, ids, kind);
      }
      await this.signups.markReminded(
        tx,
        kind,
        claimed.map((c) => c.id),
      );
      return { claimed: claimed.length, written };
    });
  }
}
