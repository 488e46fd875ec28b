import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Release } from '../../src/core/model';
import { Commands } from '../../src/vscode/commandIds';
import { api, refused as refusedMessage, rows, uniqueVersion, waitFor } from './support';

describe('trees and status bar', () => {
  it('the Releases tree groups releases by status and shows each one with its version', async () => {
    const a = await api();
    const version = uniqueVersion(10);
    const { release } = (await vscode.commands.executeCommand(Commands.createRelease, { name: 'Tree check', version })) as { release: Release };
    await a.testing.settled();
    const groups = await rows(a.testing.releasesTree);
    const planned = groups.find((g) => g.label === 'Planned');
    assert.ok(planned, `no Planned group in ${groups.map((g) => g.label).join(', ')}`);
    assert.equal(planned.contextValue, 'releaseGroup.planned');
    const releases = await rows(a.testing.releasesTree, planned.node);
    const row = releases.find((r) => r.label === 'Tree check');
    assert.ok(row, `release not in the Planned group: ${releases.map((r) => r.label).join(', ')}`);
    assert.equal(row.description, version);
    assert.equal(row.contextValue, 'release.planned');

    await vscode.commands.executeCommand(Commands.assessRisk, { releaseId: release.id });
    const after = await rows(a.testing.releasesTree, planned.node);
    assert.match(after.find((r) => r.label === 'Tree check')?.description ?? '', new RegExp(`^${version.replace(/\./g, '\\.')} · risk \\d\\.\\d\\d$`));

    await vscode.commands.executeCommand(Commands.cancelRelease, { releaseId: release.id, reason: 'tree test' });
    const cancelledGroup = (await rows(a.testing.releasesTree)).find((g) => g.label === 'Cancelled');
    assert.ok(cancelledGroup, 'a Cancelled group appears');
    assert.ok((await rows(a.testing.releasesTree, cancelledGroup.node)).some((r) => r.label === 'Tree check'));
  });

  it('a release in progress shows its furthest environment in the tree, the Environments tree and the status bar', async () => {
    const a = await api();
    const core = await a.core();
    const version = uniqueVersion(20);
    const { release } = (await vscode.commands.executeCommand(Commands.createRelease, { name: 'Status check', version, services: ['api'] })) as { release: Release };
    // Promote through the real rules (no pipeline configured: the deployment's status is moved by hand, as a pipeline would).
    const promote = async (env: string, to: 'in_progress' | 'completed') => {
      const d = await core.environments.promoteToEnvironment(release.id, env);
      await core.environments.transitionDeployment(d.id, 'in_progress');
      if (to === 'completed') await core.environments.transitionDeployment(d.id, 'completed');
      return d;
    };
    await promote('dev', 'completed');
    await promote('test', 'completed');
    const staging = await promote('staging', 'in_progress');
    const status = await waitFor('the status bar to show the release in staging', () => {
      const s = a.testing.statusBar();
      return s.visible && s.text === `$(sync~spin) ${version} · staging …` && s;
    });
    assert.equal(status.releaseId, release.id);
    assert.match(status.tooltip, /dev ✓ → test ✓ → staging … → production ·/);

    const groups = await rows(a.testing.releasesTree);
    const inProgress = groups.find((g) => g.label === 'In progress');
    assert.ok(inProgress, 'an In progress group');
    const row = (await rows(a.testing.releasesTree, inProgress.node)).find((r) => r.label === 'Status check');
    assert.equal(row?.description, `${version} · staging …`);
    const children = await rows(a.testing.releasesTree, row?.node);
    assert.deepEqual(children.map((c) => c.label), ['api', 'dev', 'test', 'staging']);
    assert.match(children[3].description, /^in progress · /);

    const envs = await rows(a.testing.environmentsTree);
    assert.deepEqual(envs.slice(0, 4).map((e) => e.label), ['dev', 'test', 'staging', 'production']);
    assert.match(envs[1].description, new RegExp(`^${version.replace(/\./g, '\\.')} ✓ · `));
    assert.match(envs[2].description, /last: .* in progress/);
    assert.equal(envs[3].description, 'nothing deployed');
    const history = await rows(a.testing.environmentsTree, envs[2].node);
    assert.equal(history[0].label, version);

    // The deployment finishes.
    await core.environments.transitionDeployment(staging.id, 'completed');
    await waitFor('the status bar to show staging ✓', () => a.testing.statusBar().text === `$(rocket) ${version} · staging ✓`);
    const path = await core.promotion.promotionPath(release.id);
    assert.equal(path.source, 'environments');
    assert.deepEqual(path.steps.map((st) => [st.environment, st.state]), [['dev', 'completed'], ['test', 'completed'], ['staging', 'completed'], ['production', 'not_deployed']]);
    assert.match(path.steps[3].blockers.join(' '), /approv/i, 'production is protected: an approval is missing');
  });

  it('a long history group shows its newest releases and a "Show more" row that loads the next page', async () => {
    const a = await api();
    const core = await a.core();
    const before = (await core.uow.read((r) => r.releases.countByStatus())).deployed ?? 0;
    const base = Date.UTC(2020, 0, 1);
    await core.uow.write(async (r) => {
      for (let i = 0; i < 230; i++) {
        const t = new Date(base + i * 60_000);
        await r.releases.insert({ id: `history-${i}`, name: `History ${i}`, version: `0.${i}.0-history`, status: 'deployed', services: [], createdAt: t, updatedAt: t, actualEnd: t });
      }
    });
    await a.testing.settled();
    const group = (await rows(a.testing.releasesTree)).find((g) => g.label === 'Deployed');
    assert.ok(group, 'a Deployed group');
    assert.equal(group.description, String(before + 230));
    const page1 = await rows(a.testing.releasesTree, group.node);
    assert.equal(page1.length, 201);
    const more = page1[200];
    assert.equal(more.contextValue, 'more');
    assert.equal(more.label, `Show ${Math.min(200, before + 30)} more`);
    await vscode.commands.executeCommand(Commands.showMoreReleases, more.node);
    const page2 = await rows(a.testing.releasesTree, group.node);
    assert.equal(page2.length, before + 230);
    assert.ok(!page2.some((r) => r.contextValue === 'more'));
    assert.match(await refusedMessage(Commands.showMoreReleases, { status: 'deployed' }), /run from the "Show more" row/);
  });
});
