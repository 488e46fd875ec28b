// Issue 8 §3: two extension hosts on one workspace — two processes, each with the storage layer and
// the real managers, watching the folder as the extension does — mutating at once: read-modify-write
// counter increments, release creations and posts to one shared conversation. 0 lost updates, and
// the README's rule holds: reload before writing, so both can write (neither is refused or read-only)
// and each sees the other's changes.
import assert from 'node:assert/strict';
import path from 'node:path';
import { ReleaseManager } from '../../../src/core/releases/ReleaseManager';
import { WorkspaceDatabase } from '../../../src/storage/database';
import { SqlUnitOfWork } from '../../../src/storage/sqlRepositories';
import { tempDir } from '../../support/coreHarness';
import { acked, childBundle, integrityOnDisk, startChild, WASM } from './children';

const EACH = 120;

describe('durability: two extension hosts writing one workspace at once', () => {
  before(async function () {
    this.timeout(60_000);
    await childBundle();
  });

  it(`loses no update: ${EACH} counter increments, releases and posts from each of two hosts`, async function () {
    this.timeout(180_000);
    const dbPath = path.join(tempDir('rm-hosts-'), '.vscode', 'release-manager.sqlite');
    const setup = await WorkspaceDatabase.open({ path: dbPath, wasmPath: WASM });
    const rm = new ReleaseManager({ uow: new SqlUnitOfWork(setup), clock: { now: () => new Date() }, identity: { currentUser: async () => 'setup' } });
    const { conversationId } = await rm.createRelease('Shared discussion', '0.1.0');
    await setup.close();

    // Quick snapshots, so that each host also reloads the file after the other's snapshot (not only the journal).
    const env = { SNAPSHOT_DELAY_MS: '20', SNAPSHOT_MAX_WAIT_MS: '200' };
    const started = Date.now();
    const a = await startChild(['host', dbPath, WASM, '3', String(EACH), conversationId, String(2 * EACH)], env);
    const b = await startChild(['host', dbPath, WASM, '4', String(EACH), conversationId, String(2 * EACH)], env);
    const codes = await Promise.all([a.done, b.done]);
    assert.deepEqual(codes, [0, 0], `${a.stderr()}\n${b.stderr()}`);
    const ms = Date.now() - started;

    // Both could write all along (no refusal, no read-only window): every mutation was acknowledged.
    for (const h of [a, b]) assert.equal(h.acks.length, 3 * EACH);
    // Each saw the other's releases without reopening.
    assert.deepEqual([a, b].map((h) => h.lines.find((l) => l.startsWith('sees '))), [`sees ${2 * EACH}`, `sees ${2 * EACH}`]);

    const db = await WorkspaceDatabase.open({ path: dbPath, wasmPath: WASM });
    try {
      const have = await db.read((sql) => ({
        counter: Number(sql.get<{ value: string }>("SELECT value FROM meta WHERE key = 'hosts-counter'")?.value),
        releases: sql.all<{ id: string; version: string }>("SELECT id, version FROM releases WHERE name LIKE 'host %'"),
        posts: sql.all<{ text: string }>('SELECT text FROM messages WHERE conversation_id = ? ORDER BY rowid', [conversationId]).map((r) => r.text),
        audits: sql.get<{ n: number }>("SELECT count(*) AS n FROM audit_events WHERE actor LIKE 'host-%'")?.n,
      }));
      assert.equal(have.counter, 2 * EACH, 'every read-modify-write of both hosts counted');
      // Increments were serialised: each host saw a strictly rising counter, and together they saw every value once.
      const values = [...acked(a.acks, 'counter'), ...acked(b.acks, 'counter')].map(([v]) => Number(v)).sort((x, y) => x - y);
      assert.deepEqual(values, Array.from({ length: 2 * EACH }, (_, i) => i + 1));
      const ackedReleases = [...acked(a.acks, 'release'), ...acked(b.acks, 'release')].map(([v, id]) => `${v} ${id}`).sort();
      assert.deepEqual(have.releases.map((r) => `${r.version} ${r.id}`).sort(), ackedReleases, 'every release of both hosts, once');
      const ackedPosts = [...acked(a.acks, 'message'), ...acked(b.acks, 'message')].map(([t]) => t).sort();
      assert.deepEqual([...have.posts].sort(), ackedPosts, 'every post of both hosts in the shared conversation, once');
      // Each host's own posts keep their order.
      for (const major of ['3', '4']) {
        const mine = have.posts.filter((t) => t.startsWith(`post-${major}-`));
        assert.deepEqual(mine, Array.from({ length: EACH }, (_, i) => `post-${major}-${i}`));
      }
      // One audit event per release and per post (the counter is no manager mutation).
      assert.equal(have.audits, 2 * 2 * EACH);
    } finally {
      await db.close();
    }
    assert.equal(integrityOnDisk(dbPath), 'ok');
    console.log(`      2 hosts × ${EACH} × (increment, release, post) in ${(ms / 1000).toFixed(1)} s: counter ${2 * EACH}/${2 * EACH}, 0 lost or duplicated`);
  });
});
