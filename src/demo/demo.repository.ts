import type { Tx } from '../database/transactions';

/**
 * The demo seed's reads. The seed writes everything through the services
 * the API uses (so the demo data obeys the same rules); it only needs to
 * read back what no service answers to an operator: the link an e-mail in
 * the outbox carries (no SMTP in the demo: the seed follows the invitation
 * itself), a member record's id by its address, and how many records there
 * are. Read-only, on the connection the seed is given (`Transactions.auto`):
 * a plain class, not a provider, as the demo adds no module to the
 * application it seeds.
 */
export class DemoRepository {
  /** The link in the latest e-mail of `template` owed to `recipient`. */
  async latestLink(tx: Tx, template: string, recipient: string): Promise<string> {
    const [{ url }] = await tx.query<{ url: string }[]>(`SELECT payload->>'url' AS url FROM outbox_messages WHERE template = $1 AND recipient = $2::citext ORDER BY created_at DESC LIMIT 1`, [
      template,
      recipient,
    ]);
    return url;
  }

  async memberId(tx: Tx, controllerId: string, email: string): Promise<string> {
    const [{ id }] = await tx.query<{ id: string }[]>('SELECT id FROM members WHERE controller_id = $1 AND email = $2', [controllerId, email]);
    return id;
  }

  async memberCount(tx: Tx): Promise<number> {
    const [{ n }] = await tx.query<{ n: number }[]>('SELECT count(*)::int AS n FROM members');
    return n;
  }
}
