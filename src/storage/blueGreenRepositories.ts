// Blue-green rollouts: row ↔ BlueGreenDeployment. Scalar columns for what queries filter on;
// the strategy in `config`, everything else that varies per state in `details` (JSON, dates as ISO).
import type { BlueGreenDeployment, BlueGreenQuery, BlueGreenState, BlueGreenStrategy } from '../core/blueGreen';
import type { BlueGreenRepository, Colour, Weights } from '../core/ports';
import { compact } from '../core/validate';
import type { Row, SqlExecutor } from './database';
import type { SqlParam } from './journal';
import { SqlFilter } from './sqlFilter';

const iso = (d: Date | undefined): string | undefined => (d ? d.toISOString() : undefined);
const toDate = (v: unknown): Date | undefined => (typeof v === 'string' ? new Date(v) : undefined);

/** Fields kept in the `details` JSON column. */
type Details = Pick<BlueGreenDeployment, 'version' | 'attempt' | 'deploymentId' | 'deploySummary' | 'checks' | 'scaleDownError' | 'owner'> & {
  breach?: Omit<NonNullable<BlueGreenDeployment['breach']>, 'detectedAt'> & { detectedAt: string };
  autoRollback?: Omit<NonNullable<BlueGreenDeployment['autoRollback']>, 'detectedAt' | 'rolledBackAt'> & { detectedAt: string; rolledBackAt?: string };
  autoPromoteAt?: string;
  trafficAt?: string;
  promotedAt?: string;
  scaleDownAt?: string;
  scaledDownAt?: string;
};

function details(r: BlueGreenDeployment): Details {
  return compact<Details>({
    version: r.version,
    attempt: r.attempt,
    deploymentId: r.deploymentId,
    deploySummary: r.deploySummary,
    checks: r.checks,
    breach: r.breach ? { ...r.breach, detectedAt: r.breach.detectedAt.toISOString() } : undefined,
    autoRollback: r.autoRollback
      ? compact({ ...r.autoRollback, detectedAt: r.autoRollback.detectedAt.toISOString(), rolledBackAt: iso(r.autoRollback.rolledBackAt) })
      : undefined,
    autoPromoteAt: iso(r.autoPromoteAt),
    trafficAt: iso(r.trafficAt),
    promotedAt: iso(r.promotedAt),
    scaleDownAt: iso(r.scaleDownAt),
    scaledDownAt: iso(r.scaledDownAt),
    scaleDownError: r.scaleDownError,
    owner: r.owner,
  });
}

function hydrate(row: Row): BlueGreenDeployment {
  const d = JSON.parse(String(row.details ?? '{}')) as Details;
  return compact<BlueGreenDeployment>({
    id: String(row.id),
    releaseId: String(row.release_id),
    version: d.version ?? '',
    environment: String(row.environment),
    state: row.state as BlueGreenState,
    activeColour: row.active_colour as Colour,
    previewColour: row.preview_colour as Colour,
    weights: JSON.parse(String(row.weights)) as Weights,
    targetWeights: row.target_weights === null || row.target_weights === undefined ? undefined : (JSON.parse(String(row.target_weights)) as Weights),
    versions: row.versions ? (JSON.parse(String(row.versions)) as Partial<Record<Colour, string>>) : {},
    strategy: JSON.parse(String(row.config)) as BlueGreenStrategy,
    production: Number(row.production) === 1,
    reason: row.reason === null || row.reason === undefined ? undefined : String(row.reason),
    attempt: d.attempt ?? 1,
    deploymentId: d.deploymentId,
    deploySummary: d.deploySummary,
    checks: d.checks,
    breach: d.breach ? { ...d.breach, detectedAt: new Date(d.breach.detectedAt) } : undefined,
    autoRollback: d.autoRollback
      ? compact({ ...d.autoRollback, detectedAt: new Date(d.autoRollback.detectedAt), rolledBackAt: toDate(d.autoRollback.rolledBackAt) })
      : undefined,
    autoPromoteAt: toDate(d.autoPromoteAt),
    trafficAt: toDate(d.trafficAt),
    promotedAt: toDate(d.promotedAt),
    scaleDownAt: toDate(d.scaleDownAt),
    scaledDownAt: toDate(d.scaledDownAt),
    scaleDownError: d.scaleDownError,
    owner: d.owner,
    createdAt: new Date(String(row.created_at)),
    updatedAt: new Date(String(row.updated_at)),
  });
}

export class SqlBlueGreenRepository implements BlueGreenRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async insert(r: BlueGreenDeployment): Promise<void> {
    this.sql.run(
      `INSERT INTO blue_green (id, release_id, environment, state, active_colour, preview_colour, weights, target_weights, versions,
        config, production, reason, details, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [r.id, r.releaseId, r.environment, ...this.values(r), r.createdAt.toISOString(), r.updatedAt.toISOString()],
    );
  }

  async update(r: BlueGreenDeployment): Promise<void> {
    this.sql.run(
      `UPDATE blue_green SET state = ?, active_colour = ?, preview_colour = ?, weights = ?, target_weights = ?, versions = ?,
        config = ?, production = ?, reason = ?, details = ?, updated_at = ? WHERE id = ?`,
      [...this.values(r), r.updatedAt.toISOString(), r.id],
    );
  }

  async get(id: string): Promise<BlueGreenDeployment | null> {
    const row = this.sql.get('SELECT * FROM blue_green WHERE id = ?', [id]);
    return row ? hydrate(row) : null;
  }

  async find(releaseId: string, environment: string): Promise<BlueGreenDeployment | null> {
    const row = this.sql.get('SELECT * FROM blue_green WHERE release_id = ? AND environment = ?', [releaseId, environment]);
    return row ? hydrate(row) : null;
  }

  async list(q: BlueGreenQuery = {}): Promise<BlueGreenDeployment[]> {
    const { sql, params } = new SqlFilter()
      .equals('release_id', q.releaseId)
      .equals('environment', q.environment)
      .oneOf('state', q.state)
      .select('SELECT * FROM blue_green', 'updated_at DESC, rowid DESC');
    return this.sql.all(sql, params).map(hydrate);
  }

  private values(r: BlueGreenDeployment): SqlParam[] {
    return [
      r.state, r.activeColour, r.previewColour, JSON.stringify(r.weights), r.targetWeights ? JSON.stringify(r.targetWeights) : null,
      JSON.stringify(r.versions), JSON.stringify(r.strategy), r.production ? 1 : 0, r.reason ?? null, JSON.stringify(details(r)),
    ];
  }
}
