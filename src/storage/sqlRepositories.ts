import type {
  AuditEvent,
  CalendarEvent,
  CalendarEventKind,
  Conversation,
  Deployment,
  DeploymentStatus,
  Message,
  Release,
  ReleaseFilter,
  ReleaseStatus,
  Service,
} from '../core/model';
import type {
  AuditInput,
  AuditQuery,
  AuditRepository,
  CalendarRepository,
  ConversationRepository,
  DeploymentQuery,
  DeploymentRepository,
  ReleaseRepository,
  ReleaseSummary,
  Repositories,
  ServiceRepository,
  UnitOfWork,
} from '../core/ports';
import { compact } from '../core/validate';
import { SqlBlueGreenRepository } from './blueGreenRepositories';
import type { Row, SqlExecutor, WorkspaceDatabase } from './database';
import { SqlApprovalRepository, SqlEnvironmentRepository } from './environmentRepositories';
import { SqlPipelineRepository, SqlPipelineRunRepository } from './pipelineRepositories';
import type { SqlParam } from './journal';
import { SqlRoadmapRepository } from './roadmapRepositories';
import { SqlTrainRepository } from './trainRepositories';
import { SqlFilter } from './sqlFilter';

// ------------------------------------------------------------------ row helpers

export const iso = (d: Date | undefined | null): string | null => (d ? d.toISOString() : null);
export const date = (v: unknown): Date | undefined => (v === null || v === undefined ? undefined : new Date(String(v)));
export const str = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));
export const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));
export function parseJson<T>(v: unknown): T | undefined {
  if (v === null || v === undefined) return undefined;
  return JSON.parse(String(v)) as T;
}

/** `IN (?, ?, …)` for a list. */
export const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

// ------------------------------------------------------------------ releases

class SqlReleaseRepository implements ReleaseRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async insert(r: Release): Promise<void> {
    this.sql.run(
      `INSERT INTO releases (id, project_id, name, version, description, status, planned_start, planned_end, actual_start,
        actual_end, risk_score, risk_factors, release_notes, conversation_id, train_id, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [r.id, r.projectId ?? '', r.name, r.version, r.description ?? null, r.status, iso(r.plannedStart), iso(r.plannedEnd),
        iso(r.actualStart), iso(r.actualEnd), r.riskScore ?? null, json(r.riskFactors), r.releaseNotes ?? null,
        r.conversationId ?? null, r.trainId ?? null, iso(r.createdAt), iso(r.updatedAt)],
    );
    this.writeServices(r);
  }

  async update(r: Release): Promise<void> {
    this.sql.run(
      `UPDATE releases SET project_id = ?, name = ?, version = ?, description = ?, status = ?, planned_start = ?, planned_end = ?,
        actual_start = ?, actual_end = ?, risk_score = ?, risk_factors = ?, release_notes = ?, conversation_id = ?, train_id = ?,
        updated_at = ? WHERE id = ?`,
      [r.projectId ?? '', r.name, r.version, r.description ?? null, r.status, iso(r.plannedStart), iso(r.plannedEnd),
        iso(r.actualStart), iso(r.actualEnd), r.riskScore ?? null, json(r.riskFactors), r.releaseNotes ?? null,
        r.conversationId ?? null, r.trainId ?? null, iso(r.updatedAt), r.id],
    );
    const current = this.servicesOf([r.id]).get(r.id) ?? [];
    if (JSON.stringify(current) !== JSON.stringify(r.services ?? [])) {
      this.sql.run('DELETE FROM release_services WHERE release_id = ?', [r.id]);
      this.writeServices(r);
    }
  }

  async get(id: string): Promise<Release | null> {
    const row = this.sql.get('SELECT * FROM releases WHERE id = ?', [id]);
    return row ? this.hydrate([row])[0] : null;
  }

  async findByVersion(projectId: string | undefined, version: string): Promise<Release | null> {
    const row = this.sql.get('SELECT * FROM releases WHERE project_id = ? AND version = ?', [projectId ?? '', version]);
    return row ? this.hydrate([row])[0] : null;
  }

  async list(filter: ReleaseFilter = {}): Promise<Release[]> {
    const { sql, params } = this.select('*', filter);
    return this.hydrate(this.sql.all(sql, params));
  }

  async listSummaries(filter: ReleaseFilter = {}): Promise<ReleaseSummary[]> {
    const { sql, params } = this.select(
      'id, project_id, name, version, status, risk_score, planned_start, planned_end, actual_start, actual_end, conversation_id, created_at, updated_at',
      filter,
    );
    return this.sql.all(sql, params).map((r) => compact<ReleaseSummary>({
      id: String(r.id),
      projectId: r.project_id ? String(r.project_id) : undefined,
      name: String(r.name),
      version: String(r.version),
      status: r.status as ReleaseStatus,
      riskScore: r.risk_score === null ? undefined : Number(r.risk_score),
      plannedStart: date(r.planned_start),
      plannedEnd: date(r.planned_end),
      actualStart: date(r.actual_start),
      actualEnd: date(r.actual_end),
      conversationId: str(r.conversation_id),
      createdAt: new Date(String(r.created_at)),
      updatedAt: new Date(String(r.updated_at)),
    }));
  }

  async countByStatus(): Promise<Partial<Record<ReleaseStatus, number>>> {
    const out: Partial<Record<ReleaseStatus, number>> = {};
    for (const r of this.sql.all<{ status: ReleaseStatus; n: number }>('SELECT status, count(*) AS n FROM releases GROUP BY status')) {
      out[r.status] = Number(r.n);
    }
    return out;
  }

  /** `columns` FROM releases with the filter's WHERE, newest first, and its LIMIT. */
  private select(columns: string, filter: ReleaseFilter): { sql: string; params: SqlParam[] } {
    const f = new SqlFilter().oneOf('status', filter.status).equals('project_id', filter.projectId);
    if (filter.text) {
      const like = `%${filter.text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      f.where("(lower(name) LIKE ? ESCAPE '\\' OR lower(version) LIKE ? ESCAPE '\\')", like, like);
    }
    return f.select(`SELECT ${columns} FROM releases`, 'created_at DESC, id', filter.limit);
  }

  async count(): Promise<number> {
    return Number(this.sql.get<{ n: number }>('SELECT count(*) AS n FROM releases')?.n ?? 0);
  }

  private writeServices(r: Release): void {
    (r.services ?? []).forEach((name, i) =>
      this.sql.run('INSERT INTO release_services (release_id, service_name, position) VALUES (?, ?, ?)', [r.id, name, i]),
    );
  }

  private servicesOf(ids: string[]): Map<string, string[]> {
    const map = new Map<string, string[]>();
    if (!ids.length) return map;
    // One query for the whole page (chunked: SQLite limits bound parameters).
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const rows = this.sql.all<{ release_id: string; service_name: string }>(
        `SELECT release_id, service_name FROM release_services WHERE release_id IN (${placeholders(chunk.length)}) ORDER BY release_id, position`,
        chunk,
      );
      for (const row of rows) {
        const list = map.get(row.release_id) ?? [];
        list.push(row.service_name);
        map.set(row.release_id, list);
      }
    }
    return map;
  }

  private hydrate(rows: Row[]): Release[] {
    const services = this.servicesOf(rows.map((r) => String(r.id)));
    return rows.map((r) => compact<Release>({
      id: String(r.id),
      projectId: r.project_id ? String(r.project_id) : undefined,
      name: String(r.name),
      version: String(r.version),
      description: str(r.description),
      status: r.status as ReleaseStatus,
      services: services.get(String(r.id)) ?? [],
      plannedStart: date(r.planned_start),
      plannedEnd: date(r.planned_end),
      actualStart: date(r.actual_start),
      actualEnd: date(r.actual_end),
      riskScore: r.risk_score === null ? undefined : Number(r.risk_score),
      riskFactors: parseJson(r.risk_factors),
      releaseNotes: str(r.release_notes),
      conversationId: str(r.conversation_id),
      trainId: str(r.train_id),
      createdAt: new Date(String(r.created_at)),
      updatedAt: new Date(String(r.updated_at)),
    }));
  }
}

// ------------------------------------------------------------------ services

class SqlServiceRepository implements ServiceRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async insert(s: Service): Promise<void> {
    this.sql.run(
      `INSERT INTO services (id, name, path, deploy_command, rollback_command, health_check, source, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [s.id, s.name, s.path ?? null, s.deployCommand ?? null, s.rollbackCommand ?? null, json(s.healthCheck), s.source ?? null,
        iso(s.createdAt), iso(s.updatedAt)],
    );
    this.writeDependencies(s);
  }

  async update(s: Service): Promise<void> {
    this.sql.run(
      `UPDATE services SET name = ?, path = ?, deploy_command = ?, rollback_command = ?, health_check = ?, source = ?, updated_at = ?
       WHERE id = ?`,
      [s.name, s.path ?? null, s.deployCommand ?? null, s.rollbackCommand ?? null, json(s.healthCheck), s.source ?? null,
        iso(s.updatedAt), s.id],
    );
    this.sql.run('DELETE FROM service_dependencies WHERE service_id = ?', [s.id]);
    this.writeDependencies(s);
  }

  async remove(id: string): Promise<void> {
    this.sql.run('DELETE FROM services WHERE id = ?', [id]);
  }

  async get(id: string): Promise<Service | null> {
    return this.hydrate(this.sql.all('SELECT * FROM services WHERE id = ?', [id]))[0] ?? null;
  }

  async getByName(name: string): Promise<Service | null> {
    return this.hydrate(this.sql.all('SELECT * FROM services WHERE name = ?', [name]))[0] ?? null;
  }

  async list(): Promise<Service[]> {
    return this.hydrate(this.sql.all('SELECT * FROM services ORDER BY name'), true);
  }

  private writeDependencies(s: Service): void {
    for (const dep of s.dependencies) {
      this.sql.run('INSERT INTO service_dependencies (service_id, depends_on, source) VALUES (?, ?, ?)', [
        s.id, dep, s.dependencySources?.[dep] ?? null,
      ]);
    }
  }

  /** `all`: the rows are the whole table, so read every dependency in one query. */
  private hydrate(rows: Row[], all = false): Service[] {
    const deps = new Map<string, string[]>();
    const sources = new Map<string, Record<string, string>>();
    if (!rows.length) return [];
    const depRows = all
      ? this.sql.all<{ service_id: string; depends_on: string; source: string | null }>(
          'SELECT service_id, depends_on, source FROM service_dependencies ORDER BY depends_on',
        )
      : this.sql.all<{ service_id: string; depends_on: string; source: string | null }>(
          `SELECT service_id, depends_on, source FROM service_dependencies WHERE service_id IN (${placeholders(rows.length)}) ORDER BY depends_on`,
          rows.map((r) => String(r.id)),
        );
    for (const d of depRows) {
      const list = deps.get(d.service_id);
      if (list) list.push(d.depends_on);
      else deps.set(d.service_id, [d.depends_on]);
      if (d.source !== null) {
        const map = sources.get(d.service_id);
        if (map) map[d.depends_on] = d.source;
        else sources.set(d.service_id, { [d.depends_on]: d.source });
      }
    }
    return rows.map((r) => compact<Service>({
      id: String(r.id),
      name: String(r.name),
      path: str(r.path),
      deployCommand: str(r.deploy_command),
      rollbackCommand: str(r.rollback_command),
      healthCheck: parseJson(r.health_check),
      dependencies: deps.get(String(r.id)) ?? [],
      source: str(r.source),
      dependencySources: sources.get(String(r.id)),
      createdAt: new Date(String(r.created_at)),
      updatedAt: new Date(String(r.updated_at)),
    }));
  }
}

// ------------------------------------------------------------------ deployments

class SqlDeploymentRepository implements DeploymentRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async insert(d: Deployment): Promise<void> {
    this.sql.run(
      `INSERT INTO deployments (id, release_id, project_id, environment, status, pipeline_id, started_at, completed_at,
        rolled_back_at, metadata, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [d.id, d.releaseId ?? null, d.projectId ?? null, d.environment, d.status, d.pipelineId ?? null, iso(d.startedAt),
        iso(d.completedAt), iso(d.rolledBackAt), json(d.metadata), iso(d.createdAt), iso(d.updatedAt)],
    );
  }

  async update(d: Deployment): Promise<void> {
    this.sql.run(
      `UPDATE deployments SET status = ?, pipeline_id = ?, started_at = ?, completed_at = ?, rolled_back_at = ?, metadata = ?,
        updated_at = ? WHERE id = ?`,
      [d.status, d.pipelineId ?? null, iso(d.startedAt), iso(d.completedAt), iso(d.rolledBackAt), json(d.metadata),
        iso(d.updatedAt), d.id],
    );
  }

  async get(id: string): Promise<Deployment | null> {
    const row = this.sql.get('SELECT * FROM deployments WHERE id = ?', [id]);
    return row ? hydrateDeployment(row) : null;
  }

  async list(q: DeploymentQuery = {}): Promise<Deployment[]> {
    const f = new SqlFilter().equals('release_id', q.releaseId).equals('environment', q.environment).oneOf('status', q.status);
    if (q.since) f.where('created_at >= ?', q.since.toISOString());
    const { sql, params } = f.select('SELECT * FROM deployments', 'created_at DESC, rowid DESC', q.limit);
    return this.sql.all(sql, params).map(hydrateDeployment);
  }
}

export function hydrateDeployment(r: Row): Deployment {
  return compact<Deployment>({
    id: String(r.id),
    releaseId: str(r.release_id),
    projectId: str(r.project_id),
    environment: String(r.environment),
    status: r.status as DeploymentStatus,
    pipelineId: str(r.pipeline_id),
    startedAt: date(r.started_at),
    completedAt: date(r.completed_at),
    rolledBackAt: date(r.rolled_back_at),
    metadata: parseJson(r.metadata),
    createdAt: new Date(String(r.created_at)),
    updatedAt: new Date(String(r.updated_at)),
  });
}

// ------------------------------------------------------------------ conversations, calendar, audit

class SqlConversationRepository implements ConversationRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async insert(c: Conversation): Promise<void> {
    this.sql.run('INSERT INTO conversations (id, subject_type, subject_id, title, created_at) VALUES (?, ?, ?, ?, ?)', [
      c.id, c.subjectType, c.subjectId, c.title, iso(c.createdAt),
    ]);
  }

  async get(id: string): Promise<Conversation | null> {
    const r = this.sql.get('SELECT * FROM conversations WHERE id = ?', [id]);
    return r
      ? { id: String(r.id), subjectType: 'release', subjectId: String(r.subject_id), title: String(r.title), createdAt: new Date(String(r.created_at)) }
      : null;
  }

  async addMessage(m: Message): Promise<void> {
    this.sql.run('INSERT INTO messages (id, conversation_id, author, text, created_at) VALUES (?, ?, ?, ?, ?)', [
      m.id, m.conversationId, m.author, m.text, iso(m.createdAt),
    ]);
  }

  async listMessages(conversationId: string): Promise<Message[]> {
    return this.sql
      .all('SELECT * FROM messages WHERE conversation_id = ? ORDER BY created_at, rowid', [conversationId])
      .map((r) => ({
        id: String(r.id),
        conversationId: String(r.conversation_id),
        author: String(r.author),
        text: String(r.text),
        createdAt: new Date(String(r.created_at)),
      }));
  }
}

class SqlCalendarRepository implements CalendarRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async upsert(e: CalendarEvent): Promise<void> {
    this.sql.run(
      `INSERT INTO calendar_events (id, kind, subject_id, title, description, starts_at, ends_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, subject_id = excluded.subject_id, title = excluded.title,
         description = excluded.description, starts_at = excluded.starts_at, ends_at = excluded.ends_at, updated_at = excluded.updated_at`,
      [e.id, e.kind, e.subjectId, e.title, e.description ?? null, iso(e.startsAt), iso(e.endsAt), iso(e.updatedAt)],
    );
  }

  async remove(id: string): Promise<void> {
    this.sql.run('DELETE FROM calendar_events WHERE id = ?', [id]);
  }

  async listBySubject(subjectId: string): Promise<CalendarEvent[]> {
    return this.sql.all('SELECT * FROM calendar_events WHERE subject_id = ? ORDER BY starts_at, id', [subjectId]).map(hydrateEvent);
  }

  async list(): Promise<CalendarEvent[]> {
    return this.sql.all('SELECT * FROM calendar_events ORDER BY starts_at, id').map(hydrateEvent);
  }
}

const hydrateEvent = (r: Row): CalendarEvent => compact<CalendarEvent>({
  id: String(r.id),
  kind: r.kind as CalendarEventKind,
  subjectId: String(r.subject_id),
  title: String(r.title),
  description: str(r.description),
  startsAt: new Date(String(r.starts_at)),
  endsAt: new Date(String(r.ends_at)),
  updatedAt: new Date(String(r.updated_at)),
});

class SqlAuditRepository implements AuditRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async append(e: AuditInput): Promise<number> {
    this.sql.run(
      'INSERT INTO audit_events (at, actor, action, entity_type, entity_id, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [iso(e.at), e.actor, e.action, e.entityType, e.entityId, json(e.before), json(e.after)],
    );
    return Number(this.sql.get<{ id: number }>('SELECT last_insert_rowid() AS id')?.id);
  }

  async list(q: AuditQuery = {}): Promise<AuditEvent[]> {
    const { sql, params } = new SqlFilter()
      .equals('entity_type', q.entityType)
      .equals('entity_id', q.entityId)
      .select('SELECT * FROM audit_events', q.limit !== undefined ? 'id DESC' : 'id', q.limit);
    return this.sql.all(sql, params).map((r) => ({
      id: Number(r.id),
      at: new Date(String(r.at)),
      actor: String(r.actor),
      action: String(r.action),
      entityType: String(r.entity_type),
      entityId: String(r.entity_id),
      before: parseJson(r.before),
      after: parseJson(r.after),
    }));
  }
}

// ------------------------------------------------------------------ unit of work

export function sqlRepositories(sql: SqlExecutor): Repositories {
  return {
    releases: new SqlReleaseRepository(sql),
    services: new SqlServiceRepository(sql),
    deployments: new SqlDeploymentRepository(sql),
    conversations: new SqlConversationRepository(sql),
    calendar: new SqlCalendarRepository(sql),
    audit: new SqlAuditRepository(sql),
    blueGreen: new SqlBlueGreenRepository(sql),
    environments: new SqlEnvironmentRepository(sql),
    approvals: new SqlApprovalRepository(sql),
    pipelines: new SqlPipelineRepository(sql),
    pipelineRuns: new SqlPipelineRunRepository(sql),
    trains: new SqlTrainRepository(sql),
    roadmaps: new SqlRoadmapRepository(sql),
  };
}

/** The core's `UnitOfWork` over the workspace's sql.js database. */
export class SqlUnitOfWork implements UnitOfWork {
  constructor(readonly database: WorkspaceDatabase) {}

  read<T>(fn: (repos: Repositories) => Promise<T>): Promise<T> {
    return this.database.read((sql) => fn(sqlRepositories(sql)));
  }

  write<T>(fn: (repos: Repositories) => Promise<T>): Promise<T> {
    return this.database.write((sql) => fn(sqlRepositories(sql)));
  }
}
