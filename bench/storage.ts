// Storage cost: sql.js + journal (ours) against better-sqlite3 with synchronous=FULL (native SQLite, the
// physical limit for a durable commit on this disk), on 1 MB, 10 MB and 50 MB databases; and the time to
// require the storage bundle, init the wasm and open a 10 MB database in a fresh process.
// Run: npx tsx bench/storage.ts     Targets: per-mutation at 10 MB ≤ 3× better-sqlite3; open ≤ 150 ms.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import * as esbuild from 'esbuild';
import { WorkspaceDatabase } from '../src/storage/database';
import { report } from './report';

const root = path.resolve(__dirname, '..');
const wasm = path.join(root, 'node_modules/sql.js/dist/sql-wasm.wasm');
const N = Number(process.env.BENCH_MUTATIONS ?? 500);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)];
const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(0));

/** A database of about `mb` MB: deployments with ~1 KB of metadata each, like a long deployment log. */
async function makeDatabase(dir: string, mb: number): Promise<string> {
  const file = path.join(dir, `bench-${mb}mb.sqlite`);
  const db = await WorkspaceDatabase.open({ path: file, wasmPath: wasm });
  const meta = JSON.stringify({ log: 'x'.repeat(900) });
  let i = 0;
  while (fs.statSync(file).size < mb * 1_000_000) {
    await db.write((sql) => {
      for (let k = 0; k < 500; k++, i++) {
        const at = new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString();
        sql.run('INSERT INTO deployments (id, environment, status, metadata, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
          [`d${i}`, ['dev', 'test', 'staging', 'production'][i % 4], 'completed', meta, at, at]);
      }
    });
    await db.snapshot();
  }
  await db.close();
  return file;
}

const insertRelease = (i: number) => {
  const at = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
  return {
    release: [`r${i}`, `${i}.0.0`, `Release ${i}`, 'planned', at, at],
    audit: [at, 'bench', 'release.create', 'release', `r${i}`, JSON.stringify({ version: `${i}.0.0`, name: `Release ${i}` })],
  };
};
const RELEASE_SQL = 'INSERT INTO releases (id, version, name, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)';
const AUDIT_SQL = 'INSERT INTO audit_events (at, actor, action, entity_type, entity_id, after) VALUES (?, ?, ?, ?, ?, ?)';

async function ours(file: string): Promise<{ ack: number[]; snapshotMs: number; exportMs: number }> {
  const db = await WorkspaceDatabase.open({ path: file, wasmPath: wasm, snapshotDelayMs: 60_000, snapshotMaxWaitMs: 60_000, journalMaxEntries: 1e9 });
  const ack: number[] = [];
  for (let i = 0; i < N; i++) {
    const m = insertRelease(i);
    const t = performance.now();
    await db.write((sql) => {
      sql.run(RELEASE_SQL, m.release);
      sql.run(AUDIT_SQL, m.audit);
    });
    ack.push(performance.now() - t);
  }
  // What a snapshot costs: export() blocks the host thread; the write itself is async.
  const s0 = performance.now();
  await db.snapshot();
  const snapshotMs = performance.now() - s0;
  // Measure export alone on the same data with raw sql.js.
  const raw = fs.readFileSync(file);
  const SQL = await (await import('../src/storage/database')).loadSqlJs(wasm);
  const d = new SQL.Database(raw);
  const e0 = performance.now();
  d.export();
  const exportMs = performance.now() - e0;
  d.close();
  await db.close();
  return { ack, snapshotMs, exportMs };
}

function native(copy: string): number[] {
  const db = new Database(copy);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const ins = db.prepare(RELEASE_SQL);
  const aud = db.prepare(AUDIT_SQL);
  const tx = db.transaction((m: ReturnType<typeof insertRelease>) => {
    ins.run(m.release);
    aud.run(m.audit);
  });
  const times: number[] = [];
  for (let i = 0; i < N; i++) {
    const m = insertRelease(i);
    const t = performance.now();
    tx(m);
    times.push(performance.now() - t);
  }
  db.close();
  return times;
}

async function openInFreshProcess(file: string): Promise<{ require: number; init: number; open: number; total: number }[]> {
  const entry = path.join(root, 'out/bench/openEntry.ts');
  fs.mkdirSync(path.dirname(entry), { recursive: true });
  fs.writeFileSync(entry, `
const t0 = performance.now();
const { WorkspaceDatabase, loadSqlJs } = require('../../src/storage/database');
const t1 = performance.now();
(async () => {
  await loadSqlJs(process.argv[3]);
  const t2 = performance.now();
  const db = await WorkspaceDatabase.open({ path: process.argv[2], wasmPath: process.argv[3] });
  await db.read((sql) => sql.all('SELECT count(*) FROM deployments'));
  const t3 = performance.now();
  await db.close();
  console.log(JSON.stringify({ require: t1 - t0, init: t2 - t1, open: t3 - t2, total: t3 - t0 }));
})();
`);
  const bundle = path.join(root, 'out/bench/openBundle.js');
  await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: bundle, minify: true, logLevel: 'error' });
  const runs = [];
  for (let i = 0; i < 7; i++) runs.push(JSON.parse(execFileSync(process.execPath, [bundle, file, wasm], { encoding: 'utf8' })));
  return runs;
}

(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rm-bench-storage-'));
  console.log(`storage bench: ${N} mutations (insert release + audit event, one transaction each) per size\n`);
  console.log('| database | ours: ack median / p95 | better-sqlite3 FULL: median / p95 | ratio (median) | snapshot (export) |');
  console.log('|---|---|---|---|---|');
  let ratio10 = NaN;
  for (const mb of [1, 10, 50]) {
    const file = await makeDatabase(dir, mb);
    const size = fs.statSync(file).size / 1e6;
    const copy = `${file}.native.sqlite`;
    fs.copyFileSync(file, copy); // the same starting data for both
    const o = await ours(file);
    const n = native(copy);
    const ratio = median(o.ack) / median(n);
    if (mb === 10) ratio10 = ratio;
    console.log(`| ${size.toFixed(1)} MB | ${fmt(median(o.ack))} / ${fmt(p95(o.ack))} ms | ${fmt(median(n))} / ${fmt(p95(n))} ms | ${ratio.toFixed(2)}× | ${fmt(o.snapshotMs)} ms (${fmt(o.exportMs)} ms blocking) |`);
    report({ name: `storage: per-mutation ack at ${mb} MB (ours vs better-sqlite3 FULL)`, unit: 'ms', measured: median(o.ack), anchor: median(n), target: mb === 10 ? '≤ 3× better-sqlite3' : undefined, ok: mb === 10 ? ratio <= 3 : undefined });
    report({ name: `storage: snapshot host-thread blocking (export) at ${mb} MB`, unit: 'ms', measured: o.exportMs });
    if (mb === 10) {
      const opens = await openInFreshProcess(file);
      const m = (k: 'require' | 'init' | 'open' | 'total') => median(opens.map((x) => x[k]));
      console.log(`\nfresh process, 10 MB: require ${fmt(m('require'))} ms + wasm init ${fmt(m('init'))} ms + open (load, replay, first query) ${fmt(m('open'))} ms = ${fmt(m('total'))} ms (median of ${opens.length}; target ≤ 150 ms)\n`);
      report({ name: 'storage: require + wasm init + open 10 MB', unit: 'ms', measured: m('total'), target: '≤ 150 ms', ok: m('total') <= 150 });
    }
  }
  console.log(`\nratio at 10 MB: ${ratio10.toFixed(2)}× (target ≤ 3×)`);
  fs.rmSync(dir, { recursive: true, force: true });
})();
