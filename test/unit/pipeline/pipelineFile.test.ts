import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { RefusedError, ValidationError } from '../../../src/core/model';
import { formatIssue, parsePipelineFile } from '../../../src/core/pipelineDefinition';
import { openPipelines, type PipelineHarness } from '../../support/pipelineHarness';

const FILE = `{
  // Reviewed in git; comments and trailing commas are fine.
  "$schema": "../media/schemas/release-pipelines.schema.json",
  "pipelines": [
    {
      "name": "deploy",
      "steps": [
        { "name": "build", "type": "shell", "command": "npm run build", "timeoutSeconds": 600, "retries": 1 },
        { "name": "smoke", "type": "http", "url": "http://127.0.0.1:8080/health", "expectStatus": [200, 204], "method": "get" },
        { "name": "sign-off", "type": "approval", "prompt": "Check the dashboard" },
        { "name": "settle", "type": "wait", "seconds": 30, "continueOnError": true },
        { "name": "lint", "type": "task", "task": "npm: lint" },
        { "name": "services", "type": "deployServices" },
      ],
    },
  ],
}
`;

describe('pipeline: definitions and the workspace file', () => {
  it('parses a valid file with comments and trailing commas', () => {
    const { pipelines, errors } = parsePipelineFile(FILE);
    assert.deepEqual(errors, []);
    assert.equal(pipelines.length, 1);
    assert.deepEqual(pipelines[0]!.steps.map((s) => s.type), ['shell', 'http', 'approval', 'wait', 'task', 'deployServices']);
    assert.deepEqual(pipelines[0]!.steps[1], { name: 'smoke', type: 'http', url: 'http://127.0.0.1:8080/health', expectStatus: [200, 204], method: 'GET' });
    assert.deepEqual(pipelines[0]!.steps[0], { name: 'build', type: 'shell', command: 'npm run build', timeoutSeconds: 600, retries: 1 });
  });

  it('names the JSON path, line and column of every error, and yields no pipelines', () => {
    const text = `{
  "pipelines": [
    { "name": "ok", "steps": [ { "name": "a", "type": "shell", "command": "true" } ] },
    { "name": "bad", "steps": [
        { "name": "slow", "type": "shell", "command": "x", "timeoutSeconds": -1 },
        { "name": "slow", "type": "teleport" },
        { "type": "wait" },
        { "name": "h", "type": "http", "url": "ftp://x", "expectStatus": 99, "colour": "red" }
    ] },
    { "name": "OK", "steps": [] }
  ]
}`;
    const { pipelines, errors } = parsePipelineFile(text, '.vscode/release-pipelines.json');
    assert.deepEqual(pipelines, []);
    assert.deepEqual(errors.map(formatIssue), [
      'pipelines[1].steps[0].timeoutSeconds: expected a positive number',
      "pipelines[1].steps[1].type: 'teleport' is not one of shell, task, http, approval, wait, deployServices",
      'pipelines[1].steps[2].name: is required',
      'pipelines[1].steps[2].seconds: is required (a positive number)',
      'pipelines[1].steps[3].colour: is not a field of a http step (fields: name, type, timeoutSeconds, retries, continueOnError, url, method, expectStatus, headers, body)',
      'pipelines[1].steps[3].url: must be an http: or https: URL, got ftp:',
      'pipelines[1].steps[3].expectStatus: expected an HTTP status from 100 to 599, or a list of them',
      'pipelines[2].steps: must have at least one step',
      "pipelines[2].name: 'OK' is also the name of pipelines[0]; pipeline names must be unique",
    ]);
    assert.deepEqual([errors[0]!.line, errors[0]!.column], [5, 78]);
    assert.deepEqual([errors[2]!.line, errors[2]!.column], [7, 9]); // a missing field points at its object
  });

  it('reports syntax errors with file, line and column', () => {
    const { errors } = parsePipelineFile('{\n  "pipelines": [\n    { "name": "x" "steps": [] }\n  ]\n}', 'p.json');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.message, `p.json:3:19: expected ',' or '}', got "\\""`);
    assert.match(parsePipelineFile('{ "pipelines": [ /* open', 'p.json').errors[0]!.message, /^p\.json:1:18: unterminated comment$/);
    assert.match(parsePipelineFile('{"a":1,"a":2}', 'p.json').errors[0]!.message, /duplicate property "a"/);
    assert.equal(formatIssue(parsePipelineFile('[]').errors[0]!), '(root): expected an object with "pipelines", got a list');
  });

  it('ships a JSON schema that the package contributes for the file', () => {
    const root = path.resolve(__dirname, '../../..');
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    const entry = pkg.contributes.jsonValidation.find((j: { fileMatch: string }) => j.fileMatch === '.vscode/release-pipelines.json');
    assert.equal(entry.url, './media/schemas/release-pipelines.schema.json');
    const schema = JSON.parse(fs.readFileSync(path.join(root, entry.url), 'utf8'));
    const types = schema.properties.pipelines.items.properties.steps.items.properties.type.enum;
    assert.deepEqual(types, ['shell', 'task', 'http', 'approval', 'wait', 'deployServices']);
  });

  describe('in the database', () => {
    let h: PipelineHarness;
    beforeEach(async () => {
      h = await openPipelines();
    });
    afterEach(async () => h.close());

    it('creates, updates and deletes pipelines with validation naming the field, audited', async () => {
      await assert.rejects(
        h.pipelines.createPipeline('deploy', [{ name: 'a', type: 'shell', command: 'true', timeoutSeconds: 0 }]),
        (e: unknown) => e instanceof ValidationError && e.message === 'steps[0].timeoutSeconds: expected a positive number',
      );
      await assert.rejects(h.pipelines.createPipeline(' ', [{ name: 'a', type: 'shell', command: 'true' }]), /^ValidationError: name: must not be empty$/);
      const p = await h.pipelines.createPipeline('deploy', [{ name: 'a', type: 'shell', command: 'true' }]);
      await assert.rejects(h.pipelines.createPipeline('Deploy', [{ name: 'a', type: 'shell', command: 'true' }]), /name: a pipeline named 'deploy' already exists/);
      const u = await h.pipelines.updatePipeline(p.id, { steps: [{ name: 'b', type: 'wait', seconds: 1 }] });
      assert.deepEqual(u.steps, [{ name: 'b', type: 'wait', seconds: 1 }]);
      await h.promotion.updateEnvironment('dev', { pipelineId: 'deploy' });
      assert.equal((await h.promotion.getEnvironment('dev')).pipelineId, p.id);
      await assert.rejects(h.pipelines.deletePipeline(p.id), (e: unknown) => e instanceof RefusedError && e.message === "pipeline 'deploy' is the pipeline of dev; choose another pipeline for it first");
      await h.promotion.updateEnvironment('dev', { pipelineId: null });
      await h.pipelines.deletePipeline('deploy');
      assert.deepEqual(await h.pipelines.listPipelines(), []);
      const actions = (await h.uow.read((r) => r.audit.list({ entityType: 'pipeline' }))).map((a) => a.action);
      assert.deepEqual(actions, ['pipeline.create', 'pipeline.update', 'pipeline.delete']);
    });

    it('syncs the file: adds, updates, removes (detaching environments); file pipelines are edited in the file only', async () => {
      let res = await h.pipelines.syncPipelineFile(FILE);
      assert.deepEqual(res, { added: ['deploy'], updated: [], removed: [], detached: [], errors: [] });
      const p = await h.pipelines.getPipeline('deploy');
      assert.equal(p.source, 'file');
      await assert.rejects(h.pipelines.updatePipeline('deploy', { name: 'x' }), (e: unknown) => e instanceof RefusedError && e.message === "pipeline 'deploy' is declared in .vscode/release-pipelines.json; edit the file instead");
      assert.deepEqual(await h.pipelines.syncPipelineFile(FILE), { added: [], updated: [], removed: [], detached: [], errors: [] });
      res = await h.pipelines.syncPipelineFile(FILE.replace('"seconds": 30', '"seconds": 31'));
      assert.deepEqual(res.updated, ['deploy']);
      assert.equal((await h.pipelines.getPipeline('deploy')).id, p.id);
      // A broken file changes nothing.
      res = await h.pipelines.syncPipelineFile('{ "pipelines": 3 }');
      assert.deepEqual(res.errors.map(formatIssue), ['pipelines: expected a list of pipelines, got number 3']);
      assert.equal((await h.pipelines.listPipelines()).length, 1);
      await h.promotion.updateEnvironment('staging', { pipelineId: p.id });
      res = await h.pipelines.syncPipelineFile(null);
      assert.deepEqual(res, { added: [], updated: [], removed: ['deploy'], detached: ['staging'], errors: [] });
      assert.equal((await h.promotion.getEnvironment('staging')).pipelineId, undefined);
      // A name taken by a pipeline created in VS Code is an error in the file.
      await h.pipelines.createPipeline('deploy', [{ name: 'a', type: 'shell', command: 'true' }]);
      res = await h.pipelines.syncPipelineFile(FILE);
      assert.deepEqual(res.errors.map(formatIssue), ["pipelines[0].name: 'deploy' is also the name of a pipeline created in VS Code; rename one of them"]);
    });
  });
});
