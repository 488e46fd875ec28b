// Pipeline definitions, runs and step results: rows ↔ models.
import type { PipelineDefinition, PipelineRun, PipelineRunStatus, PipelineStep, PipelineStepType, RunOwner, StepResult, StepStatus } from '../core/model';
import type { PipelineRepository, PipelineRunQuery, PipelineRunRepository } from '../core/ports';
import { compact } from '../core/validate';
import type { Row, SqlExecutor } from './database';
import { date, iso, json, parseJson, placeholders, str } from './sqlRepositories';
import { SqlFilter } from './sqlFilter';

export class SqlPipelineRepository implements PipelineRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async insert(p: PipelineDefinition): Promise<void> {
    this.sql.run('INSERT INTO pipelines (id, name, steps, source, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)', [
      p.id, p.name, JSON.stringify(p.steps), p.source, iso(p.createdAt), iso(p.updatedAt),
    ]);
  }

  async update(p: PipelineDefinition): Promise<void> {
    this.sql.run('UPDATE pipelines SET name = ?, steps = ?, source = ?, updated_at = ? WHERE id = ?', [
      p.name, JSON.stringify(p.steps), p.source, iso(p.updatedAt), p.id,
    ]);
  }

  async remove(id: string): Promise<void> {
    this.sql.run('DELETE FROM pipelines WHERE id = ?', [id]);
  }

  async get(id: string): Promise<PipelineDefinition | null> {
    const row = this.sql.get('SELECT * FROM pipelines WHERE id = ?', [id]);
    return row ? hydratePipeline(row) : null;
  }

  async getByName(name: string): Promise<PipelineDefinition | null> {
    const row = this.sql.get('SELECT * FROM pipelines WHERE lower(name) = lower(?)', [name]);
    return row ? hydratePipeline(row) : null;
  }

  async list(): Promise<PipelineDefinition[]> {
    return this.sql.all('SELECT * FROM pipelines ORDER BY lower(name), id').map(hydratePipeline);
  }
}

function hydratePipeline(r: Row): PipelineDefinition {
  return {
    id: String(r.id),
    name: String(r.name),
    steps: JSON.parse(String(r.steps)) as PipelineStep[],
    source: r.source === 'file' ? 'file' : 'database',
    createdAt: new Date(String(r.created_at)),
    updatedAt: new Date(String(r.updated_at)),
  };
}

export class SqlPipelineRunRepository implements PipelineRunRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async insert(run: PipelineRun): Promise<void> {
    this.sql.run(
      `INSERT INTO pipeline_runs (id, pipeline_id, pipeline_name, deployment_id, status, current_step, started_at, ended_at, owner,
        definition, interruption) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [run.id, run.pipelineId, run.pipelineName, run.deploymentId, run.status, run.currentStep, iso(run.startedAt), iso(run.endedAt),
        json(run.owner), JSON.stringify(run.definition), json(run.interruption)],
    );
    for (const step of run.steps) this.insertStep(run.id, step);
  }

  async update(run: PipelineRun): Promise<void> {
    this.sql.run('UPDATE pipeline_runs SET status = ?, current_step = ?, ended_at = ?, owner = ?, interruption = ? WHERE id = ?', [
      run.status, run.currentStep, iso(run.endedAt), json(run.owner), json(run.interruption), run.id,
    ]);
  }

  async updateStep(runId: string, s: StepResult): Promise<void> {
    const changed = this.sql.run(
      `UPDATE step_results SET name = ?, type = ?, status = ?, attempts = ?, exit_code = ?, started_at = ?, ended_at = ?,
        duration_ms = ?, log_excerpt = ?, summary = ? WHERE id = ?`,
      [s.name, s.type, s.status, s.attempts, s.exitCode ?? null, iso(s.startedAt), iso(s.endedAt), s.durationMs ?? null, s.log,
        s.summary ?? null, stepId(runId, s.index)],
    );
    if (changed === 0) this.insertStep(runId, s);
  }

  async get(id: string): Promise<PipelineRun | null> {
    return this.hydrate(this.sql.all('SELECT * FROM pipeline_runs WHERE id = ?', [id]))[0] ?? null;
  }

  async list(q: PipelineRunQuery = {}): Promise<PipelineRun[]> {
    const { sql, params } = new SqlFilter()
      .equals('deployment_id', q.deploymentId)
      .oneOf('status', q.status)
      .select('SELECT * FROM pipeline_runs', 'started_at DESC, rowid DESC', q.limit);
    return this.hydrate(this.sql.all(sql, params));
  }

  private insertStep(runId: string, s: StepResult): void {
    this.sql.run(
      `INSERT INTO step_results (id, run_id, step_index, name, type, status, attempts, exit_code, started_at, ended_at, duration_ms,
        log_excerpt, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [stepId(runId, s.index), runId, s.index, s.name, s.type, s.status, s.attempts, s.exitCode ?? null, iso(s.startedAt), iso(s.endedAt),
        s.durationMs ?? null, s.log, s.summary ?? null],
    );
  }

  private hydrate(rows: Row[]): PipelineRun[] {
    if (!rows.length) return [];
    const ids = rows.map((r) => String(r.id));
    const steps = new Map<string, StepResult[]>();
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      for (const s of this.sql.all(`SELECT * FROM step_results WHERE run_id IN (${placeholders(chunk.length)}) ORDER BY run_id, step_index`, chunk)) {
        const list = steps.get(String(s.run_id)) ?? [];
        list.push(compact<StepResult>({
          index: Number(s.step_index),
          name: String(s.name),
          type: s.type as PipelineStepType,
          status: s.status as StepStatus,
          attempts: Number(s.attempts),
          exitCode: s.exit_code === null ? undefined : Number(s.exit_code),
          startedAt: date(s.started_at),
          endedAt: date(s.ended_at),
          durationMs: s.duration_ms === null ? undefined : Number(s.duration_ms),
          summary: str(s.summary),
          log: s.log_excerpt === null ? '' : String(s.log_excerpt),
        }));
        steps.set(String(s.run_id), list);
      }
    }
    return rows.map((r) => compact<PipelineRun>({
      id: String(r.id),
      pipelineId: String(r.pipeline_id ?? ''),
      pipelineName: String(r.pipeline_name ?? ''),
      deploymentId: String(r.deployment_id ?? ''),
      status: r.status as PipelineRunStatus,
      currentStep: Number(r.current_step ?? 0),
      steps: steps.get(String(r.id)) ?? [],
      startedAt: new Date(String(r.started_at)),
      endedAt: date(r.ended_at),
      interruption: parseJson(r.interruption),
      owner: parseJson<RunOwner>(r.owner),
      definition: parseJson<PipelineStep[]>(r.definition) ?? [],
    }));
  }
}

const stepId = (runId: string, index: number) => `${runId}/${index}`;
