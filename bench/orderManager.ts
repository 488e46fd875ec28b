// Deployment order through DependencyAwareDeploymentManager with storage: a release of 10,000
// services and 15,000 edges in a real sql.js database. The graph part (ids, CSR, Kahn waves,
// readiness) is timed inside the manager; the total adds reading the release, the catalog and
// what runs in the target environment.
// Run: npx tsx bench/orderManager.ts     Target: graph part ≤ 20 ms (issue 5).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Deployment, Release, Service } from '../src/core/model';
import { DependencyAwareDeploymentManager } from '../src/core/releases/DependencyAwareDeploymentManager';
import { WorkspaceDatabase } from '../src/storage/database';
import { SqlUnitOfWork } from '../src/storage/sqlRepositories';
import { report } from './report';
import { median, mulberry32, randomDag } from './util';

const N = 10_000;
const M = 15_000;
/** Services outside the release that it depends on, running in staging (the readiness lookup). */
const OUTSIDE = 100;
const OUTSIDE_EDGES = 1_000;
const RUNS = 15;

const at = new Date('2026-03-02T10:00:00Z');

async function scenario(withOutside: boolean) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rm-bench-order-'));
  const db = await WorkspaceDatabase.open({ path: path.join(dir, 'bench.sqlite'), snapshotDelayMs: 60_000 });
  const uow = new SqlUnitOfWork(db);
  const rnd = mulberry32(42);
  const { names, edges } = randomDag(N, M, rnd);
  const deps = new Map(names.map((s) => [s, new Set<string>()]));
  for (const e of edges) deps.get(e.from)!.add(e.to);
  const outside = withOutside ? Array.from({ length: OUTSIDE }, (_, i) => `base-${i}`) : [];
  for (let k = 0; k < (withOutside ? OUTSIDE_EDGES : 0); k++) deps.get(names[Math.floor(rnd() * N)]!)!.add(outside[k % OUTSIDE]!);
  const service = (name: string, dependencies: string[]): Service => ({ id: `id-${name}`, name, dependencies, createdAt: at, updatedAt: at });
  const release = (id: string, version: string, services: string[]): Release => ({ id, name: id, version, status: 'planned', services, createdAt: at, updatedAt: at });
  await uow.write(async (r) => {
    for (const name of outside) await r.services.insert(service(name, []));
    for (const name of names) await r.services.insert(service(name, [...deps.get(name)!]));
    await r.releases.insert(release('big', '2.0.0', names));
    if (withOutside) {
      await r.releases.insert(release('base', '1.0.0', outside));
      const d: Deployment = { id: 'd-base', releaseId: 'base', environment: 'staging', status: 'completed', completedAt: at, createdAt: at, updatedAt: at };
      await r.deployments.insert(d);
    }
  });

  const graph: number[] = [];
  const orders = new DependencyAwareDeploymentManager({ uow, onGraphTiming: (ms) => graph.push(ms) });
  const totals: number[] = [];
  let waves = 0;
  let ready = 0;
  for (let i = 0; i < RUNS + 3; i++) {
    const t = performance.now();
    const order = await orders.calculateDeploymentOrder('big', 'staging');
    const ms = performance.now() - t;
    if (i >= 3) totals.push(ms); // the first runs warm up the JIT
    waves = order[order.length - 1]!.wave + 1;
    ready = order.filter((o) => o.ready).length;
  }
  const graphMs = median(graph.slice(3));
  const totalMs = median(totals);
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { graphMs, totalMs, waves, ready, edges: M + (withOutside ? OUTSIDE_EDGES : 0) };
}

async function main() {
const rows: string[] = [];
for (const withOutside of [false, true]) {
  const s = await scenario(withOutside);
  const label = withOutside
    ? `${N.toLocaleString('en')} services, ${M.toLocaleString('en')} edges + ${OUTSIDE_EDGES.toLocaleString('en')} to ${OUTSIDE} services running in staging`
    : `${N.toLocaleString('en')} services, ${M.toLocaleString('en')} edges`;
  rows.push(`${label.padEnd(82)} ${String(s.waves).padStart(5)} ${String(s.ready).padStart(6)} ${s.graphMs.toFixed(2).padStart(9)} ${s.totalMs.toFixed(1).padStart(9)}`);
  const suffix = withOutside ? ` (+ ${OUTSIDE_EDGES} edges to services outside the release)` : '';
  report({ name: `order manager: graph part, ${N} services / ${M} edges${suffix}`, unit: 'ms', measured: Number(s.graphMs.toFixed(2)), target: '≤ 20 ms', ok: s.graphMs <= 20 });
  report({ name: `order manager: total with storage, ${N} services / ${M} edges${suffix}`, unit: 'ms', measured: Number(s.totalMs.toFixed(1)) });
}
console.log(`calculateDeploymentOrder through the manager and a sql.js database (median of ${RUNS} runs)`);
console.log(`${'release'.padEnd(82)} ${'waves'.padStart(5)} ${'ready'.padStart(6)} ${'graph ms'.padStart(9)} ${'total ms'.padStart(9)}`);
for (const r of rows) console.log(r);
}

void main();
