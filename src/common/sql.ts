/**
 * Positional parameters for hand-written SQL with optional clauses:
 * `const p = new SqlParams(); where.push(\`x = \${p.add(v)}\`)`, then
 * `db.query(sql, p.values)`. Values are never spliced into the text.
 */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
