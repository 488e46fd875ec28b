// The dashboard's Promotion and Pipeline tabs, host side: the snapshot section (this release's
// runs with their steps, the environments' settings), the tabs' requests (promote, approvals, run
// actions) and the live output of this release's runs, batched to the webview.
import { RefusedError, type PipelineRun } from '../core/model';
import { describeFreezeWindow } from '../core/freezeWindows';
import type { PipelineOutputEvent } from '../core/releases/DeploymentPipelineManager';
import { PIPELINE_RUNS_SHOWN, STEP_LOG_TAIL, type PipelineRunView, type PipelinesView } from '../shared/pipelineView';
import type { HostToWebview, WebviewToHost } from '../shared/protocol';
import type { FolderCore } from './workspaceSession';

type Core = Pick<FolderCore, 'uow' | 'environments' | 'pipelines' | 'identity'>;

/** Characters of each step's log the snapshot carries for runs other than the newest. */
const OLDER_RUN_LOG_TAIL = 4 * 1024;

const iso = (d: Date | string | undefined) => (d === undefined ? undefined : new Date(d).toISOString());

export function runView(run: PipelineRun, environment: string, driven: boolean): PipelineRunView {
  return strip({
    id: run.id,
    pipelineName: run.pipelineName,
    deploymentId: run.deploymentId,
    environment,
    status: run.status,
    currentStep: run.currentStep,
    startedAt: iso(run.startedAt)!,
    endedAt: iso(run.endedAt),
    interruption: run.interruption ? { ...run.interruption } : undefined,
    driven,
    steps: run.steps.map((s) =>
      strip({
        index: s.index,
        name: s.name,
        type: s.type,
        status: s.status,
        attempts: s.attempts,
        exitCode: s.exitCode,
        startedAt: iso(s.startedAt),
        endedAt: iso(s.endedAt),
        durationMs: s.durationMs,
        summary: s.summary,
        logTail: s.log.length > STEP_LOG_TAIL ? s.log.slice(-STEP_LOG_TAIL) : s.log,
        logElided: Math.max(0, s.log.length - STEP_LOG_TAIL),
      }),
    ),
  });
}

/** This release's runs (newest first) and every environment's settings. */
export async function loadPipelinesView(core: Core, releaseId: string): Promise<PipelinesView> {
  const [envs, pipelines] = await Promise.all([core.environments.listEnvironments(), core.pipelines.listPipelines()]);
  const deployments = await core.environments.listDeployments({ releaseId });
  const runs: PipelineRunView[] = [];
  for (const d of deployments) {
    if (runs.length >= PIPELINE_RUNS_SHOWN) break;
    for (const stored of await core.pipelines.listRuns({ deploymentId: d.id })) {
      // A run this window drives: its in-memory state is the newest.
      const run = core.pipelines.isActive(stored.id) ? ((await core.pipelines.getRun(stored.id)) ?? stored) : stored;
      runs.push(runView(run, d.environment, core.pipelines.isActive(run.id)));
    }
  }
  runs.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  // The snapshot goes out after every change: older runs carry short log tails to keep it small.
  for (const run of runs.slice(1)) {
    for (const step of run.steps) {
      if (step.logTail.length > OLDER_RUN_LOG_TAIL) {
        step.logElided += step.logTail.length - OLDER_RUN_LOG_TAIL;
        step.logTail = step.logTail.slice(-OLDER_RUN_LOG_TAIL);
      }
    }
  }
  return {
    runs: runs.slice(0, PIPELINE_RUNS_SHOWN),
    environments: envs.map((e) => strip({
      name: e.name,
      protected: e.protected,
      requireDifferentApprover: e.requireDifferentApprover,
      guidedFailure: e.guidedFailure,
      pipeline: e.pipelineId ? pipelines.find((p) => p.id === e.pipelineId)?.name : undefined,
      freezes: e.freezeWindows.map((w) => `${w.name}: ${describeFreezeWindow(w)}`),
    })),
  };
}

type TabMessage = Extract<WebviewToHost, { type: 'promotion/promote' | 'promotion/approval' | 'pipeline/action' }>;


/** Carries out a Promotion / Pipeline tab request for this release; throws the core's refusal. */
export async function handlePipelineTabMessage(core: Core, releaseId: string, m: TabMessage): Promise<void> {
  switch (m.type) {
    case 'promotion/promote':
      await core.environments.promoteToEnvironment(releaseId, m.environment);
      return;
    case 'promotion/approval': {
      const who = await core.identity.currentUser();
      if (m.decision === 'request') await core.environments.requestApproval(releaseId, m.environment);
      else if (m.decision === 'approve') await core.environments.approve(releaseId, m.environment, who);
      else await core.environments.reject(releaseId, m.environment, who);
      return;
    }
    case 'pipeline/action': {
      // Only this release's runs: the webview names a run, the host checks it belongs here.
      const run = await core.pipelines.getRun(m.runId);
      const deployment = run ? await core.environments.getDeployment(run.deploymentId) : null;
      if (!run || deployment?.releaseId !== releaseId) throw new RefusedError(`pipeline run '${m.runId}' is not a run of this release`);
      if (m.action === 'cancel') await core.pipelines.cancelRun(run.id);
      else if (m.action === 'approve') await core.pipelines.approveStep(run.id, await core.identity.currentUser());
      else await core.pipelines.resolveInterruption(run.id, m.action);
      return;
    }
  }
}

/** Batches live output of one release's runs into `pipeline/output` messages (one per step and ~100 ms). */
export class PipelineOutputRelay {
  private readonly owners = new Map<string, Promise<boolean>>();
  private readonly pending = new Map<string, { runId: string; stepIndex: number; text: string }>();
  private timer: NodeJS.Timeout | undefined;
  private subscription: { dispose(): void } | undefined;
  private core: Core | undefined;

  constructor(
    private readonly releaseId: string,
    private readonly post: (m: HostToWebview) => void,
  ) {}

  /** Follows this folder core's runs (again after the session was replaced); idempotent. */
  attach(core: Core): void {
    if (this.core === core) return;
    this.subscription?.dispose();
    this.core = core;
    this.owners.clear();
    this.subscription = core.pipelines.onOutput((e) => void this.output(e));
  }

  private mine(runId: string): Promise<boolean> {
    let known = this.owners.get(runId);
    if (!known) {
      const core = this.core!;
      known = (async () => {
        const run = await core.pipelines.getRun(runId);
        const d = run ? await core.environments.getDeployment(run.deploymentId) : null;
        return d?.releaseId === this.releaseId;
      })().catch(() => false);
      this.owners.set(runId, known);
    }
    return known;
  }

  private async output(e: PipelineOutputEvent): Promise<void> {
    if (!(await this.mine(e.runId))) return;
    const key = `${e.runId}:${e.stepIndex}`;
    const p = this.pending.get(key);
    if (p) p.text += e.text;
    else this.pending.set(key, { runId: e.runId, stepIndex: e.stepIndex, text: e.text });
    this.timer ??= setTimeout(() => this.flush(), 100);
  }

  private flush(): void {
    this.timer = undefined;
    for (const p of this.pending.values()) {
      // The webview keeps at most a tail of this size per step; more would only be dropped there.
      const text = p.text.length > STEP_LOG_TAIL ? p.text.slice(-STEP_LOG_TAIL) : p.text;
      this.post({ type: 'pipeline/output', runId: p.runId, stepIndex: p.stepIndex, text });
    }
    this.pending.clear();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.subscription?.dispose();
  }
}

function strip<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
