// DeploymentPipelineManager.startRun's `env` option: extra variables for every process of a run
// (blue-green passes COLOR this way), checked before anything is written.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ValidationError } from '../../../src/core/model';
import { RUN_VARIABLES } from '../../../src/core/releases/DeploymentPipelineManager';
import { openPipelines, type PipelineHarness } from '../../support/pipelineHarness';

describe('pipeline: startRun env option (real processes)', function () {
  this.timeout(30_000);
  let h: PipelineHarness;
  beforeEach(async () => {
    h = await openPipelines({ tasks: { 'print-colour': 'printf "%s" "$COLOR" > task-colour' } });
  });
  afterEach(async () => h.close());

  /** dev has no pipeline: the promotion leaves a pending deployment for startRun. */
  async function pending() {
    const rel = await h.release();
    const deployment = await h.promotion.promoteToEnvironment(rel.id, 'dev');
    assert.equal(deployment.status, 'pending');
    return { rel, deployment };
  }

  it('reaches shell steps and tasks as environment variables, literally, next to the run variables', async () => {
    const pipelineId = await h.pipeline('colour', [
      { name: 'shell', type: 'shell', command: 'printf "%s|%s|%s|%s" "$COLOR" "$HOSTILE" "$RELEASE_VERSION" "$STEP_NAME" > shell-env' },
      { name: 'task', type: 'task', task: 'print-colour' },
    ]);
    const { rel, deployment } = await pending();
    const hostile = '$(touch pwned); `touch pwned2` "quoted" \'single\'\nsecond line';
    const run = await h.pipelines.startRun(deployment.id, pipelineId, { env: { COLOR: 'green', HOSTILE: hostile } });
    const end = await h.pipelines.waitForRun(run.id);
    assert.equal(end.status, 'succeeded', end.steps.map((s) => s.log).join('\n'));
    assert.equal(fs.readFileSync(path.join(h.work, 'shell-env'), 'utf8'), `green|${hostile}|${rel.version}|shell`);
    assert.equal(fs.readFileSync(path.join(h.work, 'task-colour'), 'utf8'), 'green');
    for (const f of ['pwned', 'pwned2']) assert.ok(!fs.existsSync(path.join(h.work, f)), `${f} must not exist`);
  });

  it('refuses bad names, reserved names, non-text values and NUL, naming the field; nothing is written', async () => {
    const pipelineId = await h.pipeline('noop', [{ name: 'noop', type: 'shell', command: 'touch ran' }]);
    const { deployment } = await pending();
    const auditBefore = (await h.uow.read((r) => r.audit.list())).length;
    const cases: [unknown, string, RegExp][] = [
      [{ env: { colour: 'blue' } }, 'options.env.colour', /is not a variable name/],
      [{ env: { '1COLOR': 'blue' } }, 'options.env.1COLOR', /is not a variable name/],
      [{ env: { 'A-B': 'x' } }, 'options.env.A-B', /is not a variable name/],
      [{ env: { 'A=B': 'x' } }, 'options.env.A=B', /is not a variable name/],
      [{ env: { RELEASE_ID: 'forged' } }, 'options.env.RELEASE_ID', /is set by the pipeline for every run/],
      [{ env: { STEP_NAME: 'forged' } }, 'options.env.STEP_NAME', /is set by the pipeline/],
      [{ env: { COLOR: 42 } }, 'options.env.COLOR', /^expected text, got number 42$/],
      [{ env: { COLOR: 'bl\0ue' } }, 'options.env.COLOR', /NUL/],
      [{ env: ['COLOR=blue'] }, 'options.env', /expected an object of NAME: value/],
      [{ env: null }, 'options.env', /expected an object/],
      [{ colour: 'blue' }, 'options.colour', /is not an option of a run/],
      ['COLOR=blue', 'options', /expected an object/],
    ];
    for (const [options, field, reason] of cases) {
      await assert.rejects(
        h.pipelines.startRun(deployment.id, pipelineId, options as never),
        (e: unknown) => e instanceof ValidationError && e.field === field && reason.test(e.reason),
        `${JSON.stringify(options)} → ${field}`,
      );
    }
    assert.deepEqual(await h.pipelines.listRuns({ deploymentId: deployment.id }), []);
    assert.equal((await h.promotion.getDeployment(deployment.id))?.status, 'pending');
    assert.equal((await h.uow.read((r) => r.audit.list())).length, auditBefore, 'nothing was written');
    assert.ok(!fs.existsSync(path.join(h.work, 'ran')));
    assert.ok(RUN_VARIABLES.includes('TARGET_ENV'));
  });

  it('without options COLOR is empty, whatever the host inherited (npm exports COLOR=0/1)', async () => {
    const pipelineId = await h.pipeline('plain', [{ name: 'print', type: 'shell', command: 'printf "[%s]" "${COLOR-unset}" > plain-env' }]);
    const { deployment } = await pending();
    const saved = process.env.COLOR;
    process.env.COLOR = '1';
    try {
      const end = await h.pipelines.waitForRun((await h.pipelines.startRun(deployment.id, pipelineId)).id);
      assert.equal(end.status, 'succeeded');
    } finally {
      if (saved === undefined) delete process.env.COLOR;
      else process.env.COLOR = saved;
    }
    assert.equal(fs.readFileSync(path.join(h.work, 'plain-env'), 'utf8'), '[]');
  });
});
