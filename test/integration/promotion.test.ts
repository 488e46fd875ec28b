// Promotion and pipelines inside a real VS Code: pipelines declared in the workspace's
// .vscode/release-pipelines.json (read by the file watcher), shell steps that really run in the
// workspace folder, the Environments tree and the status bar following the run, refusals with the
// core's text, the file's problems in the Problems panel, guided failure resolved by command, and
// a `task` step through vscode.tasks.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Environment, PipelineRun, Release } from '../../src/core/model';
import * as os from 'node:os';
import { EnvironmentPromotionManager } from '../../src/core/releases/EnvironmentPromotionManager';
import { isProcessGone } from '../../src/process/treeKill';
import { Commands } from '../../src/vscode/commandIds';
import { Config } from '../../src/vscode/config';
import { FolderPipelines } from '../../src/vscode/pipelineHost';
import { api, refused, rows, uniqueVersion, waitFor } from './support';

const folder = () => vscode.workspace.workspaceFolders![0]!.uri;
const fileUri = () => vscode.Uri.joinPath(folder(), '.vscode', 'release-pipelines.json');
const outDir = () => path.join(folder().fsPath, '.rm-promotion-test');
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Line numbers below are asserted: keep the layout. */
const PIPELINES = `{
  "$schema": "release-manager:/schemas/release-pipelines.schema.json",
  // Reviewed in git. Steps run in the workspace folder; release values arrive as environment variables.
  "pipelines": [
    {
      "name": "ship",
      "steps": [
        { "name": "build", "type": "shell", "command": "mkdir -p .rm-promotion-test && printf '%s' \\"$RELEASE_VERSION\\" > \\".rm-promotion-test/built-$TARGET_ENV\\" && echo \\"built $RELEASE_VERSION\\"" },
        { "name": "deploy", "type": "shell", "command": "echo \\"deploying $RELEASE_VERSION\\"; sleep 1.5; echo \\"deployed to $TARGET_ENV\\"", "timeoutSeconds": 60 }
      ]
    },
    {
      "name": "guarded",
      "steps": [
        { "name": "check", "type": "shell", "command": "test -f .rm-promotion-test/ready || { echo 'not ready' >&2; exit 3; }" },
        { "name": "after", "type": "shell", "command": "echo after" }
      ]
    },
    {
      "name": "via-task",
      "steps": [ { "name": "notify", "type": "task", "task": "rm-notify", "timeoutSeconds": 60 } ]
    },
    {
      "name": "slow",
      "steps": [ { "name": "wait", "type": "shell", "command": "mkdir -p .rm-promotion-test; echo $$ > .rm-promotion-test/shell.pid; sleep 60 & echo $! > .rm-promotion-test/sleep.pid; wait" } ]
    }
  ]
}
`;

async function writeFile(uri: vscode.Uri, text: string): Promise<void> {
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
}

async function release(name: string, major: number): Promise<Release> {
  return ((await vscode.commands.executeCommand(Commands.createRelease, { name, version: uniqueVersion(major) })) as { release: Release }).release;
}

describe('promotion and pipelines', function () {
  this.timeout(60_000);
  let initial: Environment[] = [];

  before(async () => {
    const a = await api();
    const core = await a.core();
    initial = await core.environments.listEnvironments();
    fs.rmSync(outDir(), { recursive: true, force: true });
    await writeFile(fileUri(), PIPELINES);
    // The file watcher reads the file and applies it.
    await waitFor('the pipelines of the workspace file', async () => (await core.pipelines.listPipelines()).filter((p) => p.source === 'file').length === 4, 10_000);
  });

  after(async () => {
    const core = await (await api()).core();
    for (const env of initial) {
      await core.environments.updateEnvironment(env.name, { pipelineId: env.pipelineId ?? null, guidedFailure: env.guidedFailure });
    }
    await vscode.workspace.fs.delete(fileUri());
    await waitFor('the file pipelines to go', async () => !(await core.pipelines.listPipelines()).some((p) => p.source === 'file'), 10_000);
    fs.rmSync(outDir(), { recursive: true, force: true });
  });

  it('promotes a release dev → test through a shell pipeline; the Environments tree and the status bar follow', async () => {
    const a = await api();
    const core = await a.core();
    for (const env of ['dev', 'test']) await vscode.commands.executeCommand(Commands.editEnvironment, { environment: env, changes: { pipelineId: 'ship' } });
    const rel = await release('Promotion check', 40);
    const v = escape(rel.version);

    for (const env of ['dev', 'test']) {
      const d = (await vscode.commands.executeCommand(Commands.promote, { releaseId: rel.id, environment: env })) as { id: string; status: string; pipelineId?: string };
      assert.equal(d.status, 'in_progress', 'the pipeline started at once');
      const run = (await core.pipelines.listRuns({ deploymentId: d.id }))[0]!;
      assert.equal(run.pipelineName, 'ship');

      // While the deploy step sleeps: the status bar spins, the tree says in progress.
      await waitFor(`the status bar to spin at ${env}`, () => {
        const s = a.testing.statusBar();
        return s.releaseId === rel.id && s.text === `$(sync~spin) ${rel.version} · ${env} …`;
      });
      const busy = (await rows(a.testing.environmentsTree)).find((r) => r.label === env);
      assert.match(busy?.description ?? '', new RegExp(`last: ${v} in progress`));

      const end = await core.pipelines.waitForRun(run.id);
      assert.equal(end.status, 'succeeded', end.steps.map((s) => `${s.name}: ${s.summary}\n${s.log}`).join('\n'));
      assert.deepEqual(end.steps.map((s) => [s.name, s.status, s.exitCode]), [['build', 'succeeded', 0], ['deploy', 'succeeded', 0]]);
      assert.equal(end.steps[1]!.log, `deploying ${rel.version}\ndeployed to ${env}\n`);
      // The step ran in the workspace folder, with the release values as environment variables.
      assert.equal(fs.readFileSync(path.join(outDir(), `built-${env}`), 'utf8'), rel.version);

      await waitFor(`the status bar to show ${env} ✓`, () => a.testing.statusBar().text === `$(rocket) ${rel.version} · ${env} ✓`);
      await waitFor(`the Environments tree to show ${rel.version} in ${env}`, async () =>
        new RegExp(`^${v} ✓`).test((await rows(a.testing.environmentsTree)).find((r) => r.label === env)?.description ?? ''),
      );
    }
    assert.equal((await core.releases.getRelease(rel.id))?.status, 'in_progress');
    const steps = (await core.promotion.promotionPath(rel.id)).steps;
    assert.deepEqual(steps.slice(0, 3).map((s) => [s.environment, s.state]), [['dev', 'completed'], ['test', 'completed'], ['staging', 'not_deployed']]);
    assert.equal(steps[2]!.canPromote, true, 'staging is next');
  });

  it('the dashboard promotes from its Promotion tab and shows the run in its Pipeline tab; its messages are validated', async () => {
    const a = await api();
    const core = await a.core();
    const rel = await release('Dashboard promotion', 46);
    const other = await release('Another release', 47);
    await vscode.commands.executeCommand(Commands.openDashboard, { releaseId: rel.id, tab: 'promotion' });
    await waitFor('the dashboard to be ready with its snapshot', () => a.testing.dashboards().find((d) => d.releaseId === rel.id && d.ready && d.snapshot), 15_000);
    const snapshot = () => a.testing.dashboards().find((d) => d.releaseId === rel.id)?.snapshot;
    assert.deepEqual(snapshot()?.pipelines?.runs, []);
    assert.equal(snapshot()?.pipelines?.environments.find((e) => e.name === 'dev')?.pipeline, 'ship');
    assert.equal(snapshot()?.promotion.steps.find((s) => s.environment === 'production')?.protected, true);

    // Invalid messages: answered with the field, nothing written.
    const auditBefore = (await core.uow.read((r) => r.audit.list())).length;
    const cases: [unknown, string][] = [
      [{ type: 'promotion/promote', requestId: 'pp1', environment: 42 }, 'environment'],
      [{ type: 'promotion/promote', requestId: 'pp2', environment: 'dev', override: 'x' }, 'override'],
      [{ type: 'promotion/approval', requestId: 'pp3', environment: 'production', decision: 'approve', approver: 'mallory' }, 'approver'],
      [{ type: 'promotion/approval', requestId: 'pp4', environment: 'production', decision: 'force' }, 'decision'],
      [{ type: 'pipeline/action', requestId: 'pp5', runId: 'r 1', action: 'retry' }, 'runId'],
      [{ type: 'pipeline/action', requestId: 'pp6', runId: 'r1', action: 'explode' }, 'action'],
    ];
    for (const [raw, field] of cases) {
      const replies = await a.testing.sendFromWebview(rel.id, raw);
      const failed = replies.find((r) => r.type === 'request/failed');
      assert.equal(failed?.type === 'request/failed' && failed.field, field, JSON.stringify(replies));
    }
    assert.equal((await core.uow.read((r) => r.audit.list())).length, auditBefore, 'nothing was written');

    // A refusal carries the core's text.
    const refusedReply = (await a.testing.sendFromWebview(rel.id, { type: 'promotion/promote', requestId: 'pp7', environment: 'test' })).find((r) => r.type === 'request/failed');
    assert.equal(refusedReply?.type === 'request/failed' && refusedReply.message, `test needs a completed deployment of ${rel.version} in dev; last there: never deployed there`);

    // Promote from the tab: the run shows, step by step, and ends.
    const replies = await a.testing.sendFromWebview(rel.id, { type: 'promotion/promote', requestId: 'pp8', environment: 'dev' });
    assert.equal(replies.at(-1)?.type, 'request/done', JSON.stringify(replies.map((r) => r.type)));
    const run = await waitFor('the run in the snapshot', () => snapshot()?.pipelines?.runs[0]);
    assert.equal(run.pipelineName, 'ship');
    assert.equal(run.environment, 'dev');
    assert.equal(run.driven, true);
    await waitFor('the run to succeed in the snapshot', () => snapshot()?.pipelines?.runs[0]?.status === 'succeeded', 15_000);
    const done = snapshot()!.pipelines!.runs[0]!;
    assert.deepEqual(done.steps.map((s) => [s.name, s.status, s.exitCode]), [['build', 'succeeded', 0], ['deploy', 'succeeded', 0]]);
    assert.equal(done.steps[1]!.logTail, `deploying ${rel.version}\ndeployed to dev\n`);
    assert.ok((done.steps[1]!.durationMs ?? 0) >= 1000, `deploy took ${done.steps[1]!.durationMs} ms`);
    const dev = snapshot()!.promotion.steps.find((s) => s.environment === 'dev')!;
    assert.equal(dev.state, 'completed');
    assert.equal(dev.deploymentId, done.deploymentId);

    // Runs of another release cannot be acted on from this dashboard.
    const d2 = (await vscode.commands.executeCommand(Commands.promote, { releaseId: other.id, environment: 'dev' })) as { id: string };
    const otherRun = (await core.pipelines.listRuns({ deploymentId: d2.id }))[0]!;
    const foreign = (await a.testing.sendFromWebview(rel.id, { type: 'pipeline/action', requestId: 'pp9', runId: otherRun.id, action: 'cancel' })).find((r) => r.type === 'request/failed');
    assert.equal(foreign?.type === 'request/failed' && foreign.message, `pipeline run '${otherRun.id}' is not a run of this release`);
    assert.equal((await core.pipelines.waitForRun(otherRun.id)).status, 'succeeded', 'the other run went on');
  });

  it('a refused promotion shows the core\'s text and changes nothing', async () => {
    const a = await api();
    const core = await a.core();
    const rel = await release('Refused check', 41);
    const path0 = await core.environments.getPromotionPath(rel.id);
    const staging = path0.environments.find((s) => s.environment === 'staging')!;
    assert.equal(staging.canPromote, false);
    const message = await refused(Commands.promote, { releaseId: rel.id, environment: 'staging' });
    assert.equal(message, staging.blockers[0]);
    assert.equal(message, `staging needs a completed deployment of ${rel.version} in test; last there: never deployed there`);
    assert.deepEqual(await core.environments.listDeployments({ releaseId: rel.id }), []);
    assert.equal((await core.releases.getRelease(rel.id))?.status, 'planned');

    // Bad arguments name the field.
    assert.match(await refused(Commands.promote, { releaseId: rel.id, environment: 'staging', override: 'yes' }), /^arguments\.override: is not an argument of this command/);
    assert.match(await refused(Commands.promote, { releaseId: rel.id }), /^arguments\.environment: is required$/);
    // An override with a typed reason skips the order check, audited.
    const d = (await vscode.commands.executeCommand(Commands.promote, { releaseId: rel.id, environment: 'staging', overrideReason: 'hotfix, tested by hand' })) as { id: string; metadata?: { override?: { reason: string } } };
    assert.equal(d.metadata?.override?.reason, 'hotfix, tested by hand');
    assert.match(await refused(Commands.markDeployment, { deploymentId: d.id, status: 'done' }), /^arguments\.status: expected one of pending, in_progress, completed, failed, rolled_back, got 'done'$/);
    await vscode.commands.executeCommand(Commands.markDeployment, { deploymentId: d.id, status: 'in_progress' });
    await vscode.commands.executeCommand(Commands.markDeployment, { deploymentId: d.id, status: 'failed', note: 'gave up' });
    assert.equal((await core.environments.getDeployment(d.id))?.status, 'failed');
  });

  it('a pipeline file with an error puts a diagnostic on its line in the Problems panel; fixing it clears it', async () => {
    const core = await (await api()).core();
    const broken = PIPELINES.replace('"timeoutSeconds": 60 }', '"timeoutSeconds": -5 }');
    await writeFile(fileUri(), broken);
    const diagnostics = await waitFor('a diagnostic for the file', () => vscode.languages.getDiagnostics(fileUri()).filter((d) => d.source === 'Release Manager').length && vscode.languages.getDiagnostics(fileUri()).filter((d) => d.source === 'Release Manager'), 10_000);
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]!.message, 'pipelines[0].steps[1].timeoutSeconds: expected a positive number');
    assert.equal(diagnostics[0]!.severity, vscode.DiagnosticSeverity.Error);
    const line = broken.split('\n').findIndex((l) => l.includes('"timeoutSeconds": -5'));
    assert.equal(line, 8);
    assert.equal(diagnostics[0]!.range.start.line, line, 'the line of the bad value');
    assert.equal(diagnostics[0]!.range.start.character, broken.split('\n')[line]!.indexOf('-5'), 'at the bad value');
    // Nothing was applied: the pipelines are as they were.
    assert.equal((await core.pipelines.getPipeline('ship')).steps[1]!.timeoutSeconds, 60);

    // A syntax error: the line and column of the problem.
    const syntax = PIPELINES.replace('"name": "guarded",', '"name": "guarded"');
    await writeFile(fileUri(), syntax);
    const d2 = await waitFor('the syntax error', () => vscode.languages.getDiagnostics(fileUri()).find((d) => d.source === 'Release Manager' && /expected ',' or '}'/.test(d.message)), 10_000);
    // The comma is missing after "guarded": the parser stops at the next property, one line below.
    assert.equal(d2.range.start.line, syntax.split('\n').findIndex((l) => l.includes('"name": "guarded"')) + 1);

    await writeFile(fileUri(), PIPELINES);
    await waitFor('the diagnostics to clear', () => vscode.languages.getDiagnostics(fileUri()).every((d) => d.source !== 'Release Manager'), 10_000);
  });

  it('the file\'s $schema resolves: VS Code\'s JSON support checks the file against the bundled schema, comments allowed', async () => {
    const doc = await vscode.workspace.openTextDocument(fileUri());
    const editor = await vscode.window.showTextDocument(doc);
    assert.equal(doc.languageId, 'jsonc', 'the file is JSON with comments');
    try {
      const at = doc.getText().indexOf('"timeoutSeconds": 60') + '"timeoutSeconds": '.length;
      await editor.edit((e) => e.replace(new vscode.Range(doc.positionAt(at), doc.positionAt(at + 2)), '-5'));
      // The JSON language service's own check (no source), from the schema that $schema names.
      const d = await waitFor('the JSON schema diagnostic', () => vscode.languages.getDiagnostics(fileUri()).find((x) => x.source !== 'Release Manager' && /exclusive minimum of 0/.test(x.message)), 20_000);
      assert.equal(d.range.start.line, doc.positionAt(at).line);
      const others = vscode.languages.getDiagnostics(fileUri()).filter((x) => x.source !== 'Release Manager').map((x) => x.message);
      assert.ok(!others.some((m) => /Unable to load schema|Comments are not permitted/.test(m)), others.join('; '));
    } finally {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      // The web workbench saves after a delay: put the file back as the other tests expect it.
      await writeFile(fileUri(), PIPELINES);
      await waitFor('the diagnostics to clear', () => vscode.languages.getDiagnostics(fileUri()).every((x) => x.source !== 'Release Manager'), 10_000);
    }
  });

  it('guided failure: the failed step pauses the run; Retry / Ignore / Abort by command', async () => {
    const core = await (await api()).core();
    await vscode.commands.executeCommand(Commands.editEnvironment, { environment: 'dev', changes: { pipelineId: 'guarded', guidedFailure: true } });
    fs.rmSync(path.join(outDir(), 'ready'), { force: true });

    const interrupted = async (rel: Release): Promise<PipelineRun> => {
      const d = (await vscode.commands.executeCommand(Commands.promote, { releaseId: rel.id, environment: 'dev' })) as { id: string };
      const run = (await core.pipelines.listRuns({ deploymentId: d.id }))[0]!;
      const paused = await core.pipelines.waitForRun(run.id, ['interrupted', 'succeeded', 'failed', 'cancelled']);
      assert.equal(paused.status, 'interrupted');
      assert.match(paused.interruption?.reason ?? '', /^step 'check' failed: exit code 3$/);
      return paused;
    };

    // Retry after fixing the cause.
    const r1 = await interrupted(await release('Guided retry', 42));
    fs.mkdirSync(outDir(), { recursive: true });
    fs.writeFileSync(path.join(outDir(), 'ready'), '');
    await vscode.commands.executeCommand(Commands.retryPipelineStep, { runId: r1.id });
    const e1 = await core.pipelines.waitForRun(r1.id);
    assert.equal(e1.status, 'succeeded');
    assert.deepEqual(e1.steps.map((s) => [s.status, s.attempts]), [['succeeded', 2], ['succeeded', 1]]);

    // Ignore: the run goes on past the failed step.
    fs.rmSync(path.join(outDir(), 'ready'));
    const r2 = await interrupted(await release('Guided ignore', 43));
    await vscode.commands.executeCommand(Commands.ignorePipelineStep, { runId: r2.id });
    const e2 = await core.pipelines.waitForRun(r2.id);
    assert.equal(e2.status, 'succeeded');
    assert.deepEqual(e2.steps.map((s) => s.status), ['ignored', 'succeeded']);

    // Abort: the deployment fails.
    const r3 = await interrupted(await release('Guided abort', 44));
    await vscode.commands.executeCommand(Commands.abortPipelineRun, { runId: r3.id });
    const e3 = await core.pipelines.waitForRun(r3.id);
    assert.equal(e3.status, 'failed');
    assert.equal((await core.environments.getDeployment(e3.deploymentId))?.status, 'failed');

    // Not paused any more: the core says so.
    assert.match(await refused(Commands.retryPipelineStep, { runId: r3.id }), /is not running in this window/);
    assert.match(await refused(Commands.retryPipelineStep, { runId: 42 }), /^arguments\.runId: expected text, got number 42$/);
  });

  it('Cancel Pipeline Run ends the run and kills its whole process tree; the deployment fails', async () => {
    const a = await api();
    const core = await a.core();
    await vscode.commands.executeCommand(Commands.editEnvironment, { environment: 'dev', changes: { pipelineId: 'slow', guidedFailure: false } });
    const rel = await release('Cancel check', 48);
    const d = (await vscode.commands.executeCommand(Commands.promote, { releaseId: rel.id, environment: 'dev' })) as { id: string };
    const run = (await core.pipelines.listRuns({ deploymentId: d.id }))[0]!;
    const pids = await waitFor('the step to start its processes', () => {
      try {
        return ['shell.pid', 'sleep.pid'].map((f) => Number(fs.readFileSync(path.join(outDir(), f), 'utf8').trim())).filter((n) => n > 0).length === 2
          && ['shell.pid', 'sleep.pid'].map((f) => Number(fs.readFileSync(path.join(outDir(), f), 'utf8').trim()));
      } catch {
        return false;
      }
    }, 10_000);
    await waitFor('the status bar to spin', () => a.testing.statusBar().text.startsWith('$(sync~spin)'));
    const t0 = Date.now();
    const ended = (await vscode.commands.executeCommand(Commands.cancelPipelineRun, { runId: run.id })) as PipelineRun;
    assert.equal(ended.status, 'cancelled');
    assert.ok(Date.now() - t0 < 10_000, `cancelled in ${Date.now() - t0} ms`);
    // Gone or a zombie (an orphan's exit status waits for a reaper that this container may not have).
    const left: number[] = [];
    for (const pid of pids) if (!(await isProcessGone(pid))) left.push(pid);
    assert.deepEqual(left, [], 'no process of the step is left');
    assert.equal((await core.environments.getDeployment(d.id))?.status, 'failed');
    await waitFor('the status bar to stop spinning', () => !a.testing.statusBar().text.startsWith('$(sync~spin)') || a.testing.statusBar().releaseId !== rel.id);
    assert.match(await refused(Commands.cancelPipelineRun, { runId: run.id }), /has already ended \(cancelled\)/);
  });

  it('a folder\'s pipelines: at start, runs cut off by a closed window are marked interrupted; at shutdown, running steps end with their processes', async () => {
    const core = await (await api()).core();
    // A second engine over the same database, as the next window (or this one after a reload) gets.
    const log = vscode.window.createOutputChannel('Release Manager test', { log: true });
    const config = new Config();
    const promotion = new EnvironmentPromotionManager({ uow: core.uow, clock: core.clock, identity: core.identity });
    const host = new FolderPipelines({ folder: vscode.workspace.workspaceFolders![0]!, uow: core.uow, clock: core.clock, identity: core.identity, promotion, config, log });
    try {
      // A run its window left running: owned by a process that is not the one with that pid now.
      await vscode.commands.executeCommand(Commands.editEnvironment, { environment: 'dev', changes: { pipelineId: null, guidedFailure: false } });
      const rel = await release('Cut off', 49);
      const d = await core.environments.promoteToEnvironment(rel.id, 'dev');
      await core.environments.transitionDeployment(d.id, 'in_progress');
      const ship = await core.pipelines.getPipeline('ship');
      const stale: PipelineRun = {
        id: `stale-${Date.now()}`, pipelineId: ship.id, pipelineName: 'ship', deploymentId: d.id, status: 'running', currentStep: 0,
        steps: ship.steps.map((st, index) => ({ index, name: st.name, type: st.type, status: index === 0 ? 'running' : 'pending', attempts: index === 0 ? 1 : 0, log: '' })),
        startedAt: new Date(), owner: { pid: process.pid, hostname: os.hostname(), processStart: 'another process' }, definition: ship.steps,
      };
      await core.uow.write((r) => r.pipelineRuns.insert(stale));
      await host.start();
      const recovered = await core.pipelines.getRun(stale.id);
      assert.equal(recovered?.status, 'interrupted');
      assert.match(recovered?.interruption?.reason ?? '', /^cut off: the window running it/);
      assert.equal((await core.environments.getDeployment(d.id))?.status, 'failed');

      // A run this engine drives, cut by a clean shutdown: its processes end, the run is interrupted.
      const slow = await core.pipelines.getPipeline('slow');
      await core.environments.updateEnvironment('dev', { pipelineId: slow.id });
      fs.rmSync(path.join(outDir(), 'sleep.pid'), { force: true });
      const d2 = await promotion.promoteToEnvironment((await release('Shut down', 50)).id, 'dev');
      const sleepPid = await waitFor('the step to start sleeping', () => {
        try {
          return Number(fs.readFileSync(path.join(outDir(), 'sleep.pid'), 'utf8').trim());
        } catch {
          return 0;
        }
      }, 10_000);
      assert.ok(!(await isProcessGone(sleepPid)));
      await host.dispose();
      assert.ok(await isProcessGone(sleepPid), 'the step\'s process ended with the window');
      const run = (await core.pipelines.listRuns({ deploymentId: d2.id }))[0]!;
      assert.equal(run.status, 'interrupted');
      assert.equal((await core.environments.getDeployment(d2.id))?.status, 'failed');
    } finally {
      await host.dispose();
      config.dispose();
      log.dispose();
    }
  });

  it('a task step runs the workspace task through vscode.tasks, with the release values as environment variables', async () => {
    const core = await (await api()).core();
    const tasks = vscode.Uri.joinPath(folder(), '.vscode', 'tasks.json');
    await writeFile(tasks, JSON.stringify({
      version: '2.0.0',
      tasks: [{ label: 'rm-notify', type: 'shell', command: 'mkdir -p .rm-promotion-test && printf "%s %s" "$RELEASE_VERSION" "$TARGET_ENV" > .rm-promotion-test/task-out', problemMatcher: [] }],
    }, null, 2));
    try {
      await waitFor('VS Code to know the task', async () => (await vscode.tasks.fetchTasks()).some((t) => t.name === 'rm-notify'), 10_000);
      await vscode.commands.executeCommand(Commands.editEnvironment, { environment: 'dev', changes: { pipelineId: 'via-task', guidedFailure: false } });
      const rel = await release('Task check', 45);
      const d = (await vscode.commands.executeCommand(Commands.promote, { releaseId: rel.id, environment: 'dev' })) as { id: string };
      const run = (await core.pipelines.listRuns({ deploymentId: d.id }))[0]!;
      const end = await core.pipelines.waitForRun(run.id);
      assert.equal(end.status, 'succeeded', end.steps[0]!.log);
      assert.equal(fs.readFileSync(path.join(outDir(), 'task-out'), 'utf8'), `${rel.version} dev`);
      assert.match(end.steps[0]!.log, /Running task 'rm-notify'/);
    } finally {
      await vscode.workspace.fs.delete(tasks);
    }
  });

  it('environment commands: add, rename, move, freeze and remove; the Environments tree follows', async () => {
    const a = await api();
    const core = await a.core();
    const names = async () => (await rows(a.testing.environmentsTree)).map((r) => r.label);
    const original = await names();
    await vscode.commands.executeCommand(Commands.addEnvironment, { name: 'qa-int', settings: { position: 1, protected: true } });
    await waitFor('qa-int in the tree after dev', async () => (await names())[1] === 'qa-int');
    await vscode.commands.executeCommand(Commands.renameEnvironment, { environment: 'qa-int', newName: 'qa-renamed' });
    await vscode.commands.executeCommand(Commands.moveEnvironmentDown, { environment: 'qa-renamed' });
    await waitFor('qa-renamed after test', async () => (await names())[2] === 'qa-renamed');
    assert.match(await refused(Commands.moveEnvironmentUp, { environment: 'dev' }), /^dev is already the first environment$/);
    const frozen = (await vscode.commands.executeCommand(Commands.addFreezeWindow, {
      environment: 'qa-renamed',
      window: { name: 'All year', start: '2020-01-01T00:00', end: '2099-01-01T00:00', timeZone: 'Europe/Berlin' },
    })) as Environment;
    assert.equal(frozen.freezeWindows.length, 1);
    await waitFor('the tree to say frozen', async () => /frozen/.test((await rows(a.testing.environmentsTree)).find((r) => r.label === 'qa-renamed')?.description ?? ''));
    assert.match(await refused(Commands.addFreezeWindow, { environment: 'qa-renamed', window: { name: 'x', start: '2020-01-01T00:00', timeZone: 'Mars/Base' } }), /timeZone/);
    await vscode.commands.executeCommand(Commands.removeFreezeWindow, { environment: 'qa-renamed', windowId: frozen.freezeWindows[0]!.id });
    await vscode.commands.executeCommand(Commands.removeEnvironment, { environment: 'qa-renamed' });
    await waitFor('the tree as it was', async () => JSON.stringify(await names()) === JSON.stringify(original));
    assert.deepEqual((await core.environments.listEnvironments()).map((e) => e.name), initial.map((e) => e.name));
  });

  it('Create Pipeline adds a pipeline to the workspace file, keeping what is there', async () => {
    const core = await (await api()).core();
    const result = (await vscode.commands.executeCommand(Commands.createPipeline, { name: 'smoke-int', steps: [{ name: 'ping', type: 'shell', command: 'echo pong' }] })) as {
      pipeline: { name: string; source: string; steps: unknown[] };
      created: boolean;
    };
    assert.equal(result.created, false);
    assert.equal(result.pipeline.source, 'file');
    assert.deepEqual(result.pipeline.steps, [{ name: 'ping', type: 'shell', command: 'echo pong' }]);
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(fileUri()));
    assert.match(text, /\/\/ Reviewed in git\./, 'the comment stays');
    assert.deepEqual((await core.pipelines.listPipelines()).filter((p) => p.source === 'file').map((p) => p.name).sort(), ['guarded', 'ship', 'slow', 'smoke-int', 'via-task']);
    assert.match(await refused(Commands.createPipeline, { name: 'ship' }), /^arguments\.name: a pipeline named 'ship' already exists in \.vscode\/release-pipelines\.json$/);
    assert.match(await refused(Commands.createPipeline, { name: 'bad', steps: [{ name: 'x', type: 'shell' }] }), /^arguments\.steps\[0\]\.command: is required$/);
    await writeFile(fileUri(), PIPELINES);
    await waitFor('smoke-int to go with the file', async () => !(await core.pipelines.listPipelines()).some((p) => p.name === 'smoke-int'), 10_000);
  });
});
