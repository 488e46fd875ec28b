import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import Database from 'better-sqlite3';
import { WorkspaceDatabase } from '../../../src/storage/database';
import { LATEST_SCHEMA_VERSION } from '../../../src/storage/migrations';
import { openCore, tempDir } from '../../support/coreHarness';

const root = path.resolve(__dirname, '../../..');
const wasm = path.join(root, 'node_modules/sql.js/dist/sql-wasm.wasm');

/** Reads a database file from disk without our code: is it a valid SQLite file, and what does it hold? */
function inspect(file: string): { integrity: string; versions: string[] } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const integrity = String((db.prepare('PRAGMA integrity_check').get() as Record<string, unknown>).integrity_check);
    const versions = (db.prepare('SELECT version FROM releases').all() as { version: string }[]).map((r) => r.version);
    return { integrity, versions };
  } finally {
    db.close();
  }
}

let childBundle: string;
before(async function () {
  this.timeout(60_000);
  const outDir = path.join(root, 'out/test-storage');
  fs.mkdirSync(outDir, { recursive: true });
  childBundle = path.join(outDir, 'storageChild.js');
  await esbuild.build({
    entryPoints: [path.join(__dirname, 'storageChild.ts')], bundle: true, platform: 'node', format: 'cjs',
    target: 'node20', outfile: childBundle, logLevel: 'error',
  });
});

function startChild(args: string[], env: Record<string, string> = {}): { child: ChildProcess; acks: string[]; done: Promise<number | null>; stderr: () => string } {
  const child = spawn(process.execPath, [childBundle, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const acks: string[] = [];
  let buf = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.startsWith('ack ')) acks.push(line.slice(4));
    }
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, acks, done, stderr: () => err };
}

describe('storage: WorkspaceDatabase on real files', () => {
  it('creates the file with every migration applied, as a Release Manager database', async () => {
    const h = await openCore();
    try {
      assert.equal(h.db.schemaVersion, LATEST_SCHEMA_VERSION);
      const raw = new Database(h.dbPath, { readonly: true });
      const appId = raw.pragma('application_id', { simple: true });
      const tables = (raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
      raw.close();
      assert.equal(appId, 0x524d4752);
      for (const t of ['releases', 'services', 'service_dependencies', 'environments', 'deployments', 'pipelines', 'pipeline_runs',
        'step_results', 'blue_green', 'trains', 'train_departures', 'roadmaps', 'milestones', 'release_milestones',
        'conversations', 'messages', 'calendar_events', 'audit_events', 'freeze_windows', 'approvals', 'schema_migrations']) {
        assert.ok(tables.includes(t), `table ${t} missing; have ${tables.join(', ')}`);
      }
    } finally {
      await h.close();
    }
  });

  it('acknowledges a change through the journal and writes the file only after a quiet period', async () => {
    const h = await openCore({ db: { snapshotDelayMs: 150, snapshotMaxWaitMs: 1000 } });
    try {
      const sizeBefore = fs.statSync(h.dbPath).size;
      const mtimeBefore = fs.statSync(h.dbPath).mtimeMs;
      await h.releases.createRelease('One', '1.0.0');
      assert.ok(fs.statSync(`${h.dbPath}.journal`).size > 0, 'the change is in the journal');
      assert.equal(fs.statSync(h.dbPath).mtimeMs, mtimeBefore, 'the file is not rewritten per change');
      assert.deepEqual(inspect(h.dbPath).versions, []);
      await new Promise((r) => setTimeout(r, 400));
      assert.deepEqual(inspect(h.dbPath).versions, ['1.0.0'], 'the snapshot holds the change');
      assert.equal(fs.statSync(`${h.dbPath}.journal`).size, 0, 'the journal is emptied after the snapshot');
      assert.ok(fs.statSync(h.dbPath).size >= sizeBefore);
    } finally {
      await h.close();
    }
  });

  it('keeps the journal bounded during a burst of writes that never yields to timers', async () => {
    const h = await openCore({ db: { snapshotDelayMs: 60_000, snapshotMaxWaitMs: 60_000, journalMaxEntries: 50 } });
    try {
      let maxLines = 0;
      for (let i = 0; i < 200; i++) {
        await h.db.write((sql) => sql.run("INSERT INTO meta (key, value) VALUES (?, 'x')", [`k${i}`]));
        const lines = fs.readFileSync(`${h.dbPath}.journal`, 'utf8').split('\n').filter(Boolean).length;
        maxLines = Math.max(maxLines, lines);
      }
      assert.ok(maxLines <= 50, `journal reached ${maxLines} entries`);
      const raw = new Database(h.dbPath, { readonly: true });
      const onDisk = (raw.prepare("SELECT count(*) AS n FROM meta WHERE key LIKE 'k%'").get() as { n: number }).n;
      raw.close();
      assert.ok(onDisk >= 150, `the file holds ${onDisk} of 200 changes`);
    } finally {
      await h.close();
    }
  });

  it('replays the journal when the process stopped before the snapshot', async () => {
    const dir = tempDir();
    const a = await openCore({ dir, db: { snapshotDelayMs: 60_000, snapshotMaxWaitMs: 60_000 } });
    await a.releases.createRelease('One', '1.0.0');
    await a.releases.createRelease('Two', '1.1.0');
    assert.deepEqual(inspect(a.dbPath).versions, []);
    // A second instance opens while the first still has unsaved changes: they come from the journal.
    const b = await openCore({ dir });
    try {
      const versions = (await b.releases.listReleases()).map((r) => r.version).sort();
      assert.deepEqual(versions, ['1.0.0', '1.1.0']);
    } finally {
      await b.close();
      await a.close();
    }
  });

  it('drops a torn last journal line (a write cut off by a kill) and keeps the complete ones', async () => {
    const dir = tempDir();
    const a = await openCore({ dir, db: { snapshotDelayMs: 60_000, snapshotMaxWaitMs: 60_000 } });
    await a.releases.createRelease('One', '1.0.0');
    const journal = `${a.dbPath}.journal`;
    fs.appendFileSync(journal, '{"seq":99,"at":"2026-01-01T00:00:00Z","ops":[["INSERT INTO rel');
    const b = await openCore({ dir });
    try {
      assert.deepEqual((await b.releases.listReleases()).map((r) => r.version), ['1.0.0']);
      await b.releases.createRelease('Two', '2.0.0');
      assert.deepEqual((await b.releases.listReleases()).map((r) => r.version).sort(), ['1.0.0', '2.0.0']);
    } finally {
      await b.close();
      await a.close();
    }
  });

  it('moves a corrupt file aside with a clear reason and never overwrites it', async () => {
    const dir = tempDir();
    const file = path.join(dir, '.vscode', 'release-manager.sqlite');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const garbage = Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4096, 0xab)]);
    fs.writeFileSync(file, garbage);
    const h = await openCore({ dir });
    try {
      assert.equal(h.db.recoveries.length, 1);
      const rec = h.db.recoveries[0];
      assert.match(rec.reason, /corrupt/);
      assert.ok(fs.readFileSync(rec.movedTo).equals(garbage), 'the original bytes are kept, moved aside');
      await h.releases.createRelease('Fresh', '1.0.0');
      assert.equal((await h.releases.listReleases()).length, 1);
    } finally {
      await h.close();
    }
  });

  it('moves a text file aside as "not an SQLite database"', async () => {
    const dir = tempDir();
    const file = path.join(dir, '.vscode', 'release-manager.sqlite');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'hello, I am a text file that someone saved here by mistake\n'.repeat(10));
    const h = await openCore({ dir });
    try {
      assert.match(h.db.recoveries[0].reason, /not an SQLite database/);
      assert.ok(fs.existsSync(h.db.recoveries[0].movedTo));
    } finally {
      await h.close();
    }
  });

  it('moves another application\'s SQLite database aside as not ours', async () => {
    const dir = tempDir();
    const file = path.join(dir, '.vscode', 'release-manager.sqlite');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const other = new Database(file);
    other.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices (total) VALUES (12.5);');
    other.close();
    const h = await openCore({ dir });
    try {
      assert.match(h.db.recoveries[0].reason, /not a Release Manager database/);
      const moved = new Database(h.db.recoveries[0].movedTo, { readonly: true });
      assert.equal((moved.prepare('SELECT total FROM invoices').get() as { total: number }).total, 12.5);
      moved.close();
    } finally {
      await h.close();
    }
  });

  it('opens a database from a newer version read-only and refuses changes with the reason', async () => {
    const dir = tempDir();
    const h = await openCore({ dir });
    await h.releases.createRelease('One', '1.0.0');
    await h.close();
    const raw = new Database(h.dbPath);
    raw.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(LATEST_SCHEMA_VERSION + 1, 'future', '2030-01-01T00:00:00Z');
    raw.close();
    const before = fs.readFileSync(h.dbPath);
    const again = await openCore({ dir });
    try {
      assert.match(again.db.readOnlyReason ?? '', /newer Release Manager.*read-only/);
      assert.equal((await again.releases.listReleases()).length, 1, 'still readable');
      await assert.rejects(again.releases.createRelease('Two', '2.0.0'), /newer Release Manager/);
    } finally {
      await again.close();
    }
    assert.ok(fs.readFileSync(h.dbPath).equals(before), 'the file is unchanged');
  });

  it('keeps the audit log append-only in the database itself', async () => {
    const h = await openCore();
    try {
      await h.releases.createRelease('One', '1.0.0');
      await assert.rejects(h.db.write((sql) => sql.run("UPDATE audit_events SET actor = 'mallory'")), /append-only/);
      await assert.rejects(h.db.write((sql) => sql.run('DELETE FROM audit_events')), /append-only/);
      const events = await h.uow.read((r) => r.audit.list());
      assert.equal(events.length, 1);
      assert.equal(events[0].actor, 'Ada Tester');
    } finally {
      await h.close();
    }
  });

  it('rolls back a failed transaction completely and journals nothing', async () => {
    const h = await openCore();
    try {
      const journalSize = fs.existsSync(`${h.dbPath}.journal`) ? fs.statSync(`${h.dbPath}.journal`).size : 0;
      await assert.rejects(h.db.write((sql) => {
        sql.run("INSERT INTO meta (key, value) VALUES ('x', '1')");
        throw new Error('boom');
      }), /boom/);
      assert.equal(await h.db.read((sql) => sql.get("SELECT value FROM meta WHERE key = 'x'")), undefined);
      const after = fs.existsSync(`${h.dbPath}.journal`) ? fs.statSync(`${h.dbPath}.journal`).size : 0;
      assert.equal(after, journalSize);
    } finally {
      await h.close();
    }
  });

  it('sees another process\'s changes and tells its listeners', async () => {
    const dir = tempDir();
    const a = await openCore({ dir, db: { watch: true, pollMs: 200 } });
    try {
      let external = 0;
      a.db.onDidChange((c) => c.source === 'external' && external++);
      const w = startChild(['releases', a.dbPath, wasm, '7', '0', '3']);
      assert.equal(await w.done, 0, w.stderr());
      const deadline = Date.now() + 3000;
      while (external === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(external > 0, 'a change event arrived without a read');
      assert.deepEqual((await a.releases.listReleases()).map((r) => r.version).sort(), ['7.0.0', '7.1.0', '7.2.0']);
    } finally {
      await a.close();
    }
  });

  // The SIGKILL test (100 kills during bursts of mixed mutations) is test/unit/durability/crash.test.ts.

  it('two processes writing the same file at once lose no update', async function () {
    this.timeout(120_000);
    const dir = tempDir();
    const dbPath = path.join(dir, 'shared.sqlite');
    (await WorkspaceDatabase.open({ path: dbPath, wasmPath: wasm })).close();
    const env = { SNAPSHOT_DELAY_MS: '20', SNAPSHOT_MAX_WAIT_MS: '200' };
    const a = startChild(['counter', dbPath, wasm, '150'], env);
    const b = startChild(['counter', dbPath, wasm, '150'], env);
    const c = startChild(['releases', dbPath, wasm, '3', '0', '60'], env);
    const d = startChild(['releases', dbPath, wasm, '4', '0', '60'], env);
    const codes = await Promise.all([a.done, b.done, c.done, d.done]);
    assert.deepEqual(codes, [0, 0, 0, 0], [a, b, c, d].map((x) => x.stderr()).join('\n'));
    const db = await WorkspaceDatabase.open({ path: dbPath, wasmPath: wasm });
    try {
      const counter = await db.read((sql) => sql.get<{ value: string }>("SELECT value FROM meta WHERE key = 'test-counter'")?.value);
      assert.equal(Number(counter), 300, 'every read-modify-write of both processes counted');
      const versions = await db.read((sql) => sql.all<{ version: string }>('SELECT version FROM releases').map((r) => r.version));
      assert.equal(versions.length, 120);
      assert.deepEqual(new Set(versions), new Set([...c.acks, ...d.acks]));
    } finally {
      await db.close();
    }
    assert.equal(inspect(dbPath).integrity, 'ok');
  });
});
