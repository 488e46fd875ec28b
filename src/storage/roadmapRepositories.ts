// Roadmaps, milestones and release ↔ milestone links: rows ↔ models.
import type { RoadmapRepository } from '../core/ports';
import type { Milestone, ReleaseMilestoneLink, Roadmap } from '../core/roadmaps';
import { compact } from '../core/validate';
import type { Row, SqlExecutor } from './database';
import { date, iso, placeholders, str } from './sqlRepositories';
import { SqlFilter } from './sqlFilter';

export class SqlRoadmapRepository implements RoadmapRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async insert(r: Roadmap): Promise<void> {
    this.sql.run('INSERT INTO roadmaps (id, name, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', [
      r.id, r.name, r.description ?? null, iso(r.createdAt), iso(r.updatedAt),
    ]);
    for (const m of r.milestones) await this.insertMilestone(m);
  }

  async update(r: Roadmap): Promise<void> {
    this.sql.run('UPDATE roadmaps SET name = ?, description = ?, updated_at = ? WHERE id = ?', [r.name, r.description ?? null, iso(r.updatedAt), r.id]);
  }

  async remove(id: string): Promise<void> {
    this.sql.run('DELETE FROM release_milestones WHERE roadmap_id = ?', [id]);
    this.sql.run('DELETE FROM milestones WHERE roadmap_id = ?', [id]);
    this.sql.run('DELETE FROM roadmaps WHERE id = ?', [id]);
  }

  async get(id: string): Promise<Roadmap | null> {
    return this.hydrate(this.sql.all('SELECT * FROM roadmaps WHERE id = ?', [id]))[0] ?? null;
  }

  async getByName(name: string): Promise<Roadmap | null> {
    return this.hydrate(this.sql.all('SELECT * FROM roadmaps WHERE lower(name) = lower(?)', [name]))[0] ?? null;
  }

  async list(): Promise<Roadmap[]> {
    return this.hydrate(this.sql.all('SELECT * FROM roadmaps ORDER BY lower(name), id'));
  }

  async insertMilestone(m: Milestone): Promise<void> {
    this.sql.run('INSERT INTO milestones (id, roadmap_id, title, due_date, weight, position, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      m.id, m.roadmapId, m.title, iso(m.dueDate), m.weight, m.position, iso(m.createdAt),
    ]);
  }

  async updateMilestone(m: Milestone): Promise<void> {
    this.sql.run('UPDATE milestones SET title = ?, due_date = ?, weight = ?, position = ? WHERE id = ?', [
      m.title, iso(m.dueDate), m.weight, m.position, m.id,
    ]);
  }

  async removeMilestone(id: string): Promise<void> {
    this.sql.run('DELETE FROM release_milestones WHERE milestone_id = ?', [id]);
    this.sql.run('DELETE FROM milestones WHERE id = ?', [id]);
  }

  async link(l: ReleaseMilestoneLink): Promise<boolean> {
    return this.sql.run(
      'INSERT OR IGNORE INTO release_milestones (release_id, milestone_id, roadmap_id, linked_at) VALUES (?, ?, ?, ?)',
      [l.releaseId, l.milestoneId, l.roadmapId, iso(l.linkedAt)],
    ) > 0;
  }

  async unlink(releaseId: string, milestoneId: string): Promise<boolean> {
    return this.sql.run('DELETE FROM release_milestones WHERE release_id = ? AND milestone_id = ?', [releaseId, milestoneId]) > 0;
  }

  async links(q: { roadmapId?: string; releaseId?: string; milestoneId?: string }): Promise<ReleaseMilestoneLink[]> {
    const { sql, params } = new SqlFilter()
      .equals('roadmap_id', q.roadmapId)
      .equals('release_id', q.releaseId)
      .equals('milestone_id', q.milestoneId)
      .select('SELECT * FROM release_milestones', 'linked_at, rowid');
    return this.sql
      .all(sql, params)
      .map((r) => ({
        releaseId: String(r.release_id),
        milestoneId: String(r.milestone_id),
        roadmapId: String(r.roadmap_id),
        linkedAt: new Date(String(r.linked_at)),
      }));
  }

  private hydrate(rows: Row[]): Roadmap[] {
    if (!rows.length) return [];
    const ids = rows.map((r) => String(r.id));
    const byRoadmap = new Map<string, Milestone[]>();
    const milestones = this.sql.all(
      `SELECT * FROM milestones WHERE roadmap_id IN (${placeholders(ids.length)}) ORDER BY position, created_at, id`,
      ids,
    );
    for (const m of milestones) {
      const milestone = compact<Milestone>({
        id: String(m.id),
        roadmapId: String(m.roadmap_id),
        title: String(m.title),
        dueDate: date(m.due_date),
        weight: Number(m.weight),
        position: Number(m.position),
        createdAt: new Date(String(m.created_at)),
      });
      const list = byRoadmap.get(milestone.roadmapId);
      if (list) list.push(milestone);
      else byRoadmap.set(milestone.roadmapId, [milestone]);
    }
    return rows.map((r) => compact<Roadmap>({
      id: String(r.id),
      name: String(r.name),
      description: str(r.description),
      milestones: byRoadmap.get(String(r.id)) ?? [],
      createdAt: new Date(String(r.created_at)),
      updatedAt: new Date(String(r.updated_at)),
    }));
  }
}
