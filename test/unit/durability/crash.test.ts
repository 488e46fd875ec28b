// Issue 8 §3: 100 SIGKILLs during bursts of mutations through the real managers (releases,
// conversation posts, services, a read-modify-write counter), half of them in the middle of a
// snapshot. After each kill the file on disk must be a valid SQLite database on its own, and once
// opened (journal replayed) every acknowledged mutation must be there. (This replaces the
// foundation's 60-kill test of release creations in test/unit/storage/database.test.ts.)
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { WorkspaceDatabase } from '../../../src/storage/database';
import { tempDir } from '../../support/coreHarness';
import { acked, childBundle, integrityOnDisk, startChild, WASM } from './children';

const KILLS = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('durability: SIGKILL during bursts of mutations', () => {
  before(async function () {
    this.timeout(60_000);
    await childBundle();
  });

  it(`loses no acknowledged mutation and never leaves a corrupt file over ${KILLS} SIGKILLs`, async function () {
    this.timeout(300_000);
    const dir = tempDir('rm-crash-');
    const dbPath = path.join(dir, 'crash.sqlite');
    const all: string[] = [];
    let counterAcked = 0;
    let corrupt = 0;
    let midSnapshot = 0;
    const started = Date.now();
    for (let round = 0; round < KILLS; round++) {
      // Frequent snapshots, so kills also land during export, write and rename, not only during journal appends.
      const w = await startChild(['burst', dbPath, WASM, String(round + 1)], { SNAPSHOT_DELAY_MS: '3', SNAPSHOT_MAX_WAIT_MS: '20' });
      const target = 1 + Math.floor(Math.random() * 30);
      const until = Date.now() + 30_000;
      while (w.acks.length < target && Date.now() < until && w.child.exitCode === null) await sleep(2);
      const tmp = `${dbPath}.${w.child.pid}.tmp`;
      if (round % 2 === 1) {
        // Odd rounds: kill the moment a snapshot's temp file appears.
        const watchUntil = Date.now() + 3000;
        while (!fs.existsSync(tmp) && Date.now() < watchUntil) await new Promise((r) => setImmediate(r));
      } else await sleep(Math.random() * 15);
      w.child.kill('SIGKILL');
      await w.done;
      if (fs.existsSync(tmp)) midSnapshot++;
      assert.ok(w.acks.length > 0, `round ${round}: the child wrote nothing: ${w.stderr()}`);
      all.push(...w.acks);
      for (const [v] of acked(w.acks, 'counter')) counterAcked = Math.max(counterAcked, Number(v));

      // The file on disk is a valid database on its own, before any replay...
      if (integrityOnDisk(dbPath) !== 'ok') corrupt++;
      // ...and with the journal replayed every acknowledged mutation is there.
      const db = await WorkspaceDatabase.open({ path: dbPath, wasmPath: WASM });
      try {
        const have = await db.read((sql) => ({
          releases: new Set(sql.all<{ id: string; version: string }>('SELECT id, version FROM releases').map((r) => `${r.version} ${r.id}`)),
          messages: new Set(sql.all<{ text: string }>('SELECT text FROM messages').map((r) => r.text)),
          services: new Set(sql.all<{ name: string }>('SELECT name FROM services').map((r) => r.name)),
          counter: Number(sql.get<{ value: string }>("SELECT value FROM meta WHERE key = 'crash-counter'")?.value ?? 0),
          audited: new Set(sql.all<{ entity_id: string }>("SELECT entity_id FROM audit_events WHERE action = 'release.create'").map((r) => r.entity_id)),
          integrity: sql.get<{ integrity_check: string }>('PRAGMA integrity_check')?.integrity_check,
        }));
        assert.equal(have.integrity, 'ok');
        const lost = [
          ...acked(all, 'release').filter(([v, id]) => !have.releases.has(`${v} ${id}`) || !have.audited.has(id)).map(([v]) => `release ${v}`),
          ...acked(all, 'message').filter(([t]) => !have.messages.has(t)).map(([t]) => `message ${t}`),
          ...acked(all, 'service').filter(([n]) => !have.services.has(n)).map(([n]) => `service ${n}`),
          ...(have.counter < counterAcked ? [`counter ${counterAcked} (stored ${have.counter})`] : []),
        ];
        assert.deepEqual(lost, [], `round ${round}: acknowledged but lost`);
        // An increment that was durable but whose acknowledgement the kill cut off is kept, never two.
        assert.ok(have.counter <= counterAcked + 1, `counter ${have.counter} after ${counterAcked} acknowledged increments`);
        counterAcked = have.counter;
      } finally {
        await db.close();
      }
      assert.ok(!fs.existsSync(tmp), "a dead process's snapshot temp file is cleaned up on open");
    }
    assert.equal(corrupt, 0, `${corrupt} corrupt files`);
    assert.ok(midSnapshot >= 10, `only ${midSnapshot} kills landed during a snapshot`);
    const kinds = ['release', 'message', 'service', 'counter'].map((k) => `${acked(all, k).length} ${k}s`).join(', ');
    console.log(`      ${KILLS} SIGKILLs in ${((Date.now() - started) / 1000).toFixed(0)} s, ${midSnapshot} with a snapshot in flight; ${all.length} acknowledged mutations (${kinds}): 0 lost, 0 corrupt files`);
  });
});
