// The status bar spins for any deployment in progress, not only the active release's: a redeploy or
// rollback of a deployed release runs a pipeline too.
import assert from 'node:assert/strict';
import { statusBarView } from '../../../src/vscode/statusModel';

describe('status bar: deployments of other releases', () => {
  const release = { version: '1.3.0', name: 'Search', status: 'planned' as const, riskScore: undefined };
  const steps = [{ environment: 'dev', state: 'not_deployed' as const, blockers: [] }];

  it('spins and names them in the tooltip', () => {
    const view = statusBarView(release, steps, undefined, ['1.2.0 → production']);
    assert.equal(view.spinning, true);
    assert.equal(view.text, '$(sync~spin) 1.3.0 · planned');
    assert.match(view.tooltip, /Also deploying: 1\\\.2\\\.0 → production/);
  });

  it('without them, nothing changes', () => {
    const view = statusBarView(release, steps);
    assert.equal(view.spinning, false);
    assert.equal(view.text, '$(rocket) 1.3.0 · planned');
    assert.doesNotMatch(view.tooltip, /Also deploying/);
  });
});
