// The Services graph as ELK input, and the key its positions are cached under. Pure (no DOM), so the
// unit tests and the benchmark load it too.
//
// Edges are drawn from the dependency to the dependent (deployment flows left to right), and each
// wave gets its own column:
// - small graphs: ELK's partitioning pins every node to its column exactly — services outside the
//   release that it needs first (one column per level among themselves), then wave 0, wave 1, …;
// - large graphs (partitioning doubles ELK's time at 500 services): longest-path layering from the
//   sources, which puts a service at its longest dependency chain — its wave when the release needs
//   no outside service; column headers then name the waves each column holds.
// A graph with a cycle has no waves: ELK breaks the cycle itself and there are no column headers.
import type { ElkExtendedEdge, ElkNode, LayoutOptions } from 'elkjs/lib/elk-api.js';
import type { ServiceGraphView } from '../../src/shared/protocol';

export const NODE_HEIGHT = 46;
const NODE_MIN_WIDTH = 120;
const NODE_MAX_WIDTH = 240;
/** Roughly the advance of one character at the graph's 12px font. */
const CHAR_WIDTH = 7.2;

/** Above this many services the layout uses the fast profile (thoroughness 1, simple node placement). */
export const FAST_PROFILE_ABOVE = 150;

export interface Column {
  partition: number;
  /** "Wave 0", or "Outside the release" for services the release needs but does not name. */
  label: string;
}

export interface ElkInput {
  graph: ElkNode;
  /** Cache key of the positions: changes exactly when the layout would. */
  key: string;
  /** Whether ELK's partitioning pins each wave to its column (small graphs whose waves allow it). */
  partitioned: boolean;
  /** The column of each node (empty when a cycle leaves no columns). */
  partitionOf: Map<string, number>;
  columns: Column[];
  fast: boolean;
}

export function nodeWidth(name: string): number {
  // Room for the name and the wave badge; the state line is cut to fit.
  return Math.round(Math.min(NODE_MAX_WIDTH, Math.max(NODE_MIN_WIDTH, name.length * CHAR_WIDTH + 56)));
}

/** Edge ids are stable across snapshots: the pair of names. */
export const edgeId = (dependent: string, dependency: string) => `${dependency}\u2192${dependent}`;

/**
 * Columns as ELK partitions: outside services by their depth among themselves, then the release's
 * waves. Undefined when they cannot be ordered that way.
 */
export function partitions(view: Pick<ServiceGraphView, 'nodes' | 'edges'>): Map<string, number> | undefined {
  const inRelease = new Map(view.nodes.map((n) => [n.name, n]));
  const outside = view.nodes.filter((n) => !n.inRelease);
  for (const n of view.nodes) if (n.inRelease && n.wave === undefined) return undefined; // no order (cycle) or missing
  // An outside service that needs one of the release's services would have to sit right of it.
  for (const e of view.edges) if (!inRelease.get(e.from)?.inRelease && inRelease.get(e.to)?.inRelease) return undefined;
  const deps = new Map<string, string[]>();
  for (const e of view.edges) deps.set(e.from, [...(deps.get(e.from) ?? []), e.to]);
  const level = new Map<string, number>();
  const visiting = new Set<string>();
  const levelOf = (name: string): number | undefined => {
    const known = level.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) return undefined; // a cycle among outside services
    visiting.add(name);
    let l = 0;
    for (const d of deps.get(name) ?? []) {
      const dl = levelOf(d);
      if (dl === undefined) return undefined;
      l = Math.max(l, dl + 1);
    }
    visiting.delete(name);
    level.set(name, l);
    return l;
  };
  let outsideLevels = 0;
  for (const n of outside) {
    const l = levelOf(n.name);
    if (l === undefined) return undefined;
    outsideLevels = Math.max(outsideLevels, l + 1);
  }
  const out = new Map<string, number>();
  for (const n of view.nodes) out.set(n.name, n.inRelease ? outsideLevels + n.wave! : level.get(n.name)!);
  return out;
}

/** Longest chain of dependencies below each node (0 = needs nothing shown); undefined on a cycle. */
export function depths(view: Pick<ServiceGraphView, 'nodes' | 'edges'>): Map<string, number> | undefined {
  const deps = new Map<string, string[]>();
  for (const e of view.edges) deps.set(e.from, [...(deps.get(e.from) ?? []), e.to]);
  const depth = new Map<string, number>();
  const onPath = new Set<string>();
  // Iterative DFS: a chain of 500 services must not overflow the stack.
  for (const n of view.nodes) {
    if (depth.has(n.name)) continue;
    const stack: { name: string; i: number }[] = [{ name: n.name, i: 0 }];
    onPath.add(n.name);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const list = deps.get(top.name) ?? [];
      if (top.i < list.length) {
        const d = list[top.i++]!;
        if (depth.has(d)) continue;
        if (onPath.has(d)) return undefined;
        onPath.add(d);
        stack.push({ name: d, i: 0 });
        continue;
      }
      let v = 0;
      for (const d of list) v = Math.max(v, depth.get(d)! + 1);
      depth.set(top.name, v);
      onPath.delete(top.name);
      stack.pop();
    }
  }
  return depth;
}

/** Header of each column from the services in it. */
export function columnLabels(view: Pick<ServiceGraphView, 'nodes'>, columnOf: ReadonlyMap<string, number>): Column[] {
  const members = new Map<number, { waves: Set<number>; outside: number }>();
  for (const n of view.nodes) {
    const c = columnOf.get(n.name);
    if (c === undefined) continue;
    const m = members.get(c) ?? { waves: new Set<number>(), outside: 0 };
    if (n.inRelease && n.wave !== undefined) m.waves.add(n.wave);
    else if (!n.inRelease) m.outside++;
    members.set(c, m);
  }
  const columns: Column[] = [];
  let outsideShown = false;
  for (const [partition, m] of [...members].sort((a, b) => a[0] - b[0])) {
    const waves = [...m.waves].sort((a, b) => a - b);
    let label = waves.length === 1 ? `Wave ${waves[0]}` : waves.length ? `Waves ${waves.join(', ')}` : '';
    if (!waves.length && m.outside && !outsideShown) label = 'Outside the release';
    if (!waves.length && m.outside) outsideShown = true;
    columns.push({ partition, label });
  }
  return columns;
}

export function toElkInput(view: Pick<ServiceGraphView, 'nodes' | 'edges'>): ElkInput {
  const fast = view.nodes.length > FAST_PROFILE_ABOVE;
  const exact = fast ? undefined : partitions(view);
  const partitioned = exact !== undefined;
  // Columns: exact partitions, else longest-path depths (the layering ELK is asked for), else none.
  const ordered = view.nodes.every((n) => !n.inRelease || n.wave !== undefined);
  const byDepth = partitioned || !ordered ? undefined : depths(view);
  const partitionOf = exact ?? byDepth ?? new Map<string, number>();
  const layoutOptions: LayoutOptions = {
    'elk.algorithm': 'layered',
    'elk.direction': 'RIGHT',
    'elk.spacing.nodeNode': '18',
    'elk.layered.spacing.nodeNodeBetweenLayers': '56',
    'elk.spacing.edgeNode': '14',
    'elk.padding': '[top=36,left=16,bottom=16,right=16]',
    'elk.edgeRouting': 'POLYLINE',
    ...(partitioned ? { 'elk.partitioning.activate': 'true' } : byDepth ? { 'elk.layered.layering.strategy': 'LONGEST_PATH_SOURCE' } : {}),
    // Measured at 500 services (bench/graph.ts, Node): LINEAR_SEGMENTS 1.1–1.6 s, SIMPLE 0.4 s and a
    // drawing half as wide and tall (7,446 × 5,284 px instead of 14,082 × 10,041).
    ...(fast ? { 'elk.layered.thoroughness': '1', 'elk.layered.nodePlacement.strategy': 'SIMPLE' } : {}),
  };
  const children: ElkNode[] = view.nodes.map((n) => {
    const node: ElkNode = { id: n.name, width: nodeWidth(n.name), height: NODE_HEIGHT };
    if (partitioned) node.layoutOptions = { 'elk.partitioning.partition': String(partitionOf.get(n.name)) };
    return node;
  });
  const edges: ElkExtendedEdge[] = view.edges.map((e) => ({ id: edgeId(e.from, e.to), sources: [e.to], targets: [e.from] }));
  const graph: ElkNode = { id: 'root', layoutOptions, children, edges };
  return { graph, key: layoutKey(graph), partitioned, partitionOf, columns: columnLabels(view, partitionOf), fast };
}

/**
 * The position cache key: a hash over everything ELK reads (options, node ids and sizes, partitions,
 * edges), so colour or label changes reuse the positions and structural changes lay out again.
 */
export function layoutKey(graph: ElkNode): string {
  const parts: string[] = [JSON.stringify(graph.layoutOptions ?? {})];
  for (const c of graph.children ?? []) parts.push(`n${c.id}|${c.width}|${c.height}|${c.layoutOptions?.['elk.partitioning.partition'] ?? ''}`);
  for (const e of graph.edges ?? []) parts.push(`e${e.sources.join(',')}>${e.targets.join(',')}`);
  return `${graph.children?.length ?? 0}n${graph.edges?.length ?? 0}e-${hash53(parts.join('\n'))}`;
}

/** cyrb53: a fast 53-bit string hash (collisions are not a security concern for a position cache). */
export function hash53(s: string, seed = 0): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

export interface Point {
  x: number;
  y: number;
}

export interface PlacedNode {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** ELK's answer reduced to what the view draws. */
export interface Layout {
  key: string;
  width: number;
  height: number;
  nodes: Map<string, PlacedNode>;
  /** By edge id: the polyline from the dependency to the dependent. */
  edges: Map<string, Point[]>;
  /** Column headers at the left of their column. */
  columns: { label: string; x: number }[];
  /** How long ELK took in the worker, in ms (absent when taken from the cache). */
  ms?: number;
}

export function fromElkResult(input: ElkInput, result: ElkNode): Layout {
  const nodes = new Map<string, PlacedNode>();
  for (const c of result.children ?? []) nodes.set(c.id, { x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? 0, height: c.height ?? 0 });
  const edges = new Map<string, Point[]>();
  for (const e of (result.edges ?? []) as ElkExtendedEdge[]) {
    const points: Point[] = [];
    for (const s of e.sections ?? []) {
      if (!points.length) points.push(s.startPoint);
      for (const b of s.bendPoints ?? []) points.push(b);
      points.push(s.endPoint);
    }
    edges.set(e.id, points);
  }
  const columns: Layout['columns'] = [];
  if (input.partitionOf.size) {
    const minX = new Map<number, number>();
    for (const [name, p] of input.partitionOf) {
      const n = nodes.get(name);
      if (n) minX.set(p, Math.min(minX.get(p) ?? Infinity, n.x));
    }
    for (const c of input.columns) if (c.label && minX.has(c.partition)) columns.push({ label: c.label, x: minX.get(c.partition)! });
  }
  return { key: input.key, width: result.width ?? 0, height: result.height ?? 0, nodes, edges, columns };
}
