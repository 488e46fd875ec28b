// Shared by the benchmarks: a seeded random source, a median, and random dependency graphs.
import type { DependencyEdge } from '../src/core/dependencyGraph';

/** A small seeded PRNG, so every run measures the same graphs. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** n services named in a shuffled order; m distinct edges, each from a later to an earlier position, so no cycle. */
export function randomDag(n: number, m: number, rnd: () => number): { names: string[]; edges: DependencyEdge[] } {
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
