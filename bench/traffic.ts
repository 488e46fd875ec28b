// Blue-green switch benchmark: HAProxy (runtime API) and nginx (file + reload) side by side,
// each behind the same two Node backends under the same recorded load.
// Run: npx tsx bench/traffic.ts  (about 25 s; needs the Debian packages haproxy and nginx)
import type { Colour, TrafficRouter } from '../src/core/ports';
import { HaproxyRouter } from '../src/traffic/haproxy';
import { NginxRouter } from '../src/traffic/nginx';
import { startBackends, type Backends } from '../test/support/backends';
import { LoadRecorder, clock } from '../test/support/loadRecorder';
import { makeTempDir, removeTempDir, requireBinary, startHaproxy, startNginx } from '../test/support/trafficRouters';
import { report } from './report';

const RATE = 800;
const SWITCHES = 6;
const GAP_MS = 1500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface SwitchFigures { callMs: number; latencyMs: number; failed: number; http5xx: number; resets: number }
interface RouterFigures { name: string; switches: SwitchFigures[]; requests: number; rate: number }

async function run(name: string, url: string, router: TrafficRouter): Promise<RouterFigures> {
  const load = new LoadRecorder({ url, rate: RATE, maxInFlight: 16 }).start();
  await sleep(500);
  const marks: { at: number; colour: Colour; callMs: number }[] = [];
  for (let i = 0; i < SWITCHES; i++) {
    const colour: Colour = i % 2 === 0 ? 'green' : 'blue';
    const at = clock();
    await router.setWeights(colour === 'green' ? { blue: 0, green: 100 } : { blue: 100, green: 0 });
    marks.push({ at, colour, callMs: clock() - at });
    await sleep(GAP_MS - (clock() - at));
  }
  const total = await load.stop();
  const switches = marks.map((m, i) => {
    const until = marks[i + 1]?.at ?? Infinity;
    const s = load.summary(m.at, until);
    return { callMs: m.callMs, latencyMs: load.switchLatency(m.colour, m.at, until), failed: s.socketErrors, http5xx: s.http5xx, resets: s.resets };
  });
  return { name, switches, requests: total.total, rate: total.ratePerSec };
}

function stats(values: number[]): string {
  const v = [...values].sort((a, b) => a - b);
  const med = v[Math.floor(v.length / 2)];
  return `${v[0].toFixed(0)} / ${med.toFixed(0)} / ${v[v.length - 1].toFixed(0)}`;
}

async function main(): Promise<void> {
  requireBinary('haproxy');
  requireBinary('nginx');
  const backends: Backends = await startBackends();
  const results: RouterFigures[] = [];
  const dirs: string[] = [];
  try {
    const hdir = makeTempDir('bench-haproxy');
    dirs.push(hdir);
    const hap = await startHaproxy(hdir, { blue: backends.blue.address, green: backends.green.address });
    try {
      const router = new HaproxyRouter({ socketPath: hap.socketPath, backend: hap.backend, servers: hap.servers, configPath: hap.cfgPath });
      results.push(await run('haproxy (runtime API)', hap.url, router));
    } finally {
      await hap.stop();
    }
    const ndir = makeTempDir('bench-nginx');
    dirs.push(ndir);
    const ngx = await startNginx(ndir, { blue: backends.blue.address, green: backends.green.address });
    try {
      const router = new NginxRouter({
        prefix: ngx.prefix, confFile: ngx.confFile, upstreamFile: ngx.upstreamFile, upstreamName: ngx.upstreamName,
        servers: { blue: backends.blue.address, green: backends.green.address }, probeUrl: ngx.url,
      });
      results.push(await run('nginx (file + reload)', ngx.url, router));
    } finally {
      await ngx.stop();
    }
  } finally {
    await backends.stop();
    for (const d of dirs) removeTempDir(d);
  }

  const rows = [
    ['router', 'switches', 'requests', 'req/s', 'setWeights ms min/med/max', '100 % new colour ms min/med/max', 'failed per switch (max)', 'HTTP 5xx', 'ECONNRESET retried'],
    ...results.map((r) => [
      r.name,
      String(r.switches.length),
      String(r.requests),
      r.rate.toFixed(0),
      stats(r.switches.map((s) => s.callMs)),
      stats(r.switches.map((s) => s.latencyMs)),
      String(Math.max(...r.switches.map((s) => s.failed + s.http5xx))),
      String(r.switches.reduce((n, s) => n + s.http5xx, 0)),
      String(r.switches.reduce((n, s) => n + s.resets, 0)),
    ]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  console.log(`\nBlue-green switches at ${RATE} req/s (≤ 16 in flight, keep-alive, one retry on a fresh connection after ECONNRESET), ${SWITCHES} full switches each, ${GAP_MS} ms apart`);
  for (const [i, row] of rows.entries()) {
    console.log(row.map((cell, c) => cell.padEnd(widths[c])).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  console.log('\n"100 % new colour": from the setWeights call until the last answer from the old colour (requests started after the call).');
  console.log('"failed": socket errors left after the retry, plus HTTP 5xx. "ECONNRESET retried": what a client without a retry would have seen fail.');
  for (const r of results) {
    console.log(`${r.name}: ${r.switches.map((s) => `${s.latencyMs.toFixed(0)} ms${s.resets ? ` (${s.resets} reset)` : ''}`).join(', ')}`);
  }
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  for (const r of results) {
    const key = r.name.split(' ')[0];
    report({ name: `raw router, ${key}: setWeights call (median)`, unit: 'ms', measured: median(r.switches.map((s) => s.callMs)) });
    report({ name: `raw router, ${key}: all answers from the new colour after (max)`, unit: 'ms', measured: Math.max(...r.switches.map((s) => s.latencyMs)) });
    const failed = Math.max(...r.switches.map((s) => s.failed + s.http5xx));
    report({ name: `raw router, ${key}: failed requests per switch (max, after one retry on reset)`, unit: 'requests', measured: failed, target: '0', ok: failed === 0 });
    report({ name: `raw router, ${key}: connection resets per switch (max, retried)`, unit: 'requests', measured: Math.max(...r.switches.map((s) => s.resets)) });
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exitCode = 1;
});
