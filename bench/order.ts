// Deployment waves at scale: random DAGs with a fixed seed, median of several runs.
// Run: npx tsx bench/order.ts        Target: ≤ 20 ms for 10,000 services and 15,000 edges.
import { performance } from 'node:perf_hooks';
import { report } from './report';
import { computeWaves, DependencyGraph, findCycles } from '../src/core/dependencyGraph';
import { median, mulberry32, randomDag } from './util';

function time(runs: number, fn: () => unknown): number {
  for (let i = 0; i < 3; i++) fn(); // warm-up
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    xs.push(performance.now() - t);
  }
  return median(xs);
}

for (const [n, m, runs] of [
  [10_000, 15_000, 21],
  [100_000, 150_000, 7],
] as const) {
  const { names, edges } = randomDag(n, m, mulberry32(42));
  const r = computeWaves(names, edges);
  if (!r.ok) throw new Error('bench graph has a cycle');
  const total = time(runs, () => computeWaves(names, edges));
  const graph = DependencyGraph.build(names, edges);
  const build = time(runs, () => DependencyGraph.build(names, edges));
  const waves = time(runs, () => graph.waves());
  const cyclic = [...edges, { from: names[0]!, to: names[n - 1]! }];
  const cycles = time(runs, () => findCycles(names, cyclic));
  console.log(
    `order: ${n.toLocaleString('en')} services, ${m.toLocaleString('en')} edges, ${r.waves.length} waves — ` +
      `computeWaves median ${total.toFixed(2)} ms (build ids+CSR ${build.toFixed(2)} ms, waves+result ${waves.toFixed(2)} ms); ` +
      `findCycles with one cycle ${cycles.toFixed(2)} ms` +
      (n === 10_000 ? ` — target ≤ 20 ms: ${total <= 20 ? 'met' : 'MISSED'}` : ''),
  );
  report({
    name: `order: waves for ${n.toLocaleString('en')} services, ${m.toLocaleString('en')} edges (median)`,
    unit: 'ms', measured: total, ...(n === 10_000 ? { target: '≤ 20 ms', ok: total <= 20 } : {}),
  });
}
