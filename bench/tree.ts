// The Releases tree at scale: a real sql.js database on disk with 10,000 releases, driven through
// the same functions the tree provider calls (src/vscode/releaseTreeModel.ts, no 'vscode').
// Run: npx tsx bench/tree.ts        Target: first level (status groups) ≤ 100 ms.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Deployment, Release, ReleaseStatus } from '../src/core/model';
import { WorkspaceDatabase } from '../src/storage/database';
import { SqlUnitOfWork } from '../src/storage/sqlRepositories';
import { DEFAULT_ENVIRONMENTS } from '../src/vscode/promotionModel';
import { HISTORY_PAGE, isHistory, loadGroupReleases, loadStatusGroups } from '../src/vscode/releaseTreeModel';
import { report } from './report';
import { median } from './util';

const N = 10_000;
// A project some years in: mostly history, a few open releases.
const MIX: [ReleaseStatus, number][] = [
  ['deployed', 0.8],
  ['cancelled', 0.1],
  ['planned', 0.09],
  ['in_progress', 0.01],
];

async function time(runs: number, fn: () => Promise<unknown>): Promise<{ median: number; max: number }> {
  for (let i = 0; i < 2; i++) await fn(); // warm-up: statement cache, JIT
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    xs.push(performance.now() - t);
  }
  return { median: median(xs), max: Math.max(...xs) };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rm-bench-tree-'));
  try {
    const db = await WorkspaceDatabase.open({ path: path.join(dir, 'release-manager.sqlite') });
    const uow = new SqlUnitOfWork(db);
    const t0 = performance.now();
    const counts: Partial<Record<ReleaseStatus, number>> = {};
    await uow.write(async (r) => {
      await r.services.insert({ id: 's-api', name: 'api', dependencies: [], createdAt: new Date(), updatedAt: new Date() });
      await r.services.insert({ id: 's-web', name: 'web', dependencies: ['api'], createdAt: new Date(), updatedAt: new Date() });
      let i = 0;
      for (const [status, share] of MIX) {
        const n = Math.round(N * share);
        counts[status] = n;
        for (let k = 0; k < n; k++, i++) {
          const created = new Date(Date.UTC(2016, 0, 1) + i * 3_600_000);
          const release: Release = {
            id: `r${i}`,
            name: `Release ${i}`,
            version: `${Math.floor(i / 1000)}.${Math.floor(i / 10) % 100}.${i % 10}`,
            status,
            services: ['api', 'web'],
            riskScore: (i % 100) / 100,
            riskFactors: { serviceCount: { value: 2, weight: 0.15, score: 0.25, explanation: '2 services released together' } },
            plannedStart: new Date(created.getTime() + 86_400_000),
            actualStart: status === 'planned' ? undefined : created,
            actualEnd: status === 'deployed' ? new Date(created.getTime() + 7_200_000) : undefined,
            createdAt: created,
            updatedAt: created,
          };
          await r.releases.insert(release);
          if (status === 'in_progress' || status === 'deployed') {
            for (const [e, env] of DEFAULT_ENVIRONMENTS.entries()) {
              if (status === 'in_progress' && e > 2) break;
              const d: Deployment = {
                id: `d${i}-${env}`,
                releaseId: release.id,
                environment: env,
                status: status === 'in_progress' && e === 2 ? 'in_progress' : 'completed',
                startedAt: new Date(created.getTime() + e * 600_000),
                completedAt: new Date(created.getTime() + e * 600_000 + 300_000),
                createdAt: new Date(created.getTime() + e * 600_000),
                updatedAt: new Date(created.getTime() + e * 600_000),
              };
              await r.deployments.insert(d);
            }
          }
        }
      }
    });
    await db.snapshot();
    const seeded = performance.now() - t0;
    const size = fs.statSync(db.path).size;

    const root = await time(21, () => loadStatusGroups(uow));
    const groups = await loadStatusGroups(uow);
    const expand: { status: ReleaseStatus; count: number; shown: number; median: number }[] = [];
    for (const g of groups) {
      const t = await time(7, () => loadGroupReleases(uow, g.status, DEFAULT_ENVIRONMENTS, HISTORY_PAGE));
      expand.push({ status: g.status, count: g.count, shown: isHistory(g.status) ? Math.min(HISTORY_PAGE, g.count) : g.count, median: t.median });
    }
    await db.close();

    console.log(`Releases tree, ${N.toLocaleString('en')} releases (${(size / 1048576).toFixed(1)} MB database, seeded in ${(seeded / 1000).toFixed(1)} s)`);
    console.log('');
    console.log('  what                                         median      max');
    console.log(`  first level: status groups with counts    ${root.median.toFixed(2).padStart(8)} ms ${root.max.toFixed(2).padStart(8)} ms`);
    for (const e of expand) {
      console.log(`  expand ${e.status.padEnd(12)} ${`${e.shown} of ${e.count}`.padStart(12)} releases ${e.median.toFixed(1).padStart(7)} ms`);
    }
    console.log('');
    report({ name: `tree: Releases first level with ${N.toLocaleString('en')} releases (median)`, unit: 'ms', measured: root.median, target: '≤ 100 ms', ok: root.median <= 100 });
    report({ name: `tree: Releases first level with ${N.toLocaleString('en')} releases (worst of 21)`, unit: 'ms', measured: root.max, target: '≤ 100 ms', ok: root.max <= 100 });
    for (const e of expand) {
      report({ name: `tree: expand the ${e.status.replace('_', ' ')} group (${e.shown.toLocaleString('en')} of ${e.count.toLocaleString('en')} releases, median)`, unit: 'ms', measured: e.median });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
