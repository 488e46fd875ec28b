// Services in the real extension host: discovery through the command (every proposal accepted), the
// deployment order through its command and in the dashboard's snapshot, compose problems in the
// Problems panel (appearing on the right line, gone once fixed), and the dashboard's service messages.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DeploymentOrder, Release } from '../../src/core/model';
import { Commands } from '../../src/vscode/commandIds';
import { api, refused, uniqueVersion, waitFor } from './support';

const SAMPLE_SERVICES = ['adminer', 'api', 'auth', 'db', 'redis', 'web', 'worker'];

function folder(): vscode.WorkspaceFolder {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'the test workspace has a folder');
  return f;
}

describe('services', () => {
  it("discovers the sample's services with every proposal accepted, keeping where each came from", async () => {
    const a = await api();
    const result = (await vscode.commands.executeCommand(Commands.discoverServices, { accept: 'all' })) as { added: string[]; problems: number };
    const core = await a.core();
    const names = (await core.catalog.listServices()).map((s) => s.name);
    // Whatever an earlier test added, every compose service of the sample is in the catalog now.
    for (const s of SAMPLE_SERVICES) assert.ok(names.includes(s), `${s} in the catalog (added now: ${result.added.join(', ')})`);
    const apiService = await core.catalog.getService('api');
    assert.deepEqual(apiService?.dependencies, ['auth', 'db', 'redis']);
    assert.match(apiService?.source ?? '', /^docker-compose\.yml:\d+$/);
    const web = await core.catalog.getService('web');
    assert.deepEqual(web?.dependencySources, { api: 'docker-compose.yml:69', auth: 'docker-compose.yml:70' });
  });

  it('calculates the deployment order: every dependency in an earlier wave; the dashboard shows it with the graph', async () => {
    const a = await api();
    const services = ['api', 'auth', 'db', 'redis', 'web', 'worker'];
    const { release } = (await vscode.commands.executeCommand(Commands.createRelease, { name: 'Whole shop', version: uniqueVersion(50), services })) as { release: Release };
    const order = (await vscode.commands.executeCommand(Commands.deploymentOrder, { releaseId: release.id })) as DeploymentOrder[];
    assert.deepEqual(order.map((o) => o.service).sort(), [...services].sort());
    const wave = new Map(order.map((o) => [o.service, o.wave]));
    for (const o of order) for (const d of o.dependencies) assert.ok(wave.get(d)! < o.wave, `${d} (wave ${wave.get(d)}) before ${o.service} (wave ${o.wave})`);
    assert.deepEqual(order.filter((o) => o.wave === 0).map((o) => o.service), ['db', 'redis']);
    assert.deepEqual(order.map((o) => o.order), [1, 2, 3, 4, 5, 6]);
    // Waves are minimal: auth only needs db.
    assert.equal(wave.get('auth'), 1);

    // Interactively (no argument object) it opens the Services tab; here: the same through openDashboard.
    await vscode.commands.executeCommand(Commands.openDashboard, { releaseId: release.id, tab: 'services' });
    const info = await waitFor('the dashboard snapshot with the service graph', () => a.testing.dashboards().find((d) => d.releaseId === release.id && d.snapshot?.serviceGraph), 15_000);
    const graph = info.snapshot!.serviceGraph!;
    assert.deepEqual(graph.nodes.map((n) => n.name).sort(), [...services].sort());
    assert.deepEqual(graph.order.map((o) => [o.service, o.wave]), order.map((o) => [o.service, o.wave]));
    assert.ok(graph.edges.some((e) => e.from === 'web' && e.to === 'api' && e.source === 'docker-compose.yml:69'));
    assert.deepEqual(graph.environments.slice(0, 4), ['dev', 'test', 'staging', 'production']);
    assert.equal(graph.nodes.find((n) => n.name === 'api')!.states.dev!.kind, 'not_deployed');

    // A dependency cycle: refused with its path by the command; the graph still comes, cycle marked.
    const core = await a.core();
    await vscode.commands.executeCommand(Commands.addService, { name: 'loop-a', rollbackCommand: 'true' });
    await vscode.commands.executeCommand(Commands.addService, { name: 'loop-b', dependencies: ['loop-a'] });
    const edited = (await vscode.commands.executeCommand(Commands.editService, { name: 'loop-a', changes: { dependencies: ['loop-b'] } })) as { rollbackCommand?: string };
    assert.equal(edited.rollbackCommand, 'true');
    let loop: Release | undefined;
    try {
      const created = (await vscode.commands.executeCommand(Commands.createRelease, { name: 'Loop', version: uniqueVersion(51), services: ['loop-a', 'loop-b'] })) as { release: Release };
      loop = created.release;
      const loopId = loop.id;
      assert.match(await refused(Commands.deploymentOrder, { releaseId: loopId }), /dependency cycle loop-a → loop-b → loop-a/);
      assert.match(await refused(Commands.deploymentOrder, { releaseId: loopId, environment: 7 }), /^arguments\.environment: expected text/);
      await vscode.commands.executeCommand(Commands.openDashboard, { releaseId: loopId, tab: 'services' });
      const loopInfo = await waitFor('the cyclic graph', () => a.testing.dashboards().find((d) => d.releaseId === loopId && d.snapshot?.serviceGraph), 15_000);
      assert.deepEqual(loopInfo.snapshot!.serviceGraph!.cycles.map((c) => c.text), ['loop-a → loop-b → loop-a']);
      assert.equal(loopInfo.snapshot!.serviceGraph!.edges.filter((e) => e.inCycle).length, 2);
    } finally {
      if (loop) await vscode.commands.executeCommand(Commands.cancelRelease, { releaseId: loop.id });
      await core.catalog.updateService('loop-a', { dependencies: [] });
      await vscode.commands.executeCommand(Commands.removeService, { name: 'loop-b' });
      await vscode.commands.executeCommand(Commands.removeService, { name: 'loop-a' });
    }
  });

  it("answers the dashboard's service messages: an invalid name is refused naming the field, nothing changes", async () => {
    const a = await api();
    const core = await a.core();
    const { release } = (await vscode.commands.executeCommand(Commands.createRelease, { name: 'Service messages', version: uniqueVersion(52) })) as { release: Release };
    await vscode.commands.executeCommand(Commands.openDashboard, { releaseId: release.id, tab: 'services' });
    await waitFor("the dashboard to be ready", () => a.testing.dashboards().find((d) => d.releaseId === release.id && d.ready), 90_000);
    const before = (await core.catalog.listServices()).length;
    const answers = await a.testing.sendFromWebview(release.id, { type: 'service/remove', requestId: 'svc-1', name: 'web; rm -rf /' });
    assert.deepEqual(
      answers.map((m) => (m.type === 'request/failed' ? [m.requestId, m.field] : m.type)),
      [['svc-1', 'name']],
    );
    const unknownKey = await a.testing.sendFromWebview(release.id, { type: 'service/edit', requestId: 'svc-2', name: 'web', changes: {} });
    assert.deepEqual(unknownKey.map((m) => (m.type === 'request/failed' ? m.field : m.type)), ['changes']);
    assert.equal((await core.catalog.listServices()).length, before);
  });

  it('puts compose problems in the Problems panel on the right line, and clears them once fixed', async function () {
    this.timeout(60_000);
    await api(); // the extension is active (it activates with its views and commands, not on compose files)
    // In the folder itself: a file created inside a brand-new folder can be missed by the file
    // watcher (inotify watches the new folder only once it sees it), which is not what this tests.
    const file = path.join(folder().uri.fsPath, 'issue5-probe.compose.yaml');
    const uri = vscode.Uri.file(file);
    const broken = ['services:', '  probe-api:', '    image: busybox', '    depends_on:', '      - probe-ghost', ''].join('\n');
    try {
      fs.writeFileSync(file, broken);
      const diags = await waitFor(
        'an unknown-service diagnostic on the probe compose file',
        () => {
          const found = vscode.languages.getDiagnostics(uri).filter((d) => d.code === 'compose/unknown-service');
          return found.length ? found : undefined;
        },
        20_000,
      );
      assert.equal(diags.length, 1);
      const d = diags[0]!;
      assert.equal(d.range.start.line, 4, 'the line of "- probe-ghost" (0-based)');
      assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
      assert.equal(d.source, 'Release Manager');
      assert.match(d.message, /Service "probe-api" depends on "probe-ghost", which is not defined/);

      // Invalid YAML is reported too, then a fixed file clears everything on it.
      fs.writeFileSync(file, 'services:\n  probe-api: [unclosed\n');
      await waitFor('a YAML diagnostic', () => vscode.languages.getDiagnostics(uri).some((x) => x.code !== 'compose/unknown-service' && x.severity === vscode.DiagnosticSeverity.Error), 20_000);
      fs.writeFileSync(file, ['services:', '  probe-api:', '    image: busybox', ''].join('\n'));
      await waitFor('the diagnostics to clear', () => vscode.languages.getDiagnostics(uri).length === 0, 20_000);
    } finally {
      fs.rmSync(file, { force: true });
    }
    await waitFor('no diagnostics left for the deleted file', () => vscode.languages.getDiagnostics(uri).length === 0, 20_000);
  });
});
