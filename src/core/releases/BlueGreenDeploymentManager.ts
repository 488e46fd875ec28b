// Blue-green deployment through a real traffic router, as a persisted state machine after Argo
// Rollouts' blue-green strategy (see ../blueGreen.ts for the states and the strategy):
//
//   setup:  idle → preview_deploying → preview_ready → pre_switch_checks → awaiting_promotion
//   switch: awaiting_promotion → switching → partial (a weight step) … → switching → post_switch_checks → promoted
//   out:    any state before promotion → aborted; traffic states and promoted → rolled_back
//
// Every transition is one transaction with its audit event. Router calls, deploys and checks run
// outside transactions; the router is changed first and the state recorded after, so a process
// killed in between leaves `switching`, which `reconcile()` resolves from the router's real weights.
import { Auditor } from '../audit';
import {
  BLUE_GREEN_STATES,
  FINAL_STATES,
  STATE_LABELS,
  TRAFFIC_STATES,
  canTransition,
  formatSplit,
  otherColour,
  parseStrategyInput,
  resolveStrategy,
  weightsFor,
  type AutoRollbackEvent,
  type BlueGreenDeployment,
  type BlueGreenQuery,
  type BlueGreenState,
  type BlueGreenStatus,
  type BlueGreenStrategyInput,
  type ColourView,
  type HistoryEntry,
  type ReconcileOutcome,
  type StepStatus,
  type TrafficView,
} from '../blueGreen';
import { NotFoundError, RefusedError, ValidationError } from '../model';
import type {
  BlueGreenTarget,
  Clock,
  Colour,
  ColourChecks,
  ColourCounters,
  ColourDeployer,
  ColourScaler,
  ErrorRateBreach,
  Identity,
  RouterFactory,
  UnitOfWork,
  Weights,
  WorkspaceTrust,
} from '../ports';
import { compact, describe, requireText } from '../validate';

export interface BlueGreenManagerDeps {
  uow: UnitOfWork;
  clock: Clock;
  identity: Identity;
  /** Setup runs the environment's pipeline and switches may run router commands: trusted workspaces only. */
  trust: WorkspaceTrust;
  routers: RouterFactory;
  deployer: ColourDeployer;
  checks: ColourChecks;
  /** Argo's scale-down of the old colour after `scaleDownDelaySeconds`; without it the old colour stays up. */
  scaler?: ColourScaler;
  newId?: () => string;
  /** This process (`pid@host`), stored on the records it drives. */
  owner?: string;
  /** Whether the process that last drove a record still runs; reconcile leaves live owners' records alone. Default: never. */
  ownerAlive?: (owner: string) => Promise<boolean>;
}

/** Per-rollout overrides of the environment's strategy (validated; errors name `options.<field>`). */
export type BlueGreenSetupOptions = BlueGreenStrategyInput;

export interface TargetOptions {
  /** Which rollout when the release has unfinished ones in several environments. */
  environment?: string;
}

export interface ActionOptions extends TargetOptions {
  /** Recorded with the transition. */
  reason?: string;
}

export interface PromoteOptions extends TargetOptions {
  /** Argo's `promote --full`: straight to 100 %, or end running post-switch checks now. */
  full?: boolean;
}

export interface Disposable {
  dispose(): void;
}

export interface OutputEvent {
  id: string;
  releaseId: string;
  environment: string;
  text: string;
}

/** The actor of transitions nobody clicked: auto-promotion, automatic rollback, reconciliation, scale-down. */
export const AUTOMATIC_ACTOR = 'Release Manager (automatic)';

const NOT_FINAL = BLUE_GREEN_STATES.filter((s) => !FINAL_STATES.includes(s));
const PRE_TRAFFIC: readonly BlueGreenState[] = ['idle', 'preview_deploying', 'preview_ready', 'pre_switch_checks', 'awaiting_promotion'];
const SWITCHABLE: readonly BlueGreenState[] = ['awaiting_promotion', 'partial', 'post_switch_checks'];

interface Op {
  name: string;
  controller: AbortController;
  settled: Promise<void>;
}

interface Runtime {
  op?: Op;
  watcher?: { colour: Colour; stop(): void };
  watchError?: string;
  timers: Map<'autoPromote' | 'analysis' | 'scaleDown', ReturnType<typeof setTimeout>>;
  lastCounters?: { at: number; counters: Record<Colour, ColourCounters> };
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const pct = (x: number): string => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)} %`;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal.addEventListener('abort', done, { once: true });
  });
}

/** What the audit log keeps of a record before and after a transition. */
function auditView(r: BlueGreenDeployment | null): Record<string, unknown> | undefined {
  if (!r) return undefined;
  return compact({
    state: r.state,
    version: r.version,
    activeColour: r.activeColour,
    previewColour: r.previewColour,
    weights: r.weights,
    targetWeights: r.targetWeights,
    versions: r.versions,
    reason: r.reason,
    attempt: r.attempt,
    checks: r.checks,
    breach: r.breach,
    autoRollback: r.autoRollback,
    autoPromoteAt: r.autoPromoteAt,
    trafficAt: r.trafficAt,
    scaleDownAt: r.scaleDownAt,
    scaledDownAt: r.scaledDownAt,
    scaleDownError: r.scaleDownError,
  });
}

/** Blue-green setup, traffic switching (gradual weights), promotion, abort and rollback, with checks and reconciliation. */
export class BlueGreenDeploymentManager {
  private readonly auditor: Auditor;
  private readonly newId: () => string;
  private readonly owner: string | undefined;
  private readonly runtimes = new Map<string, Runtime>();
  private readonly routerQueues = new Map<string, Promise<unknown>>();
  private readonly changeListeners = new Set<(s: BlueGreenStatus) => void>();
  private readonly rollbackListeners = new Set<(e: AutoRollbackEvent) => void>();
  private readonly outputListeners = new Set<(e: OutputEvent) => void>();
  private readonly background = new Set<Promise<unknown>>();
  private disposed = false;

  constructor(private readonly deps: BlueGreenManagerDeps) {
    this.auditor = new Auditor(deps.clock, deps.identity);
    this.newId = deps.newId ?? (() => globalThis.crypto.randomUUID());
    this.owner = deps.owner;
  }

  // ------------------------------------------------------------------------------ events

  /** Every transition and stored change of a rollout (the Traffic tab, the tree). */
  onDidChange(listener: (status: BlueGreenStatus) => void): Disposable {
    this.changeListeners.add(listener);
    return { dispose: () => this.changeListeners.delete(listener) };
  }

  /** An automatic rollback happened (or failed): the VS Code layer shows a notification. */
  onAutoRollback(listener: (event: AutoRollbackEvent) => void): Disposable {
    this.rollbackListeners.add(listener);
    return { dispose: () => this.rollbackListeners.delete(listener) };
  }

  /** Live output of the deploy to the preview colour. */
  onOutput(listener: (event: OutputEvent) => void): Disposable {
    this.outputListeners.add(listener);
    return { dispose: () => this.outputListeners.delete(listener) };
  }

  // ------------------------------------------------------------------------------ setup

  /**
   * Deploys the release to the idle colour (the environment's pipeline, `COLOR` set), then runs the
   * pre-switch checks against that colour directly. Resolves with the status: `awaiting_promotion`
   * when the checks pass, `aborted` with the reason when the deploy or a check fails (traffic untouched).
   */
  async setup(releaseId: string, environment: string, options: BlueGreenSetupOptions = {}): Promise<BlueGreenStatus> {
    const rid = requireText('releaseId', releaseId, { max: 200 });
    const env = requireText('environment', environment, { max: 64 });
    const input = parseStrategyInput(options, 'options');
    this.requireTrust('Setting up a blue-green rollout');
    const target = await this.deps.routers.forEnvironment(env);
    const strategy = resolveStrategy(target.production, parseStrategyInput(target.strategy, `environments.${env}.blueGreen`), input);
    if (strategy.postPromotionAnalysis.enabled && !(target.router.capabilities.perColourMetrics && target.router.counters) && !target.endpoints.probeUrl) {
      throw new ValidationError(
        `environments.${env}.router.endpoints.probeUrl`,
        `is needed to watch the new colour's error rate: the ${target.router.kind} router has no per-colour metrics (set a probe URL through the router, or disable postPromotionAnalysis)`,
      );
    }
    let live: Weights;
    try {
      live = await target.router.getWeights();
    } catch (err) {
      throw new Error(`cannot read the ${target.router.kind} router of ${env}: ${errorText(err)}; nothing was changed`);
    }
    if (live.blue !== 100 && live.green !== 100) {
      throw new RefusedError(`the router of ${env} splits traffic (${formatSplit(live)}); finish or roll back that switch before setting up another rollout`);
    }
    const active: Colour = live.blue === 100 ? 'blue' : 'green';
    const preview = otherColour(active);
    const actor = await this.deps.identity.currentUser();

    const record = await this.deps.uow.write(async (r) => {
      const release = await r.releases.get(rid);
      if (!release) throw new NotFoundError('release', rid);
      if (release.status === 'cancelled') throw new RefusedError(`release ${release.version} (${release.name}) is cancelled; it cannot be deployed`);
      const open = (await r.blueGreen.list({ environment: env, state: [...NOT_FINAL] })).find((o) => o.releaseId !== rid);
      if (open) {
        throw new RefusedError(`${env} already has a blue-green rollout of ${open.version} (${STATE_LABELS[open.state]}, ${formatSplit(open.weights)}); promote, roll back or abort it first`);
      }
      const existing = await r.blueGreen.find(rid, env);
      if (existing && existing.state !== 'aborted' && existing.state !== 'rolled_back') {
        throw new RefusedError(existing.state === 'promoted'
          ? `${release.version} is already promoted in ${env} (${existing.activeColour} carries it); roll it back before setting it up again`
          : `a blue-green rollout of ${release.version} in ${env} is already under way (${STATE_LABELS[existing.state]})`);
      }
      // What runs on the live colour: the newest earlier rollout in this environment that knew it.
      const versions: Partial<Record<Colour, string>> = {};
      for (const h of await r.blueGreen.list({ environment: env })) {
        if (h.id !== existing?.id && h.versions[active]) {
          versions[active] = h.versions[active];
          break;
        }
      }
      const now = this.deps.clock.now();
      const rec: BlueGreenDeployment = compact({
        id: existing?.id ?? this.newId(),
        releaseId: rid,
        version: release.version,
        environment: env,
        state: 'idle' as const,
        activeColour: active,
        previewColour: preview,
        weights: live,
        versions,
        strategy,
        production: target.production,
        attempt: (existing?.attempt ?? 0) + 1,
        owner: this.owner,
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      });
      if (existing) await r.blueGreen.update(rec);
      else await r.blueGreen.insert(rec);
      await this.auditor.record(r, actor, 'blue_green.setup', 'blue_green', rec.id, auditView(existing), auditView(rec));
      return rec;
    });
    this.emitChange(record);
    await this.runOp(record.id, 'setup', (signal) => this.runSetup(record, target, actor, signal));
    return this.statusById(record.id);
  }

  private async runSetup(record: BlueGreenDeployment, target: BlueGreenTarget, actor: string, signal: AbortSignal): Promise<void> {
    const { id, previewColour: preview, version, environment } = record;
    const untouched = `traffic untouched (${formatSplit(record.weights)})`;
    await this.transition(id, 'preview_deploying', actor);
    let result;
    try {
      result = await this.deps.deployer.deploy({
        releaseId: record.releaseId, version, environment, colour: preview, env: { COLOR: preview }, signal,
        onOutput: (text) => this.emit(this.outputListeners, { id, releaseId: record.releaseId, environment, text }),
      });
    } catch (err) {
      result = { ok: false, summary: errorText(err) };
    }
    if (signal.aborted) return;
    if (!result.ok) {
      await this.transition(id, 'aborted', actor, {
        reason: `deploying ${version} to ${preview} failed: ${result.summary}; ${untouched}`, deploySummary: result.summary, deploymentId: result.deploymentId,
      });
      return;
    }
    let rec = await this.transition(id, 'preview_ready', actor, {
      versions: { ...record.versions, [preview]: version }, deploySummary: result.summary, deploymentId: result.deploymentId,
    });
    const autoPromoteAt = rec.strategy.autoPromotionEnabled ? new Date(this.deps.clock.now().getTime() + rec.strategy.autoPromotionSeconds * 1000) : undefined;
    if (rec.strategy.prePromotionAnalysis.enabled) {
      await this.transition(id, 'pre_switch_checks', actor);
      const checks = await this.preSwitchChecks(rec, target, signal);
      if (signal.aborted) return;
      if (!checks.ok) {
        await this.transition(id, 'aborted', actor, { reason: `pre-switch checks of ${preview} failed: ${checks.why}; ${untouched}`, checks: checks.results });
        return;
      }
      rec = await this.transition(id, 'awaiting_promotion', actor, { checks: checks.results, autoPromoteAt });
    } else {
      rec = await this.transition(id, 'awaiting_promotion', actor, { autoPromoteAt });
    }
    if (autoPromoteAt) this.scheduleAutoPromotion(rec);
  }

  private async preSwitchChecks(rec: BlueGreenDeployment, target: BlueGreenTarget, signal: AbortSignal): Promise<{ ok: boolean; why?: string; results: NonNullable<BlueGreenDeployment['checks']> }> {
    const pre = rec.strategy.prePromotionAnalysis;
    const ep = target.endpoints[rec.previewColour];
    const results: NonNullable<BlueGreenDeployment['checks']> = {};
    try {
      const h = await this.deps.checks.waitHealthy(ep.healthUrl, {
        consecutive: pre.consecutiveSuccesses, intervalMs: pre.intervalMs, requestTimeoutMs: pre.requestTimeoutMs, deadlineMs: pre.timeoutSeconds * 1000, signal,
      });
      results.health = { ok: true, url: ep.healthUrl, detail: `${pre.consecutiveSuccesses} consecutive 2xx (${h.attempts} attempts, ${h.ms} ms)`, attempts: h.attempts, ms: h.ms };
    } catch (err) {
      results.health = { ok: false, url: ep.healthUrl, detail: errorText(err) };
      return { ok: false, why: `health check ${errorText(err)}`, results };
    }
    if (ep.smokeUrl) {
      try {
        const s = await this.deps.checks.smoke(ep.smokeUrl, { expectStatus: pre.smokeExpectStatus, timeoutMs: Math.max(pre.requestTimeoutMs, 2000) });
        results.smoke = { ok: true, url: ep.smokeUrl, detail: `HTTP ${s.status} in ${s.ms} ms`, ms: s.ms };
      } catch (err) {
        results.smoke = { ok: false, url: ep.smokeUrl, detail: errorText(err) };
        return { ok: false, why: errorText(err), results };
      }
    }
    return { ok: true, results };
  }

  // ------------------------------------------------------------------------------ switching

  /**
   * Sends `weight` % of the traffic to `colour`. To the preview colour without a weight: the
   * strategy's remaining steps (default 10 → 50 → 100), watched for `stepBakeSeconds` between
   * steps. All traffic back to the stable colour is a rollback. At 100 % the post-switch checks
   * run for `postPromotionAnalysis.durationSeconds`, then the rollout is promoted.
   */
  async switchTraffic(releaseId: string, colour: Colour, weight?: number, options: TargetOptions = {}): Promise<BlueGreenStatus> {
    if (colour !== 'blue' && colour !== 'green') throw new ValidationError('colour', `expected blue or green, got ${describe(colour)}`);
    if (weight !== undefined && (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > 100)) {
      throw new ValidationError('weight', `expected a whole number from 0 to 100 (the share of traffic for ${colour}), got ${describe(weight)}`);
    }
    this.requireTrust('Switching traffic');
    const rec = await this.resolve(releaseId, options.environment);
    const previewWeight = colour === rec.previewColour ? weight : weight === undefined ? 0 : 100 - weight;
    if (previewWeight === 0) return this.rollback(releaseId, { environment: rec.environment, reason: `all traffic back to ${otherColour(rec.previewColour)} by switchTraffic` });
    this.refuseUnless(rec, SWITCHABLE, 'switch traffic to');
    if (previewWeight !== undefined && previewWeight === rec.weights[rec.previewColour]) {
      throw new RefusedError(`${rec.previewColour} already has ${previewWeight} % of the traffic of ${rec.environment} (${formatSplit(rec.weights)})`);
    }
    const steps = previewWeight === undefined ? rec.strategy.steps.filter((s) => s > rec.weights[rec.previewColour]) : [previewWeight];
    if (steps.length === 0) {
      throw new RefusedError(`${rec.previewColour} already carries all traffic of ${rec.environment}; the post-switch checks are running (promote with full to end them now)`);
    }
    const actor = await this.deps.identity.currentUser();
    await this.runOp(rec.id, previewWeight === undefined ? 'switch plan' : 'switch', (signal) => this.runSteps(rec.id, steps, actor, signal));
    return this.statusById(rec.id);
  }

  /**
   * Argo's promote: the remaining steps from awaiting promotion or a split; `full` goes straight
   * to 100 % (or ends running post-switch checks now and promotes).
   */
  async promote(releaseId: string, options: PromoteOptions = {}): Promise<BlueGreenStatus> {
    this.requireTrust('Promoting');
    const rec = await this.resolve(releaseId, options.environment);
    return this.promoteRecord(rec, await this.deps.identity.currentUser(), options.full === true);
  }

  private async promoteRecord(rec: BlueGreenDeployment, actor: string, full: boolean): Promise<BlueGreenStatus> {
    this.refuseUnless(rec, SWITCHABLE, 'promote');
    if (rec.state === 'post_switch_checks') {
      if (!full) throw new RefusedError(`${rec.version} in ${rec.environment} carries all traffic and its post-switch checks are running; promote with full to end them now`);
      this.refuseBusy(rec);
      return this.toStatus(await this.completePromotion(rec.id, actor, 'post-switch checks ended early by a full promotion'));
    }
    const steps = full ? [100] : rec.strategy.steps.filter((s) => s > rec.weights[rec.previewColour]);
    await this.runOp(rec.id, full ? 'full promotion' : 'promotion', (signal) => this.runSteps(rec.id, steps, actor, signal));
    return this.statusById(rec.id);
  }

  private async runSteps(id: string, steps: number[], actor: string, signal: AbortSignal): Promise<void> {
    let rec = await this.get(id);
    for (let i = 0; i < steps.length; i++) {
      rec = await this.applyStep(rec, steps[i], actor, signal);
      if (signal.aborted) break;
      if (i < steps.length - 1) {
        await sleep(rec.strategy.stepBakeSeconds * 1000, signal);
        if (signal.aborted) break;
      }
    }
  }

  private async applyStep(rec: BlueGreenDeployment, previewWeight: number, actor: string, signal: AbortSignal): Promise<BlueGreenDeployment> {
    const target = await this.deps.routers.forEnvironment(rec.environment);
    const router = target.router;
    const w = weightsFor(rec.previewColour, previewWeight);
    // Leaving 100 % (or reaching it again) restarts the post-switch checks.
    this.clearTimer(rec.id, 'analysis');
    try {
      await router.validate(w);
    } catch (err) {
      throw new Error(`the ${router.kind} router of ${rec.environment} refused ${formatSplit(w)}: ${errorText(err)}; traffic unchanged (${formatSplit(rec.weights)})`);
    }
    if (signal.aborted) return rec;
    rec = await this.transition(rec.id, 'switching', actor, { targetWeights: w, reason: undefined });
    // Watch from before the change, so the first window already has a base sample.
    this.ensureWatcher(rec, target);
    try {
      await this.routerCall(rec.environment, signal, () => router.setWeights(w));
    } catch (err) {
      if (signal.aborted) return rec;
      let live: Weights | undefined;
      try {
        live = await router.getWeights();
      } catch { /* reported below */ }
      const why = `switching ${rec.environment} to ${formatSplit(w)} failed: ${errorText(err)}`;
      if (!live) {
        await this.transition(rec.id, undefined, actor, { reason: `${why}; the router could not be read back, so the split is unknown (reconcile or roll back)` }, 'blue_green.switch_failed');
        throw new Error(`${why}; the router could not be read back`);
      }
      const back = this.stateForPreviewWeight(rec, live[rec.previewColour]);
      await this.transition(rec.id, back, actor, { weights: live, targetWeights: undefined, reason: `${why}; the router routes ${formatSplit(live)}` });
      if (back === 'awaiting_promotion') this.stopWatcher(rec.id);
      throw new Error(`${why}; the router routes ${formatSplit(live)}`);
    }
    if (signal.aborted) return rec;
    if (previewWeight === 100) return this.reachedFull(rec, w, actor);
    return this.transition(rec.id, 'partial', actor, { weights: w, targetWeights: undefined });
  }

  private stateForPreviewWeight(rec: BlueGreenDeployment, previewWeight: number): BlueGreenState {
    if (previewWeight === 0) return 'awaiting_promotion';
    if (previewWeight === 100) return rec.strategy.postPromotionAnalysis.enabled && rec.strategy.postPromotionAnalysis.durationSeconds > 0 ? 'post_switch_checks' : 'promoted';
    return 'partial';
  }

  private async reachedFull(rec: BlueGreenDeployment, w: Weights, actor: string): Promise<BlueGreenDeployment> {
    const post = rec.strategy.postPromotionAnalysis;
    if (!post.enabled || post.durationSeconds <= 0) {
      await this.transition(rec.id, undefined, actor, { weights: w, targetWeights: undefined }, 'blue_green.switched');
      return this.completePromotion(rec.id, actor);
    }
    rec = await this.transition(rec.id, 'post_switch_checks', actor, { weights: w, targetWeights: undefined });
    this.scheduleAnalysisEnd(rec, post.durationSeconds * 1000);
    return rec;
  }

  private scheduleAnalysisEnd(rec: BlueGreenDeployment, ms: number): void {
    this.schedule(rec.id, 'analysis', ms, async () => {
      const now = await this.get(rec.id);
      if (now.state !== 'post_switch_checks' || this.runtime(rec.id).op) return;
      await this.completePromotion(rec.id, AUTOMATIC_ACTOR, `post-switch checks passed for ${now.strategy.postPromotionAnalysis.durationSeconds} s`);
    });
  }

  private async completePromotion(id: string, actor: string, note?: string): Promise<BlueGreenDeployment> {
    this.stopWatcher(id);
    this.clearTimer(id, 'analysis');
    const now = this.deps.clock.now();
    const before = await this.get(id);
    const scaleDownAt = this.deps.scaler ? new Date(now.getTime() + before.strategy.scaleDownDelaySeconds * 1000) : undefined;
    const rec = await this.transition(id, 'promoted', actor, { activeColour: before.previewColour, promotedAt: now, scaleDownAt, reason: note });
    if (scaleDownAt) this.scheduleScaleDown(rec);
    return rec;
  }

  // ------------------------------------------------------------------------------ abort and rollback

  /** Traffic back to the previous colour at once (from a split, during checks, or after promotion while the old colour is up). */
  async rollback(releaseId: string, options: ActionOptions = {}): Promise<BlueGreenStatus> {
    const reason = options.reason === undefined ? undefined : requireText('reason', options.reason, { max: 2000 });
    this.requireTrust('Rolling back');
    const rec = await this.resolve(releaseId, options.environment);
    const stable = otherColour(rec.previewColour);
    if (PRE_TRAFFIC.includes(rec.state)) {
      throw new RefusedError(`cannot roll back ${rec.version} in ${rec.environment}: no traffic has moved to ${rec.previewColour} yet (${formatSplit(rec.weights)}); abort the rollout to discard the preview`);
    }
    this.refuseUnless(rec, [...TRAFFIC_STATES], 'roll back');
    if (rec.state === 'promoted') {
      if (rec.scaledDownAt) {
        throw new RefusedError(`cannot roll back ${rec.version} in ${rec.environment}: the previous colour ${stable} was scaled down at ${rec.scaledDownAt.toISOString()}; deploy the previous release again instead`);
      }
      const newer = (await this.deps.uow.read((r) => r.blueGreen.list({ environment: rec.environment }))).find((o) => o.id !== rec.id && o.createdAt > rec.createdAt && o.state !== 'aborted');
      if (newer) throw new RefusedError(`cannot roll back ${rec.version} in ${rec.environment}: ${newer.version} was rolled out there since (${STATE_LABELS[newer.state]}); roll that back instead`);
    }
    const actor = await this.deps.identity.currentUser();
    return this.toStatus(await this.moveBack(rec, 'rolled_back', actor, reason ? `rolled back: ${reason}` : `rolled back by ${actor}`));
  }

  /**
   * Argo's abort: stops a rollout before promotion. Cancels a running deploy or check; traffic that
   * reached the preview colour goes back to the stable colour at once.
   */
  async abort(releaseId: string, options: ActionOptions = {}): Promise<BlueGreenStatus> {
    const reason = options.reason === undefined ? undefined : requireText('reason', options.reason, { max: 2000 });
    const rec = await this.resolve(releaseId, options.environment);
    this.refuseUnless(rec, NOT_FINAL, 'abort');
    const actor = await this.deps.identity.currentUser();
    const why = reason ? `aborted: ${reason}` : `aborted by ${actor}`;
    if (!PRE_TRAFFIC.includes(rec.state)) {
      this.requireTrust('Aborting a rollout that moved traffic');
      return this.toStatus(await this.moveBack(rec, 'aborted', actor, why));
    }
    const rt = this.runtime(rec.id);
    const op = rt.op;
    op?.controller.abort();
    this.clearTimers(rec.id);
    if (op) await op.settled;
    return this.toStatus(await this.transition(rec.id, 'aborted', actor, {
      reason: `${why}; traffic untouched (${formatSplit(rec.weights)})`, autoPromoteAt: undefined,
    }));
  }

  /**
   * All traffic to the stable colour at once: cancels the running operation, changes the router
   * first (the router queue puts it after a step already in flight), then records `to`.
   */
  private async moveBack(
    rec: BlueGreenDeployment,
    to: 'rolled_back' | 'aborted',
    actor: string,
    reason: string,
    extra: (routedAt: number | undefined) => Partial<BlueGreenDeployment> = () => ({}),
  ): Promise<BlueGreenDeployment> {
    const rt = this.runtime(rec.id);
    const op = rt.op;
    op?.controller.abort();
    this.stopWatcher(rec.id);
    this.clearTimers(rec.id);
    const stable = otherColour(rec.previewColour);
    const w = weightsFor(stable, 100);
    const target = await this.deps.routers.forEnvironment(rec.environment);
    try {
      await this.routerCall(rec.environment, undefined, () => target.router.setWeights(w));
    } catch (err) {
      let live = '';
      try {
        live = `; the router routes ${formatSplit(await target.router.getWeights())}`;
      } catch { /* unknown */ }
      const msg = `moving all traffic of ${rec.environment} back to ${stable} failed: ${errorText(err)}${live}`;
      if (op) await op.settled;
      await this.transition(rec.id, undefined, actor, { reason: msg, ...extra(undefined) }, 'blue_green.rollback_failed');
      throw new Error(msg);
    }
    const routedAt = Date.now();
    if (op) await op.settled;
    return this.transition(rec.id, to, actor, {
      weights: w, targetWeights: undefined, activeColour: stable, reason, autoPromoteAt: undefined, scaleDownAt: undefined, ...extra(routedAt),
    });
  }

  private ensureWatcher(rec: BlueGreenDeployment, target: BlueGreenTarget): void {
    const post = rec.strategy.postPromotionAnalysis;
    if (!post.enabled) return;
    const rt = this.runtime(rec.id);
    if (rt.watcher?.colour === rec.previewColour) return;
    rt.watcher?.stop();
    const handle = this.deps.checks.watchErrorRate({
      colour: rec.previewColour,
      router: target.router,
      probeUrl: target.endpoints.probeUrl,
      windowMs: post.windowMs,
      threshold: post.threshold,
      minRequests: post.minRequests,
      pollMs: post.pollMs,
      onBreach: (b) => this.track(this.autoRollback(rec.id, b)),
      onError: (err) => { rt.watchError = err.message; },
    });
    rt.watcher = { colour: rec.previewColour, stop: () => handle.stop() };
  }

  private stopWatcher(id: string): void {
    const rt = this.runtimes.get(id);
    rt?.watcher?.stop();
    if (rt) rt.watcher = undefined;
  }

  private async autoRollback(id: string, b: ErrorRateBreach): Promise<void> {
    const rt = this.runtime(id);
    rt.watcher = undefined; // the watcher stops itself after a breach
    const rec = await this.get(id);
    if (!['switching', 'partial', 'post_switch_checks'].includes(rec.state)) return;
    const threshold = rec.strategy.postPromotionAnalysis.threshold;
    const breach = { colour: b.colour, errorRate: b.errorRate, requests: b.requests, errors: b.errors, windowMs: b.windowMs, detectedAt: new Date(b.detectedAt) };
    const what = `${b.colour} answered ${b.errors} of ${b.requests} requests with 5xx (${pct(b.errorRate)}) over ${Math.round(b.windowMs)} ms, above the ${pct(threshold)} threshold`;
    const stable = otherColour(rec.previewColour);
    let event: AutoRollbackEvent;
    try {
      // Wall-clock ms, like the watcher's detectedAt: the figure is a latency, not a calendar time.
      const after = await this.moveBack(rec, 'rolled_back', AUTOMATIC_ACTOR, `automatic rollback: ${what}`, (routedAt) => ({
        breach,
        autoRollback: routedAt === undefined
          ? { detectedAt: breach.detectedAt, error: 'the router refused the rollback' }
          : { detectedAt: breach.detectedAt, rolledBackAt: new Date(routedAt), detectionToRollbackMs: Math.max(0, Math.round(routedAt - b.detectedAt)) },
      }));
      const ms = after.autoRollback?.detectionToRollbackMs;
      event = {
        id, releaseId: rec.releaseId, version: rec.version, environment: rec.environment, colour: b.colour, breach, ok: true,
        detectionToRollbackMs: ms,
        message: `${rec.version} was rolled back automatically in ${rec.environment}: ${what}. All traffic is on ${stable} again${ms === undefined ? '' : ` (${ms} ms after detection)`}.`,
      };
    } catch (err) {
      event = {
        id, releaseId: rec.releaseId, version: rec.version, environment: rec.environment, colour: b.colour, breach, ok: false,
        message: `Automatic rollback of ${rec.version} in ${rec.environment} FAILED: ${errorText(err)}. ${what}; traffic may still reach ${b.colour}.`,
      };
    }
    this.emit(this.rollbackListeners, event);
  }

  // ------------------------------------------------------------------------------ status and views

  /** The release's rollout (the unfinished one, else the newest), or null when it has none. No router calls. */
  async status(releaseId: string, options: TargetOptions = {}): Promise<BlueGreenStatus | null> {
    try {
      return this.toStatus(await this.resolve(releaseId, options.environment));
    } catch (err) {
      if (err instanceof NotFoundError && err.entity === 'blue-green rollout') return null;
      throw err;
    }
  }

  async list(query: BlueGreenQuery = {}): Promise<BlueGreenStatus[]> {
    return (await this.deps.uow.read((r) => r.blueGreen.list(query))).map((r) => this.toStatus(r));
  }

  /**
   * The Traffic tab: the router's live split and per-colour request and 5xx rates (from the
   * counter delta since the previous view), one health probe per colour, and the audited history.
   */
  async trafficView(releaseId: string, options: TargetOptions = {}): Promise<TrafficView> {
    const rec = await this.resolve(releaseId, options.environment);
    const status = this.toStatus(rec);
    const rt = this.runtime(rec.id);
    let target: BlueGreenTarget | undefined;
    let routerError: string | undefined;
    try {
      target = await this.deps.routers.forEnvironment(rec.environment);
    } catch (err) {
      routerError = errorText(err);
    }
    const router = target?.router;
    const probe = async (c: Colour): Promise<Pick<ColourView, 'health' | 'healthDetail'>> => {
      const url = target?.endpoints[c].healthUrl;
      if (!url) return { health: 'unknown', healthDetail: 'no health URL' };
      const r = await this.deps.checks.probe(url, 1000);
      if (r.status === undefined) return { health: 'unhealthy', healthDetail: r.error ?? 'no answer' };
      return { health: r.status >= 200 && r.status < 300 ? 'healthy' : 'unhealthy', healthDetail: `HTTP ${r.status} in ${r.ms} ms` };
    };
    const [weights, counters, blue, green, audit] = await Promise.all([
      router ? router.getWeights().catch((err: unknown) => { routerError = errorText(err); return undefined; }) : Promise.resolve(undefined),
      router?.counters && router.capabilities.perColourMetrics ? router.counters().catch(() => undefined) : Promise.resolve(undefined),
      probe('blue'),
      probe('green'),
      this.deps.uow.read((r) => r.audit.list({ entityType: 'blue_green', entityId: rec.id })),
    ]);
    const now = Date.now();
    let rates: Partial<Record<Colour, Pick<ColourView, 'requestsPerSec' | 'errors5xxPerSec' | 'errorRate'>>> = {};
    let rateSpanMs: number | undefined;
    if (counters) {
      const prev = rt.lastCounters;
      if (prev && now > prev.at) {
        const span = now - prev.at;
        const delta = (c: Colour) => ({ requests: counters[c].requests - prev.counters[c].requests, errors: counters[c].errors5xx - prev.counters[c].errors5xx });
        const d = { blue: delta('blue'), green: delta('green') };
        // A counter going backwards means the router restarted: no rate for this span.
        if (d.blue.requests >= 0 && d.green.requests >= 0 && d.blue.errors >= 0 && d.green.errors >= 0) {
          rateSpanMs = span;
          rates = Object.fromEntries((['blue', 'green'] as const).map((c) => [c, {
            requestsPerSec: (d[c].requests * 1000) / span,
            errors5xxPerSec: (d[c].errors * 1000) / span,
            errorRate: d[c].requests > 0 ? d[c].errors / d[c].requests : undefined,
          }]));
        }
      }
      rt.lastCounters = { at: now, counters };
    }
    const split = weights ?? rec.weights;
    const colour = (c: Colour, h: Pick<ColourView, 'health' | 'healthDetail'>): ColourView => compact({
      colour: c,
      role: c === rec.previewColour ? 'preview' as const : 'stable' as const,
      version: rec.versions[c],
      weight: split[c],
      ...h,
      ...rates[c],
    });
    const history: HistoryEntry[] = audit.slice(-200).map((e) => {
      const before = (e.before ?? {}) as Partial<BlueGreenDeployment>;
      const after = (e.after ?? {}) as Partial<BlueGreenDeployment>;
      return compact({
        at: e.at, actor: e.actor, action: e.action,
        from: before.state, to: after.state, weights: after.weights, reason: after.reason !== before.reason ? after.reason : undefined,
      });
    });
    return compact({
      status,
      routerKind: router?.kind ?? 'unknown',
      hitless: router?.capabilities.hitless ?? false,
      weights: split,
      weightsSource: weights ? 'router' as const : 'record' as const,
      routerError,
      colours: { blue: colour('blue', blue), green: colour('green', green) },
      rateSpanMs,
      history,
      readAt: new Date(now),
    });
  }

  private toStatus(rec: BlueGreenDeployment): BlueGreenStatus {
    const p = rec.weights[rec.previewColour];
    const rt = this.runtimes.get(rec.id);
    const busy = rt?.op?.name;
    const steps = rec.strategy.steps.map((weight) => ({
      weight,
      status: (weight < p ? 'done' : weight === p && rec.state !== 'awaiting_promotion' ? 'current' : 'pending') as StepStatus,
    }));
    const nextStep = SWITCHABLE.includes(rec.state) ? rec.strategy.steps.find((s) => s > p) : undefined;
    const canMove = !busy && (rec.state === 'awaiting_promotion' || rec.state === 'partial');
    return compact({
      ...rec,
      stateLabel: STATE_LABELS[rec.state],
      steps,
      nextStep,
      busy,
      actions: {
        switch: canMove && nextStep !== undefined,
        promote: canMove || (!busy && rec.state === 'post_switch_checks'),
        rollback: TRAFFIC_STATES.includes(rec.state) && !(rec.state === 'promoted' && rec.scaledDownAt),
        abort: NOT_FINAL.includes(rec.state),
        confirm: rec.production,
      },
    });
  }

  // ------------------------------------------------------------------------------ reconciliation

  /**
   * At start: resolves what a stopped process left behind. `switching` follows the router's
   * real weights (all new → post-switch checks or promoted; all old → awaiting promotion; mixed →
   * partial); deploys and checks that were cut off are aborted; watchers, auto-promotion and
   * scale-down timers are re-armed. Every change is audited. Records of a live owner are left alone.
   */
  async reconcile(): Promise<ReconcileOutcome[]> {
    const records = await this.deps.uow.read((r) => r.blueGreen.list({ state: [...NOT_FINAL, 'promoted'] }));
    const outcomes: ReconcileOutcome[] = [];
    for (const rec of records) {
      if (this.runtimes.get(rec.id)?.op) continue;
      if (rec.owner && rec.owner !== this.owner && this.deps.ownerAlive && (await this.deps.ownerAlive(rec.owner))) {
        outcomes.push({ id: rec.id, releaseId: rec.releaseId, environment: rec.environment, from: rec.state, to: rec.state, note: `left alone: ${rec.owner} still drives it` });
        continue;
      }
      try {
        const o = await this.reconcileOne(rec);
        if (o) outcomes.push(o);
      } catch (err) {
        outcomes.push({ id: rec.id, releaseId: rec.releaseId, environment: rec.environment, from: rec.state, to: rec.state, note: `not reconciled: ${errorText(err)}` });
      }
    }
    return outcomes;
  }

  private async reconcileOne(rec: BlueGreenDeployment): Promise<ReconcileOutcome | undefined> {
    const base = { id: rec.id, releaseId: rec.releaseId, environment: rec.environment, from: rec.state };
    const actor = AUTOMATIC_ACTOR;
    const action = 'blue_green.reconcile';
    if (rec.state === 'promoted') {
      if (rec.scaleDownAt && !rec.scaledDownAt && !rec.scaleDownError) this.scheduleScaleDown(rec);
      return undefined;
    }
    if (rec.state === 'awaiting_promotion') {
      if (rec.autoPromoteAt) this.scheduleAutoPromotion(rec);
      return undefined;
    }
    if (['idle', 'preview_deploying', 'preview_ready', 'pre_switch_checks'].includes(rec.state)) {
      const reason = `cut off while ${STATE_LABELS[rec.state]} (Release Manager stopped); traffic untouched (${formatSplit(rec.weights)}); set it up again`;
      await this.transition(rec.id, 'aborted', actor, { reason }, action);
      return { ...base, to: 'aborted', note: reason };
    }
    // switching, partial, post_switch_checks: the router is the truth.
    const target = await this.deps.routers.forEnvironment(rec.environment);
    const live = await target.router.getWeights();
    const p = live[rec.previewColour];
    let to = this.stateForPreviewWeight(rec, p);
    if (rec.state === 'post_switch_checks' && p === 100) to = 'post_switch_checks';
    const was = rec.state === 'switching' ? `a switch to ${formatSplit(rec.targetWeights ?? rec.weights)} was cut off` : `found ${STATE_LABELS[rec.state]}`;
    const note = `${was}; the router routes ${formatSplit(live)}`;
    if (to === 'promoted') {
      await this.transition(rec.id, undefined, actor, { weights: live, targetWeights: undefined, reason: note }, action);
      await this.completePromotion(rec.id, actor, note);
      return { ...base, to, weights: live, note };
    }
    if (to !== rec.state && !canTransition(rec.state, to)) {
      // e.g. post_switch_checks found at 0 %: traffic is all on the stable colour.
      to = 'rolled_back';
    }
    const updated = await this.transition(rec.id, to, actor, {
      weights: live, targetWeights: undefined, reason: note, ...(to === 'rolled_back' ? { activeColour: otherColour(rec.previewColour) } : {}),
    }, action);
    if (to === 'partial' || to === 'post_switch_checks') this.ensureWatcher(updated, target);
    if (to === 'post_switch_checks') this.scheduleAnalysisEnd(updated, updated.strategy.postPromotionAnalysis.durationSeconds * 1000);
    return { ...base, to, weights: live, note };
  }

  // ------------------------------------------------------------------------------ timers

  private scheduleAutoPromotion(rec: BlueGreenDeployment): void {
    if (!rec.autoPromoteAt) return;
    this.schedule(rec.id, 'autoPromote', rec.autoPromoteAt.getTime() - this.deps.clock.now().getTime(), async () => {
      const now = await this.get(rec.id);
      if (now.state !== 'awaiting_promotion' || this.runtime(rec.id).op) return;
      if (!this.deps.trust.isTrusted()) return;
      await this.promoteRecord(now, AUTOMATIC_ACTOR, false);
    });
  }

  private scheduleScaleDown(rec: BlueGreenDeployment): void {
    const scaler = this.deps.scaler;
    if (!rec.scaleDownAt || !scaler) return;
    this.schedule(rec.id, 'scaleDown', rec.scaleDownAt.getTime() - this.deps.clock.now().getTime(), async () => {
      const now = await this.get(rec.id);
      if (now.state !== 'promoted' || now.scaledDownAt) return;
      const colour = otherColour(now.previewColour);
      const controller = new AbortController();
      let result;
      try {
        result = await scaler.scaleDown({ releaseId: now.releaseId, environment: now.environment, colour, signal: controller.signal });
      } catch (err) {
        result = { ok: false, summary: errorText(err) };
      }
      if (result.ok && 'skipped' in result && result.skipped) {
        // Nothing to scale down here: the old colour stays up, so rollback stays possible.
        await this.transition(rec.id, undefined, AUTOMATIC_ACTOR, { scaleDownAt: undefined, reason: `${colour} left running: ${result.summary}` }, 'blue_green.scale_down_skipped');
        return;
      }
      await this.transition(rec.id, undefined, AUTOMATIC_ACTOR, result.ok
        ? { scaledDownAt: this.deps.clock.now(), scaleDownError: undefined }
        : { scaleDownError: `scaling down ${colour} failed: ${result.summary}` }, 'blue_green.scale_down');
    });
  }

  private schedule(id: string, kind: 'autoPromote' | 'analysis' | 'scaleDown', ms: number, fn: () => Promise<unknown>): void {
    if (this.disposed) return;
    const rt = this.runtime(id);
    this.clearTimer(id, kind);
    const timer = setTimeout(() => {
      rt.timers.delete(kind);
      this.track(fn());
    }, Math.max(0, ms));
    rt.timers.set(kind, timer);
  }

  private clearTimer(id: string, kind: 'autoPromote' | 'analysis' | 'scaleDown'): void {
    const rt = this.runtimes.get(id);
    const t = rt?.timers.get(kind);
    if (t) clearTimeout(t);
    rt?.timers.delete(kind);
  }

  private clearTimers(id: string): void {
    const rt = this.runtimes.get(id);
    if (!rt) return;
    for (const t of rt.timers.values()) clearTimeout(t);
    rt.timers.clear();
  }

  /** Background work (timers, breaches): errors are recorded, never unhandled. */
  private track(p: Promise<unknown>): void {
    const tracked = p.catch(() => undefined).finally(() => this.background.delete(tracked));
    this.background.add(tracked);
  }

  /** Resolves when background work started so far (auto-promotion, automatic rollback, scale-down) has finished. */
  async idle(): Promise<void> {
    while (this.background.size) await Promise.all([...this.background]);
  }

  /** Stops watchers, timers and running operations (the extension deactivates). */
  dispose(): void {
    this.disposed = true;
    for (const [id, rt] of this.runtimes) {
      rt.op?.controller.abort();
      this.stopWatcher(id);
      this.clearTimers(id);
    }
    this.changeListeners.clear();
    this.rollbackListeners.clear();
    this.outputListeners.clear();
  }

  // ------------------------------------------------------------------------------ helpers

  private runtime(id: string): Runtime {
    let rt = this.runtimes.get(id);
    if (!rt) {
      rt = { timers: new Map() };
      this.runtimes.set(id, rt);
    }
    return rt;
  }

  /** One operation per rollout at a time; its signal is how abort and rollback stop it. */
  private async runOp<T>(id: string, name: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const rt = this.runtime(id);
    if (rt.op) throw new RefusedError(`the ${rt.op.name} of this rollout is still running; wait for it, or abort or roll back`);
    this.clearTimer(id, 'autoPromote');
    const controller = new AbortController();
    let settle!: () => void;
    const op: Op = { name, controller, settled: new Promise<void>((r) => { settle = r; }) };
    rt.op = op;
    try {
      return await fn(controller.signal);
    } finally {
      if (rt.op === op) rt.op = undefined;
      settle();
    }
  }

  private refuseBusy(rec: BlueGreenDeployment): void {
    const op = this.runtimes.get(rec.id)?.op;
    if (op) throw new RefusedError(`the ${op.name} of ${rec.version} in ${rec.environment} is still running; wait for it, or abort or roll back`);
  }

  /** Router changes of one environment in call order; a step whose operation was cancelled meanwhile is skipped. */
  private routerCall(environment: string, signal: AbortSignal | undefined, fn: () => Promise<void>): Promise<void> {
    const prev = this.routerQueues.get(environment) ?? Promise.resolve();
    const run = prev.then(() => (signal?.aborted ? undefined : fn()));
    this.routerQueues.set(environment, run.catch(() => undefined));
    return run;
  }

  private requireTrust(what: string): void {
    if (!this.deps.trust.isTrusted()) {
      throw new RefusedError(`${what} is not available in an untrusted workspace: blue-green runs the environment's pipeline and router commands; trust this folder to use it`);
    }
  }

  private refuseUnless(rec: BlueGreenDeployment, allowed: readonly BlueGreenState[], verb: string): void {
    this.refuseBusyFor(rec, verb);
    if (allowed.includes(rec.state)) return;
    const what = `${rec.version} in ${rec.environment}`;
    const why = rec.reason ? ` (${rec.reason})` : '';
    switch (rec.state) {
      case 'idle':
      case 'preview_deploying':
      case 'preview_ready':
      case 'pre_switch_checks':
        throw new RefusedError(`cannot ${verb} ${what} yet: it is ${STATE_LABELS[rec.state]}; traffic moves once ${rec.previewColour} has passed its checks (awaiting promotion)`);
      case 'promoted':
        throw new RefusedError(`cannot ${verb} ${what}: it is already promoted (${rec.activeColour} carries all traffic)`);
      case 'aborted':
      case 'rolled_back':
        throw new RefusedError(`cannot ${verb} ${what}: the rollout was ${STATE_LABELS[rec.state]}${why}; set it up again to retry`);
      default:
        throw new RefusedError(`cannot ${verb} ${what} while it is ${STATE_LABELS[rec.state]} (${formatSplit(rec.weights)})`);
    }
  }

  private refuseBusyFor(rec: BlueGreenDeployment, verb: string): void {
    const op = this.runtimes.get(rec.id)?.op;
    if (op && verb !== 'abort' && verb !== 'roll back') {
      throw new RefusedError(`cannot ${verb} ${rec.version} in ${rec.environment}: its ${op.name} is still running; wait for it, or abort or roll back`);
    }
  }

  private async get(id: string): Promise<BlueGreenDeployment> {
    const rec = await this.deps.uow.read((r) => r.blueGreen.get(id));
    if (!rec) throw new NotFoundError('blue-green rollout', id);
    return rec;
  }

  private async statusById(id: string): Promise<BlueGreenStatus> {
    return this.toStatus(await this.get(id));
  }

  /** The release's unfinished rollout (or the one in `environment`), else its newest. */
  private async resolve(releaseId: string, environment?: string): Promise<BlueGreenDeployment> {
    const rid = requireText('releaseId', releaseId, { max: 200 });
    const env = environment === undefined ? undefined : requireText('environment', environment, { max: 64 });
    return this.deps.uow.read(async (r) => {
      const release = await r.releases.get(rid);
      if (!release) throw new NotFoundError('release', rid);
      if (env !== undefined) {
        const rec = await r.blueGreen.find(rid, env);
        if (!rec) throw new NotFoundError('blue-green rollout', `${release.version} in ${env}`);
        return rec;
      }
      const all = await r.blueGreen.list({ releaseId: rid });
      if (!all.length) throw new NotFoundError('blue-green rollout', `${release.version}`);
      const open = all.filter((x) => NOT_FINAL.includes(x.state));
      if (open.length > 1) {
        throw new RefusedError(`release ${release.version} has unfinished blue-green rollouts in ${open.map((x) => x.environment).join(' and ')}; say which environment`);
      }
      return open[0] ?? all[0];
    });
  }

  /**
   * One transaction: checks the transition is legal against the stored state (`to` undefined keeps
   * the state), writes the record and its audit event; then tells listeners.
   */
  private async transition(id: string, to: BlueGreenState | undefined, actor: string, patch: Partial<BlueGreenDeployment> = {}, action?: string): Promise<BlueGreenDeployment> {
    const after = await this.deps.uow.write(async (r) => {
      const before = await r.blueGreen.get(id);
      if (!before) throw new NotFoundError('blue-green rollout', id);
      const next = to ?? before.state;
      if (next !== before.state && !canTransition(before.state, next)) {
        throw new RefusedError(`the blue-green rollout of ${before.version} in ${before.environment} cannot go from ${STATE_LABELS[before.state]} to ${STATE_LABELS[next]}`);
      }
      const now = this.deps.clock.now();
      const rec: BlueGreenDeployment = compact({ ...before, ...patch, state: next, owner: this.owner ?? before.owner, updatedAt: now });
      // The first split that gives the preview colour traffic: users have the new version from now.
      if (!rec.trafficAt && (rec.weights[rec.previewColour] ?? 0) > 0) rec.trafficAt = now;
      await r.blueGreen.update(rec);
      await this.auditor.record(r, actor, action ?? `blue_green.${next}`, 'blue_green', id, auditView(before), auditView(rec));
      return rec;
    });
    this.emitChange(after);
    return after;
  }

  private emitChange(rec: BlueGreenDeployment): void {
    if (this.changeListeners.size) this.emit(this.changeListeners, this.toStatus(rec));
  }

  private emit<T>(listeners: Set<(e: T) => void>, event: T): void {
    for (const l of [...listeners]) {
      try {
        l(event);
      } catch { /* a listener's failure is not the rollout's */ }
    }
  }
}
