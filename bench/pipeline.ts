// Pipeline engine overhead: a pipeline of 100 `true` shell steps through DeploymentPipelineManager
// (storage writes for every step start and end, events, the real sql.js database with its journal)
// against 100 bare spawns; and 10 MiB of output streamed through the engine while the event loop
// is probed. Run: npx tsx bench/pipeline.ts
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { PipelineStep } from '../src/core/model';
import { DeploymentPipelineManager } from '../src/core/releases/DeploymentPipelineManager';
import { EnvironmentPromotionManager } from '../src/core/releases/EnvironmentPromotionManager';
import { ReleaseManager } from '../src/core/releases/ReleaseManager';
import { httpClient } from '../src/process/httpRequest';
import { NodeProcessRunner } from '../src/process/processRunner';
import { ProcessRunOwnership } from '../src/process/runOwner';
import { WorkspaceDatabase } from '../src/storage/database';
import { SqlUnitOfWork } from '../src/storage/sqlRepositories';
import { report } from './report';

const STEPS = 100;
const ROUNDS = 3;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rm-bench-pipeline-'));
const work = path.join(dir, 'work');
fs.mkdirSync(work);

function bareTrue(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', 'true'], { cwd: work });
    child.once('error', reject);
    child.once('close', () => resolve());
  });
}

async function main() {
  const db = await WorkspaceDatabase.open({ path: path.join(dir, 'release-manager.sqlite') });
  const uow = new SqlUnitOfWork(db);
  const clock = { now: () => new Date() };
  const identity = { currentUser: async () => 'bench' };
  const releases = new ReleaseManager({ uow, clock, identity });
  const promotion = new EnvironmentPromotionManager({ uow, clock, identity });
  const runner = new NodeProcessRunner();
  const pipelines = new DeploymentPipelineManager({
    uow, clock, identity, trust: { isTrusted: () => true }, processes: runner, http: httpClient, promotion,
    ownership: new ProcessRunOwnership(), cwd: work,
  });
  try {
    const steps: PipelineStep[] = Array.from({ length: STEPS }, (_, i) => ({ name: `step ${i}`, type: 'shell', command: 'true' }));
    const pipelineId = (await pipelines.createPipeline('hundred', steps)).id;
    const loud = (await pipelines.createPipeline('loud', [{ name: 'loud', type: 'shell', command: "head -c 10485760 /dev/zero | tr '\\0' x" }])).id;
    await promotion.addEnvironment('bench', { position: 0 });

    const runOnce = async (id: string, version: string) => {
      const rel = (await releases.createRelease(`bench ${version}`, version)).release;
      const d = await promotion.promoteToEnvironment(rel.id, 'bench', id);
      const run = (await pipelines.listRuns({ deploymentId: d.id }))[0]!;
      const end = await pipelines.waitForRun(run.id);
      if (end.status !== 'succeeded') throw new Error(`run ${end.status}: ${JSON.stringify(end.steps.find((s) => s.status !== 'succeeded'))}`);
      return end;
    };

    // Warm-up: module loading, first spawns, first snapshot.
    for (let i = 0; i < 10; i++) await bareTrue();
    await runOnce(pipelineId, '0.0.1');

    const bare: number[] = [];
    const engine: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      let t0 = performance.now();
      for (let i = 0; i < STEPS; i++) await bareTrue();
      bare.push(performance.now() - t0);
      t0 = performance.now();
      await runOnce(pipelineId, `1.${r}.0`);
      engine.push(performance.now() - t0);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const bareMs = median(bare);
    const engineMs = median(engine);
    const perStep = (engineMs - bareMs) / STEPS;

    // 10 MiB through the engine: output events, the capped step log, the stored run.
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    let maxLag = 0;
    let last = performance.now();
    const probe = setInterval(() => {
      const now = performance.now();
      maxLag = Math.max(maxLag, now - last - 5);
      last = now;
    }, 5);
    let streamed = 0;
    const sub = pipelines.onOutput((e) => (streamed += e.text.length));
    histogram.enable();
    const t0 = performance.now();
    const end = await runOnce(loud, '2.0.0');
    const streamMs = performance.now() - t0;
    histogram.disable();
    clearInterval(probe);
    sub.dispose();
    const stored = Buffer.byteLength(end.steps[0]!.log);
    const maxDelay = histogram.max / 1e6;

    const row = (cells: string[]) => console.log('| ' + cells.map((c, i) => (i === 0 ? c.padEnd(52) : c.padStart(12))).join(' | ') + ' |');
    console.log(`\nPipeline engine bench (node ${process.version}, ${os.cpus().length} CPUs, ${STEPS} steps, median of ${ROUNDS} rounds, load ${os.loadavg()[0]!.toFixed(2)})\n`);
    row(['measure', 'value', 'target']);
    row(['-'.repeat(52), '-'.repeat(12), '-'.repeat(12)]);
    row([`${STEPS} × bare spawn('/bin/sh -c true')`, `${bareMs.toFixed(0)} ms`, '']);
    row([`pipeline of ${STEPS} 'true' steps (promote → completed)`, `${engineMs.toFixed(0)} ms`, '']);
    row(['engine overhead per step', `${perStep.toFixed(2)} ms`, '≤ 10 ms']);
    row(['10 MiB step through the engine: wall time', `${streamMs.toFixed(0)} ms`, '']);
    row(['10 MiB: characters delivered to onOutput', String(streamed), '10485760']);
    row(['10 MiB: step log stored', `${stored} B`, '≤ 256 KiB']);
    row(['10 MiB: event-loop delay max', `${maxDelay.toFixed(1)} ms`, '≤ 50 ms']);
    row(['10 MiB: setInterval(5 ms) lag max', `${maxLag.toFixed(1)} ms`, '≤ 50 ms']);
    report({ name: 'pipeline engine overhead per step (100 true steps, storage included)', unit: 'ms', measured: +perStep.toFixed(2), anchor: +(bareMs / STEPS).toFixed(2), target: '≤ 10 ms', ok: perStep <= 10 });
    report({ name: 'pipeline 10 MiB step: max event-loop delay', unit: 'ms', measured: +maxDelay.toFixed(1), target: '≤ 50 ms', ok: maxDelay <= 50 });
    report({ name: 'pipeline 10 MiB step: stored log', unit: 'bytes', measured: stored, target: '≤ 262144', ok: stored <= 262_144 });
    process.exitCode = perStep <= 10 && maxDelay <= 50 ? 0 : 1;
  } finally {
    await pipelines.dispose();
    await runner.dispose();
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
