// The pipeline file as "Create Pipeline" writes it: a new file from the template, or one more
// pipeline added as text so that the team's comments and layout stay.
import assert from 'node:assert/strict';
import { ValidationError } from '../../../src/core/model';
import { parsePipelineFile } from '../../../src/core/pipelineDefinition';
import { addPipeline, PIPELINE_SCHEMA_URI, pipelineFileTemplate } from '../../../src/vscode/pipelineFileTemplate';

const names = (text: string) => {
  const parsed = parsePipelineFile(text);
  assert.deepEqual(parsed.errors, []);
  return parsed.pipelines.map((p) => p.name);
};

describe('pipeline file template and additions', () => {
  it('the template is a valid file with $schema and the named pipeline', () => {
    const text = pipelineFileTemplate('deploy');
    assert.deepEqual(names(text), ['deploy']);
    assert.equal(JSON.parse(text).$schema, PIPELINE_SCHEMA_URI);
  });

  it('adds a pipeline after the last one, keeping comments, trailing commas and layout', () => {
    const source = [
      '// Reviewed in git: every change goes through a PR.',
      '{',
      '  "$schema": "x",',
      '  "pipelines": [',
      '    /* the main one */',
      '    { "name": "deploy", "steps": [ { "name": "a", "type": "shell", "command": "echo ]" } ] } // keep me',
      '  ],',
      '}',
      '',
    ].join('\n');
    const { text, at } = addPipeline(source, 'smoke');
    assert.deepEqual(names(text), ['deploy', 'smoke']);
    assert.ok(text.startsWith('// Reviewed in git: every change goes through a PR.\n{'));
    assert.match(text, /\/\* the main one \*\//);
    assert.match(text, /\] \}, \/\/ keep me\n    \{\n      "name": "smoke"/, "the comma goes after the last element, the comment stays after it");
    assert.ok(text.slice(at).startsWith('{\n      "name": "smoke"'), text.slice(at, at + 40));

    const withComma = source.replace('} // keep me', '}, // keep me');
    const second = addPipeline(withComma, 'smoke');
    assert.deepEqual(names(second.text), ['deploy', 'smoke']);
  });

  it('adds to an empty list and to a one-line file', () => {
    assert.deepEqual(names(addPipeline('{ "pipelines": [] }', 'first').text), ['first']);
    assert.deepEqual(names(addPipeline('{"pipelines":[{"name":"a","steps":[{"name":"s","type":"wait","seconds":1}]}]}', 'b').text), ['a', 'b']);
  });

  it('refuses a file that does not parse, has no list, or already has the name', () => {
    const field = (f: string) => (e: unknown) => e instanceof ValidationError && e.field === f;
    assert.throws(() => addPipeline('{ "pipelines": [ ', 'x'), field('file'));
    assert.throws(() => addPipeline('{ "other": 1 }', 'x'), field('pipelines'));
    assert.throws(() => addPipeline(pipelineFileTemplate('deploy'), 'Deploy'), (e: unknown) => field('name')(e) && /already declares a pipeline named 'Deploy'/.test((e as Error).message));
  });
});
