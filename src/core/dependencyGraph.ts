// Deployment order over a service dependency graph: waves (Kahn), cycles (Tarjan SCC),
// rollback order and the services blocked by a failure. Pure TypeScript, no I/O.
//
// Edges point from the dependent to its dependency (`api → db`: api needs db first).
// Names are mapped to integer ids once, in alphabetical order, so that the hot loops run over
// Int32Array CSR adjacency and "alphabetical within a wave" is just "ascending id"
// (string-keyed Maps in the loop are ~70× slower, see shared/notes/stack-facts.md).

import type { DeploymentOrder } from './model';

export interface DependencyEdge {
  /** The dependent. */
  from: string;
  /** The dependency: deployed before `from`. */
  to: string;
}

export interface OrderedService {
  name: string;
  /** 1-based position in the flat deployment order (waves concatenated). */
  order: number;
  /** 0 = no dependency inside the set; otherwise 1 + the highest wave among its dependencies. */
  wave: number;
  /** Every declared dependency, inside the set or not, deduplicated and sorted. */
  dependencies: string[];
  /** The dependencies that are not in the set (the caller checks they already run somewhere). */
  externalDependencies: string[];
}

export interface WavesOk {
  ok: true;
  /** Services grouped by wave, each wave sorted alphabetically. */
  waves: string[][];
  /** Flat order: wave by wave, alphabetical within a wave. */
  order: OrderedService[];
}

export interface Cycle {
  /** A real closed path, starting and ending at the alphabetically smallest member: ['api', 'auth', 'api']. */
  path: string[];
  /** `api → auth → api` */
  text: string;
  /** Every service of the strongly connected component (sorted); may be more than the path. */
  members: string[];
}

export interface WavesCycle {
  ok: false;
  /** One cycle per strongly connected component that has one, sorted by path text. */
  cycles: Cycle[];
  /** Services outside any cycle that cannot be ordered because they (transitively) depend on one. */
  blocked: string[];
  error: CycleError;
}

export type WavesResult = WavesOk | WavesCycle;

export class CycleError extends Error {
  constructor(readonly cycles: readonly Cycle[]) {
    super(
      cycles.length === 1
        ? `Dependency cycle: ${cycles[0]!.text}`
        : `Dependency cycles: ${cycles.map((c) => c.text).join('; ')}`,
    );
    this.name = 'CycleError';
  }
}

export const CYCLE_ARROW = ' → ';

/**
 * An immutable graph over integer ids. Build it once when several questions are asked of the same
 * services (waves, then blocked dependents during a deployment).
 */
export class DependencyGraph {
  /** Sorted, unique names; the index is the id. */
  readonly names: readonly string[];
  private readonly ids: Map<string, number>;
  /** dependent → dependencies (forward) CSR. */
  private readonly depOffsets: Int32Array;
  private readonly deps: Int32Array;
  /** dependency → dependents (reverse) CSR. */
  private readonly revOffsets: Int32Array;
  private readonly revs: Int32Array;
  /** Declared dependencies that are not nodes of the graph, per id (only where any exist). */
  private readonly external: Map<number, string[]>;

  private constructor(names: string[], ids: Map<string, number>, edges: readonly DependencyEdge[]) {
    this.names = names;
    this.ids = ids;
    const n = names.length;
    const from = new Int32Array(edges.length);
    const to = new Int32Array(edges.length);
    let m = 0;
    this.external = new Map();
    for (const e of edges) {
      const f = ids.get(e.from);
      if (f === undefined) continue;
      const t = ids.get(e.to);
      if (t === undefined) {
        const list = this.external.get(f);
        if (list) list.push(e.to);
        else this.external.set(f, [e.to]);
        continue;
      }
      from[m] = f;
      to[m] = t;
      m++;
    }
    [this.depOffsets, this.deps] = csr(n, m, from, to);
    [this.revOffsets, this.revs] = csr(n, m, to, from);
  }

  static build(nodes: Iterable<string>, edges: readonly DependencyEdge[]): DependencyGraph {
    // The default sort compares UTF-16 code units, exactly like compareNames, and is faster.
    const names = Array.from(new Set(nodes)).sort();
    const ids = new Map<string, number>();
    for (let i = 0; i < names.length; i++) ids.set(names[i]!, i);
    return new DependencyGraph(names, ids, edges);
  }

  get size(): number {
    return this.names.length;
  }

  has(name: string): boolean {
    return this.ids.has(name);
  }

  /** Direct dependencies inside the graph, sorted. */
  dependenciesOf(name: string): string[] {
    const id = this.ids.get(name);
    if (id === undefined) return [];
    return this.uniqueNames(this.deps, this.depOffsets[id]!, this.depOffsets[id + 1]!);
  }

  /** Direct dependents inside the graph, sorted. */
  dependentsOf(name: string): string[] {
    const id = this.ids.get(name);
    if (id === undefined) return [];
    return this.uniqueNames(this.revs, this.revOffsets[id]!, this.revOffsets[id + 1]!);
  }

  /** Minimal waves by Kahn's algorithm, or the cycles that prevent an order. */
  waves(): WavesResult {
    const { wave, processed, waveCount } = this.kahn();
    const n = this.names.length;
    if (processed < n) {
      const cycles = this.cycles();
      const inCycle = new Uint8Array(n);
      for (const c of cycles) for (const name of c.members) inCycle[this.ids.get(name)!] = 1;
      const blocked: string[] = [];
      for (let i = 0; i < n; i++) if (wave[i] === -1 && !inCycle[i]) blocked.push(this.names[i]!);
      return { ok: false, cycles, blocked, error: new CycleError(cycles) };
    }
    // Counting sort by wave; ids ascend within a wave because we scan ids in order.
    const counts = new Int32Array(waveCount + 1);
    for (let i = 0; i < n; i++) counts[wave[i]! + 1]!++;
    for (let w = 0; w < waveCount; w++) counts[w + 1]! += counts[w]!;
    const flat = new Int32Array(n);
    const cursor = counts.slice(0, waveCount);
    for (let i = 0; i < n; i++) flat[cursor[wave[i]!]!++] = i;
    const waves: string[][] = [];
    const order: OrderedService[] = new Array(n);
    for (let w = 0; w < waveCount; w++) {
      const names: string[] = [];
      for (let k = counts[w]!; k < counts[w + 1]!; k++) {
        const id = flat[k]!;
        const name = this.names[id]!;
        names.push(name);
        const internal = this.uniqueNames(this.deps, this.depOffsets[id]!, this.depOffsets[id + 1]!);
        const ext = this.external.get(id);
        const external = ext ? [...new Set(ext)].sort(compareNames) : [];
        order[k] = {
          name,
          order: k + 1,
          wave: w,
          dependencies: external.length ? [...new Set([...internal, ...external])].sort(compareNames) : internal,
          externalDependencies: external,
        };
      }
      waves.push(names);
    }
    return { ok: true, waves, order };
  }

  /**
   * Every dependency cycle, one per strongly connected component (Tarjan, iterative), each as a
   * shortest closed path through the component's alphabetically smallest member.
   */
  cycles(): Cycle[] {
    const n = this.names.length;
    const offsets = this.depOffsets;
    const adj = this.deps;
    const index = new Int32Array(n).fill(-1);
    const low = new Int32Array(n);
    const onStack = new Uint8Array(n);
    const stack = new Int32Array(n);
    let sp = 0;
    const callNode = new Int32Array(n);
    const callEdge = new Int32Array(n);
    let counter = 0;
    const comp = new Int32Array(n).fill(-1);
    let compCount = 0;
    const cycles: Cycle[] = [];

    for (let root = 0; root < n; root++) {
      if (index[root] !== -1) continue;
      let depth = 0;
      callNode[0] = root;
      callEdge[0] = offsets[root]!;
      index[root] = low[root] = counter++;
      stack[sp++] = root;
      onStack[root] = 1;
      while (depth >= 0) {
        const v = callNode[depth]!;
        const e = callEdge[depth]!;
        if (e < offsets[v + 1]!) {
          callEdge[depth] = e + 1;
          const w = adj[e]!;
          if (index[w] === -1) {
            index[w] = low[w] = counter++;
            stack[sp++] = w;
            onStack[w] = 1;
            depth++;
            callNode[depth] = w;
            callEdge[depth] = offsets[w]!;
          } else if (onStack[w] && index[w]! < low[v]!) {
            low[v] = index[w]!;
          }
          continue;
        }
        if (low[v] === index[v]) {
          const members: number[] = [];
          let w: number;
          do {
            w = stack[--sp]!;
            onStack[w] = 0;
            comp[w] = compCount;
            members.push(w);
          } while (w !== v);
          const selfLoop = members.length === 1 && this.hasEdge(v, v);
          if (members.length > 1 || selfLoop) cycles.push(this.cycleOf(members, comp, compCount));
          compCount++;
        }
        depth--;
        if (depth >= 0) {
          const parent = callNode[depth]!;
          if (low[v]! < low[parent]!) low[parent] = low[v]!;
        }
      }
    }
    return cycles.sort((a, b) => compareNames(a.text, b.text));
  }

  /**
   * Every service that transitively depends on one of `failed` (excluding the failed services
   * themselves), sorted: these are *blocked* when a deployment of `failed` fails.
   */
  dependentsClosure(failed: Iterable<string>): string[] {
    const n = this.names.length;
    const seen = new Uint8Array(n);
    const queue = new Int32Array(n);
    let head = 0;
    let tail = 0;
    const start = new Uint8Array(n);
    for (const name of failed) {
      const id = this.ids.get(name);
      if (id === undefined || seen[id]) continue;
      seen[id] = 1;
      start[id] = 1;
      queue[tail++] = id;
    }
    while (head < tail) {
      const v = queue[head++]!;
      for (let k = this.revOffsets[v]!; k < this.revOffsets[v + 1]!; k++) {
        const w = this.revs[k]!;
        if (!seen[w]) {
          seen[w] = 1;
          queue[tail++] = w;
        }
      }
    }
    const out: string[] = [];
    for (let i = 0; i < n; i++) if (seen[i] && !start[i]) out.push(this.names[i]!);
    return out;
  }

  private kahn(): { wave: Int32Array; processed: number; waveCount: number } {
    const n = this.names.length;
    const indeg = new Int32Array(n);
    for (let i = 0; i < n; i++) indeg[i] = this.depOffsets[i + 1]! - this.depOffsets[i]!;
    const wave = new Int32Array(n).fill(-1);
    const queue = new Int32Array(n);
    let tail = 0;
    for (let i = 0; i < n; i++) {
      if (indeg[i] === 0) {
        wave[i] = 0;
        queue[tail++] = i;
      }
    }
    let head = 0;
    let waveCount = tail > 0 ? 1 : 0;
    // Nodes leave the queue in non-decreasing wave order, so when a node's last dependency is
    // removed that dependency has the highest wave among them: wave = 1 + max(dependency waves).
    while (head < tail) {
      const v = queue[head++]!;
      const next = wave[v]! + 1;
      for (let k = this.revOffsets[v]!; k < this.revOffsets[v + 1]!; k++) {
        const w = this.revs[k]!;
        if (--indeg[w]! === 0) {
          wave[w] = next;
          if (next + 1 > waveCount) waveCount = next + 1;
          queue[tail++] = w;
        }
      }
    }
    return { wave, processed: tail, waveCount };
  }

  private hasEdge(from: number, to: number): boolean {
    for (let k = this.depOffsets[from]!; k < this.depOffsets[from + 1]!; k++) if (this.deps[k] === to) return true;
    return false;
  }

  /** Shortest closed path (BFS, smallest ids first) from the component's smallest member back to it. */
  private cycleOf(members: number[], comp: Int32Array, c: number): Cycle {
    members.sort((a, b) => a - b);
    const start = members[0]!;
    let path: number[];
    if (this.hasEdge(start, start)) {
      path = [start, start];
    } else {
      const parent = new Map<number, number>();
      const queue = [start];
      let found = -1;
      for (let h = 0; h < queue.length && found === -1; h++) {
        const v = queue[h]!;
        const next = this.uniqueIds(v).filter((w) => comp[w] === c);
        for (const w of next) {
          if (w === start) {
            found = v;
            break;
          }
          if (!parent.has(w)) {
            parent.set(w, v);
            queue.push(w);
          }
        }
      }
      // A component of two or more members always has a path back to any member.
      const rev = [start];
      for (let v = found; v !== start; v = parent.get(v)!) rev.push(v);
      rev.push(start);
      path = rev.reverse();
    }
    const names = path.map((id) => this.names[id]!);
    return { path: names, text: names.join(CYCLE_ARROW), members: members.map((id) => this.names[id]!) };
  }

  /** Adjacency lists are already sorted and deduplicated by csr(). */
  private uniqueIds(id: number): number[] {
    return Array.from(this.deps.subarray(this.depOffsets[id]!, this.depOffsets[id + 1]!));
  }

  private uniqueNames(adj: Int32Array, begin: number, end: number): string[] {
    const out: string[] = new Array(end - begin);
    for (let k = begin; k < end; k++) out[k - begin] = this.names[adj[k]!]!;
    return out;
  }
}

/** Waves for `nodes` given `edges` (dependent → dependency); edges from outside the set are ignored. */
export function computeWaves(nodes: Iterable<string>, edges: readonly DependencyEdge[]): WavesResult {
  return DependencyGraph.build(nodes, edges).waves();
}

/** Every cycle among `nodes`; empty when the graph is a DAG. */
export function findCycles(nodes: Iterable<string>, edges: readonly DependencyEdge[]): Cycle[] {
  return DependencyGraph.build(nodes, edges).cycles();
}

/** Transitive dependents of `failed` (not including them): the services to mark *blocked*. */
export function dependentsClosure(
  nodes: Iterable<string>,
  edges: readonly DependencyEdge[],
  failed: Iterable<string>,
): string[] {
  return DependencyGraph.build(nodes, edges).dependentsClosure(failed);
}

/**
 * The `DeploymentOrder[]` of a successful result. A dependency inside the set is always earlier in
 * the order, so readiness only asks about the dependencies outside it: `external(name)` answers
 * true when `name` already runs a compatible version in the target environment, or else why not
 * (e.g. "auth is not deployed to staging"); the reasons of a service are joined with "; ".
 */
export function toDeploymentOrder(result: WavesOk, external: (dependency: string) => true | string): DeploymentOrder[] {
  const answers = new Map<string, true | string>();
  return result.order.map((o) => {
    const reasons: string[] = [];
    for (const dep of o.externalDependencies) {
      let a = answers.get(dep);
      if (a === undefined) answers.set(dep, (a = external(dep)));
      if (a !== true) reasons.push(a);
    }
    const entry: DeploymentOrder = { service: o.name, order: o.order, wave: o.wave, dependencies: o.dependencies, ready: reasons.length === 0 };
    if (reasons.length) entry.reason = reasons.join('; ');
    return entry;
  });
}

/**
 * Rollback order: the last wave first, so that no service is rolled back while something that
 * depends on it still runs the new version. Within a wave services are independent; they keep
 * their alphabetical order so the plan reads the same way as the deployment.
 */
export function reverseOrder(waves: readonly (readonly string[])[]): string[][] {
  return waves.map((w) => [...w]).reverse();
}

/** Code-unit order: deterministic whatever the locale. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** CSR adjacency with each node's list sorted by id and duplicates (repeated edges) removed. */
function csr(n: number, m: number, from: Int32Array, to: Int32Array): [Int32Array, Int32Array] {
  const offsets = new Int32Array(n + 1);
  for (let k = 0; k < m; k++) offsets[from[k]! + 1]!++;
  for (let i = 0; i < n; i++) offsets[i + 1]! += offsets[i]!;
  const cursor = offsets.slice(0, n);
  const adj = new Int32Array(m);
  for (let k = 0; k < m; k++) adj[cursor[from[k]!]!++] = to[k]!;
  let write = 0;
  let begin = 0;
  for (let i = 0; i < n; i++) {
    const end = offsets[i + 1]!;
    if (end - begin > 1) adj.subarray(begin, end).sort();
    offsets[i] = write;
    for (let k = begin; k < end; k++) if (k === begin || adj[k] !== adj[k - 1]) adj[write++] = adj[k]!;
    begin = end;
  }
  offsets[n] = write;
  return [offsets, write === m ? adj : adj.slice(0, write)];
}
