import { DateTime } from 'luxon';
import { Auditor } from '../audit';
import { activeFreeze, describeFreezeRefusal, freezeOccurrencesBetween, validateFreezeWindow } from '../freezeWindows';
import {
  NotFoundError,
  RefusedError,
  ValidationError,
  type Approval,
  type Deployment,
  type DeploymentStatus,
  type Environment,
  type EnvironmentOptions,
  type EnvironmentStatus,
  type EnvironmentUpdates,
  type PipelineDefinition,
  type PromotionOptions,
  type PromotionPath,
  type PromotionStep,
  type Release,
} from '../model';
import type { Clock, DeploymentQuery, GitPort, Identity, Repositories, UnitOfWork } from '../ports';
import { compact, describe, keyName, listNames, optionalText, requireText } from '../validate';
import { releaseCalendarEvent, releaseLabel } from './ReleaseManager';

/** Runs a deployment's pipeline; DeploymentPipelineManager registers itself through `setExecutor`. */
export interface DeploymentExecutor {
  /** Throws a RefusedError when the pipeline cannot run here (untrusted workspace), before anything is written. */
  preflight(pipelineId: string): Promise<void>;
  /** Records a run for the deployment (which goes in progress) and executes it in the background. */
  start(deploymentId: string, pipelineId: string, options?: { env?: Record<string, string> }): Promise<unknown>;
}

export interface EnvironmentPromotionManagerDeps {
  uow: UnitOfWork;
  clock: Clock;
  identity: Identity;
  /** Records `metadata.commit` (HEAD at promotion) on each deployment. */
  git?: GitPort;
  /** IANA zone for the times in refusal messages ("failed at 10:42"). Default: the system's zone. */
  timeZone?: string;
  newId?: () => string;
}

export interface RedeployOptions extends PromotionOptions {
  /** The release to deploy; default: the one running there now. It must have run there before. */
  releaseId?: string;
  pipelineId?: string;
}

/** The environments created on first use. */
export const DEFAULT_ENVIRONMENTS: readonly { name: string; protected: boolean }[] = [
  { name: 'dev', protected: false },
  { name: 'test', protected: false },
  { name: 'staging', protected: false },
  { name: 'production', protected: true },
];

/** Allowed deployment status changes; anything else is refused with the reason. */
const DEPLOYMENT_TRANSITIONS: Record<DeploymentStatus, DeploymentStatus[]> = {
  pending: ['in_progress'],
  in_progress: ['completed', 'failed'],
  completed: ['rolled_back'],
  failed: [],
  rolled_back: [],
};

const ACTIVE: DeploymentStatus[] = ['pending', 'in_progress'];
const words = (s: string) => s.replace(/_/g, ' ');
const ENV_FIELDS = ['protected', 'requireDifferentApprover', 'pipelineId', 'guidedFailure', 'router'];

/** Ordered environments, approvals, promotion with its rules, and the deployment status machine. */
export class EnvironmentPromotionManager {
  private readonly uow: UnitOfWork;
  private readonly clock: Clock;
  private readonly identity: Identity;
  private readonly auditor: Auditor;
  private readonly newId: () => string;
  private readonly timeZone: string;
  private executor: DeploymentExecutor | undefined;
  private seeded = false;

  constructor(private readonly deps: EnvironmentPromotionManagerDeps) {
    this.uow = deps.uow;
    this.clock = deps.clock;
    this.identity = deps.identity;
    this.auditor = new Auditor(deps.clock, deps.identity);
    this.newId = deps.newId ?? (() => globalThis.crypto.randomUUID());
    this.timeZone = deps.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
  }

  setExecutor(executor: DeploymentExecutor | undefined): void {
    this.executor = executor;
  }

  // ---------------------------------------------------------------- environments

  /** In promotion order. The defaults (dev, test, staging, production) are created on first use, once. */
  async listEnvironments(): Promise<Environment[]> {
    await this.ensureDefaults();
    return this.uow.read((r) => r.environments.list());
  }

  async getEnvironment(name: string): Promise<Environment> {
    await this.ensureDefaults();
    return this.uow.read((r) => this.requireEnv(r, name));
  }

  async addEnvironment(name: string, options: EnvironmentOptions = {}): Promise<Environment> {
    const clean = envName('name', name);
    if (typeof options !== 'object' || options === null) throw new ValidationError('options', `expected an object, got ${describe(options)}`);
    const unknown = Object.keys(options).filter((k) => ![...ENV_FIELDS, 'position', 'freezeWindows'].includes(k));
    if (unknown.length) throw new ValidationError(keyName(unknown[0]), `is not an environment setting (settings: ${[...ENV_FIELDS, 'position', 'freezeWindows'].join(', ')})`);
    const patch = checkUpdates(options);
    if (options.position !== undefined && (!Number.isInteger(options.position) || options.position < 0)) {
      throw new ValidationError('position', `expected a whole number ≥ 0, got ${describe(options.position)}`);
    }
    if (options.freezeWindows !== undefined && !Array.isArray(options.freezeWindows)) {
      throw new ValidationError('freezeWindows', `expected a list, got ${describe(options.freezeWindows)}`);
    }
    const windows = (options.freezeWindows ?? []).map((w, i) => this.checkWindow(w, `freezeWindows[${i}]`));
    await this.ensureDefaults();
    const actor = await this.identity.currentUser();
    return this.uow.write(async (r) => {
      const all = await r.environments.list();
      if (all.some((e) => e.name.toLowerCase() === clean.toLowerCase())) throw new ValidationError('name', `an environment named '${clean}' already exists`);
      if (patch.pipelineId) patch.pipelineId = (await this.requirePipeline(r, patch.pipelineId)).id;
      const now = this.clock.now();
      const position = Math.min(options.position ?? all.length, all.length);
      const env: Environment = compact({
        id: this.newId(),
        name: clean,
        position,
        protected: patch.protected ?? false,
        requireDifferentApprover: patch.requireDifferentApprover ?? false,
        pipelineId: patch.pipelineId ?? undefined,
        guidedFailure: patch.guidedFailure ?? false,
        freezeWindows: windows,
        router: patch.router ?? undefined,
        createdAt: now,
        updatedAt: now,
      });
      await r.environments.insert(env);
      await this.renumber(r, [...all.slice(0, position), env, ...all.slice(position)], now);
      await this.auditor.record(r, actor, 'environment.create', 'environment', env.id, undefined, env);
      return { ...env, position };
    });
  }

  /** Renames the environment and every deployment and approval that names it. */
  async renameEnvironment(name: string, newName: string): Promise<Environment> {
    const clean = envName('newName', newName);
    await this.ensureDefaults();
    const actor = await this.identity.currentUser();
    return this.uow.write(async (r) => {
      const before = await this.requireEnv(r, name);
      const clash = await r.environments.getByName(clean);
      if (clash && clash.id !== before.id) throw new ValidationError('newName', `an environment named '${clash.name}' already exists`);
      const after: Environment = { ...before, name: clean, updatedAt: this.clock.now() };
      await r.environments.update(after);
      if (before.name !== clean) await r.environments.renameReferences(before.name, clean);
      await this.auditor.record(r, actor, 'environment.rename', 'environment', before.id, { name: before.name }, { name: clean });
      return after;
    });
  }

  /** `names`: every environment exactly once, in the new promotion order. */
  async reorderEnvironments(names: string[]): Promise<Environment[]> {
    if (!Array.isArray(names)) throw new ValidationError('names', `expected a list of environment names, got ${describe(names)}`);
    await this.ensureDefaults();
    const actor = await this.identity.currentUser();
    return this.uow.write(async (r) => {
      const all = await r.environments.list();
      const byName = new Map(all.map((e) => [e.name.toLowerCase(), e]));
      const seen = new Set<string>();
      const ordered = names.map((n, i) => {
        const key = typeof n === 'string' ? n.trim().toLowerCase() : '';
        const env = byName.get(key);
        if (!env) throw new ValidationError(`names[${i}]`, `${describe(n)} is not an environment (environments: ${listNames(all.map((e) => e.name))})`);
        if (seen.has(key)) throw new ValidationError(`names[${i}]`, `'${env.name}' is listed twice`);
        seen.add(key);
        return env;
      });
      const missing = all.filter((e) => !seen.has(e.name.toLowerCase()));
      if (missing.length) throw new ValidationError('names', `must list every environment; missing ${listNames(missing.map((e) => e.name))}`);
      const result = await this.renumber(r, ordered, this.clock.now());
      await this.auditor.record(r, actor, 'environment.reorder', 'environment', '*', all.map((e) => e.name), ordered.map((e) => e.name));
      return result;
    });
  }

  /** Refused while a deployment is pending or in progress there; its deployment history stays. */
  async removeEnvironment(name: string): Promise<void> {
    await this.ensureDefaults();
    const actor = await this.identity.currentUser();
    await this.uow.write(async (r) => {
      const env = await this.requireEnv(r, name);
      const active = (await r.deployments.list({ environment: env.name, status: ACTIVE, limit: 1 }))[0];
      if (active) {
        const rel = active.releaseId ? await r.releases.get(active.releaseId) : null;
        throw new RefusedError(`${env.name} cannot be removed while ${rel ? rel.version : 'a deployment'} is being deployed there (${words(active.status)}); wait for it to finish or cancel it`);
      }
      await r.environments.remove(env.id);
      await this.renumber(r, (await r.environments.list()), this.clock.now());
      await this.auditor.record(r, actor, 'environment.remove', 'environment', env.id, env, undefined);
    });
  }

  async updateEnvironment(name: string, updates: EnvironmentUpdates): Promise<Environment> {
    if (typeof updates !== 'object' || updates === null) throw new ValidationError('updates', `expected an object, got ${describe(updates)}`);
    const unknown = Object.keys(updates).filter((k) => !ENV_FIELDS.includes(k));
    if (unknown.length) throw new ValidationError(keyName(unknown[0]), `is not an environment setting (settings: ${ENV_FIELDS.join(', ')})`);
    const patch = checkUpdates(updates);
    await this.ensureDefaults();
    const actor = await this.identity.currentUser();
    return this.uow.write(async (r) => {
      const before = await this.requireEnv(r, name);
      if (patch.pipelineId) patch.pipelineId = (await this.requirePipeline(r, patch.pipelineId)).id;
      const after: Environment = compact({ ...before, ...patch, updatedAt: this.clock.now() }) as Environment;
      if (patch.pipelineId === null) delete after.pipelineId;
      if (patch.router === null) delete after.router;
      await r.environments.update(after);
      await this.auditor.record(r, actor, 'environment.update', 'environment', after.id, before, after);
      return after;
    });
  }

  /** `window`: a FreezeWindow without `id` (one is given) — one-off (start, end) or recurring (recurrence, durationMinutes). */
  async addFreezeWindow(environment: string, window: unknown): Promise<Environment> {
    const w = this.checkWindow(window, 'freezeWindow');
    await this.ensureDefaults();
    const actor = await this.identity.currentUser();
    return this.uow.write(async (r) => {
      const before = await this.requireEnv(r, environment);
      if (before.freezeWindows.some((x) => x.id === w.id)) throw new ValidationError('freezeWindow.id', `${before.name} already has a freeze window with id '${w.id}'`);
      const after: Environment = { ...before, freezeWindows: [...before.freezeWindows, w], updatedAt: this.clock.now() };
      await r.environments.update(after);
      await this.auditor.record(r, actor, 'environment.freeze.add', 'environment', after.id, undefined, w);
      return after;
    });
  }

  async removeFreezeWindow(environment: string, windowId: string): Promise<Environment> {
    await this.ensureDefaults();
    const actor = await this.identity.currentUser();
    return this.uow.write(async (r) => {
      const before = await this.requireEnv(r, environment);
      const w = before.freezeWindows.find((x) => x.id === windowId);
      if (!w) throw new NotFoundError('freeze window', `${before.name}/${String(windowId)}`);
      const after: Environment = { ...before, freezeWindows: before.freezeWindows.filter((x) => x !== w), updatedAt: this.clock.now() };
      await r.environments.update(after);
      await this.auditor.record(r, actor, 'environment.freeze.remove', 'environment', after.id, w, undefined);
      return after;
    });
  }

  /** The next freeze to start on any environment within `days` (for the release risk factor). */
  async nextFreeze(now: Date, days = 30): Promise<{ name: string; environment: string; startsAt: Date } | null> {
    const envs = await this.listEnvironments();
    let best: { name: string; environment: string; startsAt: Date } | null = null;
    for (const env of envs) {
      for (const o of freezeOccurrencesBetween(env.freezeWindows, now, new Date(now.getTime() + days * 86_400_000))) {
        if (o.startsAt >= now && (!best || o.startsAt < best.startsAt)) best = { name: o.window.name, environment: env.name, startsAt: o.startsAt };
      }
    }
    return best;
  }

  // ---------------------------------------------------------------- approvals

  async requestApproval(releaseId: string, environment: string, comment?: string): Promise<Approval> {
    const note = optionalText('comment', comment, { max: 2000, multiline: true });
    await this.ensureDefaults();
    const actor = await this.identity.currentUser();
    return this.uow.write(async (r) => {
      const release = await this.requireRelease(r, releaseId);
      const env = await this.requireEnv(r, environment);
      const last = (await r.approvals.list({ releaseId: release.id, environment: env.name }))[0];
      if (last?.status === 'pending') {
        throw new RefusedError(`an approval of ${release.version} for ${env.name} was already requested by ${last.requestedBy ?? 'someone'} at ${this.time(last.requestedAt)}; it is pending`);
      }
      if (last?.status === 'approved') {
        throw new RefusedError(`${release.version} is already approved for ${env.name} by ${last.approvedBy ?? 'someone'} at ${this.time(last.approvedAt)}`);
      }
      const approval: Approval = compact({
        id: this.newId(),
        releaseId: release.id,
        environment: env.name,
        status: 'pending',
        requestedBy: actor,
        requestedAt: this.clock.now(),
        comment: note,
      });
      await r.approvals.insert(approval);
      await this.auditor.record(r, actor, 'approval.request', 'approval', approval.id, undefined, approval);
      return approval;
    });
  }

  /** Approves the pending request; refused when the environment requires a different approver and `approver` requested it. */
  approve(releaseId: string, environment: string, approver: string, comment?: string): Promise<Approval> {
    return this.decide(releaseId, environment, approver, 'approved', comment);
  }

  reject(releaseId: string, environment: string, approver: string, comment?: string): Promise<Approval> {
    return this.decide(releaseId, environment, approver, 'rejected', comment);
  }

  async listApprovals(query: { releaseId?: string; environment?: string } = {}): Promise<Approval[]> {
    return this.uow.read((r) => r.approvals.list(query));
  }

  private async decide(releaseId: string, environment: string, approver: string, to: 'approved' | 'rejected', comment?: string): Promise<Approval> {
    const who = requireText('approver', approver, { max: 200 });
    const note = optionalText('comment', comment, { max: 2000, multiline: true });
    await this.ensureDefaults();
    const actor = await this.identity.currentUser();
    return this.uow.write(async (r) => {
      const release = await this.requireRelease(r, releaseId);
      const env = await this.requireEnv(r, environment);
      const before = (await r.approvals.list({ releaseId: release.id, environment: env.name }))[0];
      if (!before || before.status !== 'pending') {
        throw new RefusedError(
          before?.status === 'approved'
            ? `${release.version} is already approved for ${env.name} by ${before.approvedBy ?? 'someone'} at ${this.time(before.approvedAt)}`
            : `no approval of ${release.version} for ${env.name} is pending; request one first`,
        );
      }
      if (env.requireDifferentApprover && before.requestedBy !== undefined && samePerson(before.requestedBy, who)) {
        throw new RefusedError(`${env.name} requires a different approver: ${who} requested the approval of ${release.version} and cannot ${to === 'approved' ? 'approve' : 'reject'} it`);
      }
      const after: Approval = compact({ ...before, status: to, approvedBy: who, approvedAt: this.clock.now(), comment: note ?? before.comment });
      await r.approvals.update(after);
      await this.auditor.record(r, actor, `approval.${to === 'approved' ? 'approve' : 'reject'}`, 'approval', after.id, before, after);
      return after;
    });
  }

  // ---------------------------------------------------------------- promotion

  /**
   * Creates a deployment of the release in `targetEnvironment` and, when the environment (or the
   * call) names a pipeline, starts it. Refused with the exact reason when the release is cancelled
   * or deployed, another deployment is active there, the previous environment has no completed
   * deployment of this release, a freeze is in force, or the environment is protected and the
   * release not approved. `options.override` (a reason) skips the last three, audited.
   */
  async promoteToEnvironment(releaseId: string, targetEnvironment: string, pipelineId?: string, options: PromotionOptions = {}): Promise<Deployment> {
    const override = checkOverride(options);
    const pipelineEnv = checkPipelineEnv(options);
    const blueGreen = checkBlueGreenColour(options);
    if (pipelineId !== undefined) requireText('pipelineId', pipelineId, { max: 200 });
    await this.ensureDefaults();
    const actor = await this.identity.currentUser();
    const commit = await this.headCommit();
    const plan = await this.uow.read(async (r) => {
      const env = await this.requireEnv(r, targetEnvironment);
      return this.resolvePipeline(r, pipelineId ?? env.pipelineId, pipelineId !== undefined);
    });
    if (plan && this.executor) await this.executor.preflight(plan.id);

    const deployment = await this.uow.write(async (r) => {
      const release = await this.requireRelease(r, releaseId);
      const envs = await r.environments.list();
      const env = this.findEnv(envs, targetEnvironment);
      const now = this.clock.now();
      const { hard, soft } = await this.blockers(r, release, env, envs, now);
      if (hard.length) throw new RefusedError(hard[0]!);
      if (soft.length && !override) throw new RefusedError(soft[0]!);
      const pipeline = await this.resolvePipeline(r, pipelineId ?? env.pipelineId, pipelineId !== undefined);
      return this.createDeployment(r, actor, release, env, now, {
        kind: 'promotion',
        commit,
        pipeline,
        blueGreen,
        override: override ? { reason: override, skipped: soft } : undefined,
      });
    });
    return this.started(deployment, pipelineEnv);
  }

  /** Deploys again the release running in `environment` (or `options.releaseId`, which must have run there). */
  async redeploy(environment: string, options: RedeployOptions = {}): Promise<Deployment> {
    return this.deployAgain(environment, options, 'redeploy');
  }

  /** Deploys the release that ran in `environment` before the current one; the current deployment is marked rolled back once this one completes. */
  async rollbackEnvironment(environment: string, options: Omit<RedeployOptions, 'releaseId'> = {}): Promise<Deployment> {
    return this.deployAgain(environment, options, 'rollback');
  }

  private async deployAgain(environment: string, options: RedeployOptions, kind: 'redeploy' | 'rollback'): Promise<Deployment> {
    const override = checkOverride(options);
    const pipelineEnv = checkPipelineEnv(options);
    const blueGreen = checkBlueGreenColour(options);
    if (options.pipelineId !== undefined) requireText('pipelineId', options.pipelineId, { max: 200 });
    await this.ensureDefaults();
    const actor = await this.identity.currentUser();
    const commit = await this.headCommit();
    const plan = await this.uow.read(async (r) => {
      const env = await this.requireEnv(r, environment);
      return this.resolvePipeline(r, options.pipelineId ?? env.pipelineId, options.pipelineId !== undefined);
    });
    if (plan && this.executor) await this.executor.preflight(plan.id);

    const deployment = await this.uow.write(async (r) => {
      const envs = await r.environments.list();
      const env = this.findEnv(envs, environment);
      const now = this.clock.now();
      const current = await this.currentDeployment(r, env.name);
      let target: Release;
      let rollbackOf: string | undefined;
      if (kind === 'rollback') {
        if (!current?.releaseId) throw new RefusedError(`${env.name} runs no release; there is nothing to roll back`);
        const currentRelease = await this.requireRelease(r, current.releaseId);
        const previousId = await this.previousReleaseId(r, env.name, current);
        if (!previousId) throw new RefusedError(`${env.name} has nothing to roll back to: ${currentRelease.version} is the first release deployed there`);
        target = await this.requireRelease(r, previousId);
        rollbackOf = current.id;
      } else if (options.releaseId !== undefined) {
        target = await this.requireRelease(r, options.releaseId);
        const ran = await r.deployments.list({ releaseId: target.id, environment: env.name, status: ['completed', 'rolled_back'], limit: 1 });
        if (!ran.length) throw new RefusedError(`${target.version} never ran in ${env.name}; promote it instead`);
      } else {
        if (!current?.releaseId) throw new RefusedError(`${env.name} runs no release; there is nothing to redeploy`);
        target = await this.requireRelease(r, current.releaseId);
      }
      if (target.status === 'cancelled') throw new RefusedError(`release ${releaseLabel(target)} is cancelled; a cancelled release is never deployed again`);
      const busy = await this.busyBlocker(r, env);
      if (busy) throw new RefusedError(busy);
      const freeze = activeFreeze(env.freezeWindows, now);
      const soft = freeze ? [describeFreezeRefusal(freeze, env.name)] : [];
      if (soft.length && !override) throw new RefusedError(soft[0]!);
      const pipeline = await this.resolvePipeline(r, options.pipelineId ?? env.pipelineId, options.pipelineId !== undefined);
      return this.createDeployment(r, actor, target, env, now, {
        kind,
        commit,
        pipeline,
        rollbackOf,
        blueGreen,
        override: override ? { reason: override, skipped: soft } : undefined,
      });
    });
    return this.started(deployment, pipelineEnv);
  }

  /** Every environment in order with this release's state there and whether it can be promoted to now (and if not, why). */
  async getPromotionPath(releaseId: string): Promise<PromotionPath> {
    await this.ensureDefaults();
    return this.uow.read(async (r) => {
      const release = await this.requireRelease(r, releaseId);
      const envs = await r.environments.list();
      const now = this.clock.now();
      const steps: PromotionStep[] = [];
      for (const env of envs) {
        const last = (await r.deployments.list({ releaseId: release.id, environment: env.name, limit: 1 }))[0];
        const current = await this.currentDeployment(r, env.name);
        const currentRelease = current?.releaseId ? await r.releases.get(current.releaseId) : null;
        const approval = (await r.approvals.list({ releaseId: release.id, environment: env.name }))[0];
        const { hard, soft } = await this.blockers(r, release, env, envs, now);
        const blockers = [...hard, ...soft];
        steps.push(compact<PromotionStep>({
          environment: env.name,
          position: env.position,
          state: last?.status ?? 'not_deployed',
          deploymentId: last?.id,
          startedAt: last?.startedAt,
          completedAt: last?.completedAt,
          canPromote: blockers.length === 0,
          blockers,
          current: currentRelease ? { releaseId: currentRelease.id, version: currentRelease.version } : undefined,
          protected: env.protected,
          approval,
        }));
      }
      return { releaseId: release.id, version: release.version, environments: steps };
    });
  }

  /** Per environment: the release running there, the last deployment, what is in flight, and any freeze in force. */
  async environmentStatus(): Promise<EnvironmentStatus[]> {
    await this.ensureDefaults();
    return this.uow.read(async (r) => {
      const now = this.clock.now();
      const releases = new Map<string, Release | null>();
      const rel = async (id?: string) => {
        if (!id) return null;
        if (!releases.has(id)) releases.set(id, await r.releases.get(id));
        return releases.get(id) ?? null;
      };
      const out: EnvironmentStatus[] = [];
      for (const env of await r.environments.list()) {
        const current = await this.currentDeployment(r, env.name);
        const last = (await r.deployments.list({ environment: env.name, limit: 1 }))[0];
        const active = (await r.deployments.list({ environment: env.name, status: ACTIVE, limit: 1 }))[0];
        const cr = await rel(current?.releaseId);
        const lr = await rel(last?.releaseId);
        const ar = await rel(active?.releaseId);
        const freeze = activeFreeze(env.freezeWindows, now);
        out.push(compact<EnvironmentStatus>({
          environment: env,
          current: current && cr ? compact({ releaseId: cr.id, version: cr.version, name: cr.name, deploymentId: current.id, completedAt: current.completedAt }) : undefined,
          last: last ? compact({ releaseId: last.releaseId, version: lr?.version, deploymentId: last.id, status: last.status, at: lastChange(last) }) : undefined,
          active: active ? compact({ releaseId: active.releaseId, version: ar?.version, deploymentId: active.id, status: active.status, since: active.startedAt ?? active.createdAt }) : undefined,
          frozen: freeze ? describeFreezeRefusal(freeze, env.name) : undefined,
        }));
      }
      return out;
    });
  }

  getDeployment(deploymentId: string): Promise<Deployment | null> {
    if (typeof deploymentId !== 'string') return Promise.resolve(null);
    return this.uow.read((r) => r.deployments.get(deploymentId));
  }

  listDeployments(query: DeploymentQuery = {}): Promise<Deployment[]> {
    return this.uow.read((r) => r.deployments.list(query));
  }

  // ---------------------------------------------------------------- deployment status machine

  /**
   * Moves a deployment along pending → in_progress → completed | failed, completed → rolled_back
   * (for environments without a pipeline, the person marks it; pipelines do it through
   * `applyDeploymentStatus`). The release follows: a completed deployment in the last environment
   * makes it deployed.
   */
  async transitionDeployment(deploymentId: string, to: DeploymentStatus, note?: string): Promise<Deployment> {
    const why = optionalText('note', note, { max: 2000, multiline: true });
    const actor = await this.identity.currentUser();
    return this.uow.write((r) => this.applyDeploymentStatus(r, deploymentId, to, actor, why));
  }

  /** The status machine inside the caller's write transaction (used by DeploymentPipelineManager). */
  async applyDeploymentStatus(r: Repositories, deploymentId: string, to: DeploymentStatus, actor: string, note?: string): Promise<Deployment> {
    const before = typeof deploymentId === 'string' ? await r.deployments.get(deploymentId) : null;
    if (!before) throw new NotFoundError('deployment', String(deploymentId));
    const release = before.releaseId ? await r.releases.get(before.releaseId) : null;
    if (!DEPLOYMENT_TRANSITIONS[before.status]?.includes(to)) {
      const allowed = DEPLOYMENT_TRANSITIONS[before.status] ?? [];
      const what = `the deployment of ${release?.version ?? 'a release'} to ${before.environment}`;
      const reason = allowed.length
        ? `allowed from ${words(before.status)}: ${allowed.map(words).join(', ')}`
        : before.status === 'failed' ? 'a failed deployment is final; promote the release again' : 'a rolled-back deployment is final';
      throw new RefusedError(`${what} cannot go from ${words(before.status)} to ${words(to)}: ${reason}`);
    }
    const now = this.clock.now();
    const after: Deployment = { ...before, status: to, updatedAt: now, metadata: { ...before.metadata } };
    if (to === 'in_progress') after.startedAt ??= now;
    if (to === 'completed' || to === 'failed') after.completedAt = now;
    if (to === 'rolled_back') after.rolledBackAt = now;
    if (note && to === 'failed') after.metadata!.failure = note;
    else if (note) after.metadata!.note = note;
    await r.deployments.update(after);
    await this.auditor.record(r, actor, `deployment.status.${to}`, 'deployment', after.id, { status: before.status }, { status: to, note });

    if (to === 'completed') {
      const rollbackOf = after.metadata?.rollbackOf;
      if (typeof rollbackOf === 'string') {
        const replaced = await r.deployments.get(rollbackOf);
        if (replaced?.status === 'completed') await this.applyDeploymentStatus(r, replaced.id, 'rolled_back', actor, `rolled back by deployment ${after.id}`);
      }
      // A blue-green colour's deployment completes before any traffic moves: the rollout's
      // promotion makes the release deployed (blueGreenPromoted), not this.
      if (release && !after.metadata?.blueGreen && (await this.isLastEnvironment(r, after.environment))) {
        await this.releaseFollows(r, release, 'deployed', actor, now);
      }
    }
    if (to === 'rolled_back' && release?.status === 'deployed' && after.metadata?.blueGreen && (await this.isLastEnvironment(r, after.environment))) {
      // The rollout ended with the old colour serving: the release no longer runs there, unless
      // another deployment of it does.
      const serving = await r.deployments.list({ releaseId: release.id, environment: after.environment, status: ['completed'], limit: 1 });
      if (!serving.length) await this.releaseFollows(r, release, 'in_progress', actor, now, `blue-green rollout in ${after.environment} ended with the old colour serving`);
    }
    return after;
  }

  /**
   * The blue-green rollout that `deploymentId` deployed was promoted: the new colour carries the
   * traffic. In the last environment the release becomes deployed now. Returns the release when it
   * changed.
   */
  async blueGreenPromoted(deploymentId: string): Promise<Release | undefined> {
    requireText('deploymentId', deploymentId, { max: 200 });
    const follows = async (r: Repositories) => {
      const d = await r.deployments.get(deploymentId);
      if (!d) throw new NotFoundError('deployment', deploymentId);
      const release = d.releaseId ? await r.releases.get(d.releaseId) : null;
      const yes = !!release && d.status === 'completed' && release.status === 'in_progress' && (await this.isLastEnvironment(r, d.environment));
      return yes ? { d, release: release! } : undefined;
    };
    return this.writeWhenNeeded(follows, (r, p, actor) =>
      this.releaseFollows(r, p.release, 'deployed', actor, this.clock.now(), `blue-green rollout promoted in ${p.d.environment}`));
  }

  /**
   * Traffic reached the blue-green colour `deploymentId` deployed, first at `at`: recorded as
   * `metadata.blueGreen.trafficAt`, from when the DORA metrics count the deployment as live (a
   * colour aborted before any traffic never reached users). Once; returns the deployment when it changed.
   */
  async blueGreenTraffic(deploymentId: string, at: Date): Promise<Deployment | undefined> {
    requireText('deploymentId', deploymentId, { max: 200 });
    if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new ValidationError('at', `expected a date, got ${describe(at)}`);
    const pending = async (r: Repositories) => {
      const d = await r.deployments.get(deploymentId);
      if (!d) throw new NotFoundError('deployment', deploymentId);
      const bg = d.metadata?.blueGreen;
      return bg && typeof bg === 'object' && !(bg as { trafficAt?: unknown }).trafficAt ? { d, bg: bg as Record<string, unknown> } : undefined;
    };
    return this.writeWhenNeeded(pending, async (r, p, actor) => {
      const after: Deployment = { ...p.d, metadata: { ...p.d.metadata, blueGreen: { ...p.bg, trafficAt: at.toISOString() } }, updatedAt: this.clock.now() };
      await r.deployments.update(after);
      await this.auditor.record(r, actor, 'deployment.blue_green.traffic', 'deployment', after.id, { blueGreen: p.bg }, { blueGreen: after.metadata?.blueGreen });
      return after;
    });
  }

  /**
   * For the records that follow a rollout (called again for every ended rollout at start, they
   * usually have nothing to do): `check` on a read first, and only when it finds work, again inside
   * a write transaction (another window may have done it meanwhile) before `apply`.
   */
  private async writeWhenNeeded<P, T>(check: (r: Repositories) => Promise<P | undefined>, apply: (r: Repositories, p: P, actor: string) => Promise<T | undefined>): Promise<T | undefined> {
    if (!(await this.uow.read(check))) return undefined;
    const actor = await this.identity.currentUser();
    return this.uow.write(async (r) => {
      const p = await check(r);
      return p === undefined ? undefined : apply(r, p, actor);
    });
  }

  private async isLastEnvironment(r: Repositories, environment: string): Promise<boolean> {
    const envs = await r.environments.list();
    return envs[envs.length - 1]?.name === environment;
  }

  /** in_progress → deployed (actualEnd set), or back when a blue-green rollout is undone; audited, the calendar follows. */
  private async releaseFollows(r: Repositories, release: Release, to: 'deployed' | 'in_progress', actor: string, now: Date, note?: string): Promise<Release | undefined> {
    if (to === 'deployed' && release.status !== 'in_progress') return undefined;
    if (to === 'in_progress' && release.status !== 'deployed') return undefined;
    const next: Release = to === 'deployed'
      ? { ...release, status: 'deployed', actualEnd: release.actualEnd ?? now, updatedAt: now }
      : { ...release, status: 'in_progress', actualEnd: undefined, updatedAt: now };
    await r.releases.update(next);
    // The calendar event says the release's status: it follows, as ReleaseManager's own changes do.
    await r.calendar.upsert(releaseCalendarEvent(next, now));
    await this.auditor.record(r, actor, `release.status.${to}`, 'release', release.id, release, note ? { ...next, note } : next);
    return next;
  }

  // ---------------------------------------------------------------- internals

  private async ensureDefaults(): Promise<void> {
    if (this.seeded) return;
    if (await this.uow.read((r) => r.environments.isSeeded())) {
      this.seeded = true;
      return;
    }
    const actor = await this.identity.currentUser();
    await this.uow.write(async (r) => {
      // Checked again inside the transaction: another window may have seeded meanwhile.
      if (await r.environments.isSeeded()) return;
      const existing = await r.environments.list();
      const now = this.clock.now();
      let position = existing.length;
      for (const d of DEFAULT_ENVIRONMENTS) {
        if (existing.some((e) => e.name.toLowerCase() === d.name)) continue;
        const env: Environment = {
          id: this.newId(),
          name: d.name,
          position: position++,
          protected: d.protected,
          requireDifferentApprover: false,
          guidedFailure: false,
          freezeWindows: [],
          createdAt: now,
          updatedAt: now,
        };
        await r.environments.insert(env);
        await this.auditor.record(r, actor, 'environment.create', 'environment', env.id, undefined, env);
      }
      await r.environments.markSeeded();
    });
    this.seeded = true;
  }

  private async renumber(r: Repositories, ordered: Environment[], now: Date): Promise<Environment[]> {
    const out: Environment[] = [];
    for (const [i, env] of ordered.entries()) {
      if (env.position !== i) {
        const moved = { ...env, position: i, updatedAt: now };
        await r.environments.update(moved);
        out.push(moved);
      } else out.push(env);
    }
    return out;
  }

  private checkWindow(window: unknown, field: string) {
    if (typeof window !== 'object' || window === null || Array.isArray(window)) throw new ValidationError(field, `expected an object, got ${describe(window)}`);
    const raw = window as Record<string, unknown>;
    try {
      return validateFreezeWindow({ ...raw, id: raw.id ?? this.newId() });
    } catch (err) {
      if (err instanceof ValidationError) throw new ValidationError(`${field}.${err.field}`, err.reason);
      throw err;
    }
  }

  private findEnv(envs: Environment[], name: string): Environment {
    const key = typeof name === 'string' ? name.trim().toLowerCase() : '';
    const env = envs.find((e) => e.name.toLowerCase() === key);
    if (!env) throw new NotFoundError('environment', String(name));
    return env;
  }

  private async requireEnv(r: Repositories, name: string): Promise<Environment> {
    return this.findEnv(await r.environments.list(), name);
  }

  private async requireRelease(r: Repositories, releaseId: string): Promise<Release> {
    const rel = typeof releaseId === 'string' ? await r.releases.get(releaseId) : null;
    if (!rel) throw new NotFoundError('release', String(releaseId));
    return rel;
  }

  private async requirePipeline(r: Repositories, idOrName: string): Promise<PipelineDefinition> {
    const p = (await r.pipelines.get(idOrName)) ?? (await r.pipelines.getByName(idOrName));
    if (!p) {
      const known = (await r.pipelines.list()).map((x) => x.name);
      throw new ValidationError('pipelineId', `no pipeline '${idOrName}'${known.length ? ` (pipelines: ${listNames(known)})` : ' (no pipelines are defined yet)'}`);
    }
    return p;
  }

  private async resolvePipeline(r: Repositories, idOrName: string | undefined, explicit: boolean): Promise<PipelineDefinition | undefined> {
    if (!idOrName) return undefined;
    if (explicit) return this.requirePipeline(r, idOrName);
    // An environment whose pipeline was deleted promotes without one rather than not at all.
    return (await r.pipelines.get(idOrName)) ?? undefined;
  }

  /** The latest completed deployment there: what runs now. */
  private async currentDeployment(r: Repositories, environment: string): Promise<Deployment | undefined> {
    return (await r.deployments.list({ environment, status: 'completed', limit: 1 }))[0];
  }

  private async previousReleaseId(r: Repositories, environment: string, current: Deployment): Promise<string | undefined> {
    const recorded = current.metadata?.previousReleaseId;
    if (typeof recorded === 'string' && recorded !== current.releaseId) return recorded;
    const history = await r.deployments.list({ environment, status: ['completed', 'rolled_back'] });
    return history.find((d) => d.id !== current.id && d.releaseId && d.releaseId !== current.releaseId && d.createdAt <= current.createdAt)?.releaseId;
  }

  private async busyBlocker(r: Repositories, env: Environment, releaseId?: string): Promise<string | undefined> {
    const active = (await r.deployments.list({ environment: env.name, status: ACTIVE, limit: 1 }))[0];
    if (!active) return undefined;
    const rel = active.releaseId ? await r.releases.get(active.releaseId) : null;
    const since = active.startedAt ?? active.createdAt;
    if (rel && active.releaseId === releaseId) {
      return `${releaseLabel(rel)} is already being deployed to ${env.name} (${words(active.status)} since ${this.time(since)}); wait for it to finish or cancel it`;
    }
    return `another deployment is in progress in ${env.name}: ${rel ? releaseLabel(rel) : 'a deployment'}, ${words(active.status)} since ${this.time(since)}; wait for it to finish or cancel it`;
  }

  /** `hard`: never overridden (release status, busy environment). `soft`: order, freeze, approval. */
  private async blockers(r: Repositories, release: Release, env: Environment, envs: Environment[], now: Date): Promise<{ hard: string[]; soft: string[] }> {
    const hard: string[] = [];
    const soft: string[] = [];
    if (release.status === 'cancelled') hard.push(`release ${releaseLabel(release)} is cancelled; a cancelled release is never deployed`);
    if (release.status === 'deployed') hard.push(`release ${releaseLabel(release)} is already deployed; redeploy or roll back an environment instead`);
    const busy = await this.busyBlocker(r, env, release.id);
    if (busy) hard.push(busy);
    const index = envs.findIndex((e) => e.id === env.id);
    const previous = index > 0 ? envs[index - 1] : undefined;
    if (previous) {
      const done = await r.deployments.list({ releaseId: release.id, environment: previous.name, status: 'completed', limit: 1 });
      if (!done.length) {
        const last = (await r.deployments.list({ releaseId: release.id, environment: previous.name, limit: 1 }))[0];
        soft.push(`${env.name} needs a completed deployment of ${release.version} in ${previous.name}; last there: ${last ? this.attempt(last) : 'never deployed there'}`);
      }
    }
    const freeze = activeFreeze(env.freezeWindows, now);
    if (freeze) soft.push(describeFreezeRefusal(freeze, env.name));
    if (env.protected) {
      const approval = (await r.approvals.list({ releaseId: release.id, environment: env.name }))[0];
      if (!approval) soft.push(`${env.name} is protected and ${release.version} is not approved for it; request an approval and have it approved`);
      else if (approval.status === 'pending') {
        soft.push(`${env.name} is protected and the approval of ${release.version} requested by ${approval.requestedBy ?? 'someone'} at ${this.time(approval.requestedAt)} is still pending`);
      } else if (approval.status === 'rejected') {
        soft.push(`${env.name} is protected and the approval of ${release.version} was rejected by ${approval.approvedBy ?? 'someone'} at ${this.time(approval.approvedAt)}; request a new one`);
      }
    }
    return { hard, soft };
  }

  /** "failed at 10:42", "in progress since 10:40", "rolled back at 2026-03-01 09:00". */
  private attempt(d: Deployment): string {
    switch (d.status) {
      case 'pending':
        return `pending since ${this.time(d.createdAt)}`;
      case 'in_progress':
        return `in progress since ${this.time(d.startedAt ?? d.createdAt)}`;
      case 'failed':
        return `failed at ${this.time(d.completedAt ?? d.updatedAt)}`;
      case 'rolled_back':
        return `rolled back at ${this.time(d.rolledBackAt ?? d.updatedAt)}`;
      default:
        return `completed at ${this.time(d.completedAt ?? d.updatedAt)}`;
    }
  }

  /** HH:mm today, else YYYY-MM-DD HH:mm, in the configured zone. */
  private time(at: Date | undefined): string {
    if (!at) return 'an unknown time';
    const t = DateTime.fromJSDate(at, { zone: this.timeZone });
    const today = DateTime.fromJSDate(this.clock.now(), { zone: this.timeZone });
    return t.hasSame(today, 'day') ? t.toFormat('HH:mm') : t.toFormat('yyyy-LL-dd HH:mm');
  }

  private async headCommit(): Promise<string | undefined> {
    try {
      return (await this.deps.git?.headCommit()) ?? undefined;
    } catch {
      return undefined;
    }
  }

  private async createDeployment(
    r: Repositories,
    actor: string,
    release: Release,
    env: Environment,
    now: Date,
    o: {
      kind: 'promotion' | 'redeploy' | 'rollback';
      commit?: string;
      pipeline?: PipelineDefinition;
      rollbackOf?: string;
      blueGreen?: { colour: 'blue' | 'green' };
      override?: { reason: string; skipped: string[] };
    },
  ): Promise<Deployment> {
    const current = await this.currentDeployment(r, env.name);
    const deployment: Deployment = compact({
      id: this.newId(),
      releaseId: release.id,
      projectId: release.projectId,
      environment: env.name,
      status: 'pending',
      pipelineId: o.pipeline?.id,
      metadata: compact({
        kind: o.kind,
        commit: o.commit,
        previousReleaseId: current?.releaseId,
        rollbackOf: o.rollbackOf,
        pipelineName: o.pipeline?.name,
        requestedBy: actor,
        blueGreen: o.blueGreen,
        override: o.override,
      }),
      createdAt: now,
      updatedAt: now,
    });
    await r.deployments.insert(deployment);
    const action = o.override ? `deployment.${o.kind}.override` : `deployment.${o.kind}`;
    await this.auditor.record(r, actor, action, 'deployment', deployment.id, undefined, deployment);
    if (release.status === 'planned') {
      const started: Release = { ...release, status: 'in_progress', actualStart: release.actualStart ?? now, updatedAt: now };
      await r.releases.update(started);
      await r.calendar.upsert(releaseCalendarEvent(started, now));
      await this.auditor.record(r, actor, 'release.status.in_progress', 'release', release.id, release, started);
    }
    return deployment;
  }

  /** Starts the pipeline of a new deployment, when it has one and an executor is attached. */
  private async started(deployment: Deployment, pipelineEnv?: Record<string, string>): Promise<Deployment> {
    if (!deployment.pipelineId || !this.executor) return deployment;
    await this.executor.start(deployment.id, deployment.pipelineId, pipelineEnv ? { env: pipelineEnv } : undefined);
    return (await this.getDeployment(deployment.id)) ?? deployment;
  }
}

function envName(field: string, value: unknown): string {
  return requireText(field, value, { max: 64 });
}

function samePerson(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

function lastChange(d: Deployment): Date {
  return d.rolledBackAt ?? d.completedAt ?? d.startedAt ?? d.createdAt;
}

function checkOverride(options: PromotionOptions): string | undefined {
  if (typeof options !== 'object' || options === null) throw new ValidationError('options', `expected an object, got ${describe(options)}`);
  if (options.override === undefined) return undefined;
  if (typeof options.override !== 'object' || options.override === null) {
    throw new ValidationError('override', `expected { reason }, got ${describe(options.override)}`);
  }
  if (options.override.reason === undefined) throw new ValidationError('override.reason', 'is required: say why the checks are skipped');
  return requireText('override.reason', options.override.reason, { max: 2000, multiline: true }).trim();
}

function checkBlueGreenColour(options: PromotionOptions): { colour: 'blue' | 'green' } | undefined {
  const colour = options.blueGreenColour as unknown;
  if (colour === undefined) return undefined;
  if (colour !== 'blue' && colour !== 'green') throw new ValidationError('blueGreenColour', `expected 'blue' or 'green', got ${describe(colour)}`);
  return { colour };
}

/** Shape only, before anything is written; the pipeline engine checks the names it reserves. */
function checkPipelineEnv(options: PromotionOptions): Record<string, string> | undefined {
  const env = options.pipelineEnv as unknown;
  if (env === undefined) return undefined;
  if (typeof env !== 'object' || env === null || Array.isArray(env)) throw new ValidationError('pipelineEnv', `expected an object of NAME: value, got ${describe(env)}`);
  for (const [name, value] of Object.entries(env)) {
    if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) throw new ValidationError(`pipelineEnv.${name}`, 'is not a variable name: use capital letters, digits and _ (not first a digit)');
    if (typeof value !== 'string' || value.includes('\0')) throw new ValidationError(`pipelineEnv.${name}`, `expected text without NUL, got ${describe(value)}`);
  }
  return { ...(env as Record<string, string>) };
}

function checkUpdates(u: EnvironmentUpdates): EnvironmentUpdates {
  const out: EnvironmentUpdates = {};
  for (const key of ['protected', 'requireDifferentApprover', 'guidedFailure'] as const) {
    const v = u[key];
    if (v === undefined) continue;
    if (typeof v !== 'boolean') throw new ValidationError(key, `expected true or false, got ${describe(v)}`);
    out[key] = v;
  }
  if (u.pipelineId !== undefined) out.pipelineId = u.pipelineId === null ? null : requireText('pipelineId', u.pipelineId, { max: 200 });
  if (u.router !== undefined) {
    if (u.router !== null && (typeof u.router !== 'object' || Array.isArray(u.router))) {
      throw new ValidationError('router', `expected an object of router settings, got ${describe(u.router)}`);
    }
    out.router = u.router;
  }
  return out;
}
