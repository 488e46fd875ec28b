import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  computeWaves,
  CycleError,
  dependentsClosure,
  DependencyGraph,
  findCycles,
  reverseOrder,
  toDeploymentOrder,
  type DependencyEdge,
  type WavesOk,
} from '../../../src/core/dependencyGraph';

/** Random DAG: edges only go from a later to an earlier node of a random permutation. */
const dagArb = fc
  .uniqueArray(fc.string({ minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 40 })
  .chain((names) =>
    fc
      .array(fc.tuple(fc.nat(names.length - 1), fc.nat(names.length - 1)), { maxLength: names.length * 3 })
      .map((pairs) => {
        const edges: DependencyEdge[] = [];
        for (const [a, b] of pairs) {
          if (a === b) continue;
          // names are in random order already: the higher index depends on the lower
          edges.push({ from: names[Math.max(a, b)]!, to: names[Math.min(a, b)]! });
        }
        return { names, edges };
      }),
  );

function reach(names: string[], edges: DependencyEdge[], from: string): Set<string> {
  const adj = new Map<string, string[]>();
  for (const e of edges) adj.set(e.from, [...(adj.get(e.from) ?? []), e.to]);
  const seen = new Set<string>();
  const stack = [...(adj.get(from) ?? [])];
  while (stack.length) {
    const v = stack.pop()!;
    if (seen.has(v) || !names.includes(v)) continue;
    seen.add(v);
    stack.push(...(adj.get(v) ?? []));
  }
  return seen;
}

function assertValidWaves(names: string[], edges: DependencyEdge[], r: WavesOk): void {
  const waveOf = new Map<string, number>();
  r.waves.forEach((w, i) => w.forEach((n) => waveOf.set(n, i)));
  // all nodes present exactly once
  assert.equal(r.waves.flat().length, names.length);
  assert.deepEqual([...waveOf.keys()].sort(), [...names].sort());
  for (const w of r.waves) {
    assert.ok(w.length > 0);
    assert.deepEqual(w, [...w].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  // every edge respected
  for (const e of edges) assert.ok(waveOf.get(e.from)! > waveOf.get(e.to)!, `${e.from} → ${e.to}`);
  // minimal
  for (const n of names) {
    const deps = edges.filter((e) => e.from === n).map((e) => waveOf.get(e.to)!);
    const w = waveOf.get(n)!;
    if (w === 0) assert.equal(deps.length, 0);
    else assert.ok(deps.includes(w - 1), `${n} in wave ${w} has no dependency in wave ${w - 1}`);
  }
  // flat order = waves concatenated, numbered from 1
  assert.deepEqual(r.order.map((o) => o.name), r.waves.flat());
  r.order.forEach((o, i) => {
    assert.equal(o.order, i + 1);
    assert.equal(o.wave, waveOf.get(o.name));
    assert.deepEqual(o.dependencies, [...new Set(edges.filter((e) => e.from === o.name).map((e) => e.to))].sort());
  });
}

describe('dependencyGraph', () => {
  describe('computeWaves', () => {
    it('orders the voting app in three waves', () => {
      const r = computeWaves(['vote', 'result', 'worker', 'redis', 'db', 'seed'], [
        { from: 'vote', to: 'redis' },
        { from: 'worker', to: 'redis' },
        { from: 'worker', to: 'db' },
        { from: 'result', to: 'db' },
        { from: 'seed', to: 'vote' },
      ]);
      assert.ok(r.ok);
      assert.deepEqual(r.waves, [['db', 'redis'], ['result', 'vote', 'worker'], ['seed']]);
      assert.deepEqual(r.order.find((o) => o.name === 'worker'), {
        name: 'worker', order: 5, wave: 1, dependencies: ['db', 'redis'], externalDependencies: [],
      });
    });

    it('handles the empty graph, duplicates and edges leaving the set', () => {
      assert.deepEqual(computeWaves([], []), { ok: true, waves: [], order: [] });
      const r = computeWaves(['b', 'a', 'b'], [
        { from: 'b', to: 'a' },
        { from: 'b', to: 'a' },
        { from: 'b', to: 'cache' },
        { from: 'ghost', to: 'a' },
      ]);
      assert.ok(r.ok);
      assert.deepEqual(r.waves, [['a'], ['b']]);
      assert.deepEqual(r.order[1], {
        name: 'b', order: 2, wave: 1, dependencies: ['a', 'cache'], externalDependencies: ['cache'],
      });
    });

    it('waves are valid and minimal on random DAGs', () => {
      fc.assert(
        fc.property(dagArb, ({ names, edges }) => {
          const r = computeWaves(names, edges);
          assert.ok(r.ok);
          assertValidWaves(names, edges, r);
        }),
        { numRuns: 300 },
      );
    });

    it('does not depend on the order of the input', () => {
      fc.assert(
        fc.property(dagArb, fc.nat(), ({ names, edges }, seed) => {
          const shuffled = [...edges].sort((a, b) => ((a.from.length * 31 + seed) % 7) - ((b.to.length + seed) % 5));
          assert.deepEqual(computeWaves([...names].reverse(), shuffled), computeWaves(names, edges));
        }),
        { numRuns: 100 },
      );
    });
  });

  describe('cycles', () => {
    it('names the cycle api → auth → api', () => {
      const r = computeWaves(['api', 'auth', 'web'], [
        { from: 'auth', to: 'api' },
        { from: 'api', to: 'auth' },
        { from: 'web', to: 'api' },
      ]);
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.deepEqual(r.cycles, [{ path: ['api', 'auth', 'api'], text: 'api → auth → api', members: ['api', 'auth'] }]);
      assert.deepEqual(r.blocked, ['web']);
      assert.ok(r.error instanceof CycleError);
      assert.ok(r.error instanceof Error);
      assert.equal(r.error.message, 'Dependency cycle: api → auth → api');
    });

    it('reports a self-loop', () => {
      const r = computeWaves(['api', 'db'], [{ from: 'api', to: 'api' }, { from: 'api', to: 'db' }]);
      assert.ok(!r.ok);
      assert.deepEqual(r.cycles.map((c) => c.text), ['api → api']);
      assert.equal(r.error.message, 'Dependency cycle: api → api');
    });

    it('names every cycle in the error message', () => {
      const cycles = findCycles(['a', 'b', 'c', 'd', 'e'], [
        { from: 'd', to: 'e' }, { from: 'e', to: 'd' },
        { from: 'c', to: 'a' }, { from: 'a', to: 'b' }, { from: 'b', to: 'c' },
      ]);
      assert.deepEqual(cycles.map((c) => c.text), ['a → b → c → a', 'd → e → d']);
      assert.equal(new CycleError(cycles).message, 'Dependency cycles: a → b → c → a; d → e → d');
    });

    it('gives a shortest cycle through the smallest member', () => {
      const cycles = findCycles(['a', 'b', 'c', 'd'], [
        { from: 'a', to: 'b' }, { from: 'b', to: 'c' }, { from: 'c', to: 'd' }, { from: 'd', to: 'a' }, { from: 'b', to: 'a' },
      ]);
      assert.deepEqual(cycles, [{ path: ['a', 'b', 'a'], text: 'a → b → a', members: ['a', 'b', 'c', 'd'] }]);
    });

    it('reports only real cycles, covering every node that lies on one', () => {
      const arb = dagArb.chain(({ names, edges }) =>
        fc.uniqueArray(fc.nat(names.length - 1), { minLength: 1, maxLength: Math.min(names.length, 6) }).map((ring) => {
          const cyc = ring.map((i) => names[i]!);
          const extra = cyc.map((n, i) => ({ from: n, to: cyc[(i + 1) % cyc.length]! }));
          return { names, edges: [...edges, ...extra], ring: cyc };
        }),
      );
      fc.assert(
        fc.property(arb, ({ names, edges, ring }) => {
          const r = computeWaves(names, edges);
          assert.ok(!r.ok);
          const has = (f: string, t: string) => edges.some((e) => e.from === f && e.to === t);
          for (const c of r.cycles) {
            assert.ok(c.path.length >= 2);
            assert.equal(c.path[0], c.path[c.path.length - 1]);
            assert.equal(c.path[0], c.members[0]);
            assert.equal(new Set(c.path.slice(1)).size, c.path.length - 1, 'elementary');
            for (let i = 0; i + 1 < c.path.length; i++) assert.ok(has(c.path[i]!, c.path[i + 1]!), c.text);
            for (const m of c.members) assert.ok(reach(names, edges, m).has(c.path[0]!) && reach(names, edges, c.path[0]!).has(m));
            assert.ok(r.error.message.includes(c.text));
          }
          const onCycle = names.filter((n) => reach(names, edges, n).has(n)).sort();
          assert.deepEqual(r.cycles.flatMap((c) => c.members).sort(), onCycle);
          assert.ok(r.cycles.some((c) => ring.every((n) => c.members.includes(n))));
          const blocked = names.filter((n) => !onCycle.includes(n) && [...reach(names, edges, n)].some((m) => onCycle.includes(m)));
          assert.deepEqual(r.blocked, blocked.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
        }),
        { numRuns: 300 },
      );
    });

    it('survives a 100k-long chain closed into a cycle without recursion', () => {
      const n = 100_000;
      const names = Array.from({ length: n }, (_, i) => `s${String(i).padStart(6, '0')}`);
      const edges = names.map((name, i) => ({ from: name, to: names[(i + 1) % n]! }));
      const cycles = findCycles(names, edges);
      assert.equal(cycles.length, 1);
      assert.equal(cycles[0]!.path.length, n + 1);
    });
  });

  describe('dependentsClosure and reverseOrder', () => {
    it('blocks every transitive dependent of a failure', () => {
      const edges = [
        { from: 'vote', to: 'redis' }, { from: 'worker', to: 'redis' }, { from: 'worker', to: 'db' },
        { from: 'result', to: 'db' }, { from: 'seed', to: 'vote' },
      ];
      const nodes = ['vote', 'result', 'worker', 'redis', 'db', 'seed'];
      assert.deepEqual(dependentsClosure(nodes, edges, ['redis']), ['seed', 'vote', 'worker']);
      assert.deepEqual(dependentsClosure(nodes, edges, ['db', 'unknown']), ['result', 'worker']);
      assert.deepEqual(dependentsClosure(nodes, edges, ['seed']), []);
      const g = DependencyGraph.build(nodes, edges);
      assert.deepEqual(g.dependenciesOf('worker'), ['db', 'redis']);
      assert.deepEqual(g.dependentsOf('redis'), ['vote', 'worker']);
    });

    it('matches reachability on random graphs, cycles included', () => {
      fc.assert(
        fc.property(dagArb, fc.array(fc.nat(), { maxLength: 3 }), ({ names, edges }, picks) => {
          const failed = picks.map((p) => names[p % names.length]!);
          const reversed = edges.map((e) => ({ from: e.to, to: e.from }));
          const expected = new Set<string>();
          for (const f of failed) for (const d of reach(names, reversed, f)) expected.add(d);
          for (const f of failed) expected.delete(f);
          assert.deepEqual(dependentsClosure(names, edges, failed), [...expected].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
        }),
        { numRuns: 200 },
      );
    });

    it('maps to DeploymentOrder with readiness from the dependencies outside the set', () => {
      const r = computeWaves(['api', 'web'], [{ from: 'web', to: 'api' }, { from: 'api', to: 'db' }, { from: 'api', to: 'auth' }]);
      assert.ok(r.ok);
      const asked: string[] = [];
      const order = toDeploymentOrder(r, (dep) => {
        asked.push(dep);
        return dep === 'db' ? true : `${dep} is not deployed to staging`;
      });
      assert.deepEqual(order, [
        { service: 'api', order: 1, wave: 0, dependencies: ['auth', 'db'], ready: false, reason: 'auth is not deployed to staging' },
        { service: 'web', order: 2, wave: 1, dependencies: ['api'], ready: true },
      ]);
      assert.deepEqual(asked, ['auth', 'db']);
    });

    it('rolls back the last wave first', () => {
      const waves = [['db', 'redis'], ['result', 'vote', 'worker'], ['seed']];
      assert.deepEqual(reverseOrder(waves), [['seed'], ['result', 'vote', 'worker'], ['db', 'redis']]);
      assert.deepEqual(waves[0], ['db', 'redis'], 'input untouched');
    });
  });
});
