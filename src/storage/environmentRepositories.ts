// Environments (with their freeze windows) and approvals: rows ↔ models.
import type { FreezeWindow } from '../core/freezeWindows';
import type { Approval, ApprovalStatus, Environment } from '../core/model';
import type { ApprovalRepository, EnvironmentRepository } from '../core/ports';
import { compact } from '../core/validate';
import type { Row, SqlExecutor } from './database';
import { date, iso, json, parseJson, placeholders, str } from './sqlRepositories';
import { SqlFilter } from './sqlFilter';

const SEEDED_KEY = 'environments.seeded';

export class SqlEnvironmentRepository implements EnvironmentRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async list(): Promise<Environment[]> {
    return this.hydrate(this.sql.all('SELECT * FROM environments ORDER BY position, name'));
  }

  async get(id: string): Promise<Environment | null> {
    return this.hydrate(this.sql.all('SELECT * FROM environments WHERE id = ?', [id]))[0] ?? null;
  }

  async getByName(name: string): Promise<Environment | null> {
    return this.hydrate(this.sql.all('SELECT * FROM environments WHERE lower(name) = lower(?)', [name]))[0] ?? null;
  }

  async insert(e: Environment): Promise<void> {
    this.sql.run(
      `INSERT INTO environments (id, name, position, protected, require_different_approver, pipeline_id, guided_failure, router,
        created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [e.id, e.name, e.position, e.protected ? 1 : 0, e.requireDifferentApprover ? 1 : 0, e.pipelineId ?? null,
        e.guidedFailure ? 1 : 0, json(e.router), iso(e.createdAt), iso(e.updatedAt)],
    );
    this.writeWindows(e);
  }

  async update(e: Environment): Promise<void> {
    this.sql.run(
      `UPDATE environments SET name = ?, position = ?, protected = ?, require_different_approver = ?, pipeline_id = ?,
        guided_failure = ?, router = ?, updated_at = ? WHERE id = ?`,
      [e.name, e.position, e.protected ? 1 : 0, e.requireDifferentApprover ? 1 : 0, e.pipelineId ?? null, e.guidedFailure ? 1 : 0,
        json(e.router), iso(e.updatedAt), e.id],
    );
    this.sql.run('DELETE FROM freeze_windows WHERE environment_id = ?', [e.id]);
    this.writeWindows(e);
  }

  async remove(id: string): Promise<void> {
    const row = this.sql.get<{ name: string }>('SELECT name FROM environments WHERE id = ?', [id]);
    if (row) this.sql.run('DELETE FROM approvals WHERE environment = ?', [row.name]);
    this.sql.run('DELETE FROM environments WHERE id = ?', [id]);
  }

  async renameReferences(from: string, to: string): Promise<void> {
    for (const table of ['deployments', 'approvals', 'blue_green']) {
      this.sql.run(`UPDATE ${table} SET environment = ? WHERE environment = ?`, [to, from]);
    }
  }

  async isSeeded(): Promise<boolean> {
    return this.sql.get('SELECT value FROM meta WHERE key = ?', [SEEDED_KEY]) !== undefined;
  }

  async markSeeded(): Promise<void> {
    this.sql.run('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', [SEEDED_KEY, '1']);
  }

  private writeWindows(e: Environment): void {
    const at = iso(e.updatedAt);
    for (const w of e.freezeWindows) {
      this.sql.run('INSERT INTO freeze_windows (id, environment_id, name, definition, created_at) VALUES (?, ?, ?, ?, ?)', [
        w.id, e.id, w.name, JSON.stringify(w), at,
      ]);
    }
  }

  private hydrate(rows: Row[]): Environment[] {
    if (!rows.length) return [];
    const ids = rows.map((r) => String(r.id));
    const windows = new Map<string, FreezeWindow[]>();
    for (const w of this.sql.all<{ environment_id: string; definition: string }>(
      `SELECT environment_id, definition FROM freeze_windows WHERE environment_id IN (${placeholders(ids.length)}) ORDER BY rowid`,
      ids,
    )) {
      const list = windows.get(w.environment_id) ?? [];
      list.push(JSON.parse(w.definition) as FreezeWindow);
      windows.set(w.environment_id, list);
    }
    return rows.map((r) => compact<Environment>({
      id: String(r.id),
      name: String(r.name),
      position: Number(r.position),
      protected: Number(r.protected) === 1,
      requireDifferentApprover: Number(r.require_different_approver) === 1,
      pipelineId: str(r.pipeline_id),
      guidedFailure: Number(r.guided_failure) === 1,
      freezeWindows: windows.get(String(r.id)) ?? [],
      router: parseJson(r.router),
      createdAt: new Date(String(r.created_at)),
      updatedAt: new Date(String(r.updated_at)),
    }));
  }
}

export class SqlApprovalRepository implements ApprovalRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async insert(a: Approval): Promise<void> {
    this.sql.run(
      `INSERT INTO approvals (id, release_id, environment, requested_by, requested_at, approved_by, approved_at, status, comment)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [a.id, a.releaseId, a.environment, a.requestedBy ?? null, iso(a.requestedAt), a.approvedBy ?? null, iso(a.approvedAt), a.status,
        a.comment ?? null],
    );
  }

  async update(a: Approval): Promise<void> {
    this.sql.run(
      'UPDATE approvals SET environment = ?, requested_by = ?, requested_at = ?, approved_by = ?, approved_at = ?, status = ?, comment = ? WHERE id = ?',
      [a.environment, a.requestedBy ?? null, iso(a.requestedAt), a.approvedBy ?? null, iso(a.approvedAt), a.status, a.comment ?? null, a.id],
    );
  }

  async list(q: { releaseId?: string; environment?: string } = {}): Promise<Approval[]> {
    const { sql, params } = new SqlFilter()
      .equals('release_id', q.releaseId)
      .equals('environment', q.environment)
      .select('SELECT * FROM approvals', 'coalesce(requested_at, approved_at) DESC, rowid DESC');
    const rows = this.sql.all(sql, params);
    return rows.map((r) => compact<Approval>({
      id: String(r.id),
      releaseId: String(r.release_id),
      environment: String(r.environment),
      status: r.status as ApprovalStatus,
      requestedBy: str(r.requested_by),
      requestedAt: date(r.requested_at),
      approvedBy: str(r.approved_by),
      approvedAt: date(r.approved_at),
      comment: str(r.comment),
    }));
  }
}
