// ELK in a Web Worker, never on the main thread. The worker script (dist/elk-worker.min.js, 1.6 MB)
// is fetched from the extension only when a graph first needs a layout (CSP `connect-src
// ${webview.cspSource}`), then started from a Blob (CSP `worker-src blob:`): a webview cannot start
// a worker from its resource URL, which is another origin. Bundling the script as text would cost
// every dashboard 1.6 MB of parsing, even those never showing the graph.
//
// ELK cannot cancel a layout: a new layout while one runs terminates that worker and starts another.
// Positions are cached by the layout key (layoutModel.ts), so a re-render with the same structure
// (a colour, a label, another environment) never lays out again.
import ElkConstructor, { type ELK, type ElkNode } from 'elkjs/lib/elk-api.js';
import { fromElkResult, type ElkInput, type Layout } from './layoutModel';

let workerUrl: string | undefined;
let blobUrl: Promise<string> | undefined;

/** Where to fetch elk-worker.min.js from (the dashboard passes its webview URI on #root). */
export function configureElkWorker(url: string): void {
  if (url !== workerUrl) {
    workerUrl = url;
    blobUrl = undefined;
  }
}

function workerBlobUrl(): Promise<string> {
  const url = workerUrl ?? document.getElementById('root')?.dataset.elkWorker;
  if (!url) return Promise.reject(new Error('the page does not say where the layout worker is (data-elk-worker)'));
  blobUrl ??= (async () => {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`could not load the layout worker (${response.status} ${response.statusText})`);
    const source = await response.text();
    return URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  })();
  // A failed fetch is retried on the next layout instead of being remembered.
  blobUrl.catch(() => (blobUrl = undefined));
  return blobUrl;
}

export class CancelledLayout extends Error {
  constructor() {
    super('layout superseded');
    this.name = 'CancelledLayout';
  }
}

const CACHE_LIMIT = 12;
const cache = new Map<string, Layout>();

export function cachedLayout(key: string): Layout | undefined {
  const hit = cache.get(key);
  if (hit) {
    // Most recently used last.
    cache.delete(key);
    cache.set(key, hit);
  }
  return hit;
}

function remember(layout: Layout): void {
  cache.set(layout.key, layout);
  while (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value!);
}

/** How many layouts ran in a worker since the page loaded (the e2e test checks re-renders reuse positions). */
export let layoutsRun = 0;

interface Running {
  elk: ELK;
  reject(e: Error): void;
}

let idle: ELK | undefined;
let running: Running | undefined;
/** Bumped by every layout request: a request that is no longer the newest gives up. */
let generation = 0;

async function newElk(): Promise<ELK> {
  const url = await workerBlobUrl();
  return new ElkConstructor({ workerFactory: () => new Worker(url) });
}

/** Lays out in the worker (or answers from the cache). A newer call cancels an older one still running. */
export async function layout(input: ElkInput): Promise<Layout> {
  const hit = cachedLayout(input.key);
  if (hit) return hit;
  cancelLayout();
  const gen = ++generation;
  let elk = idle;
  idle = undefined;
  elk ??= await newElk();
  if (gen !== generation) {
    // A newer layout started while the worker script was loading.
    if (idle === undefined) idle = elk;
    else elk.terminateWorker();
    throw new CancelledLayout();
  }
  const started = performance.now();
  const result = await new Promise<ElkNode>((resolve, reject) => {
    const mine: Running = { elk: elk!, reject };
    running = mine;
    elk!.layout(input.graph).then(
      (r) => {
        if (running === mine) running = undefined;
        resolve(r as ElkNode);
      },
      (e: unknown) => {
        if (running === mine) running = undefined;
        reject(e instanceof Error ? e : new Error(String((e as { message?: unknown })?.message ?? e)));
      },
    );
  });
  layoutsRun++;
  // Reused by the next layout (one idle worker at most).
  const previous = idle as ELK | undefined; // set meanwhile by a layout that started later
  if (previous && previous !== elk) previous.terminateWorker();
  idle = elk;
  const out = fromElkResult(input, result);
  out.ms = Math.round(performance.now() - started);
  remember(out);
  return out;
}

/** Stops a layout in progress (its promise rejects with CancelledLayout). */
export function cancelLayout(): void {
  const r = running;
  if (!r) return;
  running = undefined;
  r.elk.terminateWorker();
  r.reject(new CancelledLayout());
}
