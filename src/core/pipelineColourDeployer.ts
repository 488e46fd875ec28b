// Blue-green's ColourDeployer over the environment's pipeline. Deploying the preview colour IS a
// deployment of the release to that environment, so it gets a deployment record like a promotion:
// the promotion rules apply (order, freeze windows, approval of protected environments), the
// Environments tree and the DORA metrics see it, and the pipeline run carries COLOR in the
// environment of every step. When the release already ran there (a rollout set up again after an
// abort or a rollback) it is a redeploy of that release instead, which checks the freeze only.
// The record completes when the preview colour is deployed; when the rollout then ends without
// the new colour carrying the traffic (aborted, rolled back), the record is marked rolled back.
// In the last environment the release becomes deployed when the rollout is promoted, not when the
// colour's deployment completes, and goes back to in progress when the old colour serves again.
import type { BlueGreenStatus } from './blueGreen';
import { RefusedError, type Deployment, type Environment, type PipelineRun, type PipelineRunStatus, type PromotionOptions, type Release } from './model';
import type { ColourDeployRequest, ColourDeployResult, ColourDeployer, UnitOfWork } from './ports';

/** What the deployer needs of EnvironmentPromotionManager. */
export interface ColourPromotions {
  getEnvironment(name: string): Promise<Environment>;
  promoteToEnvironment(releaseId: string, environment: string, pipelineId?: string, options?: PromotionOptions): Promise<Deployment>;
  redeploy(environment: string, options?: PromotionOptions & { releaseId?: string; pipelineId?: string }): Promise<Deployment>;
  transitionDeployment(deploymentId: string, to: 'rolled_back', note?: string): Promise<Deployment>;
  blueGreenPromoted(deploymentId: string): Promise<Release | undefined>;
  blueGreenTraffic(deploymentId: string, at: Date): Promise<Deployment | undefined>;
}

/** What the deployer needs of DeploymentPipelineManager. */
export interface ColourPipelineRuns {
  onOutput(listener: (e: { runId: string; stepName: string; text: string }) => void): { dispose(): void };
  listRuns(query: { deploymentId?: string; limit?: number }): Promise<PipelineRun[]>;
  waitForRun(runId: string, statuses?: PipelineRunStatus[]): Promise<PipelineRun>;
  cancelRun(runId: string): Promise<PipelineRun>;
}

export interface PipelineColourDeployerDeps {
  uow: UnitOfWork;
  promotions: ColourPromotions;
  pipelines: ColourPipelineRuns;
}

export class PipelineColourDeployer implements ColourDeployer {
  constructor(private readonly deps: PipelineColourDeployerDeps) {}

  /** Refuses early (before a rollout record exists) when the environment has no pipeline to deploy with. */
  async preflight(environment: string): Promise<void> {
    const env = await this.deps.promotions.getEnvironment(environment);
    if (!env.pipelineId) throw new RefusedError(noPipeline(env.name));
  }

  async deploy(req: ColourDeployRequest): Promise<ColourDeployResult> {
    const env = await this.deps.promotions.getEnvironment(req.environment);
    if (!env.pipelineId) return { ok: false, summary: noPipeline(env.name) };
    // Output that arrives before the run's id is known is kept, then passed on in order.
    let runId: string | undefined;
    const early: { runId: string; text: string }[] = [];
    const sub = this.deps.pipelines.onOutput((e) => {
      if (runId === undefined) early.push({ runId: e.runId, text: e.text });
      else if (e.runId === runId) req.onOutput(e.text);
    });
    try {
      const ranBefore = await this.deps.uow.read((r) =>
        r.deployments.list({ releaseId: req.releaseId, environment: env.name, status: ['completed', 'rolled_back'], limit: 1 }));
      const options: PromotionOptions = { pipelineEnv: { ...req.env }, blueGreenColour: req.colour };
      const deployment = ranBefore.length
        ? await this.deps.promotions.redeploy(env.name, { releaseId: req.releaseId, ...options })
        : await this.deps.promotions.promoteToEnvironment(req.releaseId, env.name, undefined, options);
      const run = (await this.deps.pipelines.listRuns({ deploymentId: deployment.id, limit: 1 }))[0];
      if (!run) return { ok: false, summary: `no pipeline run started for the deployment to ${env.name}`, deploymentId: deployment.id };
      runId = run.id;
      for (const e of early.splice(0)) if (e.runId === runId) req.onOutput(e.text);
      const onAbort = () => void this.deps.pipelines.cancelRun(run.id).catch(() => undefined);
      if (req.signal.aborted) onAbort();
      else req.signal.addEventListener('abort', onAbort, { once: true });
      let done: PipelineRun;
      try {
        done = await this.deps.pipelines.waitForRun(run.id);
      } finally {
        req.signal.removeEventListener('abort', onAbort);
      }
      return { ok: done.status === 'succeeded', summary: runSummary(done, req), deploymentId: deployment.id };
    } finally {
      sub.dispose();
    }
  }

  /**
   * Called on every rollout change: a rollout that ended with the old colour carrying the traffic
   * marks its (completed) deployment rolled back, so the environment shows what really serves; a
   * promoted one lets the release follow (deployed, in the last environment).
   */
  async rolloutChanged(status: Pick<BlueGreenStatus, 'state' | 'deploymentId' | 'reason' | 'previewColour' | 'version' | 'trafficAt'>): Promise<RolloutEffect | undefined> {
    // Users got the new version from the first split that gave its colour traffic (DORA counts from then).
    if (status.deploymentId && status.trafficAt) await this.deps.promotions.blueGreenTraffic(status.deploymentId, status.trafficAt);
    if (status.deploymentId && status.state === 'promoted') {
      const release = await this.deps.promotions.blueGreenPromoted(status.deploymentId);
      return release ? { release } : undefined;
    }
    if (!status.deploymentId || (status.state !== 'aborted' && status.state !== 'rolled_back')) return undefined;
    const d = await this.deps.uow.read((r) => r.deployments.get(status.deploymentId as string));
    if (d?.status !== 'completed') return undefined;
    const what = status.state === 'aborted' ? 'aborted' : 'rolled back';
    try {
      const deployment = await this.deps.promotions.transitionDeployment(d.id, 'rolled_back', `blue-green rollout of ${status.version} ${what}${status.reason ? `: ${status.reason}` : ''}`);
      return { deployment };
    } catch (e) {
      // The same change followed twice at once (the change event and followEnded at start): done.
      if ((await this.deps.uow.read((r) => r.deployments.get(d.id)))?.status === 'rolled_back') return undefined;
      throw e;
    }
  }

  /**
   * At start: the records follow every ended rollout again, in case the window closed between a
   * rollout's last transition and its records following (idempotent: what already followed is left).
   */
  async followEnded(rollouts: readonly Pick<BlueGreenStatus, 'state' | 'deploymentId' | 'reason' | 'previewColour' | 'version' | 'environment' | 'trafficAt'>[]): Promise<FollowOutcome[]> {
    const out: FollowOutcome[] = [];
    for (const s of rollouts) {
      if (!s.deploymentId || !['promoted', 'aborted', 'rolled_back'].includes(s.state)) continue;
      try {
        const effect = await this.rolloutChanged(s);
        if (effect) out.push({ rollout: s, effect });
      } catch (e) {
        out.push({ rollout: s, error: (e as Error).message });
      }
    }
    return out;
  }
}

export interface FollowOutcome {
  rollout: Pick<BlueGreenStatus, 'version' | 'environment' | 'state'>;
  effect?: RolloutEffect;
  error?: string;
}

/** What a rollout change did to the records: a deployment marked rolled back, or the release following a promotion. */
export interface RolloutEffect {
  deployment?: Deployment;
  release?: Release;
}

function noPipeline(environment: string): string {
  return `${environment} has no pipeline: blue-green deploys the new version to the idle colour by running the environment's pipeline with COLOR set; choose a pipeline for ${environment} first`;
}

function runSummary(run: PipelineRun, req: ColourDeployRequest): string {
  const where = `pipeline '${run.pipelineName}'`;
  if (run.status === 'succeeded') return `${where} deployed ${req.version} to ${req.colour} (${run.steps.length} step${run.steps.length === 1 ? '' : 's'})`;
  const failed = run.steps.find((s) => s.status === 'failed') ?? run.steps[run.currentStep];
  const last = failed?.log.trim().split('\n').pop();
  const step = failed ? ` at step '${failed.name}'` : '';
  return `${where} ${run.status.replace('_', ' ')}${step}${run.interruption ? `: ${run.interruption.reason}` : last ? `: ${last}` : ''}`;
}
