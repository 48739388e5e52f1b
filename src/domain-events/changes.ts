/** What a change's record shows instead of a personal value: the audit log is kept forever, and erasing a person must not leave their data behind in it. */
export const MASKED = '[personal data]';

/**
 * What changed between `before` and `after`, for the fields named, as a
 * domain event's `changes`. Values of `personal` fields are masked.
 */
export function diff<T extends object>(before: Partial<T> | null, after: Partial<T>, fields: (keyof T)[], personal: (keyof T)[] = []): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const field of fields) {
    const a = before ? before[field] : undefined;
    const b = after[field];
    if (b === undefined && before) continue;
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    const masked = personal.includes(field);
    out[String(field)] = { from: masked && a != null ? MASKED : (a ?? null), to: masked && b != null ? MASKED : (b ?? null) };
  }
  return out;
}
