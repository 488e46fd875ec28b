// Deployment order for a release's services: dependency waves from the service catalog, and whether
// each service can go now given what already runs in the target environment.
import { DependencyGraph, toDeploymentOrder, type Cycle, type DependencyEdge } from '../dependencyGraph';
import { NotFoundError, RefusedError, type Deployment, type DeploymentOrder, type Release, type Service } from '../model';
import type { Repositories, UnitOfWork } from '../ports';
import { requireText } from '../validate';

export interface DependencyAwareDeploymentManagerDeps {
  uow: UnitOfWork;
  /** Called with the milliseconds spent in the graph part of each order (benchmarks and traces). */
  onGraphTiming?: (ms: number) => void;
  /** High-resolution milliseconds; default performance.now(). */
  now?: () => number;
}

/** What runs of one service in one environment: the newest completed, not rolled-back deployment naming it. */
export interface RunningVersion {
  releaseId: string;
  version: string;
  deploymentId: string;
  /** When that deployment completed (absent for a deployment recorded without a time). */
  completedAt?: Date;
}

/** The environment × service matrix of product.md. */
export interface ServiceMatrix {
  /** Environments with at least one running service, sorted. */
  environments: string[];
  /** Services running somewhere, sorted. */
  services: string[];
  /** running[service][environment]; a missing cell means nothing of that service runs there. */
  running: Record<string, Record<string, RunningVersion>>;
}

/** A dependency cycle among a release's services: no order exists until one of its edges goes. */
export class DependencyCycleError extends RefusedError {
  constructor(
    readonly releaseVersion: string,
    readonly cycles: readonly Cycle[],
  ) {
    super(
      `cannot order the services of release ${releaseVersion}: dependency cycle${cycles.length > 1 ? 's' : ''} ` +
        `${cycles.map((c) => c.text).join('; ')} (remove one of these dependencies in the service catalog)`,
    );
    this.name = 'DependencyCycleError';
  }
}

/** Everything the wave deployer needs, read in one transaction. */
export interface DeploymentPlan {
  release: Release;
  /** The target environment, or undefined when none was given and none could be inferred. */
  environment?: string;
  order: DeploymentOrder[];
  /** Waves of service names, wave 0 first, alphabetical within a wave. */
  waves: string[][];
  /** The release's services as the catalog knows them (a name missing from the catalog has no entry). */
  services: Map<string, Service>;
  /** The graph over the release's services (for blocked dependents during a deployment). */
  graph: DependencyGraph;
}

/** Dependency-aware deployment: order calculation, dependency resolution, topological sorting. */
export class DependencyAwareDeploymentManager {
  private readonly uow: UnitOfWork;
  private readonly now: () => number;

  constructor(private readonly deps: DependencyAwareDeploymentManagerDeps) {
    this.uow = deps.uow;
    this.now = deps.now ?? (() => globalThis.performance.now());
  }

  /**
   * The release's services in waves. A dependency inside the release is satisfied by coming
   * earlier; one outside it is satisfied when it already runs in `environment` (see serviceMatrix).
   * Without `environment`, the target is the environment of the release's pending or in-progress
   * deployment, else the first environment in promotion order it has not completed in; when there
   * is none, outside dependencies are not ready and the reason says so.
   * A service waiting on one that is not ready is not ready either. A cycle is a
   * DependencyCycleError (a RefusedError) naming its path.
   */
  async calculateDeploymentOrder(releaseId: string, environment?: string): Promise<DeploymentOrder[]> {
    return (await this.plan(releaseId, environment)).order;
  }

  /** The order plus the release, its catalogued services and the graph, from one read. */
  async plan(releaseId: string, environment?: string): Promise<DeploymentPlan> {
    const id = requireText('releaseId', releaseId, { max: 200 });
    const env = environment === undefined ? undefined : requireText('environment', environment, { max: 100 });
    return this.uow.read(async (r) => {
      const release = await r.releases.get(id);
      if (!release) throw new NotFoundError('release', id);
      const names = release.services ?? [];
      const catalog = await r.services.list();
      const services = new Map<string, Service>();
      const inRelease = new Set(names);
      for (const s of catalog) if (inRelease.has(s.name)) services.set(s.name, s);
      const target = env ?? (await this.inferEnvironment(r, release.id));

      const started = this.now();
      const edges: DependencyEdge[] = [];
      for (const s of services.values()) for (const to of s.dependencies) edges.push({ from: s.name, to });
      const graph = DependencyGraph.build(names, edges);
      const waves = graph.waves();
      const graphMs = this.now() - started;
      if (!waves.ok) {
        this.deps.onGraphTiming?.(graphMs);
        throw new DependencyCycleError(release.version, waves.cycles);
      }

      const external = new Set<string>();
      for (const o of waves.order) for (const d of o.externalDependencies) external.add(d);
      const running = target === undefined || external.size === 0 ? new Map<string, RunningVersion>() : await this.runningIn(r, target, external);
      const t2 = this.now();
      const order = toDeploymentOrder(waves, (dep) => {
        if (running.has(dep)) return true;
        if (target === undefined) return `${dep} is not part of this release and no target environment is known (name one, or start a deployment)`;
        return `${dep} is not part of this release and does not run in ${target}`;
      });
      // A service that is in the release but not in the catalog cannot be deployed; whatever waits
      // on a service that cannot go now cannot go either.
      const notReady = new Set<string>();
      for (const o of order) {
        const missing = !services.has(o.service);
        let waiting: string[] | undefined;
        if (notReady.size) for (const d of o.dependencies) if (notReady.has(d)) (waiting ??= []).push(d);
        if (o.ready && !missing && !waiting) continue;
        const reasons: string[] = [];
        if (missing) reasons.push(`${o.service} is not in the service catalog`);
        if (o.reason) reasons.push(o.reason);
        if (waiting) reasons.push(`waits for ${waiting.join(', ')}, which ${waiting.length > 1 ? 'are' : 'is'} not ready`);
        o.ready = false;
        o.reason = reasons.join('; ');
        notReady.add(o.service);
      }
      this.deps.onGraphTiming?.(graphMs + (this.now() - t2));
      const plan: DeploymentPlan = { release, order, waves: waves.waves, services, graph };
      if (target !== undefined) plan.environment = target;
      return plan;
    });
  }

  /** Which release version of each service runs in each environment, from completed deployments. */
  async serviceMatrix(): Promise<ServiceMatrix> {
    return this.uow.read(async (r) => {
      const deployments = (await r.deployments.list({ status: 'completed' })).filter(counts);
      const running: Record<string, Record<string, RunningVersion>> = {};
      const envs = new Set<string>();
      const releases = new Map<string, Release | null>();
      for (const d of sortNewestFirst(deployments)) {
        const release = await this.releaseOf(r, releases, d.releaseId!);
        if (!release) continue;
        for (const service of release.services ?? []) {
          const row = (running[service] ??= {});
          if (row[d.environment]) continue;
          row[d.environment] = runningVersion(d, release);
          envs.add(d.environment);
        }
      }
      return { environments: [...envs].sort(), services: Object.keys(running).sort(), running };
    });
  }

  /** What runs in `environment` of the given services (stops reading once every one is found). */
  private async runningIn(r: Repositories, environment: string, wanted: Set<string>): Promise<Map<string, RunningVersion>> {
    const found = new Map<string, RunningVersion>();
    const deployments = (await r.deployments.list({ environment, status: 'completed' })).filter(counts);
    const releases = new Map<string, Release | null>();
    for (const d of sortNewestFirst(deployments)) {
      if (found.size === wanted.size) break;
      const release = await this.releaseOf(r, releases, d.releaseId!);
      if (!release) continue;
      for (const s of release.services ?? []) if (wanted.has(s) && !found.has(s)) found.set(s, runningVersion(d, release));
    }
    return found;
  }

  /** Where the release is going: its active deployment's environment, else the first one it has not completed in. */
  private async inferEnvironment(r: Repositories, releaseId: string): Promise<string | undefined> {
    const active = await r.deployments.list({ releaseId, status: ['in_progress', 'pending'], limit: 1 });
    if (active[0]) return active[0].environment;
    const done = new Set((await r.deployments.list({ releaseId, status: 'completed' })).map((d) => d.environment));
    return (await r.environments.list()).find((e) => !done.has(e.name))?.name;
  }

  private async releaseOf(r: Repositories, cache: Map<string, Release | null>, id: string): Promise<Release | null> {
    let release = cache.get(id);
    if (release === undefined) cache.set(id, (release = await r.releases.get(id)));
    return release;
  }
}

/** A completed deployment of a release that was not rolled back afterwards. */
function counts(d: Deployment): boolean {
  return d.releaseId !== undefined && d.rolledBackAt === undefined;
}

/** Newest completion first; a deployment without a completion time counts from its last update. */
function sortNewestFirst(ds: Deployment[]): Deployment[] {
  const at = (d: Deployment) => (d.completedAt ?? d.updatedAt).getTime();
  return [...ds].sort((a, b) => at(b) - at(a));
}

function runningVersion(d: Deployment, release: Release): RunningVersion {
  const v: RunningVersion = { releaseId: release.id, version: release.version, deploymentId: d.id };
  if (d.completedAt) v.completedAt = d.completedAt;
  return v;
}

