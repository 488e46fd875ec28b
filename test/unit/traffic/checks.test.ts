// Health gate, smoke request and ErrorRateWatcher against real backends and a real HAProxy.
import assert from 'node:assert/strict';
import type { Colour, ColourCounters } from '../../../src/core/ports';
import { ErrorRateWatcher, HealthGateError, smokeRequest, waitHealthy, type Breach } from '../../../src/traffic/checks';
import { HaproxyRouter } from '../../../src/traffic/haproxy';
import { startBackends, type Backends } from '../../support/backends';
import { LoadRecorder, clock } from '../../support/loadRecorder';
import { freePort, makeTempDir, removeTempDir, requireBinary, startHaproxy, type TestHaproxy } from '../../support/trafficRouters';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function breachPromise(): { onBreach: (b: Breach) => void; breaches: Breach[]; next: (timeoutMs: number) => Promise<Breach> } {
  const breaches: Breach[] = [];
  let wake: (() => void) | undefined;
  return {
    breaches,
    onBreach: (b) => { breaches.push(b); wake?.(); },
    next: (timeoutMs) => new Promise((resolve, reject) => {
      if (breaches.length) return resolve(breaches[0]);
      const t = setTimeout(() => reject(new Error(`no breach within ${timeoutMs} ms`)), timeoutMs);
      wake = () => { clearTimeout(t); resolve(breaches[0]); };
    }),
  };
}

describe('traffic: health gate and smoke request', function () {
  this.timeout(20_000);
  let backends: Backends;

  before(async () => { backends = await startBackends(); });
  after(async () => { await backends?.stop(); });
  beforeEach(() => {
    backends.green.setHealthy(true);
    backends.green.setFailRoot(false);
  });

  it('passes a healthy colour after 3 consecutive 2xx', async () => {
    const r = await waitHealthy(`${backends.green.url}/health`, { consecutive: 3, intervalMs: 50 });
    assert.equal(r.attempts, 3);
    assert.ok(r.ms >= 100 && r.ms < 1000, `${r.ms} ms`);
  });

  it('never reports a failing green healthy, and says why', async () => {
    backends.green.setHealthy(false);
    await assert.rejects(waitHealthy(`${backends.green.url}/health`, { consecutive: 3, intervalMs: 50, deadlineMs: 600 }), (err: unknown) => {
      assert.ok(err instanceof HealthGateError);
      assert.match(err.message, /health not healthy: deadline of 600 ms passed after \d+ ms and \d+ attempts \(0 of 3 consecutive successes at the end\); last failure: HTTP 503 \(expected 2xx\) from green/);
      assert.ok(err.attempts >= 5);
      assert.equal(err.lastFailure, 'HTTP 503 (expected 2xx) from green');
      return true;
    });
    // Flapping on every attempt: never three successes in a row, never healthy.
    let flip = true;
    await assert.rejects(waitHealthy(`${backends.green.url}/health`, {
      consecutive: 3, intervalMs: 20, deadlineMs: 800,
      onAttempt: () => { flip = !flip; backends.green.setHealthy(flip); },
    }), /deadline of 800 ms passed .* \([01] of 3 consecutive successes at the end\); last failure: HTTP 503/);
  });

  it('waits for a green that recovers, counting only consecutive successes', async () => {
    backends.green.setHealthy(false);
    const started = Date.now();
    setTimeout(() => backends.green.setHealthy(true), 400);
    const r = await waitHealthy(`${backends.green.url}/health`, { consecutive: 3, intervalMs: 50, deadlineMs: 5000 });
    assert.ok(Date.now() - started >= 500, 'three successes after recovery');
    assert.ok(r.attempts >= 9, `${r.attempts} attempts`);
  });

  it('explains a refused connection and honours cancellation', async () => {
    const port = await freePort();
    await assert.rejects(waitHealthy(`http://127.0.0.1:${port}/health`, { intervalMs: 50, deadlineMs: 300 }), /last failure: ECONNREFUSED/);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 150);
    const started = Date.now();
    backends.green.setHealthy(false);
    await assert.rejects(waitHealthy(`${backends.green.url}/health`, { signal: ac.signal, deadlineMs: 30_000 }), /not healthy: cancelled after/);
    assert.ok(Date.now() - started < 1000);
  });

  it('a smoke request catches a lying green whose /health says 200', async () => {
    backends.green.setFailRoot(true);
    await waitHealthy(`${backends.green.url}/health`, { intervalMs: 20 });
    await assert.rejects(smokeRequest(`${backends.green.url}/`), /smoke GET http:\/\/127\.0\.0\.1:\d+\/: HTTP 500 \(expected 200\) from green/);
    backends.green.setFailRoot(false);
    assert.deepEqual((await smokeRequest(`${backends.green.url}/`)).colour, 'green');
  });
});

describe('traffic: ErrorRateWatcher', function () {
  this.timeout(30_000);
  let backends: Backends;
  let hap: TestHaproxy;
  let dir: string;
  let router: HaproxyRouter;

  before(async () => {
    requireBinary('haproxy');
    backends = await startBackends();
    dir = makeTempDir('watch');
    hap = await startHaproxy(dir, { blue: backends.blue.address, green: backends.green.address });
    router = new HaproxyRouter({ socketPath: hap.socketPath, backend: hap.backend, servers: hap.servers });
  });
  after(async () => {
    await hap?.stop();
    await backends?.stop();
    if (dir) removeTempDir(dir);
  });
  beforeEach(async () => {
    backends.green.setFailRoot(false);
    await router.setWeights({ blue: 100, green: 0 });
  });

  async function detect(weights: { blue: number; green: number }, source: { router?: HaproxyRouter; probeUrl?: string }, label: string) {
    await router.setWeights(weights);
    const load = new LoadRecorder({ url: hap.url, rate: 500 }).start();
    const b = breachPromise();
    const watcher = new ErrorRateWatcher({ colour: 'green', ...source, pollMs: 100, windowMs: 1000, threshold: 0.05, minRequests: 10, onBreach: b.onBreach }).start();
    try {
      await sleep(700);
      assert.equal(watcher.breached, false, 'no breach while green is fine');
      const failAt = clock();
      backends.green.setFailRoot(true);
      const breach = await b.next(5000);
      const latency = breach.detectedAt - failAt;
      await router.setWeights({ blue: 100, green: 0 }); // the automatic rollback
      await sleep(300);
      const s = await load.stop();
      console.log(`      ${label}: breach after ${latency.toFixed(0)} ms (${breach.errors}/${breach.requests} green requests failed over ${breach.windowMs.toFixed(0)} ms); client 5xx with rollback on breach: ${s.http5xx} of ${s.total}`);
      assert.equal(b.breaches.length, 1, 'onBreach is called once');
      assert.ok(breach.errorRate > 0.05 && breach.requests >= 10);
      return latency;
    } finally {
      watcher.stop();
      await load.stop();
      backends.green.setFailRoot(false);
    }
  }

  it('detects a green returning 500 after a full switch within 1 s from HAProxy counters', async () => {
    const latency = await detect({ blue: 0, green: 100 }, { router }, 'haproxy show stat, 100 % green');
    assert.ok(latency < 1000, `detected after ${latency} ms`);
  });

  it('detects it at a 10 % step within 1 s', async () => {
    const latency = await detect({ blue: 90, green: 10 }, { router }, 'haproxy show stat, 10 % green');
    assert.ok(latency < 1000, `detected after ${latency} ms`);
  });

  it('falls back to probes through the router when it has no per-colour metrics', async () => {
    const latency = await detect({ blue: 0, green: 100 }, { probeUrl: hap.url }, 'probes through haproxy, 100 % green');
    assert.ok(latency < 2000, `detected after ${latency} ms`);
  });

  it('ignores a counter reset and too few requests, and breaches on the window only', async () => {
    let green: ColourCounters = { requests: 1000, errors5xx: 900 };
    const counters = async (): Promise<Record<Colour, ColourCounters>> => ({ blue: { requests: 0, errors5xx: 0 }, green: { ...green } });
    const b = breachPromise();
    const watcher = new ErrorRateWatcher({ colour: 'green', counters, pollMs: 20, windowMs: 200, onBreach: b.onBreach }).start();
    await sleep(60);
    green = { requests: 5, errors5xx: 5 }; // router restarted: counters start over
    await sleep(60);
    green = { requests: 14, errors5xx: 14 }; // 9 new requests: below minRequests
    await sleep(60);
    assert.equal(watcher.breached, false);
    green = { requests: 115, errors5xx: 19 }; // 110 new, 14 errors: 12.7 %
    const breach = await b.next(1000);
    assert.equal(breach.requests, 110);
    assert.equal(breach.errors, 14);
    watcher.stop();
    assert.throws(() => new ErrorRateWatcher({ colour: 'green', onBreach: () => {} }), /needs counters, a router with per-colour metrics, or a probeUrl/);
  });
});
