import { Auditor } from '../audit';
import {
  NotFoundError,
  RefusedError,
  ValidationError,
  type Environment,
  type PipelineDefinition,
  type PipelineRun,
  type PipelineRunStatus,
  type PipelineStep,
  type StepResult,
  type StepStatus,
} from '../model';
import { checkPipelineName, parsePipelineFile, PIPELINE_FILE, validateSteps, type PipelineIssue } from '../pipelineDefinition';
import type {
  Clock,
  HttpClient,
  Identity,
  ProcessRunner,
  Repositories,
  RunOwnership,
  ServiceDeployer,
  Sleep,
  TaskRunner,
  UnitOfWork,
  WorkspaceTrust,
} from '../ports';
import { timerSleep } from '../ports';
import { compact, describe, listNames, requireText } from '../validate';
import type { DeploymentExecutor, EnvironmentPromotionManager } from './EnvironmentPromotionManager';

export interface DeploymentPipelineManagerDeps {
  uow: UnitOfWork;
  clock: Clock;
  identity: Identity;
  trust: WorkspaceTrust;
  processes: ProcessRunner;
  http: HttpClient;
  /** Deployment status changes (and the release following them) go through the promotion manager's rules. */
  promotion: EnvironmentPromotionManager;
  ownership: RunOwnership;
  /** The workspace folder: where shell steps run. */
  cwd: string;
  sleep?: Sleep;
  tasks?: TaskRunner;
  services?: ServiceDeployer;
  newId?: () => string;
  /** Per step, head and tail kept. Default 256 KiB. */
  logCapBytes?: number;
  /** Pause between a failed attempt and the next. Default 1000 ms. */
  retryDelayMs?: number;
  /** The workspace pipeline file as shown in messages. Default `.vscode/release-pipelines.json`. */
  pipelineFile?: string;
}

export interface PipelineOutputEvent {
  runId: string;
  stepIndex: number;
  stepName: string;
  text: string;
}

export interface Disposable {
  dispose(): void;
}

export type InterruptionAction = 'retry' | 'ignore' | 'abort';

export interface StartRunOptions {
  /**
   * Extra environment variables for every process of the run (e.g. blue-green's COLOR). Names
   * [A-Z_][A-Z0-9_]*, values text without NUL; the run's own variables (RELEASE_ID, …) cannot be replaced.
   */
  env?: Record<string, string>;
}

/** Set by the engine for every process of a run; StartRunOptions.env may not replace them. */
export const RUN_VARIABLES = [
  'RELEASE_ID', 'RELEASE_VERSION', 'RELEASE_NAME', 'RELEASE_COMMIT', 'TARGET_ENV', 'DEPLOYMENT_ID',
  'PIPELINE_RUN_ID', 'PIPELINE_NAME', 'STEP_NAME', 'STEP_INDEX',
] as const;
const ENV_VAR_NAME = /^[A-Z_][A-Z0-9_]*$/;
const MAX_EXTRA_ENV = 100;
const MAX_ENV_VALUE = 32 * 1024;

export interface PipelineSyncResult {
  added: string[];
  updated: string[];
  removed: string[];
  /** Environments whose pipeline left the file; they now promote without one. */
  detached: string[];
  /** The file's problems; when any, nothing was changed. */
  errors: PipelineIssue[];
}

export const DEFAULT_STEP_LOG_CAP = 256 * 1024;
const TERMINAL: PipelineRunStatus[] = ['succeeded', 'failed', 'cancelled'];
const LIVE: PipelineRunStatus[] = ['running', 'waiting_approval', 'interrupted'];
/** Steps that start processes: refused in an untrusted workspace. */
const NEEDS_TRUST = new Set(['shell', 'task', 'deployServices']);

type Decision =
  | { kind: 'approve'; approver: string; comment?: string }
  | { kind: 'retry' | 'ignore' | 'abort' }
  | { kind: 'cancel' };

interface Waiter {
  expect: 'approval' | 'interruption';
  resolve(d: Decision): void;
  /** Resolved by the engine once the decision is recorded. */
  applied: Deferred<void>;
}

interface ActiveRun {
  run: PipelineRun;
  controller: AbortController;
  /** Why the run is being stopped: the person cancelled, or the window is closing. */
  stopReason?: 'cancel' | 'shutdown';
  env: Record<string, string>;
  environment: Environment;
  startedBy: string;
  waiter?: Waiter;
  /** An abort decided at an interruption is applied when the run has ended. */
  abortApplied?: Deferred<void>;
  done: Promise<PipelineRun>;
}

interface AttemptResult {
  ok: boolean;
  summary: string;
  exitCode?: number | null;
  cancelled?: boolean;
}

/**
 * Pipeline definitions (palette, dashboard and the workspace file) and their execution for a
 * deployment: typed steps in order with timeout, retries and continue-on-error, real processes in
 * the workspace folder, release values only as environment variables, guided failure, approvals,
 * cancellation of the whole process tree, and recovery of runs cut off by a closed window.
 */
export class DeploymentPipelineManager implements DeploymentExecutor {
  private readonly uow: UnitOfWork;
  private readonly clock: Clock;
  private readonly identity: Identity;
  private readonly auditor: Auditor;
  private readonly newId: () => string;
  private readonly sleep: Sleep;
  private readonly logCap: number;
  private readonly retryDelayMs: number;
  private readonly pipelineFile: string;
  private readonly active = new Map<string, ActiveRun>();
  private readonly changeListeners = new Set<(run: PipelineRun) => void>();
  private readonly outputListeners = new Set<(e: PipelineOutputEvent) => void>();

  constructor(private readonly deps: DeploymentPipelineManagerDeps) {
    this.uow = deps.uow;
    this.clock = deps.clock;
    this.identity = deps.identity;
    this.auditor = new Auditor(deps.clock, deps.identity);
    this.newId = deps.newId ?? (() => globalThis.crypto.randomUUID());
    this.sleep = deps.sleep ?? timerSleep;
    this.logCap = deps.logCapBytes ?? DEFAULT_STEP_LOG_CAP;
    this.retryDelayMs = deps.retryDelayMs ?? 1000;
    this.pipelineFile = deps.pipelineFile ?? PIPELINE_FILE;
    deps.promotion.setExecutor(this);
  }

  // ---------------------------------------------------------------- events

  /** Every change of a run's state (step started, finished, run paused, ended). */
  onDidChange(listener: (run: PipelineRun) => void): Disposable {
    this.changeListeners.add(listener);
    return { dispose: () => this.changeListeners.delete(listener) };
  }

  /** Live output of steps as it arrives (the stored log is capped; this is not). */
  onOutput(listener: (e: PipelineOutputEvent) => void): Disposable {
    this.outputListeners.add(listener);
    return { dispose: () => this.outputListeners.delete(listener) };
  }

  // ---------------------------------------------------------------- definitions

  listPipelines(): Promise<PipelineDefinition[]> {
    return this.uow.read((r) => r.pipelines.list());
  }

  /** By id or name. */
  async getPipeline(idOrName: string): Promise<PipelineDefinition> {
    return this.uow.read((r) => this.requirePipeline(r, idOrName));
  }

  async createPipeline(name: string, steps: PipelineStep[]): Promise<PipelineDefinition> {
    const clean = this.checkName(name);
    const cleanSteps = validateSteps(steps);
    const actor = await this.identity.currentUser();
    return this.uow.write(async (r) => {
      const clash = await r.pipelines.getByName(clean);
      if (clash) throw new ValidationError('name', `a pipeline named '${clash.name}' already exists${clash.source === 'file' ? ` (declared in ${this.pipelineFile})` : ''}`);
      const now = this.clock.now();
      const p: PipelineDefinition = { id: this.newId(), name: clean, steps: cleanSteps, source: 'database', createdAt: now, updatedAt: now };
      await r.pipelines.insert(p);
      await this.auditor.record(r, actor, 'pipeline.create', 'pipeline', p.id, undefined, p);
      return p;
    });
  }

  async updatePipeline(idOrName: string, updates: { name?: string; steps?: PipelineStep[] }): Promise<PipelineDefinition> {
    if (typeof updates !== 'object' || updates === null) throw new ValidationError('updates', `expected an object, got ${describe(updates)}`);
    const unknown = Object.keys(updates).filter((k) => k !== 'name' && k !== 'steps');
    if (unknown.length) throw new ValidationError(unknown[0], 'is not a field that can be updated (fields: name, steps)');
    const name = updates.name === undefined ? undefined : this.checkName(updates.name);
    const steps = updates.steps === undefined ? undefined : validateSteps(updates.steps);
    const actor = await this.identity.currentUser();
    return this.uow.write(async (r) => {
      const before = await this.requirePipeline(r, idOrName);
      this.refuseFileEdit(before);
      if (name !== undefined) {
        const clash = await r.pipelines.getByName(name);
        if (clash && clash.id !== before.id) throw new ValidationError('name', `a pipeline named '${clash.name}' already exists`);
      }
      const after: PipelineDefinition = { ...before, name: name ?? before.name, steps: steps ?? before.steps, updatedAt: this.clock.now() };
      await r.pipelines.update(after);
      await this.auditor.record(r, actor, 'pipeline.update', 'pipeline', after.id, before, after);
      return after;
    });
  }

  /** Refused while an environment uses it, or when it is declared in the workspace file. */
  async deletePipeline(idOrName: string): Promise<void> {
    const actor = await this.identity.currentUser();
    await this.uow.write(async (r) => {
      const p = await this.requirePipeline(r, idOrName);
      this.refuseFileEdit(p);
      const users = (await r.environments.list()).filter((e) => e.pipelineId === p.id).map((e) => e.name);
      if (users.length) throw new RefusedError(`pipeline '${p.name}' is the pipeline of ${listNames(users)}; choose another pipeline for ${users.length > 1 ? 'them' : 'it'} first`);
      await r.pipelines.remove(p.id);
      await this.auditor.record(r, actor, 'pipeline.delete', 'pipeline', p.id, p, undefined);
    });
  }

  /**
   * Makes the database's file pipelines match the workspace file (`text` null: the file is gone).
   * Pipelines are matched by name; a name also used by a pipeline created in VS Code is an error.
   * When the file has errors nothing changes and the errors (with JSON path, line, column) are returned.
   */
  async syncPipelineFile(text: string | null, fileName: string = this.pipelineFile): Promise<PipelineSyncResult> {
    const parsed = text === null ? { pipelines: [], errors: [] } : parsePipelineFile(text, fileName);
    const result: PipelineSyncResult = { added: [], updated: [], removed: [], detached: [], errors: parsed.errors };
    if (parsed.errors.length) return result;
    const actor = await this.identity.currentUser();
    return this.uow.write(async (r) => {
      const existing = await r.pipelines.list();
      const errors: PipelineIssue[] = [];
      parsed.pipelines.forEach((p, i) => {
        const clash = existing.find((e) => e.name.toLowerCase() === p.name.toLowerCase() && e.source === 'database');
        if (clash) errors.push({ path: `pipelines[${i}].name`, message: `'${p.name}' is also the name of a pipeline created in VS Code; rename one of them` });
      });
      if (errors.length) return { ...result, errors };
      const now = this.clock.now();
      for (const p of parsed.pipelines) {
        const before = existing.find((e) => e.source === 'file' && e.name.toLowerCase() === p.name.toLowerCase());
        if (!before) {
          const def: PipelineDefinition = { id: this.newId(), name: p.name, steps: p.steps, source: 'file', createdAt: now, updatedAt: now };
          await r.pipelines.insert(def);
          await this.auditor.record(r, actor, 'pipeline.create', 'pipeline', def.id, undefined, { ...def, file: fileName });
          result.added.push(p.name);
        } else if (JSON.stringify(before.steps) !== JSON.stringify(p.steps) || before.name !== p.name) {
          const after: PipelineDefinition = { ...before, name: p.name, steps: p.steps, updatedAt: now };
          await r.pipelines.update(after);
          await this.auditor.record(r, actor, 'pipeline.update', 'pipeline', after.id, before, { ...after, file: fileName });
          result.updated.push(p.name);
        }
      }
      const keep = new Set(parsed.pipelines.map((p) => p.name.toLowerCase()));
      const envs = await r.environments.list();
      for (const gone of existing.filter((e) => e.source === 'file' && !keep.has(e.name.toLowerCase()))) {
        for (const env of envs.filter((e) => e.pipelineId === gone.id)) {
          const after: Environment = { ...env, updatedAt: now };
          delete after.pipelineId;
          await r.environments.update(after);
          await this.auditor.record(r, actor, 'environment.update', 'environment', env.id, { pipelineId: gone.id }, { pipelineId: null, reason: `pipeline '${gone.name}' left ${fileName}` });
          result.detached.push(env.name);
        }
        await r.pipelines.remove(gone.id);
        await this.auditor.record(r, actor, 'pipeline.delete', 'pipeline', gone.id, gone, { file: fileName });
        result.removed.push(gone.name);
      }
      return result;
    });
  }

  // ---------------------------------------------------------------- runs

  getRun(runId: string): Promise<PipelineRun | null> {
    const live = this.active.get(runId);
    if (live) return Promise.resolve(clone(live.run));
    if (typeof runId !== 'string') return Promise.resolve(null);
    return this.uow.read((r) => r.pipelineRuns.get(runId));
  }

  listRuns(query: { deploymentId?: string; limit?: number } = {}): Promise<PipelineRun[]> {
    return this.uow.read((r) => r.pipelineRuns.list(query));
  }

  /** Whether this window drives the run (and so can cancel, approve or resolve it). */
  isActive(runId: string): boolean {
    return this.active.has(runId);
  }

  /** DeploymentExecutor: refuses, before anything is written, a pipeline that would start processes in an untrusted workspace. */
  async preflight(pipelineId: string): Promise<void> {
    const p = await this.getPipeline(pipelineId);
    this.checkTrust(p.name, p.steps);
  }

  start(deploymentId: string, pipelineId: string, options?: StartRunOptions): Promise<PipelineRun> {
    return this.startRun(deploymentId, pipelineId, options);
  }

  /**
   * Runs the pipeline (`pipelineId`, else the deployment's, else its environment's) for a pending
   * deployment, which goes in progress. Resolves once the run is recorded; the steps go on in the
   * background (follow them with onDidChange / onOutput, or await waitForRun). `options.env` adds
   * variables to every process of the run; it is checked before anything is written.
   */
  async startRun(deploymentId: string, pipelineId?: string, options: StartRunOptions = {}): Promise<PipelineRun> {
    requireText('deploymentId', deploymentId, { max: 200 });
    if (pipelineId !== undefined) requireText('pipelineId', pipelineId, { max: 200 });
    const extraEnv = checkExtraEnv(options);
    const actor = await this.identity.currentUser();
    const owner = this.deps.ownership.current();
    const prepared = await this.uow.read(async (r) => {
      const deployment = await r.deployments.get(deploymentId);
      if (!deployment) throw new NotFoundError('deployment', deploymentId);
      const environment = (await r.environments.getByName(deployment.environment)) ?? undefined;
      const release = deployment.releaseId ? await r.releases.get(deployment.releaseId) : null;
      const id = pipelineId ?? deployment.pipelineId ?? environment?.pipelineId;
      if (!id) throw new RefusedError(`${deployment.environment} has no pipeline; choose one for the environment or pass one`);
      const pipeline = await this.requirePipeline(r, id);
      return { deployment, environment, release, pipeline };
    });
    const { pipeline, release } = prepared;
    if (!prepared.environment) throw new NotFoundError('environment', prepared.deployment.environment);
    const environment = prepared.environment;
    this.checkTrust(pipeline.name, pipeline.steps);

    const run = await this.uow.write(async (r) => {
      const deployment = await r.deployments.get(deploymentId);
      if (!deployment) throw new NotFoundError('deployment', deploymentId);
      if (deployment.status !== 'pending') {
        throw new RefusedError(`the deployment of ${release?.version ?? 'this release'} to ${deployment.environment} is ${deployment.status.replace('_', ' ')}; a pipeline runs only for a pending deployment (promote again)`);
      }
      const now = this.clock.now();
      const run: PipelineRun = {
        id: this.newId(),
        pipelineId: pipeline.id,
        pipelineName: pipeline.name,
        deploymentId,
        status: 'running',
        currentStep: 0,
        steps: pipeline.steps.map((s, index) => ({ index, name: s.name, type: s.type, status: 'pending', attempts: 0, log: '' })),
        startedAt: now,
        owner,
        definition: pipeline.steps,
      };
      await r.pipelineRuns.insert(run);
      await this.deps.promotion.applyDeploymentStatus(r, deploymentId, 'in_progress', actor, `pipeline '${pipeline.name}' started`);
      await this.auditor.record(r, actor, 'pipeline.run.start', 'pipeline_run', run.id, undefined, { pipeline: pipeline.name, deploymentId });
      return run;
    });

    const env: Record<string, string> = {
      // COLOR is the blue-green colour of a run that deploys one (passed in options.env). Any other run
      // sets it empty rather than inheriting one: npm, for one, exports COLOR=0/1 to what it runs.
      COLOR: '',
      ...extraEnv,
      RELEASE_ID: release?.id ?? '',
      RELEASE_VERSION: release?.version ?? '',
      RELEASE_NAME: release?.name ?? '',
      TARGET_ENV: environment.name,
      DEPLOYMENT_ID: deploymentId,
      PIPELINE_RUN_ID: run.id,
      PIPELINE_NAME: pipeline.name,
    };
    const commit = prepared.deployment.metadata?.commit;
    env.RELEASE_COMMIT = typeof commit === 'string' ? commit : '';
    const active: ActiveRun = { run, controller: new AbortController(), env, environment, startedBy: actor, done: Promise.resolve(run) };
    this.active.set(run.id, active);
    active.done = this.execute(active)
      .catch((err: unknown) => {
        // Storage failed while recording the end; the run is recovered as interrupted at the next start.
        this.emit({ ...active.run, status: 'failed', endedAt: this.clock.now(), interruption: { stepIndex: active.run.currentStep, reason: `could not record the run: ${(err as Error).message}` } });
        return clone(active.run);
      })
      .finally(() => this.active.delete(run.id));
    this.emit(active.run);
    return clone(run);
  }

  /** Resolves when the run reaches one of `statuses` (default: succeeded, failed, cancelled). */
  async waitForRun(runId: string, statuses: PipelineRunStatus[] = TERMINAL): Promise<PipelineRun> {
    return new Promise<PipelineRun>((resolve, reject) => {
      const sub = this.onDidChange((run) => {
        if (run.id === runId && statuses.includes(run.status)) {
          sub.dispose();
          resolve(run);
        }
      });
      void this.getRun(runId).then((run) => {
        if (!run) {
          sub.dispose();
          reject(new NotFoundError('pipeline run', runId));
        } else if (statuses.includes(run.status) || (!this.active.has(runId) && (TERMINAL.includes(run.status) || run.endedAt))) {
          sub.dispose();
          resolve(run);
        }
      }, reject);
    });
  }

  /** Confirms the approval step the run waits at. */
  async approveStep(runId: string, approver: string, comment?: string): Promise<PipelineRun> {
    const who = requireText('approver', approver, { max: 200 });
    const note = comment === undefined ? undefined : requireText('comment', comment, { max: 2000, multiline: true, allowEmpty: true });
    const active = this.requireActive(runId, 'approve');
    if (active.run.status !== 'waiting_approval' || active.waiter?.expect !== 'approval') {
      throw new RefusedError(`run of '${active.run.pipelineName}' is ${active.run.status.replace('_', ' ')}, not waiting for an approval`);
    }
    if (active.environment.requireDifferentApprover && who.trim().toLowerCase() === active.startedBy.trim().toLowerCase()) {
      throw new RefusedError(`${active.environment.name} requires a different approver: ${who} started this run and cannot approve its step '${active.run.steps[active.run.currentStep]?.name}'`);
    }
    const waiter = active.waiter;
    waiter.resolve({ kind: 'approve', approver: who, comment: note || undefined });
    await waiter.applied.promise;
    return clone(active.run);
  }

  /** Guided failure: what to do with the failed step the run is paused at. */
  async resolveInterruption(runId: string, action: InterruptionAction): Promise<PipelineRun> {
    if (action !== 'retry' && action !== 'ignore' && action !== 'abort') {
      throw new ValidationError('action', `expected retry, ignore or abort, got ${describe(action)}`);
    }
    const active = this.requireActive(runId, action);
    if (active.run.status !== 'interrupted' || active.waiter?.expect !== 'interruption') {
      throw new RefusedError(`run of '${active.run.pipelineName}' is ${active.run.status.replace('_', ' ')}, not interrupted`);
    }
    const waiter = active.waiter;
    waiter.resolve({ kind: action });
    await waiter.applied.promise;
    return clone(active.run);
  }

  /** Cancels the run: kills the running step's whole process tree; the deployment fails. Resolves with the ended run. */
  async cancelRun(runId: string): Promise<PipelineRun> {
    const active = this.active.get(runId);
    if (!active) {
      const stored = await this.getRun(runId);
      if (!stored) throw new NotFoundError('pipeline run', String(runId));
      if (!LIVE.includes(stored.status) || stored.endedAt) throw new RefusedError(`run of '${stored.pipelineName}' has already ended (${stored.status.replace('_', ' ')})`);
      if (stored.owner && (await this.deps.ownership.isAlive(stored.owner))) {
        throw new RefusedError(`run of '${stored.pipelineName}' is driven by another window (process ${stored.owner.pid} on ${stored.owner.hostname}); cancel it there`);
      }
      await this.recoverInterruptedRuns();
      return (await this.getRun(runId)) ?? stored;
    }
    active.stopReason ??= 'cancel';
    active.controller.abort();
    active.waiter?.resolve({ kind: 'cancel' });
    return active.done;
  }

  /**
   * At start: runs left running, waiting or paused by a process that is gone (a closed window, a
   * crash) are marked interrupted and their deployments failed, so none stays in progress forever.
   */
  async recoverInterruptedRuns(): Promise<PipelineRun[]> {
    const candidates = await this.uow.read((r) => r.pipelineRuns.list({ status: LIVE }));
    const dead: PipelineRun[] = [];
    for (const run of candidates) {
      if (this.active.has(run.id) || run.endedAt) continue;
      if (run.owner && (await this.deps.ownership.isAlive(run.owner))) continue;
      dead.push(run);
    }
    if (!dead.length) return [];
    const actor = await this.identity.currentUser();
    const recovered: PipelineRun[] = [];
    await this.uow.write(async (r) => {
      const now = this.clock.now();
      for (const stale of dead) {
        const run = await r.pipelineRuns.get(stale.id);
        if (!run || !LIVE.includes(run.status) || run.endedAt) continue;
        const who = run.owner ? `process ${run.owner.pid} on ${run.owner.hostname}` : 'an unknown process';
        const reason = `cut off: the window running it (${who}) ended${run.status === 'interrupted' && run.interruption ? ` while it was paused (${run.interruption.reason})` : ''}`;
        const step = run.steps[run.currentStep];
        if (step && (step.status === 'running' || step.status === 'pending')) {
          const ended: StepResult = { ...step, status: step.status === 'running' ? 'failed' : 'cancelled', endedAt: now, summary: 'cut off when its window ended' };
          await r.pipelineRuns.updateStep(run.id, ended);
          run.steps[run.currentStep] = ended;
        }
        const after: PipelineRun = { ...run, status: 'interrupted', endedAt: now, interruption: { stepIndex: run.currentStep, reason } };
        await r.pipelineRuns.update(after);
        const deployment = await r.deployments.get(run.deploymentId);
        if (deployment?.status === 'in_progress') {
          await this.deps.promotion.applyDeploymentStatus(r, deployment.id, 'failed', actor, `pipeline '${run.pipelineName}' ${reason}`);
        }
        await this.auditor.record(r, actor, 'pipeline.run.recover', 'pipeline_run', run.id, { status: run.status }, { status: 'interrupted', reason });
        recovered.push(after);
      }
    });
    for (const run of recovered) this.emit(run);
    return recovered;
  }

  /** The window is closing: stops every run this window drives; each is recorded as interrupted and its deployment failed. */
  async dispose(): Promise<void> {
    const runs = [...this.active.values()];
    for (const a of runs) {
      a.stopReason = 'shutdown';
      a.controller.abort();
      a.waiter?.resolve({ kind: 'cancel' });
    }
    await Promise.allSettled(runs.map((a) => a.done));
  }

  // ---------------------------------------------------------------- the engine

  private async execute(a: ActiveRun): Promise<PipelineRun> {
    const steps = a.run.definition;
    let failedAt: number | undefined;
    let failure = '';
    try {
      for (let i = 0; i < steps.length; i++) {
        if (a.controller.signal.aborted) break;
        const step = steps[i]!;
        const outcome = await this.runStep(a, i, step);
        if (outcome === 'cancelled') break;
        if (outcome === 'ok' || outcome === 'ignored') continue;
        // Failed, not continue-on-error.
        if (a.environment.guidedFailure) {
          const decision = await this.pause(a, i, 'interruption', `step '${step.name}' failed: ${a.run.steps[i]!.summary ?? 'failed'}`);
          if (decision.kind === 'retry') {
            i--;
            continue;
          }
          if (decision.kind === 'ignore') {
            await this.saveStep(a, { ...a.run.steps[i]!, status: 'ignored', summary: `${a.run.steps[i]!.summary ?? 'failed'}; ignored` });
            continue;
          }
          if (decision.kind === 'cancel') break;
        }
        failedAt = i;
        failure = `step '${step.name}' failed: ${a.run.steps[i]!.summary ?? 'failed'}`;
        break;
      }
    } catch (err) {
      failedAt = a.run.currentStep;
      failure = `the pipeline engine failed: ${(err as Error).message}`;
    }
    return this.finish(a, failedAt, failure);
  }

  /** Runs one step with its attempts; records it. */
  private async runStep(a: ActiveRun, index: number, step: PipelineStep): Promise<'ok' | 'ignored' | 'failed' | 'cancelled'> {
    const prior = a.run.steps[index]!;
    const log = new TextCap(this.logCap);
    if (prior.log) log.append(prior.log);
    const started = this.clock.now();
    const t0 = Date.now();
    let attempts = prior.attempts;
    a.run.currentStep = index;
    if (a.run.status !== 'running') a.run.status = 'running';
    a.run.interruption = undefined;
    await this.saveStep(a, { ...prior, status: 'running', startedAt: prior.startedAt ?? started, endedAt: undefined, durationMs: undefined }, true);

    const out = (text: string) => {
      log.append(text);
      for (const l of this.outputListeners) {
        try {
          l({ runId: a.run.id, stepIndex: index, stepName: step.name, text });
        } catch {
          // A listener's failure (a closed output channel) must not stop the run.
        }
      }
    };
    const maxAttempts = 1 + (step.retries ?? 0);
    let result: AttemptResult = { ok: false, summary: 'not run' };
    for (let n = 1; n <= maxAttempts; n++) {
      if (n > 1) {
        out(`\n── attempt ${n} of ${maxAttempts} ──\n`);
        if (!(await this.sleep(this.retryDelayMs, a.controller.signal))) {
          result = { ok: false, summary: 'cancelled', cancelled: true };
          break;
        }
      }
      attempts++;
      result = step.type === 'approval' ? await this.approvalAttempt(a, index, step, out) : await this.attempt(a, index, step, out);
      if (result.ok || result.cancelled || a.controller.signal.aborted) break;
      if (n < maxAttempts) out(`Attempt ${n} failed: ${result.summary}\n`);
    }
    if (a.controller.signal.aborted && !result.ok) result = { ...result, cancelled: true, summary: result.cancelled ? result.summary : 'cancelled' };
    const status: StepStatus = result.ok ? 'succeeded' : result.cancelled ? 'cancelled' : step.continueOnError ? 'ignored' : 'failed';
    const ended = this.clock.now();
    await this.saveStep(a, compact<StepResult>({
      ...a.run.steps[index]!,
      status,
      attempts,
      exitCode: result.exitCode,
      startedAt: a.run.steps[index]!.startedAt ?? started,
      endedAt: ended,
      durationMs: (a.run.steps[index]!.durationMs ?? 0) + (Date.now() - t0),
      summary: status === 'ignored' ? `${result.summary}; continued (continueOnError)` : result.summary,
      log: log.text(),
    }));
    return status === 'succeeded' ? 'ok' : status === 'ignored' ? 'ignored' : status === 'cancelled' ? 'cancelled' : 'failed';
  }

  private async attempt(a: ActiveRun, index: number, step: PipelineStep, out: (t: string) => void): Promise<AttemptResult> {
    const env = { ...a.env, STEP_NAME: step.name, STEP_INDEX: String(index) };
    const timeoutMs = step.timeoutSeconds !== undefined ? Math.round(step.timeoutSeconds * 1000) : undefined;
    const signal = a.controller.signal;
    if (NEEDS_TRUST.has(step.type) && !this.deps.trust.isTrusted()) {
      const why = `${step.type} step '${step.name}' runs only in a trusted workspace; trust this folder to run it`;
      out(`${why}\n`);
      return { ok: false, summary: why };
    }
    switch (step.type) {
      case 'shell': {
        const res = await this.deps.processes.run({ command: step.command, cwd: this.deps.cwd, env, timeoutMs, signal, onOutput: (t) => out(t), logCapBytes: 1024 });
        if (res.cancelled) return { ok: false, cancelled: true, summary: 'cancelled', exitCode: res.exitCode };
        if (res.timedOut) return { ok: false, summary: `timed out after ${step.timeoutSeconds} s`, exitCode: res.exitCode };
        if (res.exitCode === 0) return { ok: true, summary: 'exit code 0', exitCode: 0 };
        if (res.exitCode === null && res.signal) return { ok: false, summary: `ended by ${res.signal}`, exitCode: null };
        if (res.exitCode === null) return { ok: false, summary: firstLine(res.log) || 'could not start', exitCode: null };
        return { ok: false, summary: `exit code ${res.exitCode}`, exitCode: res.exitCode };
      }
      case 'task': {
        if (!this.deps.tasks) {
          const why = `task '${step.task}' cannot run here: tasks run inside VS Code`;
          out(`${why}\n`);
          return { ok: false, summary: why };
        }
        const res = await this.deps.tasks.runTask({ task: step.task, cwd: this.deps.cwd, env, timeoutMs, signal, onOutput: out });
        if (res.cancelled || signal.aborted) return { ok: false, cancelled: true, summary: 'cancelled', exitCode: res.exitCode };
        if (res.timedOut) return { ok: false, summary: `timed out after ${step.timeoutSeconds} s`, exitCode: res.exitCode };
        if (res.error) {
          out(`${res.error}\n`);
          return { ok: false, summary: res.error, exitCode: res.exitCode };
        }
        return res.exitCode === 0 ? { ok: true, summary: 'exit code 0', exitCode: 0 } : { ok: false, summary: `exit code ${res.exitCode}`, exitCode: res.exitCode };
      }
      case 'http': {
        const method = step.method ?? 'GET';
        const res = await this.deps.http.request({
          url: step.url, method, headers: step.headers, body: step.body, expectStatus: step.expectStatus,
          timeoutMs: timeoutMs ?? 30_000, retries: 0, signal,
        });
        out(`${method} ${step.url} → ${res.status ?? 'no response'} (${res.durationMs} ms)\n`);
        if (res.bodyExcerpt) out(`${res.bodyExcerpt}${res.bodyExcerpt.endsWith('\n') ? '' : '\n'}`);
        if (res.cancelled) return { ok: false, cancelled: true, summary: 'cancelled' };
        if (res.ok) return { ok: true, summary: `HTTP ${res.status}` };
        out(`${res.error ?? 'request failed'}\n`);
        return { ok: false, summary: res.error ?? `HTTP ${res.status}` };
      }
      case 'wait': {
        out(`Waiting ${step.seconds} s\n`);
        return (await this.sleep(step.seconds * 1000, signal)) ? { ok: true, summary: `waited ${step.seconds} s` } : { ok: false, cancelled: true, summary: 'cancelled' };
      }
      case 'deployServices': {
        if (!this.deps.services) {
          const why = 'no services to deploy: this workspace has no service deployer (add services with deploy commands)';
          out(`${why}\n`);
          return { ok: false, summary: why };
        }
        const inner = new AbortController();
        const onAbort = () => inner.abort();
        signal.addEventListener('abort', onAbort, { once: true });
        let timedOut = false;
        const timer = timeoutMs ? setTimeout(() => ((timedOut = true), inner.abort()), timeoutMs) : undefined;
        try {
          const res = await this.deps.services.deployServices({
            releaseId: a.env.RELEASE_ID!, environment: a.environment.name, deploymentId: a.run.deploymentId, runId: a.run.id,
            env, cwd: this.deps.cwd, signal: inner.signal, onOutput: out,
          });
          out(`${res.summary}\n`);
          if (signal.aborted) return { ok: false, cancelled: true, summary: 'cancelled' };
          if (timedOut) return { ok: false, summary: `timed out after ${step.timeoutSeconds} s` };
          return { ok: res.ok, summary: res.summary };
        } finally {
          if (timer) clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
        }
      }
      default:
        return { ok: false, summary: `unknown step type ${(step as PipelineStep).type}` };
    }
  }

  private async approvalAttempt(a: ActiveRun, index: number, step: PipelineStep & { type: 'approval' }, out: (t: string) => void): Promise<AttemptResult> {
    out(`Waiting for approval${step.prompt ? `: ${step.prompt}` : ''}\n`);
    const timeout = step.timeoutSeconds !== undefined ? new AbortController() : undefined;
    let timedOut = false;
    const decisionP = this.pause(a, index, 'approval', step.prompt ?? `approve step '${step.name}'`);
    let timerDone: Promise<boolean> | undefined;
    if (timeout) {
      timerDone = this.sleep(step.timeoutSeconds! * 1000, timeout.signal).then((fired) => {
        if (fired && a.waiter?.expect === 'approval') {
          timedOut = true;
          a.waiter.resolve({ kind: 'abort' });
        }
        return fired;
      });
    }
    const decision = await decisionP;
    timeout?.abort();
    await timerDone;
    if (decision.kind === 'approve') {
      const line = `approved by ${decision.approver} at ${this.clock.now().toISOString()}${decision.comment ? `: ${decision.comment}` : ''}`;
      out(`${line}\n`);
      return { ok: true, summary: line };
    }
    if (decision.kind === 'cancel') return { ok: false, cancelled: true, summary: 'cancelled while waiting for approval' };
    return { ok: false, summary: timedOut ? `no approval within ${step.timeoutSeconds} s` : 'not approved' };
  }

  /** Records the pause (waiting_approval or interrupted) and waits for the decision. */
  private async pause(a: ActiveRun, index: number, expect: 'approval' | 'interruption', reason: string): Promise<Decision> {
    let resolve!: (d: Decision) => void;
    const decided = new Promise<Decision>((r) => (resolve = r));
    const waiter: Waiter = { expect, resolve: (d) => resolve(d), applied: new Deferred<void>() };
    a.waiter = waiter;
    a.run.status = expect === 'approval' ? 'waiting_approval' : 'interrupted';
    a.run.currentStep = index;
    a.run.interruption = expect === 'interruption' ? { stepIndex: index, reason } : undefined;
    await this.saveRun(a);
    if (a.controller.signal.aborted) resolve({ kind: 'cancel' });
    const decision = await decided;
    a.waiter = undefined;
    if (decision.kind === 'cancel') {
      waiter.applied.resolve();
      return decision;
    }
    const actor = await this.identity.currentUser();
    if (expect === 'interruption') {
      await this.uow.write((r) => this.auditor.record(r, actor, `pipeline.run.${decision.kind}`, 'pipeline_run', a.run.id, { status: 'interrupted', stepIndex: index }, { action: decision.kind }));
    } else if (decision.kind === 'approve') {
      await this.uow.write((r) => this.auditor.record(r, actor, 'pipeline.step.approve', 'pipeline_run', a.run.id, { status: 'waiting_approval', stepIndex: index },
        { approver: decision.approver, at: this.clock.now(), comment: decision.comment }));
    }
    if (decision.kind === 'abort' && expect === 'interruption') {
      a.abortApplied = waiter.applied;
      return decision;
    }
    a.run.status = 'running';
    a.run.interruption = undefined;
    await this.saveRun(a);
    // 'retry' and 'ignore' are applied once the engine moves on; the caller sees the run running again.
    waiter.applied.resolve();
    return decision;
  }

  private async finish(a: ActiveRun, failedAt: number | undefined, failure: string): Promise<PipelineRun> {
    const now = this.clock.now();
    const stopped = a.controller.signal.aborted;
    const status: PipelineRunStatus = stopped ? (a.stopReason === 'shutdown' ? 'interrupted' : 'cancelled') : failedAt !== undefined ? 'failed' : 'succeeded';
    const skipFrom = status === 'succeeded' ? a.run.steps.length : (failedAt ?? a.run.currentStep) + 1;
    const skipped: StepResult[] = [];
    for (const s of a.run.steps) {
      if (s.index >= skipFrom && s.status === 'pending') skipped.push({ ...s, status: status === 'failed' ? 'skipped' : 'cancelled' });
      else if (s.status === 'running') skipped.push({ ...s, status: 'cancelled', endedAt: now });
    }
    a.run.status = status;
    a.run.endedAt = now;
    a.run.currentStep = status === 'succeeded' ? a.run.steps.length : a.run.currentStep;
    a.run.interruption = status === 'interrupted' ? { stepIndex: a.run.currentStep, reason: 'the window running it closed' } : undefined;
    for (const s of skipped) a.run.steps[s.index] = s;
    const note =
      status === 'succeeded' ? `pipeline '${a.run.pipelineName}' succeeded`
        : status === 'cancelled' ? `pipeline '${a.run.pipelineName}' was cancelled`
          : status === 'interrupted' ? `pipeline '${a.run.pipelineName}' was cut off: the window running it closed`
            : `pipeline '${a.run.pipelineName}': ${failure}`;
    await this.uow.write(async (r) => {
      for (const s of skipped) await r.pipelineRuns.updateStep(a.run.id, s);
      await r.pipelineRuns.update(a.run);
      const deployment = await r.deployments.get(a.run.deploymentId);
      if (deployment?.status === 'in_progress') {
        await this.deps.promotion.applyDeploymentStatus(r, deployment.id, status === 'succeeded' ? 'completed' : 'failed', a.startedBy, note);
      }
      await this.auditor.record(r, a.startedBy, `pipeline.run.${status}`, 'pipeline_run', a.run.id, undefined, { status, note });
    });
    a.waiter?.applied.resolve();
    a.abortApplied?.resolve();
    this.emit(a.run);
    return clone(a.run);
  }

  private async saveStep(a: ActiveRun, step: StepResult, withRun = false): Promise<void> {
    a.run.steps[step.index] = step;
    await this.uow.write(async (r) => {
      await r.pipelineRuns.updateStep(a.run.id, step);
      if (withRun) await r.pipelineRuns.update(a.run);
    });
    this.emit(a.run);
  }

  private async saveRun(a: ActiveRun): Promise<void> {
    await this.uow.write((r) => r.pipelineRuns.update(a.run));
    this.emit(a.run);
  }

  private emit(run: PipelineRun): void {
    if (!this.changeListeners.size) return;
    const copy = clone(run);
    for (const l of this.changeListeners) {
      try {
        l(copy);
      } catch {
        // A failing listener must not stop the run.
      }
    }
  }

  // ---------------------------------------------------------------- internals

  private checkTrust(pipelineName: string, steps: PipelineStep[]): void {
    if (this.deps.trust.isTrusted()) return;
    const blocked = steps.filter((s) => NEEDS_TRUST.has(s.type));
    if (!blocked.length) return;
    const kinds = [...new Set(blocked.map((s) => (s.type === 'deployServices' ? 'service deploy commands' : `${s.type} steps`)))];
    throw new RefusedError(
      `pipeline '${pipelineName}' has ${kinds.join(' and ')} (${listNames(blocked.map((s) => `'${s.name}'`))}), which run only in a trusted workspace; trust this folder to run it`,
    );
  }

  private requireActive(runId: string, verb: string): ActiveRun {
    const active = typeof runId === 'string' ? this.active.get(runId) : undefined;
    if (!active) {
      throw new RefusedError(`pipeline run '${String(runId)}' is not running in this window; it cannot ${verb} (a run cut off by a closed window is interrupted for good: promote again)`);
    }
    return active;
  }

  private checkName(name: unknown): string {
    const issues: PipelineIssue[] = [];
    const clean = checkPipelineName(name, 'name', issues);
    if (issues.length || clean === undefined) throw new ValidationError('name', issues[0]?.message ?? 'invalid');
    return clean;
  }

  private refuseFileEdit(p: PipelineDefinition): void {
    if (p.source === 'file') throw new RefusedError(`pipeline '${p.name}' is declared in ${this.pipelineFile}; edit the file instead`);
  }

  private async requirePipeline(r: Repositories, idOrName: string): Promise<PipelineDefinition> {
    const p = typeof idOrName === 'string' ? ((await r.pipelines.get(idOrName)) ?? (await r.pipelines.getByName(idOrName))) : null;
    if (!p) throw new NotFoundError('pipeline', String(idOrName));
    return p;
  }
}

function checkExtraEnv(options: StartRunOptions): Record<string, string> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new ValidationError('options', `expected an object, got ${describe(options)}`);
  const unknown = Object.keys(options).filter((k) => k !== 'env');
  if (unknown.length) throw new ValidationError(`options.${unknown[0]}`, 'is not an option of a run (options: env)');
  if (options.env === undefined) return {};
  const env = options.env as unknown;
  if (typeof env !== 'object' || env === null || Array.isArray(env)) throw new ValidationError('options.env', `expected an object of NAME: value, got ${describe(env)}`);
  const entries = Object.entries(env as Record<string, unknown>);
  if (entries.length > MAX_EXTRA_ENV) throw new ValidationError('options.env', `has ${entries.length} variables; the limit is ${MAX_EXTRA_ENV}`);
  const out: Record<string, string> = {};
  for (const [name, value] of entries) {
    const field = `options.env.${name}`;
    if (!ENV_VAR_NAME.test(name)) throw new ValidationError(field, 'is not a variable name: use capital letters, digits and _ (not first a digit)');
    if ((RUN_VARIABLES as readonly string[]).includes(name)) throw new ValidationError(field, `is set by the pipeline for every run (${RUN_VARIABLES.join(', ')}); choose another name`);
    if (typeof value !== 'string') throw new ValidationError(field, `expected text, got ${describe(value)}`);
    if (value.includes('\0')) throw new ValidationError(field, 'contains a NUL character, which no process environment can hold');
    if (value.length > MAX_ENV_VALUE) throw new ValidationError(field, `is ${value.length} characters long; the limit is ${MAX_ENV_VALUE}`);
    out[name] = value;
  }
  return out;
}

function clone(run: PipelineRun): PipelineRun {
  return {
    ...run,
    steps: run.steps.map((s) => ({ ...s })),
    interruption: run.interruption ? { ...run.interruption } : undefined,
  };
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim())?.trim() ?? '';
}

class Deferred<T> {
  resolve!: (v: T) => void;
  readonly promise = new Promise<T>((r) => (this.resolve = r));
}

/**
 * A step's stored log: the first and last halves of `capBytes` (UTF-8), the middle elided with a
 * marker. Appending is O(chunk), so 10 MB of output costs one pass.
 */
export class TextCap {
  private head = '';
  private headBytes = 0;
  private headFull = false;
  private tail: string[] = [];
  private tailBytes = 0;
  private total = 0;
  private readonly headCap: number;
  private readonly tailCap: number;

  constructor(capBytes: number) {
    this.headCap = Math.floor(capBytes / 2);
    this.tailCap = capBytes - this.headCap;
  }

  append(text: string): void {
    if (!text) return;
    let bytes = utf8Length(text);
    this.total += bytes;
    if (!this.headFull) {
      if (this.headBytes + bytes <= this.headCap) {
        this.head += text;
        this.headBytes += bytes;
        return;
      }
      const part = utf8Slice(text, this.headCap - this.headBytes, 'head');
      this.head += part;
      const used = utf8Length(part);
      this.headBytes += used;
      this.headFull = true;
      text = text.slice(part.length);
      bytes -= used;
      if (!text) return;
    }
    this.tail.push(text);
    this.tailBytes += bytes;
    while (this.tail.length > 1 && this.tailBytes - utf8Length(this.tail[0]!) >= this.tailCap) this.tailBytes -= utf8Length(this.tail.shift()!);
  }

  text(): string {
    if (!this.headFull) return this.head;
    let tail = this.tail.join('');
    let tailBytes = this.tailBytes;
    if (tailBytes > this.tailCap) {
      tail = utf8Slice(tail, this.tailCap, 'tail');
      tailBytes = utf8Length(tail);
    }
    if (this.total - this.headBytes - tailBytes <= 0) return this.head + tail;
    // The marker counts against the cap: the stored log never exceeds it.
    const markerBytes = utf8Length(`\n… ${this.total} bytes elided …\n`);
    tail = utf8Slice(tail, Math.max(0, this.tailCap - markerBytes), 'tail');
    const elided = this.total - this.headBytes - utf8Length(tail);
    return `${this.head}\n… ${elided} bytes elided …\n${tail}`;
  }
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** The longest head (or tail) of `s` within `maxBytes` of UTF-8, cut between characters. */
function utf8Slice(s: string, maxBytes: number, end: 'head' | 'tail'): string {
  if (maxBytes <= 0) return '';
  let n = 0;
  if (end === 'head') {
    let i = 0;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      const w = c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? 4 : 3;
      if (n + w > maxBytes) break;
      n += w;
      i += w === 4 ? 2 : 1;
    }
    return s.slice(0, i);
  }
  let i = s.length;
  while (i > 0) {
    const c = s.charCodeAt(i - 1);
    const low = c >= 0xdc00 && c <= 0xdfff;
    const w = low ? 4 : c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    if (n + w > maxBytes) break;
    n += w;
    i -= low ? 2 : 1;
  }
  return s.slice(i);
}
