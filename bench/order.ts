// Deployment waves at scale: random DAGs with a fixed seed, median of several runs.
// Run: npx tsx bench/order.ts        Target: ≤ 20 ms for 10,000 services and 15,000 edges.
import { performance } from 'node:perf_hooks';
import { report } from './report';
import { computeWaves, DependencyGraph, findCycles, type DependencyEdge } from '../src/core/dependencyGraph';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n services named in a shuffled order; each edge goes from a later to an earlier position, so no cycle. */
function randomDag(n: number, m: number, seed: number): { names: string[]; edges: DependencyEdge[] } {
  const rnd = mulberry32(seed);
  const names = Array.from({ length: n }, (_, i) => `svc-${i.toString(36)}`);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [names[i], names[j]] = [names[j]!, names[i]!];
  }
  const edges: DependencyEdge[] = [];
  const seen = new Set<number>();
  while (edges.length < m) {
    const a = Math.floor(rnd() * n);
    const b = Math.floor(rnd() * n);
    if (a === b) continue;
    const from = Math.max(a, b);
    const to = Math.min(a, b);
    if (seen.has(from * n + to)) continue;
    seen.add(from * n + to);
    edges.push({ from: names[from]!, to: names[to]! });
  }
  return { names, edges };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

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
  const { names, edges } = randomDag(n, m, 42);
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
