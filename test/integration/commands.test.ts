import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Release } from '../../src/core/model';
import { COMMANDS, Commands } from '../../src/vscode/commandIds';
import { api, refused, uniqueVersion, waitFor } from './support';

describe('commands', () => {
  before(async () => {
    await api();
  });

  it('registers every command of the table', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = COMMANDS.map((c) => c.id).filter((id) => !registered.has(id));
    assert.deepEqual(missing, []);
  });

  it('discovers the sample services and adds the accepted ones with their dependencies', async () => {
    const result = (await vscode.commands.executeCommand(Commands.discoverServices, { accept: ['api', 'auth', 'web', 'worker', 'db', 'redis'] })) as {
      added: string[];
      dependencies: number;
      skipped: string[];
    };
    assert.deepEqual([...result.added].sort(), ['api', 'auth', 'db', 'redis', 'web', 'worker']);
    const core = await (await api()).core();
    const apiService = await core.catalog.getService('api');
    assert.deepEqual(apiService?.dependencies, ['auth', 'db', 'redis']);
    assert.equal(apiService?.path, 'services/api');
    // adminer (compose profile "tools") was not accepted, so its edge to db is not offered as a dependency of anything added.
    assert.equal(await core.catalog.getService('adminer'), null);
    const again = (await vscode.commands.executeCommand(Commands.discoverServices, { accept: [] })) as { added: string[] };
    assert.deepEqual(again.added, []);
  });

  it('creates a release from an argument object, with its conversation', async () => {
    const version = uniqueVersion(1);
    const { release, conversationId } = (await vscode.commands.executeCommand(Commands.createRelease, {
      name: 'Checkout redesign',
      version,
      services: ['api', 'web'],
      plannedStart: '2030-01-10 09:00',
      plannedEnd: '2030-01-12T18:00:00Z',
    })) as { release: Release; conversationId: string };
    assert.equal(release.version, version);
    assert.equal(release.status, 'planned');
    assert.deepEqual(release.services, ['api', 'web']);
    assert.equal(new Date(release.plannedStart as Date).getFullYear(), 2030);
    assert.ok(conversationId);
  });

  it('updates, assesses and cancels a release; the core refuses what the rules forbid', async () => {
    const version = uniqueVersion(2);
    const { release } = (await vscode.commands.executeCommand(Commands.createRelease, { name: 'Search', version })) as { release: Release };
    const updated = (await vscode.commands.executeCommand(Commands.updateRelease, {
      releaseId: release.id,
      updates: { name: 'Search v2', services: ['api'], plannedEnd: '2031-05-01 12:00' },
    })) as Release;
    assert.equal(updated.name, 'Search v2');
    assert.deepEqual(updated.services, ['api']);

    const assessed = (await vscode.commands.executeCommand(Commands.assessRisk, { releaseId: release.id })) as Release;
    assert.equal(typeof assessed.riskScore, 'number');
    assert.ok(assessed.riskFactors?.serviceCount, 'risk factors stored');

    const cancelled = (await vscode.commands.executeCommand(Commands.cancelRelease, { releaseId: release.id, reason: 'superseded' })) as Release;
    assert.equal(cancelled.status, 'cancelled');
    assert.match(await refused(Commands.cancelRelease, { releaseId: release.id }), /cannot go from cancelled to cancelled: a cancelled release is final/);
    assert.match(await refused(Commands.updateRelease, { releaseId: release.id, updates: { name: 'x' } }), /is cancelled; it cannot be changed/);
  });

  it('refuses bad arguments with a message naming the field, and changes nothing', async () => {
    const core = await (await api()).core();
    const before = await core.uow.read((r) => r.releases.count());
    assert.match(await refused(Commands.createRelease, { name: 'Bad', version: '1.2' }), /^version: '1\.2' is not a valid semantic version/);
    assert.match(await refused(Commands.createRelease, { name: 'Bad', version: uniqueVersion(3), services: ['nope'] }), /^services: unknown service 'nope'; known services: /);
    assert.match(await refused(Commands.createRelease, { name: 'Bad', version: uniqueVersion(3), colour: 'red' }), /^arguments\.colour: is not an argument of this command/);
    assert.match(await refused(Commands.createRelease, { version: uniqueVersion(3) }), /^arguments\.name: is required/);
    assert.match(await refused(Commands.createRelease, { name: 'Bad', version: uniqueVersion(3), plannedStart: 'tomorrow' }), /^plannedStart: 'tomorrow' is not a date/);
    assert.match(await refused(Commands.createRelease, 'not an object'), /^arguments: expected an object/);
    assert.match(await refused(Commands.postMessage, { releaseId: 'missing', text: 'hi' }), /release 'missing' does not exist/);
    assert.match(await refused(Commands.openDashboard, { releaseId: 'x', tab: 'nope' }), /^arguments\.tab: expected one of overview, services, traffic, conversation, activity/);
    assert.match(await refused(Commands.createRelease, { name: 'Bad', version: uniqueVersion(3), folder: 'elsewhere' }), /^arguments\.folder: 'elsewhere' is not an open workspace folder/);
    assert.equal(await core.uow.read((r) => r.releases.count()), before);
  });

  it('posts to the conversation and exports the calendar', async () => {
    const version = uniqueVersion(4);
    const { release, conversationId } = (await vscode.commands.executeCommand(Commands.createRelease, { name: 'Calendar', version })) as {
      release: Release;
      conversationId: string;
    };
    await vscode.commands.executeCommand(Commands.postMessage, { releaseId: release.id, text: 'Go for staging?' });
    const core = await (await api()).core();
    const messages = await core.releases.listMessages(conversationId);
    assert.deepEqual(messages.map((m) => m.text), ['Go for staging?']);

    const out = (await vscode.commands.executeCommand(Commands.exportCalendar, { path: '.vscode/test-releases.ics' })) as { path: string; events: number };
    assert.ok(out.events >= 1);
    const text = Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.file(out.path))).toString('utf8');
    assert.match(text, /^BEGIN:VCALENDAR/);
    assert.ok(text.includes(`Release ${version}`), 'the new release is in the calendar');

    // The workspace's calendar file (releaseManager.calendar.path) is kept up to date after changes.
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    assert.ok(folder);
    const kept = vscode.Uri.joinPath(folder, '.vscode/releases.ics');
    await waitFor('.vscode/releases.ics to list the release', async () => Buffer.from(await vscode.workspace.fs.readFile(kept)).toString('utf8').includes(`Release ${version}`), 5000);
  });

  it('adds, edits and removes a service', async () => {
    await vscode.commands.executeCommand(Commands.addService, { name: 'billing', path: 'services/billing', dependencies: ['api'], healthCheckUrl: 'http://127.0.0.1:9/health' });
    const edited = (await vscode.commands.executeCommand(Commands.editService, { name: 'billing', changes: { deployCommand: 'deploy/deploy-service.sh' } })) as {
      deployCommand?: string;
      healthCheck?: { url: string };
    };
    assert.equal(edited.deployCommand, 'deploy/deploy-service.sh');
    assert.equal(edited.healthCheck?.url, 'http://127.0.0.1:9/health');
    assert.match(await refused(Commands.removeService, { name: 'api' }), /cannot remove 'api': .* depend on it/);
    await vscode.commands.executeCommand(Commands.removeService, { name: 'billing' });
    assert.equal(await (await (await api()).core()).catalog.getService('billing'), null);
  });
});
