import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'release-manager.release-manager';

describe('activation', () => {
  it('loads, activates and contributes the Releases view container', async () => {
    // First: a too-high engines.vscode makes the host skip the extension silently.
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} not loaded by the extension host`);

    await ext.activate();
    assert.equal(ext.isActive, true);

    const containers: { id: string; title: string }[] = ext.packageJSON.contributes?.viewsContainers?.activitybar ?? [];
    const releases = containers.find((c) => c.id === 'releaseManager');
    assert.ok(releases, `no releaseManager view container in ${JSON.stringify(containers)}`);
    assert.equal(releases.title, 'Releases');
  });
});
