import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Release } from '../../src/core/model';
import { Commands } from '../../src/vscode/commandIds';
import { api, uniqueVersion, waitFor } from './support';

function dashboardTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('releaseManager.dashboard'));
}

describe('dashboard', () => {
  it('opens one panel per release, sends it a snapshot, and shows changes without reopening', async () => {
    const a = await api();
    const version = uniqueVersion(30);
    const { release } = (await vscode.commands.executeCommand(Commands.createRelease, { name: 'Dashboard check', version, services: ['web'] })) as { release: Release };

    await vscode.commands.executeCommand(Commands.openDashboard, { releaseId: release.id });
    const tab = await waitFor('a dashboard tab', () => dashboardTabs().find((t) => t.label === `Release ${version}`));
    assert.ok(tab.isActive);
    const info = await waitFor('the webview to say ready and get its snapshot', () => a.testing.dashboards().find((d) => d.releaseId === release.id && d.ready && d.snapshot), 15_000);
    assert.equal(info.snapshot?.release.version, version);
    assert.deepEqual(info.snapshot?.release.services, ['web']);
    assert.deepEqual(info.snapshot?.promotion.steps.map((s) => s.environment), ['dev', 'test', 'staging', 'production']);
    assert.ok(info.snapshot?.activity.some((e) => e.action === 'release.create'));

    // Opening again reveals the same panel.
    await vscode.commands.executeCommand(Commands.openDashboard, { releaseId: release.id, tab: 'conversation' });
    assert.equal(dashboardTabs().filter((t) => t.label === `Release ${version}`).length, 1);

    const t0 = Date.now();
    await vscode.commands.executeCommand(Commands.postMessage, { releaseId: release.id, text: 'Shown without reopening' });
    await waitFor(
      'the open dashboard to get the new message',
      () => a.testing.dashboards().find((d) => d.releaseId === release.id)?.snapshot?.conversation.messages.some((m) => m.text === 'Shown without reopening'),
      1000,
    );
    const took = Date.now() - t0;
    assert.ok(took <= 1000, `took ${took} ms`);
    assert.equal(a.testing.dashboards().find((d) => d.releaseId === release.id)?.cspViolations, 0);
  });

  it('validates every message from the webview: an invalid one gets an error naming the field and changes nothing', async () => {
    const a = await api();
    const core = await a.core();
    const version = uniqueVersion(31);
    const { release, conversationId } = (await vscode.commands.executeCommand(Commands.createRelease, { name: 'Protocol check', version })) as {
      release: Release;
      conversationId: string;
    };
    await vscode.commands.executeCommand(Commands.openDashboard, { releaseId: release.id });
    await waitFor('the dashboard to be ready', () => a.testing.dashboards().find((d) => d.releaseId === release.id && d.ready), 15_000);
    const auditBefore = (await core.uow.read((r) => r.audit.list())).length;

    const cases: [unknown, string, RegExp][] = [
      [{ type: 'conversation/post', requestId: 'p1', text: 42 }, 'text', /^text: expected text, got number 42$/],
      [{ type: 'conversation/post', requestId: 'p2', text: 'hi', author: 'mallory' }, 'author', /^author: is not a field of 'conversation\/post'/],
      [{ type: 'release/delete', requestId: 'p3' }, 'type', /^type: 'release\/delete' is not a message type/],
      ['ready', 'message', /^message: expected an object/],
    ];
    for (const [raw, field, re] of cases) {
      const replies = await a.testing.sendFromWebview(release.id, raw);
      assert.equal(replies.length, 1, JSON.stringify(replies));
      const r = replies[0];
      assert.equal(r.type, 'request/failed');
      assert.equal(r.type === 'request/failed' && r.field, field);
      assert.match(r.type === 'request/failed' ? r.message : '', re);
    }
    assert.deepEqual(await core.releases.listMessages(conversationId), []);
    assert.equal((await core.uow.read((r) => r.audit.list())).length, auditBefore, 'nothing was written');

    // A valid one is done, and the fresh snapshot goes out before the answer.
    const replies = await a.testing.sendFromWebview(release.id, { type: 'conversation/post', requestId: 'ok1', text: 'Valid message' });
    assert.deepEqual(replies.map((m) => m.type), ['dashboard/snapshot', 'request/done']);
    assert.deepEqual((await core.releases.listMessages(conversationId)).map((m) => m.text), ['Valid message']);
  });
});
