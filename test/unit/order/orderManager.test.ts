import assert from 'node:assert/strict';
import path from 'node:path';
import fc from 'fast-check';
import type { Deployment, DeploymentOrder, DeploymentStatus, ServiceInput } from '../../../src/core/model';
import { RefusedError, ValidationError } from '../../../src/core/model';
import { DependencyAwareDeploymentManager, DependencyCycleError } from '../../../src/core/releases/DependencyAwareDeploymentManager';
import { discoverServices } from '../../../src/discovery/discover';
import { EnvironmentPromotionManager } from '../../../src/core/releases/EnvironmentPromotionManager';
import { fixedIdentity, openCore, type CoreHarness } from '../../support/coreHarness';

const root = path.resolve(__dirname, '../../..');

async function withCore<T>(fn: (h: CoreHarness, orders: DependencyAwareDeploymentManager) => Promise<T>): Promise<T> {
  const h = await openCore();
  try {
    return await fn(h, new DependencyAwareDeploymentManager({ uow: h.uow }));
  } finally {
    await h.close();
  }
}

let deploymentSeq = 0;
async function recordDeployment(h: CoreHarness, releaseId: string, environment: string, status: DeploymentStatus, extra: Partial<Deployment> = {}): Promise<Deployment> {
  h.clock.advance(60_000);
  const now = h.clock.now();
  const d: Deployment = {
    id: `dep-${++deploymentSeq}`,
    releaseId,
    environment,
    status,
    createdAt: now,
    updatedAt: now,
    ...(status === 'completed' ? { completedAt: now } : {}),
    ...extra,
  };
  await h.uow.write((r) => r.deployments.insert(d));
  return d;
}

const waveSets = (order: DeploymentOrder[]) => {
  const waves: string[][] = [];
  for (const o of order) (waves[o.wave] ??= []).push(o.service);
  return waves;
};

describe('DependencyAwareDeploymentManager', function () {
  this.timeout(120_000);

  describe('calculateDeploymentOrder on random DAGs (real database)', () => {
    it('respects every edge and keeps the waves minimal', async () => {
      const dag = fc
        .integer({ min: 1, max: 30 })
        .chain((n) =>
          fc.tuple(
            fc.shuffledSubarray(Array.from({ length: n }, (_, i) => `svc-${i}`), { minLength: n, maxLength: n }),
            fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: n * 3 }),
          ),
        );
      await withCore(async (h, orders) => {
        let trial = 0;
        await fc.assert(
          fc.asyncProperty(dag, async ([names, pairs]) => {
            trial++;
            // Names are unique per trial: every trial adds its services to the same catalog.
            const named = names.map((n) => `t${trial}-${n}`);
            const deps = new Map<string, Set<string>>(named.map((n) => [n, new Set<string>()]));
            for (const [a, b] of pairs) if (a !== b) deps.get(named[Math.max(a, b)]!)!.add(named[Math.min(a, b)]!);
            const inputs: ServiceInput[] = named.map((name) => ({ name, dependencies: [...deps.get(name)!] }));
            await h.catalog.addServices(inputs);
            const { release } = await h.releases.createRelease(`trial ${trial}`, `0.${trial}.0`, { services: [...named].reverse() });
            const order = await orders.calculateDeploymentOrder(release.id, 'staging');

            assert.equal(order.length, named.length);
            assert.deepEqual(order.map((o) => o.order), named.map((_, i) => i + 1));
            const byName = new Map(order.map((o) => [o.service, o]));
            assert.deepEqual([...byName.keys()].sort(), [...named].sort());
            for (const o of order) {
              assert.ok(o.ready, `${o.service}: ${o.reason}`);
              assert.equal(o.reason, undefined);
              const ds = [...deps.get(o.service)!].sort();
              assert.deepEqual(o.dependencies, ds);
              // every edge respected
              for (const d of ds) assert.ok(byName.get(d)!.wave < o.wave, `${o.service} (wave ${o.wave}) before its dependency ${d}`);
              // minimal: wave 0 without dependencies, otherwise right after its latest dependency
              const expected = ds.length ? 1 + Math.max(...ds.map((d) => byName.get(d)!.wave)) : 0;
              assert.equal(o.wave, expected, `${o.service} is in wave ${o.wave}, could be in ${expected}`);
            }
            // flat order goes wave by wave, alphabetical within a wave
            for (let i = 1; i < order.length; i++) {
              const [a, b] = [order[i - 1]!, order[i]!];
              assert.ok(a.wave < b.wave || (a.wave === b.wave && a.service < b.service), `${a.service} then ${b.service}`);
            }
          }),
          { numRuns: 40, seed: 5 },
        );
      });
    });
  });

  describe('dependencies outside the release', () => {
    async function setup(h: CoreHarness) {
      await h.catalog.addServices([
        { name: 'db' },
        { name: 'auth', dependencies: ['db'] },
        { name: 'billing' },
        { name: 'api', dependencies: ['auth', 'billing', 'db'] },
        { name: 'web', dependencies: ['api'] },
        { name: 'docs' },
      ]);
      const base = await h.releases.createRelease('Base', '1.0.0', { services: ['db', 'auth', 'billing'] });
      const next = await h.releases.createRelease('Next', '1.1.0', { services: ['api', 'web', 'docs'] });
      return { base: base.release, next: next.release };
    }

    it('is satisfied when a completed deployment runs it in the target environment', async () => {
      await withCore(async (h, orders) => {
        const { base, next } = await setup(h);
        await recordDeployment(h, base.id, 'staging', 'completed');
        const order = await orders.calculateDeploymentOrder(next.id, 'staging');
        assert.deepEqual(order, [
          { service: 'api', order: 1, wave: 0, dependencies: ['auth', 'billing', 'db'], ready: true },
          { service: 'docs', order: 2, wave: 0, dependencies: [], ready: true },
          { service: 'web', order: 3, wave: 1, dependencies: ['api'], ready: true },
        ]);
      });
    });

    it('is not ready when it does not run there, with the reason; dependents wait', async () => {
      await withCore(async (h, orders) => {
        const { base, next } = await setup(h);
        await recordDeployment(h, base.id, 'test', 'completed'); // another environment
        await recordDeployment(h, base.id, 'staging', 'failed');
        await recordDeployment(h, base.id, 'staging', 'in_progress');
        const order = await orders.calculateDeploymentOrder(next.id, 'staging');
        assert.deepEqual(order, [
          {
            service: 'api', order: 1, wave: 0, dependencies: ['auth', 'billing', 'db'], ready: false,
            reason: 'auth is not part of this release and does not run in staging; billing is not part of this release and does not run in staging; db is not part of this release and does not run in staging',
          },
          { service: 'docs', order: 2, wave: 0, dependencies: [], ready: true },
          { service: 'web', order: 3, wave: 1, dependencies: ['api'], ready: false, reason: 'waits for api, which is not ready' },
        ]);
        // the same release is ready in test, where the base completed
        assert.ok((await orders.calculateDeploymentOrder(next.id, 'test')).every((o) => o.ready));
      });
    });

    it('does not count a deployment that was rolled back', async () => {
      await withCore(async (h, orders) => {
        const { base, next } = await setup(h);
        await recordDeployment(h, base.id, 'staging', 'rolled_back', { completedAt: h.clock.now(), rolledBackAt: h.clock.now() });
        const api = (await orders.calculateDeploymentOrder(next.id, 'staging'))[0]!;
        assert.equal(api.ready, false);
        assert.match(api.reason!, /^auth is not part of this release and does not run in staging/);
      });
    });

    it('counts only what runs of each service: a later release naming part of the services', async () => {
      await withCore(async (h, orders) => {
        const { base, next } = await setup(h);
        await recordDeployment(h, base.id, 'staging', 'completed');
        const patch = (await h.releases.createRelease('Patch', '1.0.1', { services: ['auth'] })).release;
        await recordDeployment(h, patch.id, 'staging', 'completed');
        assert.ok((await orders.calculateDeploymentOrder(next.id, 'staging'))[0]!.ready);
        const m = await orders.serviceMatrix();
        assert.deepEqual(m.environments, ['staging']);
        assert.deepEqual(m.services, ['auth', 'billing', 'db']);
        assert.equal(m.running.auth!.staging!.version, '1.0.1');
        assert.equal(m.running.db!.staging!.version, '1.0.0');
        assert.equal(m.running.db!.staging!.releaseId, base.id);
      });
    });

    it('without an environment uses the release\'s active deployment, else says none is known', async () => {
      await withCore(async (h, orders) => {
        const { base, next } = await setup(h);
        await recordDeployment(h, base.id, 'staging', 'completed');
        const none = await orders.calculateDeploymentOrder(next.id);
        assert.equal(none[0]!.ready, false);
        assert.match(none[0]!.reason!, /^auth is not part of this release and no target environment is known \(name one, or start a deployment\)/);
        await recordDeployment(h, next.id, 'staging', 'in_progress');
        assert.ok((await orders.calculateDeploymentOrder(next.id)).every((o) => o.ready));
      });
    });

    it('without an environment or an active deployment, targets the first environment the release has not completed', async () => {
      await withCore(async (h, orders) => {
        const { base, next } = await setup(h);
        // the default environments dev, test, staging, production, created on first use
        const envs = await new EnvironmentPromotionManager({ uow: h.uow, clock: h.clock, identity: fixedIdentity() }).listEnvironments();
        assert.deepEqual(envs.map((e) => e.name), ['dev', 'test', 'staging', 'production']);
        await recordDeployment(h, base.id, 'test', 'completed');
        assert.match((await orders.calculateDeploymentOrder(next.id))[0]!.reason!, /^auth is not part of this release and does not run in dev/);
        await recordDeployment(h, next.id, 'dev', 'completed');
        assert.ok((await orders.calculateDeploymentOrder(next.id)).every((o) => o.ready)); // now test, where the base runs
      });
    });

    it('reports a release service that left the catalog as not ready', async () => {
      await withCore(async (h, orders) => {
        await h.catalog.addServices([{ name: 'old' }, { name: 'new', dependencies: ['old'] }]);
        const { release } = await h.releases.createRelease('R', '2.0.0', { services: ['old', 'new'] });
        await h.releases.updateRelease(release.id, { status: 'in_progress' });
        await h.releases.updateRelease(release.id, { status: 'deployed' });
        await h.catalog.updateService('new', { dependencies: [] });
        await h.catalog.removeService('old');
        const order = await orders.calculateDeploymentOrder(release.id, 'staging');
        assert.deepEqual(order.map((o) => [o.service, o.ready, o.reason]), [
          ['new', true, undefined],
          ['old', false, 'old is not in the service catalog'],
        ]);
      });
    });
  });

  describe('cycles and bad input', () => {
    it('refuses a cycle naming its path', async () => {
      await withCore(async (h, orders) => {
        await h.catalog.addServices([{ name: 'api' }, { name: 'auth', dependencies: ['api'] }, { name: 'web', dependencies: ['api'] }]);
        await h.catalog.updateService('api', { dependencies: ['auth'] });
        const { release } = await h.releases.createRelease('Loop', '3.0.0', { services: ['web', 'api', 'auth'] });
        await assert.rejects(orders.calculateDeploymentOrder(release.id, 'staging'), (err: unknown) => {
          assert.ok(err instanceof DependencyCycleError);
          assert.ok(err instanceof RefusedError);
          assert.equal(err.message, 'cannot order the services of release 3.0.0: dependency cycle api → auth → api (remove one of these dependencies in the service catalog)');
          assert.deepEqual(err.cycles.map((c) => c.path), [['api', 'auth', 'api']]);
          return true;
        });
      });
    });

    it('names every cycle', async () => {
      await withCore(async (h, orders) => {
        await h.catalog.addServices([{ name: 'a' }, { name: 'b', dependencies: ['a'] }, { name: 'x' }, { name: 'y', dependencies: ['x'] }, { name: 'z', dependencies: ['y'] }]);
        await h.catalog.updateService('a', { dependencies: ['b'] });
        await h.catalog.updateService('x', { dependencies: ['z'] });
        const { release } = await h.releases.createRelease('Loops', '3.1.0', { services: ['a', 'b', 'x', 'y', 'z'] });
        await assert.rejects(orders.calculateDeploymentOrder(release.id, 'staging'), {
          name: 'DependencyCycleError',
          message: 'cannot order the services of release 3.1.0: dependency cycles a → b → a; x → z → y → x (remove one of these dependencies in the service catalog)',
        });
      });
    });

    it('rejects a missing release and bad arguments', async () => {
      await withCore(async (_h, orders) => {
        await assert.rejects(orders.calculateDeploymentOrder('nope', 'staging'), { name: 'NotFoundError', message: "release 'nope' does not exist" });
        await assert.rejects(orders.calculateDeploymentOrder(42 as unknown as string), (e: unknown) => e instanceof ValidationError && e.message === 'releaseId: expected text, got number 42');
        await assert.rejects(orders.calculateDeploymentOrder('x', '  '), (e: unknown) => e instanceof ValidationError && e.message === 'environment: must not be empty');
      });
    });

    it('orders a release without services as an empty list', async () => {
      await withCore(async (h, orders) => {
        const { release } = await h.releases.createRelease('Empty', '0.0.1');
        assert.deepEqual(await orders.calculateDeploymentOrder(release.id, 'dev'), []);
      });
    });
  });

  describe('discovery accepted into the catalog', () => {
    it('voting app: discovered, applied with sources, ordered {db, redis} → {result, vote, worker} → {seed}', async () => {
      await withCore(async (h, orders) => {
        const proposal = await discoverServices(path.join(root, 'test/fixtures/compose/example-voting-app'));
        const names = proposal.services.map((s) => s.name);
        const applied = await h.catalog.applyDiscovery(proposal, names);
        assert.deepEqual(applied, { added: ['vote', 'result', 'worker', 'redis', 'db', 'seed'], updated: [], unchanged: [], skipped: [], unresolved: [], cycles: [] });
        const vote = (await h.catalog.getService('vote'))!;
        assert.deepEqual(
          { path: vote.path, source: vote.source, dependencies: vote.dependencies, dependencySources: vote.dependencySources },
          { path: 'vote', source: 'docker-compose.yml:6', dependencies: ['redis'], dependencySources: { redis: 'docker-compose.images.yml:11' } },
        );
        const worker = (await h.catalog.getService('worker'))!;
        assert.deepEqual(worker.dependencySources, { db: 'docker-compose.images.yml:35', redis: 'docker-compose.images.yml:33' });
        const audit = await h.uow.read((r) => r.audit.list({ entityType: 'service' }));
        assert.deepEqual(audit.map((a) => a.action), Array(6).fill('service.add'));

        const { release } = await h.releases.createRelease('Voting', '1.0.0', { services: names });
        const order = await orders.calculateDeploymentOrder(release.id, 'staging');
        assert.deepEqual(waveSets(order), [['db', 'redis'], ['result', 'vote', 'worker'], ['seed']]);
        assert.ok(order.every((o) => o.ready));
        assert.deepEqual(order.find((o) => o.service === 'seed')!.dependencies, ['vote']);
      });
    });

    it('merges into existing services, reports unresolved edges and skips what it cannot add', async () => {
      await withCore(async (h) => {
        await h.catalog.addServices([{ name: 'redis' }, { name: 'vote', deployCommand: 'deploy vote', dependencies: [] }]);
        const proposal = await discoverServices(path.join(root, 'test/fixtures/compose/example-voting-app'));
        // worker is selected but db is not: worker → db cannot be applied; vote gains redis
        const applied = await h.catalog.applyDiscovery(proposal, ['vote', 'worker', 'ghost']);
        assert.deepEqual(applied, {
          added: ['worker'],
          updated: [{ name: 'vote', dependenciesAdded: ['redis'], pathSet: 'vote' }],
          unchanged: [],
          skipped: [{ name: 'ghost', reason: 'is not in the proposal' }],
          unresolved: [{ from: 'worker', to: 'db', source: 'docker-compose.images.yml:35', reason: "'db' was not selected and is not in the catalog" }],
          cycles: [],
        });
        const vote = (await h.catalog.getService('vote'))!;
        assert.equal(vote.deployCommand, 'deploy vote'); // a merge keeps what was there
        assert.deepEqual(vote.dependencySources, { redis: 'docker-compose.images.yml:11' });
        const audit = await h.uow.read((r) => r.audit.list({ entityType: 'service', entityId: vote.id }));
        const update = audit.find((a) => a.action === 'service.update')!;
        assert.deepEqual((update.before as { dependencies: string[] }).dependencies, []);
        assert.deepEqual((update.after as { dependencies: string[] }).dependencies, ['redis']);
        // applying again changes nothing
        const again = await h.catalog.applyDiscovery(proposal, ['vote', 'worker']);
        assert.deepEqual(again.unchanged, ['vote', 'worker']);
        assert.deepEqual([again.added, again.updated], [[], []]);
      });
    });

    it('sample shop: a package in a compose service\'s folder is that service', async () => {
      await withCore(async (h) => {
        const proposal = await discoverServices(path.join(root, 'samples/shop'));
        const applied = await h.catalog.applyDiscovery(proposal, proposal.services.map((s) => s.name));
        assert.deepEqual(applied.added, ['db', 'redis', 'auth', 'api', 'worker', 'web', 'adminer']);
        assert.deepEqual(applied.skipped, [
          { name: '@shop/api', reason: "is the service 'api' (same folder services/api); its dependencies are merged into 'api'" },
          { name: '@shop/auth', reason: "is the service 'auth' (same folder services/auth); its dependencies are merged into 'auth'" },
          { name: '@shop/web', reason: "is the service 'web' (same folder services/web); its dependencies are merged into 'web'" },
          { name: '@shop/worker', reason: "is the service 'worker' (same folder services/worker); its dependencies are merged into 'worker'" },
        ]);
        assert.deepEqual(applied.unresolved, []);
        const api = (await h.catalog.getService('api'))!;
        assert.deepEqual(api.dependencies, ['auth', 'db', 'redis']);
        // the compose edge comes first in the proposal, so it is the recorded source
        assert.equal(api.dependencySources!.auth, 'docker-compose.yml:49');
      });
    });

    it('a package selected alone updates the catalogued service in its folder', async () => {
      await withCore(async (h) => {
        await h.catalog.addServices([{ name: 'auth', path: 'services/auth' }, { name: 'api', path: 'services/api' }]);
        const applied = await h.catalog.applyDiscovery(
          {
            services: [
              { name: '@shop/api', path: 'services/api', source: { file: 'services/api/package.json', line: 2 }, kind: 'package' },
              { name: '@shop/auth', path: 'services/auth', source: { file: 'services/auth/package.json', line: 2 }, kind: 'package' },
            ],
            edges: [{ from: '@shop/api', to: '@shop/auth', source: { file: 'services/api/package.json', line: 11 } }],
          },
          ['@shop/api'],
        );
        assert.deepEqual(applied.updated, [{ name: 'api', dependenciesAdded: ['auth'] }]);
        assert.deepEqual(applied.skipped, [{ name: '@shop/api', reason: "is the service 'api' (same folder services/api); its dependencies are merged into 'api'" }]);
        const api = (await h.catalog.getService('api'))!;
        assert.deepEqual([api.dependencies, api.dependencySources, api.source], [['auth'], { auth: 'services/api/package.json:11' }, 'services/api/package.json:2']);
      });
    });

    it('a scoped package without a compose twin is skipped with the naming rule', async () => {
      await withCore(async (h) => {
        const applied = await h.catalog.applyDiscovery(
          {
            services: [
              { name: '@acme/lib', path: 'packages/lib', source: { file: 'packages/lib/package.json', line: 2 }, kind: 'package' },
              { name: 'app', path: 'packages/app', source: { file: 'packages/app/package.json', line: 2 }, kind: 'package' },
            ],
            edges: [{ from: 'app', to: '@acme/lib', source: { file: 'packages/app/package.json', line: 9 } }],
          },
          ['@acme/lib', 'app'],
        );
        assert.deepEqual(applied.added, ['app']);
        assert.deepEqual(applied.skipped, [{ name: '@acme/lib', reason: "'@acme/lib' is not a service name (letters, digits, '.', '_' and '-', starting with a letter or digit)" }]);
        assert.deepEqual(applied.unresolved, [{ from: 'app', to: '@acme/lib', source: 'packages/app/package.json:9', reason: "'@acme/lib' was not selected and is not in the catalog" }]);
      });
    });

    it('reports a cycle the accepted edges create, and rejects a malformed proposal without changes', async () => {
      await withCore(async (h) => {
        const src = { file: 'compose.yaml', line: 1 };
        const applied = await h.catalog.applyDiscovery(
          { services: [{ name: 'api', source: src }, { name: 'auth', source: src }], edges: [{ from: 'api', to: 'auth', source: src }, { from: 'auth', to: 'api', source: src }] },
          ['api', 'auth'],
        );
        assert.deepEqual(applied.cycles, ['api → auth → api']);
        await assert.rejects(h.catalog.applyDiscovery({ services: [{ name: 'x' }], edges: [] } as never, ['x']), {
          name: 'ValidationError',
          message: 'proposal.services[0].source: is missing (expected { file, line })',
        });
        await assert.rejects(h.catalog.applyDiscovery({ services: [], edges: [] }, 'x' as never), { name: 'ValidationError', message: "selection: expected a list of names, got 'x'" });
        assert.equal((await h.catalog.listServices()).length, 2);
      });
    });

    it('keeps rollbackCommand and drops a removed dependency\'s source', async () => {
      await withCore(async (h) => {
        const src = { file: 'compose.yaml', line: 3 };
        await h.catalog.applyDiscovery({ services: [{ name: 'db', source: src }, { name: 'api', source: src }], edges: [{ from: 'api', to: 'db', source: src }] }, ['db', 'api']);
        const updated = await h.catalog.updateService('api', { rollbackCommand: './rollback.sh', dependencies: [] });
        assert.equal(updated.rollbackCommand, './rollback.sh');
        assert.equal(updated.dependencySources, undefined);
        const read = (await h.catalog.getService('api'))!;
        assert.equal(read.rollbackCommand, './rollback.sh');
        assert.equal(read.source, 'compose.yaml:3');
        assert.equal(read.dependencySources, undefined);
        await assert.rejects(h.catalog.updateService('api', { rollbackCommand: 'a\nb' }), { message: 'rollbackCommand: must be a single line' });
      });
    });
  });
});
