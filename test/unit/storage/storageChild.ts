// A separate process that writes to a release database and prints one line per acknowledged change.
// Used by the crash (SIGKILL) and two-writer tests. Modes:
//   releases <db> <wasm> <prefix> <start> [count]   createRelease(`${prefix}.${i}.0`) until killed / count
//   counter  <db> <wasm> <count>                    read-modify-write of one counter, count times
import { ReleaseManager } from '../../../src/core/releases/ReleaseManager';
import { WorkspaceDatabase } from '../../../src/storage/database';
import { SqlUnitOfWork } from '../../../src/storage/sqlRepositories';

async function main(): Promise<void> {
  const [mode, dbPath, wasmPath, ...rest] = process.argv.slice(2);
  const db = await WorkspaceDatabase.open({
    path: dbPath,
    wasmPath,
    snapshotDelayMs: Number(process.env.SNAPSHOT_DELAY_MS ?? 750),
    snapshotMaxWaitMs: Number(process.env.SNAPSHOT_MAX_WAIT_MS ?? 5000),
    journalMaxEntries: Number(process.env.JOURNAL_MAX_ENTRIES ?? 1000),
  });
  const out = (line: string) => process.stdout.write(`${line}\n`);
  if (mode === 'releases') {
    const [prefix, startStr, countStr] = rest;
    const rm = new ReleaseManager({ uow: new SqlUnitOfWork(db), clock: { now: () => new Date() }, identity: { currentUser: async () => `writer-${prefix}` } });
    const end = countStr ? Number(startStr) + Number(countStr) : Infinity;
    for (let i = Number(startStr); i < end; i++) {
      const version = `${prefix}.${i}.0`;
      await rm.createRelease(`release ${version}`, version);
      out(`ack ${version}`);
    }
  } else if (mode === 'counter') {
    const count = Number(rest[0]);
    for (let i = 0; i < count; i++) {
      await db.write((sql) => {
        const row = sql.get<{ value: string }>("SELECT value FROM meta WHERE key = 'test-counter'");
        const next = Number(row?.value ?? 0) + 1;
        sql.run("INSERT INTO meta (key, value) VALUES ('test-counter', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [String(next)]);
      });
      out(`ack ${i}`);
    }
  } else throw new Error(`unknown mode ${mode}`);
  await db.close();
  out('done');
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
