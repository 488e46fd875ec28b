import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { RefusedError, type PipelineRun, type PipelineStep, type Release } from '../../../src/core/model';
import { timerSleep, type Sleep } from '../../../src/core/ports';
import { isProcessGone } from '../../../src/process/treeKill';
import { openPipelines, type PipelineHarness } from '../../support/pipelineHarness';

async function promoteWith(h: PipelineHarness, steps: PipelineStep[], env = 'dev', release?: Release) {
  const pipelineId = await h.pipeline(`p-${Math.random().toString(36).slice(2)}`, steps);
  const rel = release ?? (await h.release());
  const deployment = await h.promotion.promoteToEnvironment(rel.id, env, pipelineId);
  const run = (await h.pipelines.listRuns({ deploymentId: deployment.id }))[0]!;
  return { rel, deployment, run, pipelineId };
}

const done = (h: PipelineHarness, run: PipelineRun) => h.pipelines.waitForRun(run.id);

describe('pipeline: DeploymentPipelineManager runs (real processes)', function () {
  this.timeout(60_000);
  let h: PipelineHarness;
  beforeEach(async () => {
    h = await openPipelines();
  });
  afterEach(async () => h.close());

  it('promotion runs the pipeline; steps in order; deployment and release follow; stored with logs', async () => {
    const changes: string[] = [];
    h.pipelines.onDidChange((r) => changes.push(`${r.status}:${r.steps.map((s) => s.status[0]).join('')}`));
    const { deployment, run, rel } = await promoteWith(h, [
      { name: 'one', type: 'shell', command: 'echo "one $RELEASE_VERSION $TARGET_ENV $STEP_NAME"' },
      { name: 'two', type: 'shell', command: 'echo two >&2; printf "%s" "$PIPELINE_RUN_ID" > run-id' },
    ]);
    assert.equal(deployment.status, 'in_progress');
    const end = await done(h, run);
    assert.equal(end.status, 'succeeded');
    assert.deepEqual(end.steps.map((s) => [s.name, s.status, s.attempts, s.exitCode]), [['one', 'succeeded', 1, 0], ['two', 'succeeded', 1, 0]]);
    assert.equal(end.steps[0]!.log, `one ${rel.version} dev one\n`);
    assert.equal(fs.readFileSync(path.join(h.work, 'run-id'), 'utf8'), run.id);
    const stored = await h.pipelines.getRun(run.id);
    assert.equal(stored?.status, 'succeeded');
    assert.equal(stored?.steps[1]!.log, 'two\n');
    assert.ok(stored?.endedAt);
    assert.equal((await h.promotion.getDeployment(deployment.id))?.status, 'completed');
    assert.equal((await h.releases.getRelease(rel.id))?.status, 'in_progress');
    assert.equal(changes.at(-1), 'succeeded:ss');
    assert.ok(changes.includes('running:rp'));
  });

  it('hostile release and environment names reach processes literally and are never executed', async () => {
    const hostile = ['$(touch pwned)', '; rm -rf x', `it's "quoted"`, '`touch pwned2`', '&& touch pwned3 | cat', '${IFS}*'];
    fs.mkdirSync(path.join(h.work, 'x'));
    for (const [i, name] of hostile.entries()) {
      const env = await h.promotion.addEnvironment(`env ${name}`, { position: 0 });
      const rel = (await h.releases.createRelease(name, `2.${i}.0`)).release;
      const { run } = await promoteWith(h, [
        { name: `step ${name}`, type: 'shell', command: 'printf "%s|%s|%s" "$RELEASE_NAME" "$TARGET_ENV" "$STEP_NAME" > "out-$RELEASE_VERSION"' },
      ], env.name, rel);
      const end = await done(h, run);
      assert.equal(end.status, 'succeeded', end.steps[0]!.log);
      assert.equal(fs.readFileSync(path.join(h.work, `out-2.${i}.0`), 'utf8'), `${name}|env ${name}|step ${name}`);
    }
    for (const f of ['pwned', 'pwned2', 'pwned3']) assert.ok(!fs.existsSync(path.join(h.work, f)), `${f} must not exist`);
    assert.ok(fs.existsSync(path.join(h.work, 'x')));
    // Newlines never get that far: names are single lines.
    await assert.rejects(h.releases.createRelease('a\ntouch pwned', '3.0.0'), /^ValidationError: name: must be a single line$/);
    await assert.rejects(h.promotion.addEnvironment('a\nb'), /^ValidationError: name: must be a single line$/);
  });

  it('a failed step fails the run and the deployment; later steps are skipped; continueOnError and retries', async () => {
    const { run, deployment } = await promoteWith(h, [
      { name: 'flaky', type: 'shell', command: 'n=$(cat n 2>/dev/null || echo 0); n=$((n+1)); echo $n > n; echo "try $n"; [ $n -ge 3 ]', retries: 2 },
      { name: 'optional', type: 'shell', command: 'exit 7', continueOnError: true },
      { name: 'broken', type: 'shell', command: 'echo boom; exit 3' },
      { name: 'never', type: 'shell', command: 'touch never' },
    ]);
    const end = await done(h, run);
    assert.equal(end.status, 'failed');
    assert.deepEqual(end.steps.map((s) => [s.status, s.attempts, s.summary]), [
      ['succeeded', 3, 'exit code 0'],
      ['ignored', 1, 'exit code 7; continued (continueOnError)'],
      ['failed', 1, 'exit code 3'],
      ['skipped', 0, undefined],
    ]);
    assert.match(end.steps[0]!.log, /try 1\nAttempt 1 failed: exit code 1\n\n── attempt 2 of 3 ──\ntry 2\n.*try 3\n$/s);
    assert.ok(!fs.existsSync(path.join(h.work, 'never')));
    const d = await h.promotion.getDeployment(deployment.id);
    assert.equal(d?.status, 'failed');
    assert.match(String(d?.metadata?.failure), /step 'broken' failed: exit code 3$/);
  });

  it('a step that sleeps past its timeout fails with the reason', async () => {
    const { run } = await promoteWith(h, [{ name: 'slow', type: 'shell', command: 'sleep 10', timeoutSeconds: 0.3 }]);
    const t0 = Date.now();
    const end = await done(h, run);
    assert.equal(end.steps[0]!.summary, 'timed out after 0.3 s');
    assert.equal(end.status, 'failed');
    assert.ok(Date.now() - t0 < 5000);
  });

  it('10 MB of output streams to listeners and is stored capped (head and tail)', async () => {
    let streamed = 0;
    h.pipelines.onOutput((e) => (streamed += Buffer.byteLength(e.text)));
    const { run } = await promoteWith(h, [{ name: 'loud', type: 'shell', command: "printf 'START\\n'; head -c 10485760 /dev/zero | tr '\\0' x; printf '\\nEND\\n'" }]);
    const end = await done(h, run);
    assert.equal(end.status, 'succeeded');
    assert.equal(streamed, 10 * 1024 * 1024 + 11);
    const log = end.steps[0]!.log;
    assert.ok(Buffer.byteLength(log) <= 256 * 1024 && Buffer.byteLength(log) > 255 * 1024, `stored ${Buffer.byteLength(log)} bytes`);
    assert.ok(log.startsWith('START\nxxx'));
    assert.ok(log.endsWith('xxx\nEND\n'));
    assert.match(log, /\n… \d+ bytes elided …\n/);
    assert.equal((await h.pipelines.getRun(run.id))!.steps[0]!.log, log);
  });

  it('cancel kills the whole process tree, even a shell that ignores SIGTERM', async () => {
    const { run, deployment } = await promoteWith(h, [
      { name: 'stubborn', type: 'shell', command: 'trap "" TERM; echo $$ > shell.pid; (trap "" TERM; while :; do sleep 0.1; done) & echo $! > child.pid; wait' },
      { name: 'after', type: 'shell', command: 'touch after' },
    ]);
    const pidFile = path.join(h.work, 'child.pid');
    for (let i = 0; i < 100 && !fs.existsSync(pidFile); i++) await timerSleep(20);
    await timerSleep(50);
    const shell = Number(fs.readFileSync(path.join(h.work, 'shell.pid'), 'utf8'));
    const child = Number(fs.readFileSync(pidFile, 'utf8'));
    assert.equal(await isProcessGone(child), false);
    const end = await h.pipelines.cancelRun(run.id);
    assert.equal(end.status, 'cancelled');
    assert.deepEqual(end.steps.map((s) => s.status), ['cancelled', 'cancelled']);
    assert.equal(await isProcessGone(shell), true);
    assert.equal(await isProcessGone(child), true);
    assert.ok(!fs.existsSync(path.join(h.work, 'after')));
    assert.equal((await h.promotion.getDeployment(deployment.id))?.status, 'failed');
    await assert.rejects(h.pipelines.cancelRun(run.id), /has already ended \(cancelled\)/);
  });

  it('guided failure: the run pauses as interrupted; retry, ignore and abort', async () => {
    await h.promotion.updateEnvironment('dev', { guidedFailure: true });
    // Retry after fixing the cause.
    let { run, deployment } = await promoteWith(h, [{ name: 'needs-file', type: 'shell', command: 'test -f ready' }, { name: 'last', type: 'shell', command: 'true' }]);
    let paused = await h.pipelines.waitForRun(run.id, ['interrupted']);
    assert.deepEqual(paused.interruption, { stepIndex: 0, reason: "step 'needs-file' failed: exit code 1" });
    assert.equal((await h.pipelines.getRun(run.id))?.status, 'interrupted');
    assert.equal((await h.promotion.getDeployment(deployment.id))?.status, 'in_progress');
    fs.writeFileSync(path.join(h.work, 'ready'), '');
    const resumed = await h.pipelines.resolveInterruption(run.id, 'retry');
    assert.equal(resumed.status, 'running');
    let end = await done(h, run);
    assert.equal(end.status, 'succeeded');
    assert.equal(end.steps[0]!.attempts, 2);
    assert.equal((await h.promotion.getDeployment(deployment.id))?.status, 'completed');

    // Ignore.
    ({ run, deployment } = await promoteWith(h, [{ name: 'bad', type: 'shell', command: 'exit 4' }, { name: 'good', type: 'shell', command: 'true' }]));
    await h.pipelines.waitForRun(run.id, ['interrupted']);
    await assert.rejects(h.pipelines.resolveInterruption(run.id, 'skip' as never), /^ValidationError: action: expected retry, ignore or abort, got 'skip'$/);
    await h.pipelines.resolveInterruption(run.id, 'ignore');
    end = await done(h, run);
    assert.equal(end.status, 'succeeded');
    assert.deepEqual(end.steps.map((s) => s.status), ['ignored', 'succeeded']);

    // Abort.
    ({ run, deployment } = await promoteWith(h, [{ name: 'bad', type: 'shell', command: 'exit 4' }, { name: 'good', type: 'shell', command: 'true' }]));
    paused = await h.pipelines.waitForRun(run.id, ['interrupted']);
    const aborted = await h.pipelines.resolveInterruption(run.id, 'abort');
    assert.equal(aborted.status, 'failed');
    assert.deepEqual(aborted.steps.map((s) => s.status), ['failed', 'skipped']);
    assert.equal((await h.promotion.getDeployment(deployment.id))?.status, 'failed');
    await assert.rejects(h.pipelines.resolveInterruption(run.id, 'retry'), RefusedError);
    const actions = (await h.uow.read((r) => r.audit.list({ entityType: 'pipeline_run' }))).map((a) => a.action);
    for (const a of ['pipeline.run.retry', 'pipeline.run.ignore', 'pipeline.run.abort']) assert.ok(actions.includes(a), a);
  });

  it('approval steps wait for a person; a different approver when the environment says so', async () => {
    await h.promotion.updateEnvironment('dev', { requireDifferentApprover: true });
    const { run, deployment } = await promoteWith(h, [{ name: 'sign-off', type: 'approval', prompt: 'Check Grafana' }, { name: 'go', type: 'shell', command: 'true' }]);
    const waiting = await h.pipelines.waitForRun(run.id, ['waiting_approval']);
    assert.equal(waiting.currentStep, 0);
    await assert.rejects(h.pipelines.approveStep(run.id, 'Ada Tester'), (e: unknown) => e instanceof RefusedError && e.message === "dev requires a different approver: Ada Tester started this run and cannot approve its step 'sign-off'");
    await h.pipelines.approveStep(run.id, 'Bob Reviewer', 'dashboards green');
    const end = await done(h, run);
    assert.equal(end.status, 'succeeded');
    assert.match(end.steps[0]!.summary!, /^approved by Bob Reviewer at 2026-03-02T10:00:00\.000Z: dashboards green$/);
    assert.equal((await h.promotion.getDeployment(deployment.id))?.status, 'completed');
    await assert.rejects(h.pipelines.approveStep(run.id, 'Bob'), /is not running in this window/);
    const audit = (await h.uow.read((r) => r.audit.list({ entityType: 'pipeline_run', entityId: run.id }))).find((e) => e.action === 'pipeline.step.approve');
    assert.deepEqual(audit?.after, { approver: 'Bob Reviewer', at: '2026-03-02T10:00:00.000Z', comment: 'dashboards green' });
  });

  it('http steps against a real local server: expected status, retries, mismatch', async () => {
    let hits = 0;
    const server = http.createServer((req, res) => {
      hits++;
      if (req.url === '/health') {
        res.statusCode = hits < 3 ? 503 : 200;
        res.end(hits < 3 ? 'starting' : 'ok');
      } else {
        res.statusCode = 404;
        res.end('nope');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const { run } = await promoteWith(h, [
        { name: 'health', type: 'http', url: `${base}/health`, expectStatus: 200, retries: 3 },
        { name: 'missing', type: 'http', url: `${base}/missing`, expectStatus: [200, 204] },
      ]);
      const end = await done(h, run);
      assert.equal(end.steps[0]!.status, 'succeeded');
      assert.equal(end.steps[0]!.attempts, 3);
      assert.match(end.steps[0]!.log, /GET http:\/\/127\.0\.0\.1:\d+\/health → 503 .*\nstarting\n/);
      assert.equal(end.steps[1]!.status, 'failed');
      assert.equal(end.steps[1]!.summary, `GET ${base}/missing: expected 200 or 204, got 404 after 1 attempt`);
    } finally {
      server.close();
    }
  });

  it('wait steps use the injected sleep; tasks run by name; deployServices without a deployer fails clearly', async () => {
    const slept: number[] = [];
    const sleep: Sleep = async (ms, signal) => (slept.push(ms), !signal?.aborted);
    const t = await openPipelines({ sleep, tasks: { 'npm: build': 'echo "built $RELEASE_VERSION" > built' } });
    try {
      const { run } = await promoteWith(t, [
        { name: 'pause', type: 'wait', seconds: 90 },
        { name: 'build', type: 'task', task: 'npm: build' },
        { name: 'missing', type: 'task', task: 'npm: nope', continueOnError: true },
        { name: 'services', type: 'deployServices' },
      ]);
      const end = await t.pipelines.waitForRun(run.id);
      assert.deepEqual(slept, [90_000]);
      assert.equal(end.steps[1]!.status, 'succeeded');
      assert.match(fs.readFileSync(path.join(t.work, 'built'), 'utf8'), /^built 1\.0\.0\n$/);
      assert.equal(end.steps[2]!.summary, "no task named 'npm: nope' (tasks: npm: build); continued (continueOnError)");
      assert.equal(end.steps[3]!.status, 'failed');
      assert.equal(end.steps[3]!.summary, 'no services to deploy: this workspace has no service deployer (add services with deploy commands)');
    } finally {
      await t.close();
    }
  });

  it('an untrusted workspace refuses shell steps and tasks before anything starts', async () => {
    const pipelineId = await h.pipeline('deploy', [
      { name: 'build', type: 'shell', command: 'touch started' },
      { name: 'lint', type: 'task', task: 'lint' },
      { name: 'check', type: 'http', url: 'http://127.0.0.1:9/' },
    ]);
    await h.promotion.updateEnvironment('dev', { pipelineId });
    h.trust.trusted = false;
    const rel = await h.release();
    const message = "pipeline 'deploy' has shell steps and task steps ('build', 'lint'), which run only in a trusted workspace; trust this folder to run it";
    await assert.rejects(h.promotion.promoteToEnvironment(rel.id, 'dev'), (e: unknown) => e instanceof RefusedError && e.message === message);
    assert.deepEqual(await h.promotion.listDeployments(), []);
    assert.equal((await h.releases.getRelease(rel.id))?.status, 'planned');
    // A pending deployment made without the pipeline cannot start it either.
    await h.promotion.updateEnvironment('dev', { pipelineId: null });
    const d = await h.promotion.promoteToEnvironment(rel.id, 'dev');
    await assert.rejects(h.pipelines.startRun(d.id, pipelineId), (e: unknown) => e instanceof RefusedError && e.message === message);
    assert.deepEqual(await h.pipelines.listRuns(), []);
    assert.equal((await h.promotion.getDeployment(d.id))?.status, 'pending');
    assert.ok(!fs.existsSync(path.join(h.work, 'started')));
    // http, approval and wait steps need no trust.
    h.trust.trusted = true;
    await h.promotion.transitionDeployment(d.id, 'in_progress');
    await h.promotion.transitionDeployment(d.id, 'completed');
  });

  it('restart: runs owned by a dead process are marked interrupted and their deployments failed; live owners are left alone', async () => {
    const dead = spawn('/bin/sh', ['-c', 'exit 0']);
    const deadPid = dead.pid!;
    await new Promise((r) => dead.once('exit', r));
    const alive = spawn('/bin/sh', ['-c', 'sleep 30'], { stdio: 'ignore' });
    try {
      const pipelineId = await h.pipeline('deploy', [{ name: 'a', type: 'shell', command: 'true' }, { name: 'b', type: 'approval' }]);
      const make = async (pid: number, version: string, env: string, status: PipelineRun['status']) => {
        const rel = await h.release(version);
        const d = await h.promotion.promoteToEnvironment(rel.id, env, undefined, { override: { reason: 'test setup' } });
        await h.promotion.transitionDeployment(d.id, 'in_progress');
        const run: PipelineRun = {
          id: `run-${version}`, pipelineId, pipelineName: 'deploy', deploymentId: d.id, status, currentStep: 1,
          steps: [
            { index: 0, name: 'a', type: 'shell', status: 'succeeded', attempts: 1, log: '' },
            { index: 1, name: 'b', type: 'approval', status: 'running', attempts: 1, log: '' },
          ],
          startedAt: h.clock.now(), owner: { pid, hostname: (await import('node:os')).hostname() }, definition: [],
        };
        await h.uow.write((r) => r.pipelineRuns.insert(run));
        return { run, d };
      };
      const gone = await make(deadPid, '1.0.0', 'dev', 'waiting_approval');
      const live = await make(alive.pid!, '1.1.0', 'test', 'running');
      const recovered = await h.pipelines.recoverInterruptedRuns();
      assert.deepEqual(recovered.map((r) => r.id), [gone.run.id]);
      const after = await h.pipelines.getRun(gone.run.id);
      assert.equal(after?.status, 'interrupted');
      assert.equal(after?.interruption?.reason, `cut off: the window running it (process ${deadPid} on ${(await import('node:os')).hostname()}) ended`);
      assert.equal(after?.steps[1]!.status, 'failed');
      const d = await h.promotion.getDeployment(gone.d.id);
      assert.equal(d?.status, 'failed');
      assert.match(String(d?.metadata?.failure), /^pipeline 'deploy' cut off/);
      assert.equal((await h.pipelines.getRun(live.run.id))?.status, 'running');
      assert.equal((await h.promotion.getDeployment(live.d.id))?.status, 'in_progress');
      await assert.rejects(h.pipelines.cancelRun(live.run.id), /is driven by another window \(process \d+ on .*\); cancel it there/);
      await assert.rejects(h.pipelines.resolveInterruption(gone.run.id, 'retry'), /is not running in this window/);
      assert.deepEqual(await h.pipelines.recoverInterruptedRuns(), []);
      // A reused pid (same number, another start time) counts as dead.
      const reused = { pid: alive.pid!, hostname: (await import('node:os')).hostname(), processStart: '1' };
      assert.equal(await new (await import('../../../src/process/runOwner')).ProcessRunOwnership().isAlive(reused), false);
    } finally {
      alive.kill('SIGKILL');
    }
  });

  it('closing the window (dispose) records running runs as interrupted and fails their deployments', async () => {
    const { run, deployment } = await promoteWith(h, [{ name: 'long', type: 'shell', command: 'sleep 30' }]);
    await timerSleep(100);
    await h.pipelines.dispose();
    const stored = await h.pipelines.getRun(run.id);
    assert.equal(stored?.status, 'interrupted');
    assert.equal(stored?.interruption?.reason, 'the window running it closed');
    assert.equal((await h.promotion.getDeployment(deployment.id))?.status, 'failed');
  });
});
