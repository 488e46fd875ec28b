// Issue 7 in a real VS Code: release trains (tree, countdown, the timer creating a release), roadmap
// links and progress (commands and the dashboard), release notes from a real git history in the
// workspace, the production tag, and the DORA figures in the dashboard.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Release } from '../../src/core/model';
import type { ReleaseTrain } from '../../src/core/releaseTrains';
import type { RoadmapProgress, Roadmap } from '../../src/core/roadmaps';
import type { TrainTreeNode } from '../../src/vscode/trainTree';
import { formatInstant } from '../../src/core/recurrence';
import { Commands } from '../../src/vscode/commandIds';
import { api, refused, waitFor } from './support';

interface Row {
  node: TrainTreeNode;
  label: string;
  description: string;
  contextValue?: string;
}

async function rows(provider: vscode.TreeDataProvider<TrainTreeNode>, parent?: TrainTreeNode): Promise<Row[]> {
  const children = (await provider.getChildren(parent)) ?? [];
  return Promise.all(
    children.map(async (node) => {
      const item = await provider.getTreeItem(node);
      const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
      return { node, label, description: typeof item.description === 'string' ? item.description : '', contextValue: item.contextValue };
    }),
  );
}

const pad = (n: number) => String(n).padStart(2, '0');
/** 'YYYY-MM-DD HH:mm' of an instant in UTC, as the create command takes a departure. */
const utcLocal = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
const unique = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;

function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return folder.uri.fsPath;
}

function git(cwd: string, ...args: string[]): string {
  // The identity comes with each call: a repository-wide user.name would change who the audit log names in later tests.
  return execFileSync('git', ['-c', 'user.name=Sample Author', '-c', 'user.email=author@example.com', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
  });
}

function commit(cwd: string, message: string, files: Record<string, string>): void {
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(cwd, f)), { recursive: true });
    fs.appendFileSync(path.join(cwd, f), text);
  }
  git(cwd, 'add', '--', ...Object.keys(files));
  git(cwd, 'commit', '-q', '-m', message);
}

describe('release trains, roadmaps, notes and metrics (issue 7)', () => {
  it('a monthly train created by command shows in the Release Trains tree with its next departures and checkpoints', async () => {
    const a = await api();
    const core = await a.core();
    const name = `Monthly ${unique()}`;
    // The first of the month after next, 09:00 in Berlin: within the tree's year ahead.
    const now = new Date();
    const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 2, 1));
    const start = `${first.getUTCFullYear()}-${pad(first.getUTCMonth() + 1)}-01 09:00`;
    const train = (await vscode.commands.executeCommand(Commands.createTrain, {
      name,
      frequency: 'monthly',
      startDate: start,
      timeZone: 'Europe/Berlin',
      checkpoints: [{ name: 'feature freeze', offset: { days: -7 } }, { name: 'code freeze', offset: { days: -2 } }],
    })) as ReleaseTrain;
    try {
      assert.equal(train.recurrence.start, start.replace(' ', 'T'));
      await a.testing.settled();
      const row = await waitFor('the train in the tree', async () => (await rows(a.testing.trainsTree)).find((r) => r.label === name));
      assert.equal(row.description, 'monthly on day 1 at 09:00 Europe/Berlin · next minor');
      assert.equal(row.contextValue, 'train.enabled');

      const departures = await rows(a.testing.trainsTree, row.node);
      const expected = (await core.trains.upcoming(new Date(), { days: 400 }, 3)).filter((d) => d.trainId === train.id);
      const wall = (label: string) => label.replace(/ Europe\/Berlin$/, '');
      assert.equal(expected.length, 3);
      assert.equal(expected[0].local, start.replace(' ', 'T'));
      assert.deepEqual(departures.map((d) => d.label), expected.map((d) => wall(d.label)));
      assert.match(departures[0].label, new RegExp(`^\\w{3} ${start.slice(0, 10)} 09:00$`));
      assert.match(departures[0].description, new RegExp(`^${expected[0].expectedVersion.replace(/\./g, '\\.')} · in \\d+d$`));
      const checkpoints = await rows(a.testing.trainsTree, departures[0].node);
      assert.deepEqual(checkpoints.map((c) => c.label), ['Feature freeze', 'Code freeze']);
      // A week and two days before, at 09:00 Berlin time (also across a daylight-saving change).
      assert.deepEqual(checkpoints.map((c) => c.description.replace(/ · in \d+d$/, '')), expected[0].checkpoints.map((c) => wall(formatInstant(c.at, 'Europe/Berlin'))));
      assert.ok(checkpoints.every((c) => / 09:00 · in \d+d$/.test(c.description)), checkpoints.map((c) => c.description).join(', '));

      // The workspace calendar (issue 3's feed) lists the departures and checkpoints.
      const ics = path.join(workspaceDir(), '.vscode', 'releases.ics');
      await waitFor('the departures in .vscode/releases.ics', () => fs.existsSync(ics) && fs.readFileSync(ics, 'utf8').includes(`SUMMARY:${name} departs`), 5000);
      assert.ok(fs.readFileSync(ics, 'utf8').includes(`SUMMARY:Code freeze: ${name}`));

      // Disable by name: the tree says so and lists no departures.
      await vscode.commands.executeCommand(Commands.disableTrain, { train: name });
      const disabled = await waitFor('the disabled train', async () => (await rows(a.testing.trainsTree)).find((r) => r.label === name && r.contextValue === 'train.disabled'));
      assert.match(disabled.description, /^disabled · /);
      assert.deepEqual((await rows(a.testing.trainsTree, disabled.node)).map((r) => r.label), ['Disabled: no departures']);

      // The scheduler's own refusals reach the caller with the field named; nothing is created.
      assert.match(await refused(Commands.createTrain, { name, frequency: 'monthly', startDate: start }), /^name: a release train named '.*' exists already/);
      assert.match(await refused(Commands.createTrain, { name: 'Bad zone', frequency: 'monthly', startDate: '2031-01-31 09:00', timeZone: 'Mars/Base' }), /^timeZone: 'Mars\/Base' is not an IANA time zone/);
      assert.match(await refused(Commands.createTrain, { name: 'Bad start', frequency: 'weekly', startDate: '2031-02-30 09:00' }), /^startDate: 2031-02-30T09:00 is not a calendar date/);
      assert.match(await refused(Commands.updateTrain, { train: 'no such train', updates: {} }), /^arguments\.train: no release train 'no such train'/);
    } finally {
      await vscode.commands.executeCommand(Commands.deleteTrain, { train: train.id });
    }
    await a.testing.settled();
    assert.ok(!(await rows(a.testing.trainsTree)).some((r) => r.label === name), 'deleted from the tree');
  });

  it('the status bar counts down to a near checkpoint ("code freeze in 1d"), with the train and time in the tooltip', async () => {
    const a = await api();
    const name = `Countdown ${unique()}`;
    // Two days and ten minutes from now: the code freeze a day before is a day and ten minutes away.
    const start = utcLocal(new Date(Date.now() + 2 * 86_400_000 + 10 * 60_000));
    const train = (await vscode.commands.executeCommand(Commands.createTrain, {
      name,
      frequency: 'monthly',
      startDate: start,
      timeZone: 'UTC',
      checkpoints: [{ name: 'code freeze', offset: { days: -1 } }],
    })) as ReleaseTrain;
    try {
      const shown = await waitFor('the countdown in the status bar', () => {
        const s = a.testing.trainCountdown();
        return s.visible && s.trainId === train.id && s;
      });
      assert.equal(shown.text, '$(watch) code freeze in 1d');
      assert.match(shown.tooltip, new RegExp(`^\\*\\*Code freeze\\*\\* of release train '${name}'`));
      assert.match(shown.tooltip, /Departure: .* UTC/);
    } finally {
      await vscode.commands.executeCommand(Commands.deleteTrain, { train: train.id });
    }
    await waitFor('the countdown to go with the train', () => a.testing.trainCountdown().trainId !== train.id);
  });

  it('the timer creates the release of a departure that comes while VS Code is open, once, and says so', async function () {
    this.timeout(100_000);
    const a = await api();
    const core = await a.core();
    const name = `Timer ${unique()}`;
    // Departures are whole minutes: the next one at least 5 s away.
    const next = new Date(Math.ceil((Date.now() + 5000) / 60_000) * 60_000);
    const train = (await vscode.commands.executeCommand(Commands.createTrain, { name, frequency: 'daily', startDate: utcLocal(next), timeZone: 'UTC', versionRule: 'calendar' })) as ReleaseTrain;
    let created: Release | undefined;
    try {
      const notice = await waitFor(
        'the notification of the created release',
        () => a.testing.trainNotices().find((n) => n.includes(`created by train '${name}'`)),
        next.getTime() - Date.now() + 20_000,
      );
      created = (await core.releases.listReleases()).find((r) => r.trainId === train.id);
      assert.ok(created, 'the release exists');
      assert.equal(notice, `Release ${created.version} created by train '${name}'.`);
      assert.match(created.version, /^\d{4}\.\d{1,2}\.\d+$/);
      assert.equal(created.plannedStart?.toISOString(), next.toISOString());
      // Running again (the command) creates nothing more: each departure once.
      const again = (await vscode.commands.executeCommand(Commands.runDueTrains, {})) as { departures: unknown[] };
      assert.equal(again.departures.length, 0);
      assert.equal((await core.releases.listReleases()).filter((r) => r.trainId === train.id).length, 1);
    } finally {
      await vscode.commands.executeCommand(Commands.deleteTrain, { train: train.id });
      // Out of the way of the other tests' "next planned release".
      if (created) await core.releases.cancelRelease(created.id, 'timer test done');
    }
  });

  it('links a release to milestones, reads the progress by command and in the dashboard, and unlinks from the dashboard', async () => {
    const a = await api();
    const core = await a.core();
    const roadmapName = `Roadmap ${unique()}`;
    const roadmap = (await vscode.commands.executeCommand(Commands.createRoadmap, {
      name: roadmapName,
      milestones: [{ title: 'Checkout', dueDate: '2031-06-30', weight: 2 }, { title: 'Search' }],
    })) as Roadmap;
    const milestone = (await vscode.commands.executeCommand(Commands.addMilestone, { roadmap: roadmapName, title: 'Payments', dueDate: '2031-09-30' })) as { id: string };
    const { release } = (await vscode.commands.executeCommand(Commands.createRelease, { name: 'Roadmap check', version: `0.800.${Date.now() % 100_000}` })) as { release: Release };
    const linked = (await vscode.commands.executeCommand(Commands.linkRelease, { releaseId: release.id, roadmap: roadmapName, milestones: ['Checkout', milestone.id] })) as {
      changed: string[];
    };
    assert.deepEqual(linked.changed, ['Checkout', 'Payments']);
    assert.match(await refused(Commands.linkRelease, { releaseId: release.id, roadmap: roadmapName, milestones: ['Nope'] }), /^arguments\.milestones\[0\]: no milestone 'Nope' in roadmap 'Roadmap [^']+' \(known: Checkout, Search, Payments\)/);

    let progress = (await vscode.commands.executeCommand(Commands.showRoadmap, { roadmap: roadmap.id })) as RoadmapProgress;
    assert.deepEqual(progress.milestones.map((m) => [m.milestone.title, m.releases.map((r) => r.version), m.percentDone]), [
      ['Checkout', [release.version], 0],
      ['Search', [], 0],
      ['Payments', [release.version], 0],
    ]);

    // The release reaches production: its milestones are done.
    await core.releases.updateRelease(release.id, { status: 'in_progress' });
    await core.releases.updateRelease(release.id, { status: 'deployed' });
    progress = (await vscode.commands.executeCommand(Commands.showRoadmap, { roadmap: roadmapName })) as RoadmapProgress;
    assert.deepEqual(progress.milestones.map((m) => [m.milestone.title, m.percentDone, m.done]), [['Checkout', 100, true], ['Search', 0, false], ['Payments', 100, true]]);
    assert.equal(progress.percentDone, 75);

    await vscode.commands.executeCommand(Commands.openDashboard, { releaseId: release.id, tab: 'roadmap' });
    const info = await waitFor('the dashboard with the roadmap', () => a.testing.dashboards().find((d) => d.releaseId === release.id && d.ready && d.snapshot?.roadmap), 15_000);
    const view = info.snapshot?.roadmap?.linked.find((r) => r.id === roadmap.id);
    assert.ok(view, 'the linked roadmap is in the snapshot');
    assert.deepEqual(view.milestones.map((m) => [m.title, m.linked, m.percentDone]), [['Checkout', true, 100], ['Search', false, 0], ['Payments', true, 100]]);
    assert.match(view.rule, /^Percent done: /);
    // The DORA figures are gathered beside the snapshot and arrive in a later one.
    const metrics = await waitFor('the DORA figures in the dashboard', () => a.testing.dashboards().find((d) => d.releaseId === release.id)?.snapshot?.metrics, 10_000);
    assert.deepEqual(metrics.figures.map((f) => f.key), ['deploymentFrequency', 'leadTime', 'changeFailureRate', 'timeToRestore']);

    // The dashboard's messages are validated; a valid unlink changes the link.
    const bad = await a.testing.sendFromWebview(release.id, { type: 'roadmap/unlink', requestId: 'u0', roadmapId: roadmap.id, milestoneId: 42 });
    assert.deepEqual(bad.map((m) => m.type), ['request/failed']);
    assert.match(bad[0].type === 'request/failed' ? bad[0].message : '', /^milestoneId: expected text, got number 42$/);
    const replies = await a.testing.sendFromWebview(release.id, { type: 'roadmap/unlink', requestId: 'u1', roadmapId: roadmap.id, milestoneId: milestone.id });
    assert.deepEqual(replies.map((m) => m.type), ['dashboard/snapshot', 'request/done']);
    const after = a.testing.dashboards().find((d) => d.releaseId === release.id)?.snapshot?.roadmap?.linked.find((r) => r.id === roadmap.id);
    assert.deepEqual(after?.milestones.filter((m) => m.linked).map((m) => m.title), ['Checkout']);
    const refusedReply = await a.testing.sendFromWebview(release.id, { type: 'roadmap/unlink', requestId: 'u2', roadmapId: roadmap.id, milestoneId: milestone.id });
    assert.match(refusedReply.at(-1)?.type === 'request/failed' ? (refusedReply.at(-1) as { message: string }).message : '', /is not linked to milestone 'Payments'/);
  });

  it('generates release notes from the workspace git history (by type and service, breaking first), exports and edits them, and tags the production commit', async function () {
    this.timeout(60_000);
    const a = await api();
    const core = await a.core();
    const dir = workspaceDir();
    // The services that own the changed folders (other tests may have discovered them already).
    for (const name of ['api', 'auth', 'web']) {
      if (!(await core.catalog.getService(name))) await core.catalog.addService({ name, path: `services/${name}` });
    }
    // A real repository in the workspace copy, with conventional commits across services.
    git(dir, 'init', '-q', '-b', 'main');
    // Only the e-mail: git names the tagger from it if no global identity exists; user.name (the audit log's actor) stays as it is.
    execFileSync('git', ['config', 'user.email', 'author@example.com'], { cwd: dir });
    commit(dir, 'chore: import the shop', { 'README.md': '\n', 'docker-compose.yml': '\n', 'package.json': '' });
    const base = Date.now() % 100_000;
    git(dir, 'tag', `v0.900.${base}`);
    commit(dir, 'feat(api): search endpoint for products', { 'services/api/src/search.js': 'module.exports = {};\n' });
    commit(dir, 'fix: web escapes product names <b>', { 'services/web/src/escape.js': '// escape\n' });
    commit(dir, 'feat!: sessions expire after 30 minutes\n\nBREAKING CHANGE: old tokens are refused', { 'services/auth/src/expire.js': '// 30 min\n' });
    commit(dir, 'docs: how to run the shop', { 'README.md': 'Run deploy/deploy-service.sh\n' });
    const version = `0.900.${base + 1}`;
    const { release } = (await vscode.commands.executeCommand(Commands.createRelease, { name: 'Notes check', version, services: ['api', 'web', 'auth'] })) as { release: Release };

    const generated = (await vscode.commands.executeCommand(Commands.generateNotes, { releaseId: release.id })) as { markdown: string; notes: { commits: number; baseTag: string | null } };
    assert.equal(generated.notes.baseTag, `v0.900.${base}`);
    assert.equal(generated.notes.commits, 4);
    const md = generated.markdown;
    assert.match(md, new RegExp(`^# Release ${version.replace(/\./g, '\\.')} — Notes check\n`));
    const order = ['## ⚠ Breaking changes', '- **auth:** old tokens are refused', '## Features', '### api', 'search endpoint for products', '### auth', '## Bug fixes', '### web', 'web escapes product names &lt;b&gt;', '## Documentation', '### Other', 'how to run the shop'];
    let at = -1;
    for (const piece of order) {
      const i = md.indexOf(piece, at + 1);
      assert.ok(i > at, `'${piece}' after the previous piece in:\n${md}`);
      at = i;
    }
    assert.equal((await core.releases.getRelease(release.id))?.releaseNotes, md, 'stored on the release');

    // Export as Markdown.
    const out = (await vscode.commands.executeCommand(Commands.exportNotes, { releaseId: release.id, path: '.vscode/test-release-notes.md' })) as { path: string };
    assert.equal(fs.readFileSync(out.path, 'utf8'), md);

    // Edit: a Markdown editor on the stored notes; saving stores the edit on the release.
    const { uri } = (await vscode.commands.executeCommand(Commands.editNotes, { releaseId: release.id })) as { uri: string };
    const doc = await waitFor('the notes editor', () => vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri));
    assert.equal(doc.languageId, 'markdown');
    assert.equal(doc.getText(), md);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(1, 0), '\nHighlights: faster search.\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.ok(await doc.save(), 'saved');
    assert.match((await core.releases.getRelease(release.id))?.releaseNotes ?? '', /^# Release .*\n\nHighlights: faster search\.\n/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');

    // releaseManager.git.tagOnProduction: reaching production tags HEAD.
    const settings = vscode.workspace.getConfiguration('releaseManager');
    await settings.update('git.tagOnProduction', true, vscode.ConfigurationTarget.Workspace);
    try {
      await core.releases.updateRelease(release.id, { status: 'in_progress' });
      await core.releases.updateRelease(release.id, { status: 'deployed' });
      const head = git(dir, 'rev-parse', 'HEAD').trim();
      const tagged = await waitFor(`tag v${version}`, () => git(dir, 'tag', '--list', `v${version}`).trim() === `v${version}` && git(dir, 'rev-list', '-n', '1', `v${version}`).trim(), 10_000);
      assert.equal(tagged, head);
      assert.match(git(dir, 'cat-file', '-t', `v${version}`), /^tag/, 'an annotated tag');
    } finally {
      await settings.update('git.tagOnProduction', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
