import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  compileFolderGlob,
  expandBraces,
  readPackageWorkspace,
  resolveWorkspaceDirs,
} from '../../../src/discovery/packageWorkspaces';

const fixtures = path.resolve(__dirname, '../../fixtures/workspaces');

function tmpTree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rm-ws-'));
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

describe('package workspaces', () => {
  describe('folder globs', () => {
    const cases: [string, string, boolean][] = [
      ['packages/*', 'packages/a', true],
      ['packages/*', 'packages/a/b', false],
      ['packages/*', 'packages', false],
      ['packages/*', 'packages/.hidden', false],
      ['./packages/*/', 'packages/a', true],
      ['apps/**', 'apps/a', true],
      ['apps/**', 'apps/a/b/c', true],
      ['apps/**', 'apps', true],
      ['apps/**', 'apps/.cache/x', false],
      ['**/svc-*', 'a/b/svc-x', true],
      ['**/svc-*', 'svc-y', true],
      ['**/svc-*', 'a/b/other', false],
      ['libs/?', 'libs/a', true],
      ['libs/?', 'libs/ab', false],
      ['libs/[ab]*', 'libs/beta', true],
      ['libs/[!ab]*', 'libs/beta', false],
      ['libs/core', 'libs/core', true],
      ['libs/core', 'libs/cored', false],
      ['a.b/*', 'axb/c', false],
      ['.', '.', true],
      ['packages/*/package.json', 'packages/a', true],
    ];
    for (const [pattern, dir, expected] of cases) {
      it(`${pattern} ${expected ? 'matches' : 'does not match'} ${dir}`, () => {
        assert.equal(compileFolderGlob(pattern)!(dir), expected);
      });
    }

    it('rejects patterns leaving the root and expands braces', () => {
      assert.equal(compileFolderGlob('../other/*'), null);
      assert.equal(compileFolderGlob('/abs/*'), null);
      assert.deepEqual(expandBraces('{apps,services}/*'), ['apps/*', 'services/*']);
      assert.deepEqual(expandBraces('a/{b,c{1,2}}/d'), ['a/b/d', 'a/c1/d', 'a/c2/d']);
      assert.deepEqual(expandBraces('no{brace'), ['no{brace']);
    });

    it('stays fast on many ** segments', () => {
      const m = compileFolderGlob('**/**/**/**/**/**/**/**/x')!;
      const t = performance.now();
      assert.equal(m(Array(30).fill('a').join('/')), false);
      assert.ok(performance.now() - t < 100);
    });

    it('lists only folders with a package.json, without node_modules, excluding negations', async () => {
      const dir = tmpTree({
        'packages/a/package.json': '{}',
        'packages/b/README.md': '',
        'packages/c/package.json': '{}',
        'packages/c/node_modules/d/package.json': '{}',
        'services/x/deep/package.json': '{}',
      });
      assert.deepEqual(await resolveWorkspaceDirs(dir, ['packages/**', '!packages/c', 'services/**']), ['packages/a', 'services/x/deep']);
      assert.deepEqual(await resolveWorkspaceDirs(dir, ['{packages,services}/*']), ['packages/a', 'packages/c']);
    });
  });

  describe('fixtures', () => {
    it('npm: array form, every dependency field, unmatched folders left out', async () => {
      const ws = (await readPackageWorkspace(path.join(fixtures, 'npm')))!;
      assert.equal(ws.manager, 'npm');
      assert.deepEqual(ws.patterns, ['packages/*', 'apps/**']);
      assert.deepEqual(ws.diagnostics, []);
      assert.deepEqual(ws.packages.map((p) => [p.name, p.dir, p.file, p.line]), [
        ['@acme/cli', 'apps/tools/cli', 'apps/tools/cli/package.json', 2],
        ['@acme/web', 'apps/web', 'apps/web/package.json', 2],
        ['@acme/auth', 'packages/auth', 'packages/auth/package.json', 2],
        ['@acme/db', 'packages/db', 'packages/db/package.json', 2],
      ]);
      assert.deepEqual(ws.edges.map((e) => [e.from, e.to, e.field, e.spec, `${e.file}:${e.line}:${e.column}`]), [
        ['@acme/cli', '@acme/db', 'peerDependencies', '>=1', 'apps/tools/cli/package.json:5:5'],
        ['@acme/web', '@acme/auth', 'dependencies', '*', 'apps/web/package.json:6:5'],
        ['@acme/web', '@acme/db', 'devDependencies', '^1.0.0', 'apps/web/package.json:9:5'],
        ['@acme/web', '@acme/cli', 'optionalDependencies', '0.1.0', 'apps/web/package.json:12:5'],
        ['@acme/auth', '@acme/db', 'dependencies', '^1.0.0', 'packages/auth/package.json:6:5'],
      ]);
    });

    it('pnpm: pnpm-workspace.yaml with an exclusion and the workspace: protocol', async () => {
      const ws = (await readPackageWorkspace(path.join(fixtures, 'pnpm')))!;
      assert.equal(ws.manager, 'pnpm');
      assert.deepEqual(ws.manifests, ['pnpm-workspace.yaml']);
      assert.deepEqual(ws.diagnostics, []);
      assert.deepEqual(ws.packages.map((p) => p.name), ['shared-lib', 'api', 'billing']);
      assert.deepEqual(ws.edges.map((e) => `${e.from}→${e.to} ${e.spec} ${e.file}:${e.line}`), [
        'api→billing workspace:* services/api/package.json:4',
        'api→shared-lib workspace:^ services/api/package.json:5',
        'billing→shared-lib workspace:shared-lib@* services/billing/package.json:4',
      ]);
    });

    it('yarn: the { packages: [] } form', async () => {
      const ws = (await readPackageWorkspace(path.join(fixtures, 'yarn')))!;
      assert.equal(ws.manager, 'yarn');
      assert.deepEqual(ws.diagnostics, []);
      assert.deepEqual(ws.edges.map((e) => `${e.from}→${e.to} ${e.file}:${e.line}:${e.column}`), ['ui→core libs/ui/package.json:4:21']);
    });

    it('paths are relative to the discovery root when the workspace is below it', async () => {
      const ws = (await readPackageWorkspace(fixtures, 'yarn'))!;
      assert.deepEqual(ws.packages.map((p) => [p.dir, p.file]), [['yarn/libs/core', 'yarn/libs/core/package.json'], ['yarn/libs/ui', 'yarn/libs/ui/package.json']]);
      assert.deepEqual(ws.files, ['yarn/package.json', 'yarn/libs/core/package.json', 'yarn/libs/ui/package.json']);
    });

    it('returns null for a folder that declares no workspace', async () => {
      assert.equal(await readPackageWorkspace(path.join(fixtures, 'npm/packages/db')), null);
      assert.equal(await readPackageWorkspace(path.join(fixtures, 'does-not-exist')), null);
    });
  });

  describe('bad input', () => {
    it('reports broken manifests, missing names and duplicates, and keeps going', async () => {
      const dir = tmpTree({
        'package.json': '{ "workspaces": ["p/*"] }',
        'p/broken/package.json': '{ "name": "broken", ',
        'p/noname/package.json': '{ "version": "1.0.0" }',
        'p/one/package.json': '{ "name": "dup" }',
        'p/two/package.json': '{ "name": "dup", "dependencies": { "ok": "*" } }',
        'p/ok/package.json': '{\n  "name": "ok",\n  "dependencies": { "dup": "*" }\n}',
        'p/list/package.json': '[1, 2]',
        'p/bin/package.json': '\u0000\u0001\u0002',
      });
      const ws = (await readPackageWorkspace(dir))!;
      assert.deepEqual(ws.packages.map((p) => p.name), ['ok', 'dup']);
      assert.deepEqual(ws.edges.map((e) => `${e.from}→${e.to}@${e.line}`), ['ok→dup@3']);
      assert.deepEqual(ws.diagnostics.map((d) => `${d.file} ${d.code}`), [
        'p/bin/package.json package/binary',
        'p/broken/package.json package/invalid-json',
        'p/list/package.json package/not-an-object',
        'p/noname/package.json package/missing-name',
        'p/two/package.json package/duplicate-name',
      ]);
    });

    it('reports an invalid workspaces declaration', async () => {
      const ws = (await readPackageWorkspace(tmpTree({ 'package.json': '{\n  "workspaces": "packages/*"\n}' })))!;
      assert.deepEqual(ws.diagnostics.map((d) => [d.code, d.line]), [['package/invalid-workspaces', 2]]);
      assert.deepEqual(ws.packages, []);
    });

    it('accepts JSON that YAML would not: duplicate keys, tabs, escapes', async () => {
      const dir = tmpTree({
        'package.json': '{"workspaces":["a","b"]}',
        'a/package.json': '{\n\t"name": "a",\n\t"name": "a",\n\t"dependencies": {"\\u0062": "*"}\n}',
        'b/package.json': '{"name":"b"}',
      });
      const ws = (await readPackageWorkspace(dir))!;
      assert.deepEqual(ws.diagnostics, []);
      assert.deepEqual(ws.edges.map((e) => `${e.from}→${e.to}@${e.line}`), ['a→b@4']);
    });
  });
});
