// Release trains and their departures: rows ↔ models.
import type { RecurrenceRule } from '../core/recurrence';
import type { ReleaseTrain, TrainCheckpoint, TrainDeparture, VersionRule } from '../core/releaseTrains';
import type { TrainRepository } from '../core/ports';
import { compact } from '../core/validate';
import type { Row, SqlExecutor } from './database';
import { iso, json, parseJson, str } from './sqlRepositories';

export class SqlTrainRepository implements TrainRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async insert(t: ReleaseTrain): Promise<void> {
    this.sql.run(
      `INSERT INTO trains (id, name, recurrence, enabled, version_rule, services, checkpoints, active_from, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [t.id, t.name, json(t.recurrence), t.enabled ? 1 : 0, t.versionRule, json(t.services), json(t.checkpoints),
        iso(t.activeFrom), iso(t.createdAt), iso(t.updatedAt)],
    );
  }

  async update(t: ReleaseTrain): Promise<void> {
    this.sql.run(
      `UPDATE trains SET name = ?, recurrence = ?, enabled = ?, version_rule = ?, services = ?, checkpoints = ?, active_from = ?,
        updated_at = ? WHERE id = ?`,
      [t.name, json(t.recurrence), t.enabled ? 1 : 0, t.versionRule, json(t.services), json(t.checkpoints), iso(t.activeFrom),
        iso(t.updatedAt), t.id],
    );
  }

  async remove(id: string): Promise<void> {
    this.sql.run('DELETE FROM train_departures WHERE train_id = ?', [id]);
    this.sql.run('DELETE FROM trains WHERE id = ?', [id]);
  }

  async get(id: string): Promise<ReleaseTrain | null> {
    const row = this.sql.get('SELECT * FROM trains WHERE id = ?', [id]);
    return row ? hydrateTrain(row) : null;
  }

  async getByName(name: string): Promise<ReleaseTrain | null> {
    const row = this.sql.get('SELECT * FROM trains WHERE lower(name) = lower(?)', [name]);
    return row ? hydrateTrain(row) : null;
  }

  async list(): Promise<ReleaseTrain[]> {
    return this.sql.all('SELECT * FROM trains ORDER BY lower(name), id').map(hydrateTrain);
  }

  async recordDeparture(d: TrainDeparture): Promise<void> {
    // A plain INSERT: the primary key (train_id, departure_at) makes a second record of the same
    // departure fail, and with it the transaction that would have created a second release.
    this.sql.run('INSERT INTO train_departures (train_id, departure_at, release_id, error, created_at) VALUES (?, ?, ?, ?, ?)', [
      d.trainId, iso(d.departureAt), d.releaseId ?? null, d.error ?? null, iso(d.createdAt),
    ]);
  }

  async getDeparture(trainId: string, departureAt: Date): Promise<TrainDeparture | null> {
    const row = this.sql.get('SELECT * FROM train_departures WHERE train_id = ? AND departure_at = ?', [trainId, iso(departureAt)]);
    return row ? hydrateDeparture(row) : null;
  }

  async lastDeparture(trainId: string): Promise<Date | null> {
    // ISO-8601 UTC text of one length sorts as time does.
    const row = this.sql.get<{ at: string | null }>('SELECT max(departure_at) AS at FROM train_departures WHERE train_id = ?', [trainId]);
    return row?.at ? new Date(row.at) : null;
  }

  async listDepartures(trainId: string, limit?: number): Promise<TrainDeparture[]> {
    const rows = limit === undefined
      ? this.sql.all('SELECT * FROM train_departures WHERE train_id = ? ORDER BY departure_at DESC', [trainId])
      : this.sql.all('SELECT * FROM train_departures WHERE train_id = ? ORDER BY departure_at DESC LIMIT ?', [trainId, limit]);
    return rows.map(hydrateDeparture);
  }
}

function hydrateTrain(r: Row): ReleaseTrain {
  return {
    id: String(r.id),
    name: String(r.name),
    recurrence: parseJson<RecurrenceRule>(r.recurrence)!,
    enabled: Number(r.enabled) === 1,
    versionRule: String(r.version_rule) as VersionRule,
    services: parseJson<string[]>(r.services) ?? [],
    checkpoints: parseJson<TrainCheckpoint[]>(r.checkpoints) ?? [],
    activeFrom: new Date(String(r.active_from)),
    createdAt: new Date(String(r.created_at)),
    updatedAt: new Date(String(r.updated_at)),
  };
}

function hydrateDeparture(r: Row): TrainDeparture {
  return compact<TrainDeparture>({
    trainId: String(r.train_id),
    departureAt: new Date(String(r.departure_at)),
    releaseId: str(r.release_id),
    error: str(r.error),
    createdAt: new Date(String(r.created_at)),
  });
}
