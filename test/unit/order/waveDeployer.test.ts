// The deployServices step with real child processes (NodeProcessRunner), a real sql.js database and
// a real local HTTP server for health checks.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { ServiceInput } from '../../../src/core/model';
import type { ServiceDeployContext, ServiceDeployResult } from '../../../src/core/ports';
import { DependencyAwareDeploymentManager } from '../../../src/core/releases/DependencyAwareDeploymentManager';
import { WaveServiceDeployer, type WaveServiceDeployerDeps } from '../../../src/core/waveDeployer';
import { httpClient } from '../../../src/process/httpRequest';
import { NodeProcessRunner } from '../../../src/process/processRunner';
import { isProcessGone } from '../../../src/process/treeKill';
import { openCore, tempDir, type CoreHarness } from '../../support/coreHarness';

interface Health {
  url(service: string): string;
  /** Date.now() of the first 200 per service. */
  healthyAt: Map<string, number>;
  hits: Map<string, number>;
  close(): Promise<void>;
}

/** GET /health/<service> answers `status(service, hit)`. */
async function healthServer(status: (service: string, hit: number) => number): Promise<Health> {
  const healthyAt = new Map<string, number>();
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const service = decodeURIComponent((req.url ?? '').split('/')[2] ?? '');
    const n = (hits.get(service) ?? 0) + 1;
    hits.set(service, n);
    const code = status(service, n);
    if (code === 200 && !healthyAt.has(service)) healthyAt.set(service, Date.now());
    res.writeHead(code, { connection: 'close' });
    res.end(code === 200 ? 'ok' : 'not yet');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (s) => `http://127.0.0.1:${port}/health/${s}`,
    healthyAt,
    hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface Rig {
  h: CoreHarness;
  /** The workspace folder commands run in. */
  cwd: string;
  /** Where commands leave markers ($MARK). */
  mark: string;
  output: string[];
  deploy(services: string[], opts?: Partial<WaveServiceDeployerDeps> & { env?: Record<string, string>; signal?: AbortSignal; environment?: string }): Promise<ServiceDeployResult>;
}

let versionSeq = 0;
async function withRig(catalog: ServiceInput[], fn: (rig: Rig) => Promise<void>): Promise<void> {
  const h = await openCore();
  const cwd = tempDir('rm-wave-ws-');
  const mark = path.join(cwd, 'marks');
  fs.mkdirSync(mark);
  const output: string[] = [];
  try {
    if (catalog.length) await h.catalog.addServices(catalog);
    const rig: Rig = {
      h, cwd, mark, output,
      async deploy(services, opts = {}) {
        const { release } = await h.releases.createRelease('Wave test', `9.${++versionSeq}.0`, { services });
        const deployer = new WaveServiceDeployer({
          orders: new DependencyAwareDeploymentManager({ uow: h.uow }),
          runner: new NodeProcessRunner({ killGraceMs: 500 }),
          http: httpClient,
          healthIntervalMs: 50,
          ...opts,
        });
        const ctx: ServiceDeployContext = {
          releaseId: release.id,
          environment: opts.environment ?? 'staging',
          deploymentId: 'dep-1',
          runId: 'run-1',
          env: { MARK: mark, RELEASE_VERSION: release.version, TARGET_ENV: 'staging', ...opts.env },
          cwd,
          signal: opts.signal ?? new AbortController().signal,
          onOutput: (t) => output.push(t),
        };
        return deployer.deployServices(ctx);
      },
    };
    await fn(rig);
  } finally {
    await h.close();
  }
}

const read = (file: string) => fs.readFileSync(file, 'utf8');
const exists = (file: string) => fs.existsSync(file);
/** `date +%s%N` written by a command, as epoch milliseconds. */
const stamp = (file: string) => Number(BigInt(read(file).trim()) / 1000n) / 1000;

/** start/end stamps around a sleep, so overlaps can be measured. */
const timed = (seconds: number) => `date +%s%N > "$MARK/$SERVICE.start"; sleep ${seconds}; date +%s%N > "$MARK/$SERVICE.end"`;

function maxOverlap(intervals: [number, number][]): number {
  const events = intervals.flatMap(([a, b]) => [[a, 1], [b, -1]] as [number, number][]);
  events.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let now = 0;
  let max = 0;
  for (const [, d] of events) max = Math.max(max, (now += d));
  return max;
}

const statusOf = (r: ServiceDeployResult) => Object.fromEntries(r.services.map((s) => [s.service, s.status]));

describe('WaveServiceDeployer (real processes)', function () {
  this.timeout(60_000);

  it('runs a wave in parallel, never more services at once than the concurrency', async () => {
    const names = ['s1', 's2', 's3', 's4', 's5', 's6'];
    await withRig(names.map((name) => ({ name, deployCommand: timed(0.4) })), async (rig) => {
      const overlap = async (concurrency?: number) => {
        for (const f of fs.readdirSync(rig.mark)) fs.rmSync(path.join(rig.mark, f));
        const r = await rig.deploy(names, concurrency === undefined ? {} : { concurrency });
        assert.equal(r.ok, true, r.summary);
        return maxOverlap(names.map((n) => [stamp(path.join(rig.mark, `${n}.start`)), stamp(path.join(rig.mark, `${n}.end`))]));
      };
      assert.equal(await overlap(2), 2);
      assert.equal(await overlap(1), 1);
      assert.equal(await overlap(), 4); // the default
    });
  });

  it('starts the next wave only once the previous one answers its health checks', async () => {
    // db turns healthy on its 4th probe, cache at once; api needs both.
    const health = await healthServer((s, n) => (s === 'db' && n < 4 ? 503 : 200));
    try {
      await withRig(
        [
          { name: 'db', deployCommand: timed(0.05), healthCheck: { url: health.url('db'), timeoutMs: 10_000 } },
          { name: 'cache', deployCommand: timed(0.05), healthCheck: { url: health.url('cache') } },
          { name: 'api', deployCommand: timed(0.05), dependencies: ['db', 'cache'], healthCheck: { url: health.url('api'), expectStatus: 200 } },
        ],
        async (rig) => {
          const r = await rig.deploy(['api', 'cache', 'db']);
          assert.equal(r.ok, true, r.summary);
          assert.deepEqual(r.services.map((s) => [s.service, s.wave, s.status]), [['cache', 0, 'succeeded'], ['db', 0, 'succeeded'], ['api', 1, 'succeeded']]);
          assert.equal(health.hits.get('db'), 4);
          const apiStart = stamp(path.join(rig.mark, 'api.start'));
          assert.ok(apiStart >= health.healthyAt.get('db')!, `api started ${health.healthyAt.get('db')! - apiStart} ms before db was healthy`);
          assert.ok(apiStart >= health.healthyAt.get('cache')!);
          const out = rig.output.join('');
          assert.match(out, /^\[db\] healthy: http:\/\/127\.0\.0\.1:\d+\/health\/db after 4 attempts \(\d+ ms\)$/m);
          assert.match(out, /^wave 1 of 2: cache, db$/m);
          assert.match(out, /^wave 2 of 2: api$/m);
          assert.equal(r.summary, '3 of 3 services deployed to staging in 2 waves');
        },
      );
    } finally {
      await health.close();
    }
  });

  it('blocks exactly the transitive dependents of a failure and rolls back in reverse order', async () => {
    const undo = 'echo "$SERVICE" >> "$MARK/rollback.log"';
    const touch = 'touch "$MARK/$SERVICE.ran"';
    await withRig(
      [
        { name: 'db', deployCommand: touch, rollbackCommand: undo },
        { name: 'redis', deployCommand: touch }, // no rollback command
        { name: 'docs', deployCommand: touch, rollbackCommand: undo },
        { name: 'api', deployCommand: touch, rollbackCommand: undo, dependencies: ['db'] },
        { name: 'worker', deployCommand: `${touch}; echo boom >&2; exit 3`, rollbackCommand: undo, dependencies: ['redis'] },
        { name: 'web', deployCommand: touch, rollbackCommand: undo, dependencies: ['api'] },
        { name: 'report', deployCommand: touch, rollbackCommand: undo, dependencies: ['worker'] },
        { name: 'audit', deployCommand: touch, rollbackCommand: undo, dependencies: ['report', 'db'] },
      ],
      async (rig) => {
        const r = await rig.deploy(['api', 'audit', 'db', 'docs', 'redis', 'report', 'web', 'worker']);
        assert.equal(r.ok, false);
        assert.deepEqual(statusOf(r), {
          db: 'rolled_back', docs: 'rolled_back', redis: 'succeeded', api: 'rolled_back', worker: 'failed', web: 'rolled_back', report: 'blocked', audit: 'blocked',
        });
        const ran = fs.readdirSync(rig.mark).filter((f) => f.endsWith('.ran')).map((f) => f.slice(0, -4)).sort();
        assert.deepEqual(ran, ['api', 'db', 'docs', 'redis', 'web', 'worker']); // report and audit never attempted
        // deployed order db, docs, redis | api | web, reversed; redis has no rollback command
        assert.deepEqual(read(path.join(rig.mark, 'rollback.log')).trim().split('\n'), ['web', 'api', 'docs', 'db']);
        const byName = new Map(r.services.map((s) => [s.service, s]));
        assert.deepEqual(byName.get('worker'), { service: 'worker', wave: 1, status: 'failed', reason: 'deploy command exited with code 3', exitCode: 3, durationMs: byName.get('worker')!.durationMs });
        assert.equal(byName.get('report')!.reason, 'not attempted: depends on worker (failed)');
        assert.equal(byName.get('audit')!.reason, 'not attempted: depends on report (blocked)');
        assert.equal(byName.get('redis')!.reason, 'not rolled back: it has no rollback command');
        assert.equal(byName.get('web')!.reason, 'rolled back');
        assert.equal(r.summary, '5 of 8 services deployed to staging in 4 waves; worker failed; report, audit blocked; rolled back web, api, docs, db; not rolled back redis');
        const out = rig.output.join('');
        assert.match(out, /^\[worker\] boom$/m);
        assert.match(out, /^rolling back in reverse order: web, api, redis, docs, db$/m);
      },
    );
  });

  it('fails a service whose health check never passes; its dependents are blocked', async () => {
    const health = await healthServer(() => 503);
    try {
      await withRig(
        [
          { name: 'db', deployCommand: 'true', rollbackCommand: 'echo "$SERVICE" >> "$MARK/rollback.log"' },
          { name: 'api', deployCommand: 'true', rollbackCommand: 'echo "$SERVICE" >> "$MARK/rollback.log"', dependencies: ['db'], healthCheck: { url: health.url('api'), timeoutMs: 400 } },
          { name: 'web', deployCommand: 'touch "$MARK/web.ran"', dependencies: ['api'] },
        ],
        async (rig) => {
          const r = await rig.deploy(['db', 'api', 'web']);
          assert.deepEqual(statusOf(r), { db: 'rolled_back', api: 'rolled_back', web: 'blocked' });
          const api = r.services.find((s) => s.service === 'api')!;
          assert.match(api.reason!, /^health check failed: not healthy within 400 ms \(\d+ attempts\); last: GET http:\/\/127\.0\.0\.1:\d+\/health\/api: expected 2xx, got 503 after 1 attempt; rolled back$/);
          assert.ok(health.hits.get('api')! >= 2, 'the health check is retried until its timeout');
          assert.equal(exists(path.join(rig.mark, 'web.ran')), false);
          assert.deepEqual(read(path.join(rig.mark, 'rollback.log')).trim().split('\n'), ['api', 'db']);
        },
      );
    } finally {
      await health.close();
    }
  });

  it('passes release values only through the environment: hostile text stays data', async () => {
    const hostile = {
      RELEASE_NAME: '$(touch pwned1) `touch pwned2`; touch pwned3 && echo "quoted" \'single\' | tee pwned4',
      RELEASE_VERSION: '1.0.0\ntouch pwned5',
    };
    await withRig(
      [{ name: 'api', path: 'services/api', deployCommand: 'printf "%s" "$RELEASE_NAME" > "$MARK/name"; printf "%s" "$RELEASE_VERSION" > "$MARK/version"; printf "%s %s" "$SERVICE" "$SERVICE_PATH" > "$MARK/service"' }],
      async (rig) => {
        const r = await rig.deploy(['api'], { env: hostile });
        assert.equal(r.ok, true, r.summary);
        assert.equal(read(path.join(rig.mark, 'name')), hostile.RELEASE_NAME);
        assert.equal(read(path.join(rig.mark, 'version')), hostile.RELEASE_VERSION);
        assert.equal(read(path.join(rig.mark, 'service')), 'api services/api');
        for (const dir of [rig.cwd, rig.mark]) assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith('pwned')), []);
      },
    );
  });

  it('prefixes every output line with the service, holding partial lines until complete', async () => {
    await withRig(
      [
        { name: 'a', deployCommand: 'printf "one\\ntw"; sleep 0.1; printf "o\\n"; echo err >&2; printf "tail"' },
        { name: 'b', deployCommand: 'echo "b says hi"' },
      ],
      async (rig) => {
        const r = await rig.deploy(['a', 'b']);
        assert.equal(r.ok, true, r.summary);
        const lines = rig.output.join('').split('\n');
        for (const l of ['[a] one', '[a] two', '[a] err', '[a] tail', '[b] b says hi']) assert.ok(lines.includes(l), `missing ${JSON.stringify(l)} in ${JSON.stringify(lines)}`);
        assert.ok(!lines.includes('[a] tw'));
      },
    );
  });

  it('cancellation kills running deploy commands and starts nothing more', async () => {
    await withRig(
      [
        // fast is done (wave 0) before db starts, so the cancel finds exactly one running command
        { name: 'fast', deployCommand: 'true', rollbackCommand: 'touch "$MARK/rolled"' },
        { name: 'db', deployCommand: 'sleep 30 & echo $! > "$MARK/db.pid"; wait', rollbackCommand: 'touch "$MARK/rolled"', dependencies: ['fast'] },
        { name: 'api', deployCommand: 'touch "$MARK/api.ran"', dependencies: ['db'] },
      ],
      async (rig) => {
        const ac = new AbortController();
        const pidFile = path.join(rig.mark, 'db.pid');
        const started = Date.now();
        const waitForPid = (async () => {
          while (!exists(pidFile) || read(pidFile).trim() === '') await new Promise((r) => setTimeout(r, 20));
          ac.abort();
        })();
        const r = await rig.deploy(['db', 'fast', 'api'], { signal: ac.signal });
        await waitForPid;
        assert.ok(Date.now() - started < 10_000);
        assert.equal(r.ok, false);
        assert.deepEqual(statusOf(r), { db: 'failed', fast: 'succeeded', api: 'skipped' });
        assert.equal(r.services.find((s) => s.service === 'db')!.reason, 'deploy command cancelled');
        assert.equal(r.services.find((s) => s.service === 'api')!.reason, 'cancelled before it started');
        const pid = Number(read(pidFile));
        assert.ok(await isProcessGone(pid), `sleep (pid ${pid}) is still running`);
        assert.equal(exists(path.join(rig.mark, 'api.ran')), false);
        assert.equal(exists(path.join(rig.mark, 'rolled')), false); // no rollback after a cancel
        assert.match(r.summary, /; db failed; cancelled$/);
        assert.match(rig.output.join(''), /^cancelled: no rollback run; fast stay deployed$/m);
      },
    );
  });

  it('deploys nothing when a dependency outside the release does not run in the environment', async () => {
    await withRig(
      [
        { name: 'auth', deployCommand: 'touch "$MARK/auth.ran"' },
        { name: 'api', deployCommand: 'touch "$MARK/api.ran"', dependencies: ['auth'] },
        { name: 'docs', deployCommand: 'touch "$MARK/docs.ran"' },
      ],
      async (rig) => {
        const r = await rig.deploy(['api', 'docs']);
        assert.equal(r.ok, false);
        assert.deepEqual(r.services, [
          { service: 'api', wave: 0, status: 'blocked', reason: 'auth is not part of this release and does not run in staging' },
          { service: 'docs', wave: 0, status: 'skipped', reason: 'not started: api is not ready' },
        ]);
        assert.equal(r.summary, 'nothing deployed to staging: api (auth is not part of this release and does not run in staging)');
        assert.deepEqual(fs.readdirSync(rig.mark), []);
      },
    );
  });

  it('treats a service without a deploy command as nothing to run; its dependents go ahead', async () => {
    await withRig(
      [{ name: 'db' }, { name: 'api', deployCommand: 'touch "$MARK/api.ran"', dependencies: ['db'] }],
      async (rig) => {
        const r = await rig.deploy(['db', 'api']);
        assert.equal(r.ok, true, r.summary);
        assert.deepEqual(r.services.map((s) => [s.service, s.status, s.reason]), [['db', 'skipped', 'has no deploy command; nothing was run'], ['api', 'succeeded', undefined]]);
        assert.ok(exists(path.join(rig.mark, 'api.ran')));
        assert.equal(r.summary, '1 of 2 services deployed to staging in 2 waves; db has no deploy command');
      },
    );
  });

  it('answers with a failed result for a cycle, an empty release, an untrusted workspace; rejects a bad concurrency', async () => {
    await withRig([{ name: 'a' }, { name: 'b', dependencies: ['a'] }], async (rig) => {
      await rig.h.catalog.updateService('a', { dependencies: ['b'] });
      const cycle = await rig.deploy(['a', 'b']);
      assert.deepEqual(cycle, { ok: false, summary: `cannot order the services of release 9.${versionSeq}.0: dependency cycle a → b → a (remove one of these dependencies in the service catalog)`, services: [] });
      const empty = await rig.deploy([]);
      assert.deepEqual(empty, { ok: false, summary: `release 9.${versionSeq}.0 names no services; add services to the release or remove the deployServices step`, services: [] });
      const untrusted = await rig.deploy(['a'], { trust: { isTrusted: () => false } });
      assert.equal(untrusted.summary, 'deploying services runs their deploy commands, which happens only in a trusted workspace; trust this folder to run it');
      await assert.rejects(rig.deploy(['a'], { concurrency: () => 0 }), { name: 'ValidationError', message: 'concurrency: expected a whole number of services 1–64, got number 0' });
      assert.throws(
        () => new WaveServiceDeployer({ orders: new DependencyAwareDeploymentManager({ uow: rig.h.uow }), runner: new NodeProcessRunner(), http: httpClient, concurrency: 2.5 }),
        { message: 'concurrency: expected a whole number of services 1–64, got number 2.5' },
      );
    });
  });
});
