// Issue 8 §2 inside a real VS Code: hostile webview messages through the dashboard host's real
// receive path (testing.sendFromWebview), and hostile argument objects through every command of the
// table (vscode.commands.executeCommand). Each must be refused with a clear error — the dashboard
// answers request/failed naming the field, the command rejects with the core's ValidationError,
// RefusedError or NotFoundError — no command may open a prompt, and the database must not change:
// same journal sequence, same audit count, same file and journal stamps.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { StorageState } from '../../src/vscode/storageState';
import { COMMANDS, Commands } from '../../src/vscode/commandIds';
import { WEBVIEW_MESSAGE_FIELDS } from '../../src/shared/messageValidation';
import { argCase, noArgsCase, treeNodeCase, unknownKinds, type ArgCase } from '../support/fuzz/commandArgs';
import { COMMAND_FUZZ, uncoveredCommands, type FuzzFixtures } from '../support/fuzz/commandTable';
import { ESCAPE_SENTINEL, polluted } from '../support/fuzz/hostile';
import { judgeCommandError, judgeMessage } from '../support/fuzz/judge';
import { MESSAGE_SAMPLES } from '../support/fuzz/messageSamples';
import { fuzzSeed, Rng } from '../support/fuzz/random';
import { uncoveredTypes, webviewMessageCases } from '../support/fuzz/webviewMessages';
import { api, uniqueVersion, waitFor } from './support';

const MESSAGES = 1_200;
const COMMAND_CASES = Number(process.env.FUZZ_COMMAND_CASES ?? 10_500);
/** A command that has not answered by then is waiting for a person: it opened a prompt. */
const PROMPT_TIMEOUT_MS = 5_000;

function same(a: StorageState, b: StorageState): string[] {
  const diffs: string[] = [];
  if (a.sequence !== b.sequence) diffs.push(`journal sequence ${a.sequence} → ${b.sequence}`);
  if (a.auditEvents !== b.auditEvents) diffs.push(`audit events ${a.auditEvents} → ${b.auditEvents}`);
  if (JSON.stringify(a.file) !== JSON.stringify(b.file)) diffs.push(`database file ${JSON.stringify(a.file)} → ${JSON.stringify(b.file)}`);
  if (JSON.stringify(a.journal) !== JSON.stringify(b.journal)) diffs.push(`journal file ${JSON.stringify(a.journal)} → ${JSON.stringify(b.journal)}`);
  return diffs;
}

/** Files whose path holds the traversal sentinel: a hostile path escaped somewhere. */
function escapes(workspace: string): string[] {
  const found = [path.join('/tmp', ESCAPE_SENTINEL), path.join(os.tmpdir(), ESCAPE_SENTINEL)].filter((p) => fs.existsSync(p));
  for (const root of [workspace]) {
    const walk = (dir: string, depth: number) => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const p = path.join(dir, e.name);
        if (p.includes(ESCAPE_SENTINEL) || e.name.includes('%2e')) found.push(p);
        if (e.isDirectory() && depth < 3 && e.name !== 'node_modules' && e.name !== '.git') walk(p, depth + 1);
      }
    };
    walk(root, 0);
  }
  return found;
}

describe('fuzz: hostile input at the boundaries (issue 8 §2)', function () {
  this.timeout(240_000);
  let fixtures: FuzzFixtures;
  let releaseId: string;
  let baseline: StorageState;
  let folderPath: string;

  before(async () => {
    const a = await api();
    const core = await a.core();
    const folder = vscode.workspace.workspaceFolders![0];
    folderPath = folder.uri.fsPath;
    let service = (await core.catalog.listServices())[0]?.name;
    if (!service) service = (await core.catalog.addService({ name: 'fuzz-api' })).name;
    const created = await core.releases.createRelease('Fuzz target', uniqueVersion(80), { services: [service] });
    releaseId = created.release.id;
    // A disabled train far in the future (the train runner never departs it during the run) and a roadmap.
    const suffix = Date.now().toString(36);
    const train = await core.trains.createSchedule({ name: `Fuzz train ${suffix}`, frequency: 'monthly', startDate: '2035-01-05T09:00', timeZone: 'UTC', enabled: false });
    const roadmap = await core.roadmaps.createRoadmap({ name: `Fuzz roadmap ${suffix}`, milestones: [{ title: 'Beta' }] });
    const environment = (await core.environments.listEnvironments())[0]?.name ?? 'dev';
    fixtures = { folder: folder.name, releaseId, service, freshVersion: uniqueVersion(81), environment, train: train.name, roadmap: roadmap.name, milestone: 'Beta' };
    await vscode.commands.executeCommand(Commands.openDashboard, { releaseId });
    await waitFor('the fuzz dashboard to be ready', () => a.testing.dashboards().find((d) => d.releaseId === releaseId && d.ready), 15_000);
    // Let the views and the calendar feed catch up, then write everything pending, so that any change
    // of the files from here on is the fuzzer's doing.
    await a.testing.settled();
    await core.db.snapshot();
    baseline = await a.testing.storage();
  });

  it('covers every command of the table and every webview message type', () => {
    assert.deepEqual(uncoveredCommands(COMMANDS.map((c) => c.id)), [], 'commands without an entry in test/support/fuzz/commandTable.ts');
    assert.deepEqual(uncoveredTypes(WEBVIEW_MESSAGE_FIELDS, MESSAGE_SAMPLES), [], 'message types without a sample in test/support/fuzz/messageSamples.ts');
    const unknown = Object.entries(COMMAND_FUZZ).flatMap(([id, e]) => (typeof e.args === 'object' ? unknownKinds(e.args).map((k) => `${id}: ${k}`) : []));
    assert.deepEqual(unknown, []);
  });

  it(`answers ${MESSAGES.toLocaleString('en')} hostile webview messages each with request/failed naming a field, and writes nothing`, async () => {
    const a = await api();
    const seed = fuzzSeed();
    const rng = new Rng(seed);
    const failures: string[] = [];
    let n = 0;
    const t0 = Date.now();
    for (const c of webviewMessageCases(rng, WEBVIEW_MESSAGE_FIELDS, MESSAGE_SAMPLES, MESSAGES, true)) {
      n++;
      let problem: string | undefined;
      try {
        const replies = await a.testing.sendFromWebview(releaseId, c.raw);
        const r = replies[0];
        if (replies.length !== 1) problem = `${replies.length} replies: ${replies.map((x) => x.type).join(', ')}`;
        else if (r.type !== 'request/failed') problem = `answered ${r.type}`;
        else problem = judgeMessage(c, { ok: false, field: r.field, reason: r.message.startsWith(`${r.field}: `) ? r.message.slice((r.field ?? '').length + 2) : r.message });
      } catch (e) {
        problem = `the host threw ${(e as Error).name}: ${(e as Error).message.slice(0, 200)}`;
      }
      if (problem && failures.length < 20) failures.push(`message ${n} (${c.what}): ${problem}`);
    }
    const ms = Date.now() - t0;
    console.log(`      ${n} webview messages in ${ms} ms (${(ms / n).toFixed(1)} ms each), seed ${seed}`);
    assert.deepEqual(failures, [], `seed ${seed}`);
    await a.testing.settled();
    assert.deepEqual(same(baseline, await a.testing.storage()), [], 'the database changed');
    assert.ok(a.testing.dashboards().some((d) => d.releaseId === releaseId), 'the dashboard is still open');
  });

  it(`refuses ${COMMAND_CASES.toLocaleString('en')} hostile argument objects spread over every command, without a prompt, and writes nothing`, async () => {
    const a = await api();
    const seed = fuzzSeed();
    const rng = new Rng(seed);
    const ids = Object.keys(COMMAND_FUZZ);
    const failures: string[] = [];
    const perCommand = new Map<string, { n: number; ms: number }>();
    const errorKinds = new Map<string, number>();
    const t0 = Date.now();
    for (let i = 0; i < COMMAND_CASES; i++) {
      const id = ids[i % ids.length];
      const entry = COMMAND_FUZZ[id];
      const c: ArgCase =
        entry.args === 'none' ? noArgsCase(rng, false)
        : entry.args === 'treeNode' ? treeNodeCase(rng, false)
        : argCase(rng, entry.args, entry.sample?.(fixtures), false);
      // Yield to the event loop: refusals settle in microtasks, and a loop that never yields would
      // starve the extension host's connection to the window (it would look unresponsive).
      await new Promise((r) => setImmediate(r));
      const started = Date.now();
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        Promise.resolve(vscode.commands.executeCommand(id, c.arg)).then(
          (value) => ({ kind: 'resolved' as const, value }),
          (error: unknown) => ({ kind: 'rejected' as const, error }),
        ),
        new Promise<{ kind: 'timeout' }>((r) => (timer = setTimeout(() => r({ kind: 'timeout' }), PROMPT_TIMEOUT_MS))),
      ]);
      clearTimeout(timer);
      const stat = perCommand.get(id) ?? { n: 0, ms: 0 };
      stat.n++;
      stat.ms += Date.now() - started;
      perCommand.set(id, stat);
      let problem: string | undefined;
      if (outcome.kind === 'timeout') {
        problem = `no answer within ${PROMPT_TIMEOUT_MS} ms: it waits for a person (a prompt opened)`;
        await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      } else if (outcome.kind === 'resolved') problem = `accepted (returned ${JSON.stringify(outcome.value)?.slice(0, 120)})`;
      else {
        problem = judgeCommandError(c, outcome.error);
        const name = (outcome.error as Error)?.name ?? 'unknown';
        errorKinds.set(name, (errorKinds.get(name) ?? 0) + 1);
      }
      if (problem && failures.length < 30) failures.push(`${id} case ${i + 1} (${c.what}): ${problem}`);
      if (failures.length >= 30) break;
    }
    const ms = Date.now() - t0;
    const slow = [...perCommand].map(([id, s]) => [id, s.ms / s.n] as const).sort((x, y) => y[1] - x[1]).slice(0, 4);
    console.log(
      `      ${COMMAND_CASES} argument objects over ${ids.length} commands in ${(ms / 1000).toFixed(1)} s; refusals: ${[...errorKinds].map(([k, v]) => `${k} ${v}`).join(', ')}; ` +
        `slowest: ${slow.map(([id, avg]) => `${id.replace('releaseManager.', '')} ${avg.toFixed(1)} ms`).join(', ')}; seed ${seed}`,
    );
    assert.deepEqual(failures, [], `seed ${seed}`);
    assert.equal(polluted(), undefined, 'Object.prototype polluted');
    await a.testing.settled();
    assert.deepEqual(same(baseline, await a.testing.storage()), [], 'the database changed');
    assert.deepEqual(escapes(folderPath), [], 'a hostile path escaped');
  });
});
