import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { computeWaves } from '../../../src/core/dependencyGraph';
import { discoverServices } from '../../../src/discovery/discover';

const fixtures = path.resolve(__dirname, '../../fixtures');

function tmpTree(files: Record<string, string | Uint8Array>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rm-discover-'));
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

describe('discoverServices', () => {
  it('merges two compose files of one workspace, each edge located in its file', async () => {
    const p = await discoverServices(path.join(fixtures, 'workspaces/compose-two-files'));
    assert.deepEqual(p.diagnostics, []);
    assert.deepEqual(p.files, ['compose.yaml', 'docker-compose.prod.yml']);
    assert.deepEqual(p.services, [
      { name: 'web', path: 'web', source: { file: 'compose.yaml', line: 2 }, kind: 'compose' },
      { name: 'api', path: 'api', source: { file: 'compose.yaml', line: 6 }, kind: 'compose' },
      { name: 'db', source: { file: 'compose.yaml', line: 13 }, kind: 'compose', image: 'postgres:16' },
      { name: 'cache', source: { file: 'docker-compose.prod.yml', line: 9 }, kind: 'compose', image: 'redis:7' },
      { name: 'migrate', source: { file: 'docker-compose.prod.yml', line: 11 }, kind: 'compose', profiles: ['ops'], image: 'acme/migrate' },
    ]);
    assert.deepEqual(p.edges, [
      { from: 'web', to: 'api', source: { file: 'compose.yaml', line: 5 }, kind: 'depends_on', condition: 'service_started' },
      { from: 'api', to: 'db', source: { file: 'compose.yaml', line: 11 }, kind: 'depends_on', condition: 'service_healthy' },
      { from: 'api', to: 'cache', source: { file: 'docker-compose.prod.yml', line: 5 }, kind: 'depends_on', condition: 'service_started' },
      { from: 'api', to: 'migrate', source: { file: 'docker-compose.prod.yml', line: 7 }, kind: 'depends_on', condition: 'service_completed_successfully' },
      { from: 'migrate', to: 'db', source: { file: 'docker-compose.prod.yml', line: 15 }, kind: 'links' },
    ]);
    const r = computeWaves(p.services.map((s) => s.name), p.edges);
    assert.ok(r.ok);
    assert.deepEqual(r.waves, [['cache', 'db'], ['migrate'], ['api'], ['web']]);
  });

  it('proposes npm workspace packages with their folders and dependency lines', async () => {
    const p = await discoverServices(path.join(fixtures, 'workspaces/npm'));
    assert.deepEqual(p.diagnostics, []);
    assert.deepEqual(p.services.map((s) => [s.name, s.path, s.kind, `${s.source.file}:${s.source.line}`]), [
      ['@acme/cli', 'apps/tools/cli', 'package', 'apps/tools/cli/package.json:2'],
      ['@acme/web', 'apps/web', 'package', 'apps/web/package.json:2'],
      ['@acme/auth', 'packages/auth', 'package', 'packages/auth/package.json:2'],
      ['@acme/db', 'packages/db', 'package', 'packages/db/package.json:2'],
    ]);
    assert.deepEqual(p.edges.map((e) => `${e.from}→${e.to} ${e.field} ${e.source.file}:${e.source.line}`), [
      '@acme/cli→@acme/db peerDependencies apps/tools/cli/package.json:5',
      '@acme/web→@acme/auth dependencies apps/web/package.json:6',
      '@acme/web→@acme/db devDependencies apps/web/package.json:9',
      '@acme/web→@acme/cli optionalDependencies apps/web/package.json:12',
      '@acme/auth→@acme/db dependencies packages/auth/package.json:6',
    ]);
  });

  it('finds pnpm and yarn workspaces below the root', async () => {
    const p = await discoverServices(path.join(fixtures, 'workspaces'));
    const edges = p.edges.map((e) => `${e.from}→${e.to} ${e.source.file}:${e.source.line}`);
    for (const e of [
      'billing→shared-lib pnpm/services/billing/package.json:4',
      'ui→core yarn/libs/ui/package.json:4',
      '@acme/auth→@acme/db npm/packages/auth/package.json:6',
      'web→api compose-two-files/compose.yaml:5',
    ]) assert.ok(edges.includes(e), e);
    // "api" is both a compose service and a pnpm package: the first proposed wins, the other is reported
    // and the left-out package's edges go with it.
    assert.deepEqual(p.diagnostics.map((d) => `${d.file}:${d.line} ${d.code}`), ['pnpm/services/api/package.json:2 discovery/duplicate-name']);
    assert.equal(p.services.find((s) => s.name === 'api')!.kind, 'compose');
    assert.ok(!edges.some((e) => e.startsWith('api→billing')));
    assert.equal(p.services.find((s) => s.name === 'web')!.path, 'compose-two-files/web');
    assert.ok(p.files.includes('pnpm/pnpm-workspace.yaml'));
  });

  it('reads every fixture compose file from the repository layout', async () => {
    const p = await discoverServices(path.join(fixtures, 'compose'));
    assert.equal(p.files.length, 41); // 39 awesome-compose + 2 voting app; docker-stack.yml is not a compose file name
    assert.deepEqual(p.diagnostics.filter((d) => d.severity === 'error'), []);
    const vote = p.services.find((s) => s.name === 'vote')!;
    assert.equal(vote.path, 'example-voting-app/vote');
    const seed = p.services.find((s) => s.name === 'seed')!;
    assert.deepEqual([seed.profiles, seed.path, seed.source], [['seed'], 'example-voting-app/seed-data', { file: 'example-voting-app/docker-compose.yml', line: 81 }]);
  });

  it('skips ignored folders, respects maxDepth, never follows symbolic links', async () => {
    const dir = tmpTree({
      'compose.yaml': 'services:\n  a: {}\n',
      'node_modules/x/compose.yaml': 'services:\n  nm: {}\n',
      'dist/compose.yaml': 'services:\n  dist: {}\n',
      'one/two/three/compose.yaml': 'services:\n  deep: {}\n',
    });
    fs.symlinkSync(dir, path.join(dir, 'loop'));
    const all = await discoverServices(dir);
    assert.deepEqual(all.services.map((s) => s.name), ['a', 'deep']);
    const shallow = await discoverServices(dir, { maxDepth: 2 });
    assert.deepEqual(shallow.services.map((s) => s.name), ['a']);
    const custom = await discoverServices(dir, { ignore: ['one'] });
    assert.deepEqual(custom.services.map((s) => s.name).sort(), ['a', 'dist', 'nm']);
  });

  it('turns unreadable, oversized and binary files into diagnostics', async () => {
    const dir = tmpTree({
      'compose.yaml': 'services:\n  web:\n    build: ../outside\n    depends_on: [ghost]\n',
      'big/compose.yaml': `services:\n  big:\n    image: "${'x'.repeat(2000)}"\n`,
      'bin/docker-compose.yml': new Uint8Array([0x73, 0, 0xff, 0x10]),
    });
    const p = await discoverServices(dir, { maxBytes: 1000 });
    assert.deepEqual(p.diagnostics.map((d) => `${d.file}:${d.line} ${d.code}`), [
      'big/compose.yaml:1 compose/unreadable',
      'bin/docker-compose.yml:1 compose/binary',
      'compose.yaml:4 compose/unknown-service',
    ]);
    assert.match(p.diagnostics[0]!.message, /over 1000 bytes/);
    assert.deepEqual(p.services, [{ name: 'web', source: { file: 'compose.yaml', line: 2 }, kind: 'compose' }]);
    assert.deepEqual(p.edges, [], 'an edge to an undefined service is a diagnostic, not a proposal');
  });

  it('reports a package dependency cycle at each edge', async () => {
    const dir = tmpTree({
      'package.json': '{"workspaces": ["*"]}',
      'api/package.json': '{\n  "name": "api",\n  "dependencies": {\n    "auth": "*"\n  }\n}',
      'auth/package.json': '{\n  "name": "auth",\n  "devDependencies": {\n    "api": "*"\n  }\n}',
    });
    const p = await discoverServices(dir);
    assert.deepEqual(p.diagnostics.map((d) => `${d.file}:${d.line} ${d.message}`), [
      'api/package.json:4 Dependency cycle: api → auth → api',
      'auth/package.json:4 Dependency cycle: api → auth → api',
    ]);
  });

  it('returns an empty proposal for an empty or missing folder', async () => {
    assert.deepEqual(await discoverServices(tmpTree({})), { services: [], edges: [], diagnostics: [], files: [] });
    assert.deepEqual(await discoverServices(path.join(os.tmpdir(), 'no-such-folder-rm')), { services: [], edges: [], diagnostics: [], files: [] });
  });
});
