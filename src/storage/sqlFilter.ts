import type { SqlParam } from './journal';

/**
 * The WHERE (and LIMIT) of a list query built from optional filters: a filter whose value is
 * undefined adds nothing. Column names are the repositories' own constants, never input.
 */
export class SqlFilter {
  private readonly clauses: string[] = [];
  readonly params: SqlParam[] = [];

  equals(column: string, value: SqlParam | undefined): this {
    if (value !== undefined) this.where(`${column} = ?`, value);
    return this;
  }

  oneOf(column: string, value: string | readonly string[] | undefined): this {
    if (value === undefined) return this;
    const list = typeof value === 'string' ? [value] : value;
    return this.where(`${column} IN (${list.map(() => '?').join(', ')})`, ...list);
  }

  where(clause: string, ...params: SqlParam[]): this {
    this.clauses.push(clause);
    this.params.push(...params);
    return this;
  }

  /** `SELECT … FROM table` + WHERE + `orderBy` + LIMIT (when `limit` is given). */
  select(head: string, orderBy: string, limit?: number): { sql: string; params: SqlParam[] } {
    const params = [...this.params];
    let sql = `${head}${this.clauses.length ? ` WHERE ${this.clauses.join(' AND ')}` : ''} ORDER BY ${orderBy}`;
    if (limit !== undefined) {
      sql += ' LIMIT ?';
      params.push(limit);
    }
    return { sql, params };
  }
}
