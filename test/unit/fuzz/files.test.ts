// Issue 8 §2, the files we read: compose files (discovery), the pipeline file
// (.vscode/release-pipelines.json), the database file and its journal — truncated, binary, huge
// (50 MB), nested 10,000 levels deep, billion laughs. Each must give a clear error naming the file and
// the reason, in bounded time, and lose nothing: discovery still proposes what the good files say,
// the pipelines of the last good file stay, a bad database or journal is moved aside (never
// overwritten) with its bytes intact.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { discoverServices } from '../../../src/discovery/discover';
import { WorkspaceDatabase } from '../../../src/storage/database';
import { readWorkspaceText } from '../../../src/storage/workspaceText';
import { openCore, tempDir } from '../../support/coreHarness';
import { openPipelines, type PipelineHarness } from '../../support/pipelineHarness';
import { Rng } from '../../support/fuzz/random';

const ROOT = path.resolve(__dirname, '../../..');
const VOTING = path.join(ROOT, 'test/fixtures/compose/example-voting-app/docker-compose.yml');
const FIFTY_MB = 50 * 1024 * 1024;

/** Runs `fn`, failing when it takes longer than `ms` (these guard against blow-ups, not for speed). */
async function bounded<T>(what: string, ms: number, fn: () => Promise<T> | T): Promise<T> {
  const t0 = performance.now();
  const r = await fn();
  const took = performance.now() - t0;
  assert.ok(took < ms, `${what} took ${took.toFixed(0)} ms (bound ${ms} ms)`);
  return r;
}

function randomBytes(rng: Rng, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = rng.int(256);
  b[7] = 0; // binary for sure
  return b;
}

/** A file of `size` bytes written in 1 MB chunks of `chunk` (so that 50 MB costs no 50 MB string). */
function writeBig(file: string, size: number, chunk: Buffer): void {
  const fd = fs.openSync(file, 'w');
  try {
    for (let written = 0; written < size; written += chunk.length) fs.writeSync(fd, chunk, 0, Math.min(chunk.length, size - written));
  } finally {
    fs.closeSync(fd);
  }
}

function billionLaughs(): string {
  const lines = ['x-0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 10; i++) lines.push(`x-${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(',')}]`);
  lines.push('services:', '  bomb:', '    image: busybox', '    depends_on: *a9', '    <<: *a9');
  return lines.join('\n');
}

describe('fuzz: files we read — truncated, binary, huge, deeply nested', function () {
  this.timeout(120_000);

  describe('compose files (discovery over a real folder)', () => {
    it('reports each bad file by name and reason, still proposes the good files\' services, in bounded time', async () => {
      const rng = new Rng(8);
      const root = tempDir('rm-fuzz-compose-');
      const voting = fs.readFileSync(VOTING);
      const put = (rel: string, content: string | Buffer) => {
        fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        fs.writeFileSync(path.join(root, rel), content);
      };
      put('good/compose.yaml', voting);
      put('truncated/compose.yaml', voting.subarray(0, voting.indexOf('"8080:80"') + 4));
      put('binary/compose.yaml', randomBytes(rng, 64 * 1024));
      put('latin1/compose.yaml', Buffer.from('services:\n  caf\xe9: {}\n', 'latin1'));
      put('deep-flow/compose.yaml', `services: ${'['.repeat(10_000)}${']'.repeat(10_000)}`);
      put('deep-open/compose.yaml', `services: ${'{a: '.repeat(10_000)}`);
      put('laughs/compose.yaml', billionLaughs());
      fs.mkdirSync(path.join(root, 'huge'));
      writeBig(path.join(root, 'huge/compose.yaml'), FIFTY_MB, Buffer.from(`services:\n${'  s:\n    image: x\n'.repeat(50_000)}`.slice(0, 1 << 20)));

      const p = await bounded('discovery over the hostile folder', 15_000, () => discoverServices(root));
      const errorsOf = (dir: string) => p.diagnostics.filter((d) => d.file.startsWith(`${dir}/`) && d.severity === 'error');
      assert.match(errorsOf('huge')[0]?.message ?? '', /^File is 50 MB; files over 1 MB are not read$/);
      assert.match(errorsOf('binary')[0]?.message ?? '', /^Not a text file/);
      assert.match(errorsOf('latin1')[0]?.message ?? '', /^Not a text file \(it is not valid UTF-8\)$/);
      for (const dir of ['truncated', 'deep-flow', 'deep-open']) {
        const e = errorsOf(dir)[0];
        assert.ok(e, `no error for ${dir}/compose.yaml: ${JSON.stringify(p.diagnostics.filter((d) => d.file.startsWith(dir)))}`);
        assert.equal(e.code, 'compose/invalid-yaml');
        assert.ok(e.line >= 1 && e.message.length > 0 && e.message.length < 500, `${dir}: ${e.message}`);
      }
      assert.ok(p.diagnostics.some((d) => d.file === 'laughs/compose.yaml' && d.code === 'compose/invalid-depends-on'), 'the bomb is read without expanding it');
      // Nothing lost: the good file's services (merged with what the bad files still say) are proposed.
      const names = p.services.map((s) => s.name);
      for (const s of ['vote', 'result', 'worker', 'redis', 'db']) assert.ok(names.includes(s), `${s} not proposed: ${names.join(', ')}`);
      assert.ok(p.edges.some((e) => e.from === 'vote' && e.to === 'redis'));
      console.log(`      ${p.files.length} compose files, ${p.diagnostics.length} diagnostics, ${p.services.length} services proposed`);
    });
  });

  describe('the pipeline file', () => {
    let h: PipelineHarness;
    const GOOD = JSON.stringify({ pipelines: [{ name: 'deploy', steps: [{ name: 'build', type: 'shell', command: 'npm run build' }, { name: 'wait', type: 'wait', seconds: 1 }] }] }, null, 2);

    before(async () => {
      h = await openPipelines();
    });
    after(async () => {
      await h?.close();
    });

    it('is refused unread when huge, binary or not UTF-8, with the reason', async () => {
      const dir = tempDir('rm-fuzz-pipefile-');
      const file = path.join(dir, 'release-pipelines.json');
      writeBig(file, FIFTY_MB, Buffer.from('{"pipelines":['.padEnd(1 << 20, ' ')));
      assert.deepEqual(await bounded('the 50 MB file', 1000, () => readWorkspaceText(file)), { kind: 'unreadable', reason: 'is 50 MB; files over 1 MB are not read' });
      fs.writeFileSync(file, randomBytes(new Rng(3), 4096));
      assert.deepEqual(await readWorkspaceText(file), { kind: 'unreadable', reason: 'is not a text file (it contains NUL bytes)' });
      fs.writeFileSync(file, Buffer.from('{"pipelines": [{"name": "d\xe9ploy"}]}', 'latin1'));
      assert.deepEqual(await readWorkspaceText(file), { kind: 'unreadable', reason: 'is not a text file (it is not valid UTF-8)' });
      assert.deepEqual(await readWorkspaceText(path.join(dir, 'missing.json')), { kind: 'missing' });
      assert.deepEqual(await readWorkspaceText(dir), { kind: 'unreadable', reason: 'is not a regular file' });
      fs.writeFileSync(file, `\uFEFF${GOOD}`);
      assert.deepEqual(await readWorkspaceText(file), { kind: 'text', text: GOOD });
    });

    it('keeps the last good pipelines through every truncation, 10,000-level nesting and hostile JSON, naming where', async () => {
      const first = await h.pipelines.syncPipelineFile(GOOD);
      assert.deepEqual(first.errors, []);
      const stored = JSON.stringify(await h.pipelines.listPipelines());
      const audit = (await h.uow.read((r) => r.audit.list())).length;
      const seq = h.db.sequence;
      const texts: [string, string][] = [];
      // Every prefix of the good file that is not itself complete JSON (cut mid-token, mid-string, mid-list).
      for (let i = 0; i < GOOD.length - 1; i += 3) texts.push([`truncated at ${i}`, GOOD.slice(0, i)]);
      texts.push(['nested 10,000 levels', `{"pipelines": ${'['.repeat(10_000)}${']'.repeat(10_000)}}`]);
      texts.push(['open 10,000 levels', `{"pipelines": [${'{"a": '.repeat(10_000)}`]);
      texts.push(['objects 10,000 deep', `${'{"x":'.repeat(10_000)}1${'}'.repeat(10_000)}`]);
      texts.push(['__proto__ keys', '{"__proto__": {"pipelines": []}, "constructor": {"prototype": {"polluted": 1}}}']);
      texts.push(['a __proto__ step', '{"pipelines": [{"name": "deploy", "steps": [{"__proto__": {"type": "shell"}, "name": "x", "command": "id"}]}]}']);
      texts.push(['a 900 KB name', `{"pipelines": [{"name": "${'n'.repeat(900_000)}", "steps": []}]}`]);
      texts.push(['NUL in a command', '{"pipelines": [{"name": "deploy", "steps": [{"name": "x", "type": "shell", "command": "a\\u0000b"}]}]}']);
      texts.push(['200,000 empty pipelines', `{"pipelines": [${'{},'.repeat(200_000)}{}]}`]);
      texts.push(['not JSON', 'pipelines:\n  - name: deploy\n']);
      texts.push(['empty', '']);
      let slowest = 0;
      for (const [what, text] of texts) {
        const t0 = performance.now();
        const r = await h.pipelines.syncPipelineFile(text);
        slowest = Math.max(slowest, performance.now() - t0);
        assert.ok(r.errors.length > 0, `${what}: accepted`);
        assert.deepEqual([r.added, r.updated, r.removed, r.detached], [[], [], [], []], what);
        for (const e of r.errors.slice(0, 5)) {
          assert.ok(e.path && e.message && e.message.length < 2000, `${what}: ${JSON.stringify(e).slice(0, 300)}`);
          if (e.line !== undefined) assert.ok(e.line >= 1 && (e.column ?? 1) >= 1, `${what}: line ${e.line}`);
        }
      }
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.equal(JSON.stringify(await h.pipelines.listPipelines()), stored, 'the last good pipelines are kept');
      assert.equal((await h.uow.read((r) => r.audit.list())).length, audit, 'nothing audited: nothing changed');
      assert.equal(h.db.sequence, seq, 'nothing written');
      assert.ok(slowest < 3000, `one file took ${slowest.toFixed(0)} ms`);
      console.log(`      ${texts.length} hostile pipeline files refused, slowest ${slowest.toFixed(0)} ms; pipelines unchanged`);
    });
  });

  describe('the database file and its journal', () => {
    /** A database with three releases, snapshotted, and a journal holding two more. */
    async function seeded(): Promise<{ dir: string; dbPath: string; journal: string }> {
      const dir = tempDir('rm-fuzz-db-');
      const h = await openCore({ dir, db: { snapshotDelayMs: 60_000, snapshotMaxWaitMs: 60_000 } });
      for (const v of ['1.0.0', '1.1.0', '1.2.0']) await h.releases.createRelease(`R ${v}`, v);
      await h.db.snapshot();
      await h.releases.createRelease('R 2.0.0', '2.0.0');
      await h.releases.createRelease('R 2.1.0', '2.1.0');
      // Leave the journal as a killed process would: copy the files before close() snapshots them.
      const copy = tempDir('rm-fuzz-db-copy-');
      const dbPath = path.join(copy, 'release-manager.sqlite');
      fs.copyFileSync(h.dbPath, dbPath);
      fs.copyFileSync(`${h.dbPath}.journal`, `${dbPath}.journal`);
      await h.close();
      return { dir: copy, dbPath, journal: `${dbPath}.journal` };
    }

    const versions = (db: WorkspaceDatabase) => db.read((sql) => sql.all<{ version: string }>('SELECT version FROM releases ORDER BY version').map((r) => r.version));

    it('moves a truncated, binary or huge database file aside, bytes intact, with the reason, and starts afresh', async () => {
      const rng = new Rng(11);
      const { dbPath } = await seeded();
      const valid = fs.readFileSync(dbPath);
      const cases: [string, () => void, RegExp][] = [
        ['cut to half', () => fs.writeFileSync(dbPath, valid.subarray(0, valid.length >> 1)), /corrupt|not an SQLite database/],
        ['cut to 4 KB', () => fs.writeFileSync(dbPath, valid.subarray(0, 4096)), /corrupt|not an SQLite database/],
        ['cut to 50 bytes', () => fs.writeFileSync(dbPath, valid.subarray(0, 50)), /not an SQLite database \(wrong header\)/],
        ['random bytes', () => fs.writeFileSync(dbPath, randomBytes(rng, 1 << 20)), /not an SQLite database \(wrong header\)/],
        ['50 MB of garbage behind a valid header', () => writeBig(dbPath, FIFTY_MB, Buffer.concat([valid.subarray(0, 100), randomBytes(rng, (1 << 20) - 100)])), /corrupt/],
        ['pages shuffled', () => {
          const pages = 4096;
          const b = Buffer.from(valid);
          for (let off = pages; off + 2 * pages <= b.length; off += 2 * pages) {
            const tmp = Buffer.from(b.subarray(off, off + pages));
            b.copy(b, off, off + pages, off + 2 * pages);
            tmp.copy(b, off + pages);
          }
          fs.writeFileSync(dbPath, b);
        }, /corrupt/],
      ];
      for (const [what, make, reason] of cases) {
        make();
        fs.rmSync(`${dbPath}.stamp`, { force: true });
        const bad = fs.readFileSync(dbPath);
        const db = await bounded(`opening a database ${what}`, 20_000, () => WorkspaceDatabase.open({ path: dbPath }));
        try {
          const rec = db.recoveries.find((r) => r.file === dbPath);
          assert.ok(rec, `${what}: not moved aside (recoveries: ${JSON.stringify(db.recoveries)})`);
          assert.match(rec.reason, reason, what);
          assert.ok(fs.readFileSync(rec.movedTo).equals(bad), `${what}: the bad file's bytes are kept where it was moved`);
          assert.deepEqual(await versions(db), [], `${what}: a fresh database`);
          await db.write((sql) => sql.run("INSERT INTO meta (key, value) VALUES ('after', 'recovery')"));
        } finally {
          await db.close();
        }
        fs.writeFileSync(dbPath, valid);
        fs.rmSync(`${dbPath}.journal`, { force: true });
      }
    });

    it('replays the complete entries of a journal cut anywhere, and never loses the snapshot', async () => {
      const { dbPath, journal } = await seeded();
      const base = fs.readFileSync(dbPath);
      const full = fs.readFileSync(journal);
      const ends = [...full.entries()].filter(([, b]) => b === 0x0a).map(([i]) => i + 1);
      for (let cut = 0; cut <= full.length; cut += Math.max(1, Math.floor(full.length / 60))) {
        fs.writeFileSync(dbPath, base);
        fs.rmSync(`${dbPath}.stamp`, { force: true });
        fs.writeFileSync(journal, full.subarray(0, cut));
        const db = await WorkspaceDatabase.open({ path: dbPath });
        try {
          const complete = ends.filter((e) => e <= cut).length;
          assert.deepEqual(await versions(db), ['1.0.0', '1.1.0', '1.2.0', '2.0.0', '2.1.0'].slice(0, 3 + complete), `cut at ${cut}`);
          assert.deepEqual(db.recoveries, [], `cut at ${cut}: a torn tail is not corruption`);
        } finally {
          await db.close();
        }
      }
    });

    it('moves a corrupt, binary or huge journal aside with the reason and keeps the snapshot\'s releases', async () => {
      const rng = new Rng(21);
      const { dbPath, journal } = await seeded();
      const base = fs.readFileSync(dbPath);
      const good = fs.readFileSync(journal);
      const lines = good.toString('utf8').split('\n').filter(Boolean);
      const entry = JSON.parse(lines[0]) as { seq: number; ops: unknown[] };
      const cases: [string, () => void, RegExp][] = [
        ['binary garbage between entries', () => fs.writeFileSync(journal, Buffer.concat([Buffer.from(`${lines[0]}\n`), randomBytes(rng, 2048), Buffer.from(`\n${lines[1]}\n`)])), /a line is not JSON/],
        ['a line that is JSON but no entry', () => fs.writeFileSync(journal, `${lines[0]}\n{"__proto__": {"seq": 99, "ops": []}}\n`), /a line is not a journal entry/],
        ['an entry whose SQL does not apply', () => fs.writeFileSync(journal, `${JSON.stringify({ ...entry, ops: [['INSERT INTO no_such_table VALUES (?)', [1]]] })}\n`), /does not apply/],
        ['50 MB of text lines', () => writeBig(journal, FIFTY_MB, Buffer.from('this is not a journal line\n'.repeat(40_000))), /a line is not JSON/],
      ];
      for (const [what, make, reason] of cases) {
        fs.writeFileSync(dbPath, base);
        fs.rmSync(`${dbPath}.stamp`, { force: true });
        make();
        const bad = fs.readFileSync(journal);
        const db = await bounded(`opening with a journal of ${what}`, 20_000, () => WorkspaceDatabase.open({ path: dbPath }));
        try {
          const rec = db.recoveries.find((r) => r.file === journal);
          assert.ok(rec, `${what}: the journal was not moved aside`);
          assert.match(rec.reason, reason, what);
          assert.ok(fs.readFileSync(rec.movedTo).equals(bad), `${what}: the journal's bytes are kept`);
          // The snapshot is never lost: its three releases are there.
          const have = await versions(db);
          for (const v of ['1.0.0', '1.1.0', '1.2.0']) assert.ok(have.includes(v), `${what}: ${v} lost (${have.join(', ')})`);
        } finally {
          await db.close();
        }
      }
    });
  });
});
