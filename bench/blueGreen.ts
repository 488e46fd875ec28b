// Blue-green switches THROUGH BlueGreenDeploymentManager, HAProxy (runtime API) and nginx (file +
// reload) side by side, under the same recorded load: per release, setup (deploy the idle colour by
// script, pre-switch checks), switch to 100 %, let the post-switch checks promote it, roll back.
// The raw adapter call (router.setWeights) is measured in the same run as the anchor.
// Run: npx tsx bench/blueGreen.ts  (about 40 s; needs the Debian packages haproxy and nginx)
import type { Colour, TrafficRouter } from '../src/core/ports';
import { BlueGreenDeploymentManager, type BlueGreenSetupOptions } from '../src/core/releases/BlueGreenDeploymentManager';
import { colourChecks } from '../src/traffic/colourChecks';
import { HaproxyRouter } from '../src/traffic/haproxy';
import { NginxRouter } from '../src/traffic/nginx';
import { ColourFleet, ScriptDeployer, SwitchableTrust, settingsFactory } from '../test/support/blueGreenFleet';
import { fixedIdentity, openCore } from '../test/support/coreHarness';
import { LoadRecorder, clock } from '../test/support/loadRecorder';
import { makeTempDir, removeTempDir, requireBinary, startHaproxy, startNginx, waitForHaproxyServerUp } from '../test/support/trafficRouters';
import { report } from './report';

const RATE = 800;
const RELEASES = 3;
const HOLD_MS = 1200;
const RAW_SWITCHES = 4;
const OPTIONS: BlueGreenSetupOptions = { prePromotionAnalysis: { intervalMs: 50 }, postPromotionAnalysis: { durationSeconds: 0.5 } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Switch { kind: 'switch' | 'rollback'; to: Colour; at: number; callMs: number; latencyMs: number; failed: number; http5xx: number; resets: number }
interface Figures { name: string; switches: Switch[]; rawCallMs: number[]; validateMs: number[]; setupMs: number[]; requests: number; rate: number }

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const max = (v: number[]) => Math.max(...v);

async function run(name: string, url: string, routerSettings: Record<string, unknown>, router: TrafficRouter, fleet: ColourFleet, waitServing: (c: Colour) => Promise<void>): Promise<Figures> {
  const core = await openCore();
  const trust = new SwitchableTrust();
  const manager = new BlueGreenDeploymentManager({
    uow: core.uow, clock: core.clock, identity: fixedIdentity(), trust,
    routers: settingsFactory({ production: { router: { ...routerSettings, endpoints: fleet.endpoints() }, production: true } }, trust),
    deployer: new ScriptDeployer(fleet), checks: colourChecks,
  });
  const load = new LoadRecorder({ url, rate: RATE, maxInFlight: 16 }).start();
  const marks: Omit<Switch, 'latencyMs' | 'failed' | 'http5xx' | 'resets'>[] = [];
  const setupMs: number[] = [];
  const rawCallMs: number[] = [];
  const validateMs: number[] = [];
  let rawStart = Infinity;
  try {
    await sleep(500);
    for (let i = 0; i < RELEASES; i++) {
      const { release } = await core.releases.createRelease('Shop', `2.0.${i}`);
      const t = clock();
      const st = await manager.setup(release.id, 'production', OPTIONS);
      setupMs.push(clock() - t);
      if (st.state !== 'awaiting_promotion') throw new Error(`setup of 2.0.${i}: ${st.state}: ${st.reason}`);
      await waitServing(st.previewColour);
      let at = clock();
      await manager.switchTraffic(release.id, st.previewColour, 100);
      marks.push({ kind: 'switch', to: st.previewColour, at, callMs: clock() - at });
      await sleep(HOLD_MS);
      at = clock();
      await manager.rollback(release.id);
      marks.push({ kind: 'rollback', to: st.activeColour, at, callMs: clock() - at });
      await sleep(HOLD_MS);
    }
    // Anchor: the adapter alone, both colours up; and its validate() (haproxy -c / nginx -t), which the manager runs before each forward step.
    rawStart = clock();
    for (let i = 0; i < RAW_SWITCHES; i++) {
      const to: Colour = i % 2 === 0 ? 'green' : 'blue';
      const w = to === 'green' ? { blue: 0, green: 100 } : { blue: 100, green: 0 };
      let t = clock();
      await router.validate(w);
      validateMs.push(clock() - t);
      t = clock();
      await router.setWeights(w);
      rawCallMs.push(clock() - t);
      await sleep(400);
    }
  } finally {
    manager.dispose();
    await core.close();
  }
  const total = await load.stop();
  const switches = marks.map((m, i) => {
    const until = marks[i + 1]?.at ?? rawStart;
    const s = load.summary(m.at, until);
    return { ...m, latencyMs: load.switchLatency(m.to, m.at, until), failed: s.socketErrors + s.http5xx, http5xx: s.http5xx, resets: s.resets };
  });
  return { name, switches, rawCallMs, validateMs, setupMs, requests: total.total, rate: total.ratePerSec };
}

async function main(): Promise<void> {
  requireBinary('haproxy');
  requireBinary('nginx');
  const results: Figures[] = [];
  const dirs: string[] = [];
  for (const kind of ['haproxy', 'nginx'] as const) {
    const fleet = await ColourFleet.create();
    const dir = makeTempDir(`bench-bg-${kind}`);
    dirs.push(dir);
    try {
      const blue = await fleet.deploy('blue', '1.0.0');
      if (!blue.ok) throw new Error(blue.summary);
      if (kind === 'haproxy') {
        const hap = await startHaproxy(dir, { blue: fleet.address('blue'), green: fleet.address('green') });
        try {
          const settings = { kind, socketPath: hap.socketPath, backend: hap.backend, servers: hap.servers, configPath: hap.cfgPath };
          const router = new HaproxyRouter({ socketPath: hap.socketPath, backend: hap.backend, servers: hap.servers, configPath: hap.cfgPath });
          const waitServing = (c: Colour) => waitForHaproxyServerUp(router, hap.backend, c, { timeoutMs: 10_000, intervalMs: 25 });
          results.push(await run('haproxy (runtime API)', hap.url, settings, router, fleet, waitServing));
        } finally {
          await hap.stop();
        }
      } else {
        const ngx = await startNginx(dir, { blue: fleet.address('blue'), green: fleet.address('green') });
        try {
          const settings = {
            kind, prefix: ngx.prefix, confFile: ngx.confFile, upstreamFile: ngx.upstreamFile, upstreamName: ngx.upstreamName,
            servers: { blue: fleet.address('blue'), green: fleet.address('green') }, probeUrl: ngx.url, accessLog: ngx.accessLog,
          };
          const router = new NginxRouter({ ...settings });
          results.push(await run('nginx (file + reload)', ngx.url, settings, router, fleet, async () => undefined));
        } finally {
          await ngx.stop();
        }
      }
    } finally {
      await fleet.stop();
    }
  }
  for (const d of dirs) removeTempDir(d);

  const fmt = (v: number[]) => `${Math.min(...v).toFixed(0)} / ${median(v).toFixed(0)} / ${max(v).toFixed(0)}`;
  const rows = [
    ['router', 'switches', 'requests', 'req/s', 'setup ms min/med/max', 'manager switch ms min/med/max', 'raw setWeights ms med', 'validate ms med', '100 % new colour ms min/med/max', 'failed per switch (max)', 'HTTP 5xx', 'ECONNRESET retried'],
    ...results.map((r) => [
      r.name, String(r.switches.length), String(r.requests), r.rate.toFixed(0), fmt(r.setupMs),
      fmt(r.switches.map((s) => s.callMs)), median(r.rawCallMs).toFixed(1), median(r.validateMs).toFixed(1), fmt(r.switches.map((s) => s.latencyMs)),
      String(max(r.switches.map((s) => s.failed))), String(r.switches.reduce((n, s) => n + s.http5xx, 0)), String(r.switches.reduce((n, s) => n + s.resets, 0)),
    ]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  console.log(`\nBlue-green through BlueGreenDeploymentManager at ${RATE} req/s (≤ 16 in flight, keep-alive, one retry on a fresh connection after ECONNRESET): ${RELEASES} releases each set up, switched to 100 %, promoted after 0.5 s of checks, rolled back`);
  for (const [i, row] of rows.entries()) {
    console.log(row.map((cell, c) => cell.padEnd(widths[c])).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  console.log('\n"manager switch": switchTraffic (validate, then setWeights) / rollback (setWeights at once, no validation) incl. transactions and audit; "raw setWeights" and "validate": the adapter alone, same run.');
  console.log('"100 % new colour": from the call until the last answer from the old colour. "failed": socket errors left after the retry, plus HTTP 5xx.');
  for (const r of results) {
    console.log(`${r.name}: ${r.switches.map((s) => `${s.kind} ${s.callMs.toFixed(0)}/${s.latencyMs.toFixed(0)} ms${s.resets ? ` (${s.resets} reset)` : ''}`).join(', ')}`);
  }
  for (const r of results) {
    const key = r.name.split(' ')[0];
    const calls = r.switches.map((s) => s.callMs);
    report({ name: `blue-green via manager, ${key}: switch/rollback call (median; anchor: raw setWeights)`, unit: 'ms', measured: median(calls), anchor: median(r.rawCallMs) });
    report({ name: `blue-green via manager, ${key}: rollback call (max)`, unit: 'ms', measured: max(r.switches.filter((s) => s.kind === 'rollback').map((s) => s.callMs)) });
    report({ name: `blue-green via manager, ${key}: all answers from the new colour after (max)`, unit: 'ms', measured: max(r.switches.map((s) => s.latencyMs)) });
    const failed = max(r.switches.map((s) => s.failed));
    report({ name: `blue-green via manager, ${key}: failed requests per switch (max, after one retry on reset)`, unit: 'requests', measured: failed, target: '0', ok: failed === 0 });
    report({ name: `blue-green via manager, ${key}: connection resets per switch (max, retried)`, unit: 'requests', measured: max(r.switches.map((s) => s.resets)) });
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exitCode = 1;
});
