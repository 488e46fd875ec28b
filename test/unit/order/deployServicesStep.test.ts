// The deployServices pipeline step end to end: promotion → pipeline engine → WaveServiceDeployer →
// real processes; what runs in an environment then makes the next release's outside dependencies ready.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { PipelineRun } from '../../../src/core/model';
import { DependencyAwareDeploymentManager } from '../../../src/core/releases/DependencyAwareDeploymentManager';
import { DeploymentPipelineManager } from '../../../src/core/releases/DeploymentPipelineManager';
import { EnvironmentPromotionManager } from '../../../src/core/releases/EnvironmentPromotionManager';
import { WaveServiceDeployer } from '../../../src/core/waveDeployer';
import { httpClient } from '../../../src/process/httpRequest';
import { NodeProcessRunner } from '../../../src/process/processRunner';
import { ProcessRunOwnership } from '../../../src/process/runOwner';
import { fixedIdentity, openCore } from '../../support/coreHarness';

describe('deployServices step through the pipeline engine (real processes)', function () {
  this.timeout(60_000);

  it('deploys by waves inside a promotion; the next release finds its outside dependency running', async () => {
    const h = await openCore();
    const work = path.join(h.dir, 'work');
    fs.mkdirSync(work);
    const runner = new NodeProcessRunner({ killGraceMs: 500, drainMs: 200 });
    const identity = fixedIdentity();
    const orders = new DependencyAwareDeploymentManager({ uow: h.uow });
    const promotion = new EnvironmentPromotionManager({ uow: h.uow, clock: h.clock, identity, timeZone: 'UTC' });
    const pipelines = new DeploymentPipelineManager({
      uow: h.uow, clock: h.clock, identity, trust: { isTrusted: () => true }, processes: runner, http: httpClient, promotion,
      ownership: new ProcessRunOwnership(), cwd: work, retryDelayMs: 20,
      services: new WaveServiceDeployer({ orders, runner, http: httpClient }),
    });
    try {
      const deploy = 'echo "$SERVICE $RELEASE_VERSION $TARGET_ENV" >> deployed.log; echo "up"';
      await h.catalog.addServices([
        { name: 'db', deployCommand: deploy },
        { name: 'api', deployCommand: deploy, dependencies: ['db'] },
        { name: 'web', deployCommand: deploy, dependencies: ['api'] },
      ]);
      const pipelineId = (await pipelines.createPipeline('services', [{ name: 'services', type: 'deployServices' }])).id;
      const promote = async (releaseId: string, env: string): Promise<PipelineRun> => {
        const d = await promotion.promoteToEnvironment(releaseId, env, pipelineId);
        const run = (await pipelines.listRuns({ deploymentId: d.id }))[0]!;
        return pipelines.waitForRun(run.id);
      };

      const base = (await h.releases.createRelease('Base', '1.0.0', { services: ['db', 'api'] })).release;
      const first = await promote(base.id, 'dev');
      assert.equal(first.status, 'succeeded', first.steps[0]?.log);
      assert.equal(first.steps[0]!.summary, '2 of 2 services deployed to dev in 2 waves');
      assert.match(first.steps[0]!.log, /^wave 1 of 2: db\n\[db\] up\nwave 2 of 2: api\n\[api\] up\n/);
      assert.equal(fs.readFileSync(path.join(work, 'deployed.log'), 'utf8'), 'db 1.0.0 dev\napi 1.0.0 dev\n');
      const matrix = await orders.serviceMatrix();
      assert.deepEqual([matrix.running.db?.dev?.version, matrix.running.api?.dev?.version], ['1.0.0', '1.0.0']);

      // web depends on api, which is not part of this release: it runs in dev, not in test.
      const next = (await h.releases.createRelease('Web', '1.1.0', { services: ['web'] })).release;
      const inDev = await promote(next.id, 'dev');
      assert.equal(inDev.status, 'succeeded', inDev.steps[0]?.log);
      const inTest = await promote(next.id, 'test');
      assert.equal(inTest.status, 'failed');
      assert.equal(inTest.steps[0]!.summary, 'nothing deployed to test: web (api is not part of this release and does not run in test)');
      assert.equal(fs.readFileSync(path.join(work, 'deployed.log'), 'utf8'), 'db 1.0.0 dev\napi 1.0.0 dev\nweb 1.1.0 dev\n');
    } finally {
      await pipelines.dispose();
      await runner.dispose();
      await h.close();
    }
  });
});
