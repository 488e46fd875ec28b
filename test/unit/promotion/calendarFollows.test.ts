// The release's calendar event says its status; promotion changes the status, so the event follows.
import assert from 'node:assert/strict';
import { openPipelines, type PipelineHarness } from '../../support/pipelineHarness';

describe('promotion: the release calendar event follows the status promotion gives the release', function () {
  this.timeout(30_000);
  let h: PipelineHarness;
  beforeEach(async () => {
    h = await openPipelines();
  });
  afterEach(async () => h.close());

  const event = async (releaseId: string) => (await h.releases.listCalendarEvents()).find((e) => e.subjectId === releaseId);

  it('first deployment → "Status: in progress"; completed production deployment → "Status: deployed"', async () => {
    const rel = await h.release('4.0.0', 'Calendar follows');
    assert.match((await event(rel.id))?.description ?? '', /^Status: planned$/m);

    h.clock.advance(60_000);
    const dev = await h.promotion.promoteToEnvironment(rel.id, 'dev');
    let e = await event(rel.id);
    assert.match(e?.description ?? '', /^Status: in progress$/m);
    assert.equal(e?.updatedAt.toISOString(), h.clock.now().toISOString(), 'the event says when it changed (DTSTAMP)');

    // Through every environment; production is protected (approved by someone else).
    await h.promotion.transitionDeployment(dev.id, 'in_progress');
    await h.promotion.transitionDeployment(dev.id, 'completed');
    for (const env of ['test', 'staging']) {
      const d = await h.promotion.promoteToEnvironment(rel.id, env);
      await h.promotion.transitionDeployment(d.id, 'in_progress');
      await h.promotion.transitionDeployment(d.id, 'completed');
    }
    await h.promotion.requestApproval(rel.id, 'production');
    await h.promotion.approve(rel.id, 'production', 'Grace Approver');
    const prod = await h.promotion.promoteToEnvironment(rel.id, 'production');
    await h.promotion.transitionDeployment(prod.id, 'in_progress');
    assert.match((await event(rel.id))?.description ?? '', /^Status: in progress$/m);
    h.clock.advance(60_000);
    await h.promotion.transitionDeployment(prod.id, 'completed');
    assert.equal((await h.releases.getRelease(rel.id))?.status, 'deployed');
    e = await event(rel.id);
    assert.match(e?.description ?? '', /^Status: deployed$/m);
    assert.equal(e?.updatedAt.toISOString(), h.clock.now().toISOString());
    assert.equal(e?.title, 'Release 4.0.0 — Calendar follows');
  });

  it('a pipeline run that completes the last environment updates the event too', async () => {
    const rel = await h.release('4.1.0', 'Via pipeline');
    const pipelineId = await h.pipeline('ok', [{ name: 'ok', type: 'shell', command: 'true' }]);
    const envs = await h.promotion.listEnvironments();
    const only = envs[0]!.name;
    for (const e of envs.slice(1)) await h.promotion.removeEnvironment(e.name);
    await h.promotion.updateEnvironment(only, { pipelineId });
    const d = await h.promotion.promoteToEnvironment(rel.id, only);
    const run = (await h.pipelines.listRuns({ deploymentId: d.id }))[0]!;
    assert.equal((await h.pipelines.waitForRun(run.id)).status, 'succeeded');
    assert.equal((await h.releases.getRelease(rel.id))?.status, 'deployed');
    assert.match((await event(rel.id))?.description ?? '', /^Status: deployed$/m);
  });
});
