// The Services tab's halves that need no VS Code: the graph view model (from an order result, a
// cycle refusal, and from a real database through the manager), the ELK input with its wave columns,
// the position cache key, and the webview's service messages.
import assert from 'node:assert/strict';
import { findCycles } from '../../../src/core/dependencyGraph';
import type { Deployment, DeploymentOrder, Release, Service } from '../../../src/core/model';
import { DependencyAwareDeploymentManager, type ServiceMatrix } from '../../../src/core/releases/DependencyAwareDeploymentManager';
import { parseWebviewMessage } from '../../../src/shared/messageValidation';
import type { ServiceGraphView } from '../../../src/shared/protocol';
import { buildServiceGraph, graphServiceNames, loadServiceGraph, type ServiceGraphInputs } from '../../../src/vscode/serviceGraphModel';
import { depths, edgeId, FAST_PROFILE_ABOVE, fromElkResult, layoutKey, partitions, toElkInput } from '../../../webview/graph/layoutModel';
import { savedGraphUi } from '../../../webview/store/uiState';
import { openCore, type CoreHarness } from '../../support/coreHarness';

const at = (iso: string) => new Date(iso);
const service = (name: string, dependencies: string[] = [], over: Partial<Service> = {}): Service => ({
  id: `id-${name}`,
  name,
  dependencies,
  createdAt: at('2026-01-01T00:00:00Z'),
  updatedAt: at('2026-01-01T00:00:00Z'),
  ...over,
});
const release = { id: 'r2', version: '2.0.0', services: ['web', 'api', 'auth'] } satisfies Pick<Release, 'id' | 'version' | 'services'>;
const order = (service: string, n: number, wave: number, dependencies: string[], ready = true, reason?: string): DeploymentOrder => ({
  service,
  order: n,
  wave,
  dependencies,
  ready,
  ...(reason ? { reason } : {}),
});
const deployment = (environment: string, status: Deployment['status'], created: string): Deployment => ({
  id: `${environment}-${created}`,
  releaseId: 'r2',
  environment,
  status,
  createdAt: at(created),
  updatedAt: at(created),
});
const noMatrix: ServiceMatrix = { environments: [], services: [], running: {} };

// web → api → auth → db; api → cache; db and cache are outside the release; metrics is unrelated.
const catalog = [
  service('web', ['api'], { path: 'services/web', source: 'compose.yaml:3', dependencySources: { api: 'compose.yaml:6' } }),
  service('api', ['auth', 'cache'], { deployCommand: 'deploy/api.sh', rollbackCommand: 'deploy/undo-api.sh', healthCheck: { url: 'http://127.0.0.1:4200/health' } }),
  service('auth', ['db']),
  service('db'),
  service('cache'),
  service('metrics', ['db']),
];
const okOrder = [order('auth', 1, 0, ['db']), order('api', 2, 1, ['auth', 'cache']), order('web', 3, 2, ['api'])];

function inputs(over: Partial<ServiceGraphInputs> = {}): ServiceGraphInputs {
  return {
    release,
    catalog,
    order: {
      ok: true,
      order: okOrder,
      byEnvironment: new Map([
        ['dev', okOrder],
        ['prod', [order('auth', 1, 0, ['db'], false, 'db is not part of this release and does not run in prod'), order('api', 2, 1, ['auth', 'cache'], false, 'waits for auth, which is not ready'), order('web', 3, 2, ['api'], false, 'waits for api, which is not ready')]],
      ]),
    },
    matrix: noMatrix,
    deployments: [],
    environments: ['dev', 'prod'],
    defaultEnvironment: 'dev',
    ...over,
  };
}

describe('Services graph', () => {
  describe('view model', () => {
    it("takes the release's services and every catalog service they need, directly or not", () => {
      const byName = new Map(catalog.map((s) => [s.name, s]));
      assert.deepEqual(graphServiceNames(['web'], byName).sort(), ['api', 'auth', 'cache', 'db', 'web']);
      const g = buildServiceGraph(inputs());
      // Release services first in order of their waves, then the outside ones alphabetically; metrics is not shown.
      assert.deepEqual(g.nodes.map((n) => [n.name, n.inRelease, n.wave]), [
        ['auth', true, 0],
        ['api', true, 1],
        ['web', true, 2],
        ['cache', false, undefined],
        ['db', false, undefined],
      ]);
      assert.deepEqual(
        g.edges.map((e) => `${e.from}>${e.to}${e.source ? `@${e.source}` : ''}`).sort(),
        ['api>auth', 'api>cache', 'auth>db', 'web>api@compose.yaml:6'],
      );
      assert.equal(g.edges.some((e) => e.inCycle), false);
    });

    it("carries each service's details: folder, commands, health check, where it and its dependencies came from, dependents", () => {
      const g = buildServiceGraph(inputs());
      const api = g.nodes.find((n) => n.name === 'api')!;
      assert.equal(api.deployCommand, 'deploy/api.sh');
      assert.equal(api.rollbackCommand, 'deploy/undo-api.sh');
      assert.equal(api.healthCheckUrl, 'http://127.0.0.1:4200/health');
      assert.deepEqual(api.dependents, ['web']);
      const web = g.nodes.find((n) => n.name === 'web')!;
      assert.equal(web.source, 'compose.yaml:3');
      assert.equal(web.path, 'services/web');
      assert.deepEqual(web.dependencies, [{ name: 'api', source: 'compose.yaml:6' }]);
      // db is needed by auth and by metrics (outside the graph, but a dependent all the same).
      assert.deepEqual(g.nodes.find((n) => n.name === 'db')!.dependents, ['auth', 'metrics']);
    });

    it('keeps the order with its waves, and readiness per environment', () => {
      const g = buildServiceGraph(inputs());
      assert.deepEqual(g.order.map((o) => [o.order, o.wave, o.service, o.ready]), [
        [1, 0, 'auth', true],
        [2, 1, 'api', true],
        [3, 2, 'web', true],
      ]);
      assert.deepEqual(g.order[0]!.byEnvironment.prod, { ready: false, reason: 'db is not part of this release and does not run in prod' });
      assert.deepEqual(g.order[0]!.byEnvironment.dev, { ready: true });
      assert.equal(g.defaultEnvironment, 'dev');
      assert.deepEqual(g.environments, ['dev', 'prod']);
      assert.equal(g.orderError, undefined);
      assert.deepEqual(g.cycles, []);
    });

    it("colours by state: this release's deployment there first (in progress, failed), then what runs there", () => {
      const matrix: ServiceMatrix = {
        environments: ['dev', 'prod'],
        services: ['api', 'db', 'auth'],
        running: {
          api: { dev: { releaseId: 'r2', version: '2.0.0', deploymentId: 'd1' }, prod: { releaseId: 'r1', version: '1.9.0', deploymentId: 'd0' } },
          db: { prod: { releaseId: 'r0', version: '1.0.0', deploymentId: 'd-' } },
        },
      };
      const g = buildServiceGraph(
        inputs({
          matrix,
          deployments: [deployment('dev', 'completed', '2026-02-01T00:00:00Z'), deployment('prod', 'completed', '2026-02-02T00:00:00Z'), deployment('prod', 'failed', '2026-02-03T00:00:00Z')],
          environments: ['dev', 'staging', 'prod'],
        }),
      );
      const states = (name: string) => g.nodes.find((n) => n.name === name)!.states;
      assert.deepEqual(states('api'), {
        dev: { kind: 'deployed', label: '2.0.0' },
        staging: { kind: 'not_deployed', label: 'not deployed' },
        prod: { kind: 'failed', label: '2.0.0 failed (1.9.0 runs)' },
      });
      // Outside the release: only what runs there counts (this release's failure is not db's).
      assert.deepEqual(states('db'), {
        dev: { kind: 'not_deployed', label: 'not deployed' },
        staging: { kind: 'not_deployed', label: 'not deployed' },
        prod: { kind: 'deployed', label: '1.0.0' },
      });
      const inProgress = buildServiceGraph(inputs({ deployments: [deployment('dev', 'in_progress', '2026-02-04T00:00:00Z')] }));
      assert.deepEqual(inProgress.nodes.find((n) => n.name === 'web')!.states.dev, { kind: 'in_progress', label: 'deploying 2.0.0' });
    });

    it('still draws the graph when a cycle prevents an order: the cycle is named, its edges and members marked', () => {
      const cyclic = [service('api', ['auth']), service('auth', ['api', 'db']), service('db'), service('web', ['api'])];
      const cycles = findCycles(['web', 'api', 'auth'], [{ from: 'web', to: 'api' }, { from: 'api', to: 'auth' }, { from: 'auth', to: 'api' }]);
      const g = buildServiceGraph(
        inputs({
          catalog: cyclic,
          order: { ok: false, cycles, message: 'cannot order the services of release 2.0.0: dependency cycle api → auth → api (remove one of these dependencies in the service catalog)' },
        }),
      );
      assert.deepEqual(g.cycles, [{ path: ['api', 'auth', 'api'], text: 'api → auth → api' }]);
      assert.match(g.orderError!, /dependency cycle api → auth → api/);
      assert.deepEqual(g.order, []);
      assert.deepEqual(g.edges.filter((e) => e.inCycle).map((e) => `${e.from}>${e.to}`).sort(), ['api>auth', 'auth>api']);
      assert.deepEqual(g.nodes.filter((n) => n.inCycle).map((n) => n.name).sort(), ['api', 'auth']);
      assert.ok(g.nodes.every((n) => n.wave === undefined), 'no waves without an order');
      assert.deepEqual(g.nodes.map((n) => n.name).sort(), ['api', 'auth', 'db', 'web']);
    });

    it('shows a service the release names but the catalog lost', () => {
      const g = buildServiceGraph(inputs({ release: { ...release, services: ['web', 'api', 'auth', 'gone'] }, order: { ok: true, order: [...okOrder, order('gone', 4, 0, [], false, 'gone is not in the service catalog')], byEnvironment: new Map() } }));
      const gone = g.nodes.find((n) => n.name === 'gone')!;
      assert.equal(gone.missing, true);
      assert.deepEqual(gone.dependencies, []);
    });
  });

  describe('from a real database', () => {
    let h: CoreHarness;
    let order: DependencyAwareDeploymentManager;
    beforeEach(async () => {
      h = await openCore();
      order = new DependencyAwareDeploymentManager({ uow: h.uow });
    });
    afterEach(async () => h.close());

    it('orders per environment: an outside dependency is ready where it runs', async () => {
      await h.catalog.addServices([{ name: 'db' }, { name: 'api', dependencies: ['db'] }, { name: 'web', dependencies: ['api'] }]);
      const old = await h.releases.createRelease('Database', '1.0.0', { services: ['db'] });
      const { release: r } = await h.releases.createRelease('Checkout', '2.0.0', { services: ['api', 'web'] });
      const now = h.clock.now();
      await h.uow.write((repos) =>
        repos.deployments.insert({ id: 'd-db', releaseId: old.release.id, environment: 'staging', status: 'completed', completedAt: now, createdAt: now, updatedAt: now }),
      );
      const g = (await loadServiceGraph({ uow: h.uow, dependencyOrder: order }, r.id))!;
      assert.deepEqual(g.environments.slice(0, 4), ['dev', 'test', 'staging', 'production']);
      assert.deepEqual(g.nodes.map((n) => [n.name, n.inRelease, n.wave ?? null]), [
        ['api', true, 0],
        ['web', true, 1],
        ['db', false, null],
      ]);
      const api = g.order.find((o) => o.service === 'api')!;
      assert.equal(api.byEnvironment.staging!.ready, true);
      assert.equal(api.byEnvironment.dev!.ready, false);
      assert.match(api.byEnvironment.dev!.reason!, /db is not part of this release and does not run in dev/);
      assert.deepEqual(g.nodes.find((n) => n.name === 'db')!.states.staging, { kind: 'deployed', label: '1.0.0' });
      assert.equal(await loadServiceGraph({ uow: h.uow, dependencyOrder: order }, 'missing'), null);
    });

    it('draws a cycle the catalog has (services added, then edited into a loop)', async () => {
      await h.catalog.addServices([{ name: 'auth' }, { name: 'api', dependencies: ['auth'] }]);
      await h.catalog.updateService('auth', { dependencies: ['api'] });
      const { release: r } = await h.releases.createRelease('Loop', '3.0.0', { services: ['api', 'auth'] });
      const g = (await loadServiceGraph({ uow: h.uow, dependencyOrder: order }, r.id))!;
      assert.deepEqual(g.cycles.map((c) => c.text), ['api → auth → api']);
      assert.match(g.orderError!, /cannot order the services of release 3\.0\.0: dependency cycle api → auth → api/);
      assert.equal(g.edges.filter((e) => e.inCycle).length, 2);
    });
  });

  describe('ELK input and the position cache key', () => {
    const view = (): Pick<ServiceGraphView, 'nodes' | 'edges'> => buildServiceGraph(inputs());

    it('draws edges from the dependency to the dependent, left to right, layered', () => {
      const input = toElkInput(view());
      assert.equal(input.graph.layoutOptions!['elk.algorithm'], 'layered');
      assert.equal(input.graph.layoutOptions!['elk.direction'], 'RIGHT');
      const e = input.graph.edges!.find((x) => x.id === edgeId('web', 'api'))!;
      assert.deepEqual([e.sources, e.targets], [['api'], ['web']]);
      assert.equal(input.fast, false);
    });

    it('puts each wave in its own column, after the outside services the release needs', () => {
      const input = toElkInput(view());
      assert.equal(input.partitioned, true);
      assert.equal(input.graph.layoutOptions!['elk.partitioning.activate'], 'true');
      // cache and db need nothing: column 0; auth is wave 0 → column 1 (after one outside level).
      assert.deepEqual(Object.fromEntries(input.partitionOf), { auth: 1, api: 2, web: 3, cache: 0, db: 0 });
      assert.deepEqual(input.columns.map((c) => c.label), ['Outside the release', 'Wave 0', 'Wave 1', 'Wave 2']);
      assert.equal(input.graph.children!.find((c) => c.id === 'web')!.layoutOptions!['elk.partitioning.partition'], '3');
    });

    it('has no columns when a cycle leaves no waves, and none pinned when an outside service needs one inside', () => {
      const cyclic = buildServiceGraph(
        inputs({
          catalog: [service('api', ['auth']), service('auth', ['api'])],
          release: { ...release, services: ['api', 'auth'] },
          order: { ok: false, cycles: findCycles(['api', 'auth'], [{ from: 'api', to: 'auth' }, { from: 'auth', to: 'api' }]), message: 'cycle' },
        }),
      );
      const input = toElkInput(cyclic);
      assert.equal(input.partitioned, false);
      assert.equal(input.partitionOf.size, 0);
      assert.deepEqual(input.columns, []);
      assert.equal(depths(cyclic), undefined);
      // report (outside) needs api (inside): api would have to be right of report and left of it.
      const backwards = { nodes: [...view().nodes, { name: 'report', inRelease: false, dependencies: [], dependents: [], states: {} }], edges: [...view().edges, { from: 'db', to: 'api' }] };
      assert.equal(partitions(backwards), undefined);
    });

    it('uses the fast profile and longest-path columns above the threshold (partitioning doubles the time there)', () => {
      const n = FAST_PROFILE_ABOVE + 1;
      const nodes = Array.from({ length: n }, (_, i) => ({ name: `s${i}`, inRelease: true, wave: i % 3, dependencies: [], dependents: [], states: {} }));
      const edges = nodes.filter((x) => x.wave > 0).map((x, i) => ({ from: x.name, to: nodes.find((y) => y.wave === x.wave - 1 && y.name !== x.name && Number(y.name.slice(1)) < Number(x.name.slice(1)))?.name ?? `s${i}` }));
      const input = toElkInput({ nodes, edges: edges.filter((e) => e.from !== e.to) });
      assert.equal(input.fast, true);
      assert.equal(input.partitioned, false);
      assert.equal(input.graph.layoutOptions!['elk.layered.layering.strategy'], 'LONGEST_PATH_SOURCE');
      assert.equal(input.graph.layoutOptions!['elk.layered.nodePlacement.strategy'], 'SIMPLE');
      assert.equal(input.graph.layoutOptions!['elk.layered.thoroughness'], '1');
      assert.ok(input.columns.length >= 2);
    });

    it('keeps the key when only states, labels or details change, and changes it when the structure does', () => {
      const base = toElkInput(view()).key;
      const other = buildServiceGraph(inputs({ deployments: [deployment('dev', 'failed', '2026-02-04T00:00:00Z')], environments: ['dev', 'qa'] }));
      assert.notDeepEqual(other.nodes[0]!.states, view().nodes[0]!.states);
      assert.equal(toElkInput(other).key, base, 'another state reuses the positions');
      const withEdge = view();
      withEdge.edges.push({ from: 'web', to: 'auth' });
      assert.notEqual(toElkInput(withEdge).key, base);
      const renamed = view();
      renamed.nodes[0]!.name = 'authn';
      assert.notEqual(toElkInput(renamed).key, base);
      const rewaved = view();
      rewaved.nodes.find((n) => n.name === 'web')!.wave = 3;
      assert.notEqual(toElkInput(rewaved).key, base, 'a node in another column is another layout');
      // Same inputs, same key (deterministic), and the key says the size.
      assert.equal(layoutKey(toElkInput(view()).graph), base);
      assert.match(base, /^5n4e-[0-9a-z]+$/);
    });

    it("turns ELK's answer into positions, polylines and column headers", () => {
      const input = toElkInput(view());
      const children = input.graph.children!.map((c, i) => ({ ...c, x: 10 + (input.partitionOf.get(c.id) ?? 0) * 200, y: 40 + i * 60 }));
      const edges = input.graph.edges!.map((e) => ({ ...e, sections: [{ id: 's', startPoint: { x: 1, y: 2 }, bendPoints: [{ x: 3, y: 4 }], endPoint: { x: 5, y: 6 } }] }));
      const l = fromElkResult(input, { id: 'root', width: 900, height: 400, children, edges });
      assert.equal(l.key, input.key);
      assert.deepEqual(l.nodes.get('web'), { x: 610, y: 40 + 2 * 60, width: children[2]!.width, height: children[2]!.height });
      assert.deepEqual(l.edges.get(edgeId('web', 'api')), [{ x: 1, y: 2 }, { x: 3, y: 4 }, { x: 5, y: 6 }]);
      assert.deepEqual(l.columns, [
        { label: 'Outside the release', x: 10 },
        { label: 'Wave 0', x: 210 },
        { label: 'Wave 1', x: 410 },
        { label: 'Wave 2', x: 610 },
      ]);
    });
  });

  describe('service messages from the webview', () => {
    it('accepts add, edit and remove with a service name; refuses a name the catalog could not hold', () => {
      assert.deepEqual(parseWebviewMessage({ type: 'service/add', requestId: 's1' }), { ok: true, message: { type: 'service/add', requestId: 's1' } });
      assert.deepEqual(parseWebviewMessage({ type: 'service/edit', requestId: 's2', name: 'billing-worker' }), {
        ok: true,
        message: { type: 'service/edit', requestId: 's2', name: 'billing-worker' },
      });
      const bad = parseWebviewMessage({ type: 'service/remove', requestId: 's3', name: '../etc' });
      assert.deepEqual(bad.ok ? undefined : [bad.field, bad.requestId], ['name', 's3']);
      assert.match(bad.ok ? '' : bad.reason, /is not a service name/);
      const long = parseWebviewMessage({ type: 'service/edit', requestId: 's4', name: 'a'.repeat(64) });
      assert.equal(long.ok ? '' : long.field, 'name');
      const extra = parseWebviewMessage({ type: 'service/add', requestId: 's5', name: 'x' });
      assert.equal(extra.ok ? '' : extra.field, 'name');
    });
  });

  describe('saved UI state of the graph (restored after a reload)', () => {
    it('keeps the environment and a well-formed view', () => {
      assert.deepEqual(savedGraphUi({ environment: 'production', view: { key: '6n7e-abc', x: 12.5, y: -40, k: 0.8 } }), {
        environment: 'production', view: { key: '6n7e-abc', x: 12.5, y: -40, k: 0.8 },
      });
      assert.deepEqual(savedGraphUi({ environment: 'dev' }), { environment: 'dev' });
    });

    it('drops what has the wrong shape, field by field, and never throws', () => {
      for (const bad of [undefined, null, 'x', 42, [], { __proto__: { environment: 'dev' } }]) assert.deepEqual(savedGraphUi(bad), {}, JSON.stringify(bad));
      assert.deepEqual(savedGraphUi({ environment: 7, view: { key: 'k', x: 1, y: 2, k: 1 } }), { view: { key: 'k', x: 1, y: 2, k: 1 } });
      assert.deepEqual(savedGraphUi({ environment: 'x'.repeat(65) }), {});
      for (const view of [{ key: 'k', x: NaN, y: 0, k: 1 }, { key: 'k', x: 0, y: Infinity, k: 1 }, { key: 'k', x: 0, y: 0, k: 0 }, { key: 'k', x: 0, y: 0, k: -1 },
        { key: 1, x: 0, y: 0, k: 1 }, { key: 'k'.repeat(201), x: 0, y: 0, k: 1 }, { key: 'k', x: '1', y: 0, k: 1 }, 'view']) {
        assert.deepEqual(savedGraphUi({ environment: 'dev', view }), { environment: 'dev' }, JSON.stringify(view));
      }
    });
  });
});
