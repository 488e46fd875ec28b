import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { computeWaves } from '../../../src/core/dependencyGraph';
import {
  compareComposeFiles,
  isComposeFileName,
  loadComposeProject,
  parseComposeFile,
  servicesForProfiles,
  type ComposeEdge,
} from '../../../src/discovery/compose';
import type { DiscoveryDiagnostic } from '../../../src/discovery/diagnostic';

const fixtures = path.resolve(__dirname, '../../fixtures/compose');
const voting = path.join(fixtures, 'example-voting-app/docker-compose.yml');
const errors = (ds: DiscoveryDiagnostic[]) => ds.filter((d) => d.severity === 'error');
const edgeText = (e: ComposeEdge) => `${e.from}→${e.to}@${e.line}`;

describe('compose discovery', () => {
  describe('real-world fixtures', () => {
    const files = fs.readdirSync(fixtures, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => fs.readdirSync(path.join(fixtures, d.name)).filter((f) => /\.ya?ml$/.test(f)).map((f) => `${d.name}/${f}`));

    it('copies every compose file of both sources', () => {
      assert.equal(files.filter((f) => f.startsWith('awesome-compose/')).length, 39);
      assert.deepEqual(files.filter((f) => f.startsWith('example-voting-app/')).sort(), [
        'example-voting-app/docker-compose.images.yml', 'example-voting-app/docker-compose.yml', 'example-voting-app/docker-stack.yml',
      ]);
    });

    it('parses every fixture without an exception or an error diagnostic', () => {
      const bad: string[] = [];
      for (const f of files) {
        const p = loadComposeProject([{ file: f, content: fs.readFileSync(path.join(fixtures, f)) }]);
        if (p.services.length === 0) bad.push(`${f}: no services`);
        for (const d of errors(p.diagnostics)) bad.push(`${f}:${d.line}:${d.column} ${d.message}`);
        for (const e of p.edges) assert.ok(p.services.some((s) => s.name === e.to));
      }
      assert.deepEqual(bad, []);
    });

    it('finds the edges of a few awesome-compose files with their lines', () => {
      const read = (f: string) => parseComposeFile(f, fs.readFileSync(path.join(fixtures, 'awesome-compose', f)));
      assert.deepEqual(read('nginx-flask-mysql_compose.yaml').edges.map((e) => `${edgeText(e)} ${e.condition}`), [
        'backend→db@40 service_healthy', 'proxy→backend@49 service_started',
      ]);
      assert.deepEqual(read('nginx-nodejs-redis_compose.yaml').edges.map(edgeText), ['nginx→web1@24', 'nginx→web2@25']);
    });
  });

  describe('the voting app', () => {
    const project = loadComposeProject([{ file: 'docker-compose.yml', content: fs.readFileSync(voting) }]);

    it('yields exactly its five dependencies, with lines and conditions', () => {
      assert.deepEqual(errors(project.diagnostics), []);
      assert.deepEqual(
        project.edges.map((e) => ({ from: e.from, to: e.to, line: e.line, kind: e.kind, condition: e.condition, file: e.file })),
        [
          { from: 'vote', to: 'redis', line: 11, kind: 'depends_on', condition: 'service_healthy', file: 'docker-compose.yml' },
          { from: 'result', to: 'db', line: 32, kind: 'depends_on', condition: 'service_healthy', file: 'docker-compose.yml' },
          { from: 'worker', to: 'redis', line: 47, kind: 'depends_on', condition: 'service_healthy', file: 'docker-compose.yml' },
          { from: 'worker', to: 'db', line: 49, kind: 'depends_on', condition: 'service_healthy', file: 'docker-compose.yml' },
          { from: 'seed', to: 'vote', line: 85, kind: 'depends_on', condition: 'service_healthy', file: 'docker-compose.yml' },
        ],
      );
      const e = project.edges[0]!;
      assert.deepEqual([e.column, e.endLine, e.endColumn], [7, 11, 12]);
    });

    it('knows each service, its line, profile, image and build context', () => {
      assert.deepEqual(
        project.services.map((s) => [s.name, s.line, s.profiles, s.image, s.build]),
        [
          ['vote', 6, [], undefined, { context: './vote', target: 'dev' }],
          ['result', 27, [], undefined, { context: './result' }],
          ['worker', 43, [], undefined, { context: './worker' }],
          ['redis', 54, [], 'redis:alpine', undefined],
          ['db', 64, [], 'postgres:15-alpine', undefined],
          ['seed', 81, ['seed'], undefined, { context: './seed-data' }],
        ],
      );
    });

    it('deploys in waves {db, redis} → {result, vote, worker} → {seed}', () => {
      const r = computeWaves(project.services.map((s) => s.name), project.edges);
      assert.ok(r.ok);
      assert.deepEqual(r.waves, [['db', 'redis'], ['result', 'vote', 'worker'], ['seed']]);
      const noProfile = computeWaves(servicesForProfiles(project.services, []).map((s) => s.name), project.edges);
      assert.ok(noProfile.ok);
      assert.deepEqual(noProfile.waves, [['db', 'redis'], ['result', 'vote', 'worker']]);
      assert.equal(servicesForProfiles(project.services, ['seed']).length, 6);
      assert.equal(servicesForProfiles(project.services, ['*']).length, 6);
    });

    it('merges with the prebuilt-images file without changing the graph', () => {
      const dir = path.dirname(voting);
      const merged = loadComposeProject(
        ['docker-compose.yml', 'docker-compose.images.yml'].map((f) => ({ file: f, content: fs.readFileSync(path.join(dir, f)) })),
      );
      assert.deepEqual(errors(merged.diagnostics), []);
      assert.equal(merged.services.length, 6);
      assert.equal(merged.services.find((s) => s.name === 'vote')!.image, 'dockersamples/examplevotingapp_vote');
      assert.equal(merged.services.find((s) => s.name === 'vote')!.file, 'docker-compose.yml');
      assert.deepEqual(merged.edges.map((e) => `${e.from}→${e.to} ${e.file}:${e.line}`).sort(), [
        'result→db docker-compose.images.yml:22',
        'seed→vote docker-compose.yml:85',
        'vote→redis docker-compose.images.yml:11',
        'worker→db docker-compose.images.yml:35',
        'worker→redis docker-compose.images.yml:33',
      ]);
    });
  });

  describe('syntax of dependencies', () => {
    it('reads depends_on lists and maps, links with aliases, required', () => {
      const r = parseComposeFile('c.yaml', [
        'services:',
        '  web:',
        '    depends_on: [api, cache]',
        '    links:',
        '      - api',
        '      - db:database',
        '  api:',
        '    depends_on:',
        '      db:',
        '        condition: service_completed_successfully',
        '        required: false',
        '      cache:',
        '  db: {image: postgres}',
        '  cache:',
      ].join('\n'));
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(r.edges.map((e) => [e.from, e.to, e.line, e.kind, e.condition, e.alias, e.required]), [
        ['web', 'api', 3, 'depends_on', 'service_started', undefined, undefined],
        ['web', 'cache', 3, 'depends_on', 'service_started', undefined, undefined],
        ['web', 'api', 5, 'links', undefined, undefined, undefined],
        ['web', 'db', 6, 'links', undefined, 'database', undefined],
        ['api', 'db', 9, 'depends_on', 'service_completed_successfully', undefined, false],
        ['api', 'cache', 12, 'depends_on', 'service_started', undefined, undefined],
      ]);
      assert.deepEqual(r.edges.slice(0, 2).map((e) => e.column), [18, 23]);
    });

    it('follows anchors and merge keys to where the dependency is written', () => {
      const r = parseComposeFile('c.yaml', [
        'x-backend: &backend',
        '  depends_on:',
        '    - db',
        '  profiles: [full]',
        'services:',
        '  api:',
        '    <<: *backend',
        '    image: api',
        '  worker:',
        '    <<: *backend',
        '    profiles: [jobs]',
        '  db:',
        '    image: postgres',
      ].join('\n'));
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(r.edges.map(edgeText), ['api→db@3', 'worker→db@3']);
      assert.deepEqual(r.services.map((s) => [s.name, s.profiles]), [['api', ['full']], ['worker', ['jobs']], ['db', []]]);
    });

    it('ignores extends, include and other keys', () => {
      const r = loadComposeProject([{ file: 'c.yaml', content: 'include: [other.yaml]\nservices:\n  a:\n    extends: {file: base.yaml, service: b}\n    deploy: {replicas: 2}\n' }]);
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(r.services.map((s) => s.name), ['a']);
    });

    it('reports malformed dependency declarations where they are', () => {
      const r = parseComposeFile('c.yaml', [
        'services:',
        '  a:',
        '    depends_on: db',
        '  b:',
        '    depends_on:',
        '      db: {condition: service_ready}',
        '  c:',
        '    links: {db: x}',
        '  d: [1]',
        '  e:',
        '    profiles: seed',
        '  db: {}',
      ].join('\n'));
      assert.deepEqual(r.diagnostics.map((d) => [d.code, d.line]), [
        ['compose/invalid-depends-on', 3],
        ['compose/invalid-condition', 6],
        ['compose/invalid-links', 8],
        ['compose/service-not-a-map', 9],
        ['compose/invalid-profiles', 11],
      ]);
      assert.match(r.diagnostics[1]!.message, /service_ready.*service_started, service_healthy, service_completed_successfully/);
    });
  });

  describe('validation', () => {
    it('reports a depends_on naming no service, at that name', () => {
      const p = loadComposeProject([{ file: 'compose.yaml', content: 'services:\n  web:\n    depends_on:\n      - api\n      - redsi\n  api:\n    links: [ghost:g]\n' }]);
      assert.deepEqual(p.diagnostics, [
        { file: 'compose.yaml', line: 5, column: 9, endLine: 5, endColumn: 14, severity: 'error', code: 'compose/unknown-service', message: 'Service "web" depends on "redsi", which is not defined' },
        { file: 'compose.yaml', line: 7, column: 13, endLine: 7, endColumn: 20, severity: 'error', code: 'compose/unknown-service', message: 'Service "api" links to "ghost", which is not defined' },
      ]);
    });

    it('reports a cycle at each of its dependencies, naming the path', () => {
      const content = [
        'services:',
        '  auth:',
        '    depends_on:',
        '      api:',
        '        condition: service_healthy',
        '  api:',
        '    depends_on: [auth, db]',
        '  db:',
        '    depends_on: [db]',
      ].join('\n');
      const p = loadComposeProject([{ file: 'compose.yaml', content }]);
      assert.deepEqual(p.diagnostics.map((d) => [d.line, d.column, d.code, d.message]), [
        [7, 18, 'compose/dependency-cycle', 'Dependency cycle: api → auth → api'],
        [4, 7, 'compose/dependency-cycle', 'Dependency cycle: api → auth → api'],
        [9, 18, 'compose/dependency-cycle', 'Dependency cycle: db → db'],
      ]);
    });

    it('finds a cycle that spans two files, located in each', () => {
      const p = loadComposeProject([
        { file: 'a.yaml', content: 'services:\n  api:\n    depends_on: [auth]\n' },
        { file: 'b.yaml', content: 'services:\n  auth:\n    depends_on: [api]\n' },
      ]);
      assert.deepEqual(p.diagnostics.map((d) => `${d.file}:${d.line} ${d.message}`), [
        'a.yaml:3 Dependency cycle: api → auth → api',
        'b.yaml:3 Dependency cycle: api → auth → api',
      ]);
    });

    it('reports shapes that are not compose files', () => {
      const one = (content: string) => parseComposeFile('c.yaml', content).diagnostics.map((d) => [d.code, d.line, d.column]);
      assert.deepEqual(one('- a\n- b\n'), [['compose/not-a-map', 1, 1]]);
      assert.deepEqual(one('just text'), [['compose/not-a-map', 1, 1]]);
      assert.deepEqual(one('version: "3"\nservices:\n  - web\n'), [['compose/services-not-a-map', 3, 3]]);
      assert.deepEqual(one('services: web\n'), [['compose/services-not-a-map', 1, 11]]);
      assert.deepEqual(one(''), []);
      assert.deepEqual(one('services:\n'), []);
    });

    it('reports invalid YAML with the position the parser gives', () => {
      const r = parseComposeFile('c.yaml', 'services:\n  web:\n    image: "nginx\n');
      assert.equal(r.services.length, 0);
      assert.equal(r.diagnostics[0]!.code, 'compose/invalid-yaml');
      assert.equal(r.diagnostics[0]!.severity, 'error');
      assert.match(r.diagnostics[0]!.message, /quote/i);
      assert.equal(r.diagnostics[0]!.line, 4, 'the parser points at the end of the file, where the quote is missing');
      const dup = parseComposeFile('c.yaml', 'services:\n  web: {}\n  web: {}\n');
      assert.deepEqual(dup.diagnostics.map((d) => [d.code, d.line]), [['compose/invalid-yaml', 3]]);
      assert.match(dup.diagnostics[0]!.message, /unique/);
      const tab = parseComposeFile('c.yaml', 'services:\n\tweb:\n');
      assert.ok(tab.diagnostics.some((d) => d.code === 'compose/invalid-yaml' && d.line === 2));
    });
  });

  describe('hostile input', () => {
    // Generous limits: these guard against exponential or quadratic blow-ups, not for speed.
    const quick = <T>(fn: () => T, ms = 4000): T => {
      const t = performance.now();
      const r = fn();
      assert.ok(performance.now() - t < ms, `took ${Math.round(performance.now() - t)} ms`);
      return r;
    };

    it('does not expand a billion-laughs alias bomb', () => {
      const lines = ['x-0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
      for (let i = 1; i < 10; i++) lines.push(`x-${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(',')}]`);
      lines.push('services:', '  web:', '    depends_on: *a9', '    links: *a9', '    profiles: *a9', '  bomb:', '    <<: *a9', '  lol: {}');
      const p = quick(() => loadComposeProject([{ file: 'c.yaml', content: lines.join('\n') }]));
      assert.deepEqual(p.services.map((s) => s.name), ['web', 'bomb', 'lol']);
      assert.ok(p.diagnostics.some((d) => d.code === 'compose/invalid-depends-on'));
      assert.ok(p.diagnostics.length < 100);
    });

    it('bounds merge-key bombs', () => {
      const big = Array.from({ length: 2000 }, (_, i) => `  k${i}: ${i}`);
      const services = Array.from({ length: 500 }, (_, i) => `  s${i}: {<<: *big, depends_on: [s0]}`);
      const p = quick(() => loadComposeProject([{ file: 'c.yaml', content: ['x-big: &big', ...big, 'services:', ...services].join('\n') }]));
      assert.equal(p.services.length, 500);
      assert.ok(p.diagnostics.some((d) => d.code === 'compose/too-many-merges' && d.severity === 'warning'));
      const chain = ['x-0: &m0 {depends_on: [db], a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9}'];
      for (let i = 1; i < 12; i++) chain.push(`x-${i}: &m${i} {<<: [${Array(10).fill(`*m${i - 1}`).join(', ')}]}`);
      chain.push('services:', '  db: {}', ...Array.from({ length: 50 }, (_, i) => `  s${i}: {<<: *m11}`));
      const q = quick(() => loadComposeProject([{ file: 'c.yaml', content: chain.join('\n') }]));
      assert.equal(q.services.length, 51);
      assert.ok(q.edges.length >= 1 && q.edges.every((e) => e.to === 'db'));
    });

    it('turns 10,000-deep nesting into a diagnostic', () => {
      const flow = quick(() => parseComposeFile('c.yaml', `services: ${'['.repeat(10_000)}${']'.repeat(10_000)}`));
      assert.equal(flow.diagnostics[0]!.code, 'compose/invalid-yaml');
      const open = quick(() => parseComposeFile('c.yaml', `services: ${'{a: '.repeat(10_000)}`));
      assert.ok(open.diagnostics.length > 0 && open.diagnostics.length <= 21);
      let block = 'services:\n';
      // block style: 1,300 levels already take ~850 KB of indentation, just under the size cap
      for (let i = 1; i < 1300; i++) block += `${' '.repeat(i)}k${i}:\n`;
      const deep = quick(() => parseComposeFile('c.yaml', block));
      // With Node's default stack the parser runs out of stack and says so; with a larger stack
      // the document is legal and yields the one service k1.
      if (deep.diagnostics.length) assert.equal(deep.diagnostics[0]!.code, 'compose/invalid-yaml');
      else assert.deepEqual(deep.services.map((s) => s.name), ['k1']);
    });

    it('refuses binary garbage and invalid UTF-8', () => {
      const bytes = new Uint8Array(4096);
      let s = 7;
      for (let i = 0; i < bytes.length; i++) bytes[i] = (s = (s * 1103515245 + 12345) & 0x7fffffff) & 0xff;
      bytes[10] = 0;
      assert.deepEqual(parseComposeFile('c.yaml', bytes).diagnostics.map((d) => d.code), ['compose/binary']);
      const latin1 = Buffer.from('services:\n  caf\xe9: {}\n', 'latin1');
      assert.deepEqual(parseComposeFile('c.yaml', latin1).diagnostics.map((d) => d.code), ['compose/binary']);
      assert.deepEqual(parseComposeFile('c.yaml', 'a: 1\u0000').diagnostics.map((d) => d.code), ['compose/binary']);
    });

    it('never throws on any prefix of a real file (truncation)', () => {
      const text = fs.readFileSync(voting, 'utf8');
      for (let i = 0; i <= text.length; i++) {
        const r = parseComposeFile('c.yaml', text.slice(0, i));
        for (const e of r.edges) assert.ok(r.services.some((s) => s.name === e.from));
      }
      const cut = parseComposeFile('c.yaml', text.slice(0, text.indexOf('"8080:80"') + 4));
      assert.deepEqual(cut.diagnostics.map((d) => [d.code, d.line]), [['compose/invalid-yaml', 22]]);
    });

    it('refuses a file over the size cap with a clear message', () => {
      const big = `services:\n  a:\n    image: "${'x'.repeat(5 * 1024 * 1024)}"\n`;
      const r = quick(() => parseComposeFile('big.yaml', big));
      assert.deepEqual(r.diagnostics, [{ file: 'big.yaml', line: 1, column: 1, severity: 'error', code: 'compose/file-too-large', message: 'File is 5 MB; files over 1 MB are not read' }]);
      assert.equal(parseComposeFile('c.yaml', 'services: {a: {}}', { maxBytes: 10 }).diagnostics[0]!.code, 'compose/file-too-large');
    });

    it('reads a file just under the cap in bounded time', () => {
      const lines = ['services:'];
      for (let i = 0; lines.join('\n').length < 0.95 * 1024 * 1024; i++) lines.push(...Array.from({ length: 100 }, (_, k) => `  s${i * 100 + k}:\n    depends_on: [s0]`));
      const p = quick(() => loadComposeProject([{ file: 'c.yaml', content: lines.join('\n') }]), 8000);
      assert.ok(p.services.length > 20_000);
    });

    it('reads a large but legal file in bounded time', () => {
      const lines = ['services:'];
      for (let i = 0; i < 5000; i++) lines.push(`  s${i}:`, '    image: busybox', `    depends_on: [s${Math.floor(i / 2)}]`);
      const p = quick(() => loadComposeProject([{ file: 'c.yaml', content: lines.join('\n') }]));
      assert.equal(p.services.length, 5000);
      assert.deepEqual(p.diagnostics.map((d) => d.message), ['Dependency cycle: s0 → s0']);
    });

    it('never throws on random text or bytes', () => {
      fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => { parseComposeFile('c.yaml', s); }), { numRuns: 500 });
      fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => { parseComposeFile('c.yaml', b); }), { numRuns: 300 });
      const yamlish = fc.array(fc.constantFrom('services:', '\n', '  ', 'a', 'b:', '- ', '[', ']', '{', '}', ',', 'depends_on:', 'links:', '&x ', '*x', '<<: ', '"', "'", '#', ': ', 'condition: service_healthy', '!!str ', '? ', '|', '>'), { maxLength: 60 });
      fc.assert(
        fc.property(yamlish, (parts) => {
          const r = loadComposeProject([{ file: 'c.yaml', content: parts.join('') }]);
          for (const d of r.diagnostics) assert.ok(d.line >= 1 && d.column >= 1);
        }),
        { numRuns: 1000 },
      );
    });
  });

  describe('file names', () => {
    it('recognises the names docker compose uses and variants', () => {
      for (const n of ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml', 'docker-compose.prod.yml', 'compose.override.yaml', 'awesome_compose.yaml', 'Docker-Compose.YML']) {
        assert.ok(isComposeFileName(n), n);
      }
      for (const n of ['compose.json', 'docker-stack.yml', 'values.yaml', 'compose.yaml.bak']) assert.ok(!isComposeFileName(n), n);
    });

    it('orders base files before overrides and shallow folders first', () => {
      const files = ['b/compose.yaml', 'docker-compose.override.yml', 'docker-compose.yml', 'a/x/compose.yml', 'compose.yaml', 'a/compose.yaml'];
      assert.deepEqual([...files].sort(compareComposeFiles), [
        'compose.yaml', 'docker-compose.yml', 'docker-compose.override.yml', 'a/compose.yaml', 'b/compose.yaml', 'a/x/compose.yml',
      ]);
    });
  });
});
