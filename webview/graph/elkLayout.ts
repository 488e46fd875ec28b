// ELK in a Web Worker, never on the main thread. The worker script (elkjs's elk-worker.min.js,
// 1.6 MB) is bundled into webview.js as text and started from a Blob URL (CSP `worker-src blob:`; a
// webview cannot start a worker from its resource URL, which is another origin).
//
// Why bundled rather than fetched lazily from asWebviewUri('dist/elk-worker.min.js') (which works
// under `connect-src ${webview.cspSource}`): in VS Code 1.100 a webview hidden or closed while one of
// its resource requests is still pending leaves the webview service worker waiting for that answer,
// and the next dashboard could not load its own script for up to 30 s (measured: the integration test
// opening a second dashboard right after the first one's Services tab timed out; with the script
// bundled it is ready in ~1 s). Bundled, the only request is webview.js itself, which the service
// worker then caches by ETag; the cost is 1.6 MB more on a dashboard's first load.
//
// ELK cannot cancel a layout: a new layout while one runs terminates that worker and starts another.
// Positions are cached by the layout key (layoutModel.ts), so a re-render with the same structure
// (a colour, a label, another environment) never lays out again.
import ElkConstructor, { type ELK, type ElkNode } from 'elkjs/lib/elk-api.js';
import workerSource from 'elkjs/lib/elk-worker.min.js' with { type: 'text' };
import { fromElkResult, type ElkInput, type Layout } from './layoutModel';

let blobUrl: string | undefined;

function workerBlobUrl(): string {
  blobUrl ??= URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
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

function newElk(): ELK {
  const url = workerBlobUrl();
  return new ElkConstructor({ workerFactory: () => new Worker(url) });
}

/** Lays out in the worker (or answers from the cache). A newer call cancels an older one still running. */
export async function layout(input: ElkInput): Promise<Layout> {
  const hit = cachedLayout(input.key);
  if (hit) return hit;
  cancelLayout();
  let elk = idle;
  idle = undefined;
  elk ??= newElk();
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
  idle = elk; // the next layout reuses the worker

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
