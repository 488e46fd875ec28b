// The Services tab's view model: a release's services, the catalog services they depend on
// (transitively), the deployment order with its waves, cycles and each node's state per environment.
// Pure (no 'vscode'); loadServiceGraph reads its inputs through the managers.
import type { Cycle } from '../core/dependencyGraph';
import type { Deployment, DeploymentOrder, Release, Service } from '../core/model';
import type { UnitOfWork } from '../core/ports';
import { DependencyCycleError, type DependencyAwareDeploymentManager, type ServiceMatrix } from '../core/releases/DependencyAwareDeploymentManager';
import type { GraphEdgeView, GraphNodeView, OrderEntryView, ServiceGraphView, ServiceStateView } from '../shared/protocol';
import { DEFAULT_ENVIRONMENTS, environmentOrder } from './promotionModel';

export interface ServiceGraphInputs {
  release: Pick<Release, 'id' | 'version' | 'services'>;
  /** The whole catalog. */
  catalog: readonly Service[];
  /**
   * The order: for the default environment, plus for each environment (waves are the same; only
   * readiness differs). Or the cycles that prevent any order, with the core's refusal.
   */
  order:
    | { ok: true; order: readonly DeploymentOrder[]; byEnvironment: ReadonlyMap<string, readonly DeploymentOrder[]> }
    | { ok: false; cycles: readonly Cycle[]; message: string };
  matrix: ServiceMatrix;
  /** This release's deployments, any order. */
  deployments: readonly Deployment[];
  /** In promotion order. */
  environments: readonly string[];
  defaultEnvironment?: string;
}

const ACTIVE = new Set<Deployment['status']>(['pending', 'in_progress']);

/** The release's services plus every catalog service they need, directly or not. */
export function graphServiceNames(releaseServices: readonly string[], catalog: ReadonlyMap<string, Service>): string[] {
  const shown = new Set<string>();
  const stack = [...releaseServices];
  while (stack.length) {
    const name = stack.pop()!;
    if (shown.has(name)) continue;
    shown.add(name);
    for (const d of catalog.get(name)?.dependencies ?? []) if (!shown.has(d)) stack.push(d);
  }
  return [...shown];
}

/** A service's state in one environment: this release's deployment there first, then what runs there. */
export function serviceState(
  service: string,
  inRelease: boolean,
  release: Pick<Release, 'id' | 'version'>,
  newestHere: Deployment | undefined,
  running: ServiceMatrix['running'][string][string] | undefined,
): ServiceStateView {
  const runs = running ? (running.releaseId === release.id ? running.version : `${running.version} runs`) : undefined;
  if (inRelease && newestHere && ACTIVE.has(newestHere.status)) {
    return { kind: 'in_progress', label: `deploying ${release.version}${runs && running?.releaseId !== release.id ? ` (${runs})` : ''}` };
  }
  if (inRelease && newestHere?.status === 'failed') {
    return { kind: 'failed', label: `${release.version} failed${runs ? ` (${runs})` : ''}` };
  }
  if (running) return { kind: 'deployed', label: running.version };
  return { kind: 'not_deployed', label: 'not deployed' };
}

export function buildServiceGraph(i: ServiceGraphInputs): ServiceGraphView {
  const byName = new Map(i.catalog.map((s) => [s.name, s]));
  const inRelease = new Set(i.release.services ?? []);
  const names = graphServiceNames(i.release.services ?? [], byName);
  const shown = new Set(names);

  const dependents = new Map<string, string[]>();
  for (const s of i.catalog) for (const d of s.dependencies) dependents.set(d, [...(dependents.get(d) ?? []), s.name]);

  const cycleEdges = new Set<string>();
  const cycleMembers = new Set<string>();
  const cycles = i.order.ok ? [] : i.order.cycles;
  for (const c of cycles) {
    for (const m of c.members) cycleMembers.add(m);
    for (let k = 0; k + 1 < c.path.length; k++) cycleEdges.add(`${c.path[k]}\u0000${c.path[k + 1]}`);
  }

  // This release's newest deployment per environment (deployments arrive in any order).
  const newest = new Map<string, Deployment>();
  for (const d of i.deployments) {
    const prev = newest.get(d.environment);
    if (!prev || d.createdAt.getTime() > prev.createdAt.getTime()) newest.set(d.environment, d);
  }
  const waveOf = new Map<string, number>();
  if (i.order.ok) for (const o of i.order.order) waveOf.set(o.service, o.wave);

  // Release services first (in order when there is one), then the others alphabetically: a stable
  // node order keeps the layout (and its cache key) the same across snapshots.
  const rank = (n: string) => (inRelease.has(n) ? 0 : 1);
  names.sort((a, b) => rank(a) - rank(b) || (waveOf.get(a) ?? 0) - (waveOf.get(b) ?? 0) || (a < b ? -1 : a > b ? 1 : 0));

  const nodes: GraphNodeView[] = names.map((name) => {
    const s = byName.get(name);
    const mine = inRelease.has(name);
    const states: Record<string, ServiceStateView> = {};
    for (const env of i.environments) states[env] = serviceState(name, mine, i.release, newest.get(env), i.matrix.running[name]?.[env]);
    const node: GraphNodeView = {
      name,
      inRelease: mine,
      dependencies: (s?.dependencies ?? []).map((d) => strip({ name: d, source: s?.dependencySources?.[d] })),
      dependents: [...(dependents.get(name) ?? [])].sort(),
      states,
    };
    if (!s) node.missing = true;
    const wave = waveOf.get(name);
    if (mine && wave !== undefined) node.wave = wave;
    if (cycleMembers.has(name)) node.inCycle = true;
    if (s) {
      if (s.path !== undefined) node.path = s.path;
      if (s.deployCommand !== undefined) node.deployCommand = s.deployCommand;
      if (s.rollbackCommand !== undefined) node.rollbackCommand = s.rollbackCommand;
      if (s.healthCheck?.url !== undefined) node.healthCheckUrl = s.healthCheck.url;
      if (s.source !== undefined) node.source = s.source;
    }
    return node;
  });

  const edges: GraphEdgeView[] = [];
  for (const name of names) {
    const s = byName.get(name);
    for (const to of s?.dependencies ?? []) {
      if (!shown.has(to)) continue;
      const e: GraphEdgeView = { from: name, to };
      if (cycleEdges.has(`${name}\u0000${to}`)) e.inCycle = true;
      const source = s?.dependencySources?.[to];
      if (source !== undefined) e.source = source;
      edges.push(e);
    }
  }

  const order: OrderEntryView[] = i.order.ok
    ? i.order.order.map((o) => {
        const byEnvironment: OrderEntryView['byEnvironment'] = {};
        for (const [env, list] of i.order.ok ? i.order.byEnvironment : []) {
          const here = list.find((x) => x.service === o.service);
          if (here) byEnvironment[env] = strip({ ready: here.ready, reason: here.reason });
        }
        return strip({ service: o.service, order: o.order, wave: o.wave, dependencies: [...o.dependencies], ready: o.ready, reason: o.reason, byEnvironment });
      })
    : [];

  return strip({
    nodes,
    edges,
    order,
    cycles: cycles.map((c) => ({ path: [...c.path], text: c.text })),
    orderError: i.order.ok ? undefined : i.order.message,
    environments: [...i.environments],
    defaultEnvironment: i.defaultEnvironment,
  });
}

/** Drops undefined keys: what crosses postMessage is exactly what the types say. */
function strip<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/**
 * Reads what the Services tab shows for a release; null when the release does not exist. The order
 * is calculated once per environment, since a dependency outside the release is satisfied only
 * where it already runs.
 */
export async function loadServiceGraph(core: { uow: UnitOfWork; dependencyOrder: DependencyAwareDeploymentManager }, releaseId: string): Promise<ServiceGraphView | null> {
  const data = await core.uow.read(async (r) => {
    const release = await r.releases.get(releaseId);
    if (!release) return null;
    return {
      release,
      catalog: await r.services.list(),
      deployments: await r.deployments.list({ releaseId }),
      configured: (await r.environments.list()).sort((a, b) => a.position - b.position).map((e) => e.name),
    };
  });
  if (!data) return null;
  const matrix = await core.dependencyOrder.serviceMatrix();
  const seen = [...matrix.environments, ...data.deployments.map((d) => d.environment)];
  const environments = environmentOrder(data.configured.length ? data.configured : DEFAULT_ENVIRONMENTS, seen);
  let order: ServiceGraphInputs['order'];
  let defaultEnvironment: string | undefined;
  try {
    const plan = await core.dependencyOrder.plan(releaseId);
    defaultEnvironment = plan.environment;
    // Only a dependency outside the release makes readiness depend on the environment.
    const inRelease = new Set(data.release.services ?? []);
    const outside = data.catalog.some((s) => inRelease.has(s.name) && s.dependencies.some((d) => !inRelease.has(d)));
    const byEnvironment = new Map<string, DeploymentOrder[]>();
    for (const env of environments) {
      byEnvironment.set(env, env === plan.environment || !outside ? plan.order : await core.dependencyOrder.calculateDeploymentOrder(releaseId, env));
    }
    order = { ok: true, order: plan.order, byEnvironment };
  } catch (e) {
    if (!(e instanceof DependencyCycleError)) throw e;
    order = { ok: false, cycles: e.cycles, message: e.message };
  }
  return buildServiceGraph({
    release: data.release,
    catalog: data.catalog,
    order,
    matrix,
    deployments: data.deployments,
    environments,
    defaultEnvironment: defaultEnvironment ?? environments[0],
  });
}
