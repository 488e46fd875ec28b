// A separate process over a release database with the real managers, printing one line per
// acknowledged mutation (the promise resolved: the change is durable). Used by the durability tests:
//   burst <db> <wasm> <major>                       mixed mutations until killed (SIGKILL test):
//                                                   releases, conversation posts, services, a counter
//   host <db> <wasm> <major> <count> <conversation> <total>
//                                                   an "extension host": watches the folder like the
//                                                   extension, interleaves `count` counter increments,
//                                                   releases and posts to a shared conversation, then
//                                                   waits until it sees `total` releases from both hosts
import { ReleaseManager } from '../../../src/core/releases/ReleaseManager';
import { ServiceCatalog } from '../../../src/core/serviceCatalog';
import { WorkspaceDatabase } from '../../../src/storage/database';
import { SqlUnitOfWork } from '../../../src/storage/sqlRepositories';

const out = (line: string) => process.stdout.write(`${line}\n`);

async function increment(db: WorkspaceDatabase, key: string): Promise<number> {
  // Read-modify-write in one transaction: the other process's increments must never be lost.
  return db.write((sql) => {
    const row = sql.get<{ value: string }>('SELECT value FROM meta WHERE key = ?', [key]);
    const next = Number(row?.value ?? 0) + 1;
    sql.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, String(next)]);
    return next;
  });
}

async function main(): Promise<void> {
  const [mode, dbPath, wasmPath, major, ...rest] = process.argv.slice(2);
  const db = await WorkspaceDatabase.open({
    path: dbPath,
    wasmPath,
    snapshotDelayMs: Number(process.env.SNAPSHOT_DELAY_MS ?? 750),
    snapshotMaxWaitMs: Number(process.env.SNAPSHOT_MAX_WAIT_MS ?? 5000),
    watch: mode === 'host',
    pollMs: 200,
  });
  const uow = new SqlUnitOfWork(db);
  const clock = { now: () => new Date() };
  const identity = { currentUser: async () => `host-${major}` };
  const releases = new ReleaseManager({ uow, clock, identity });
  const catalog = new ServiceCatalog(uow, clock, identity);

  if (mode === 'burst') {
    let conversation: string | undefined;
    for (let i = 0; ; i++) {
      switch (i % 4) {
        case 0: {
          const version = `${major}.${i}.0`;
          const r = await releases.createRelease(`burst ${version}`, version);
          conversation = r.conversationId;
          out(`ack release ${version} ${r.release.id}`);
          break;
        }
        case 1: {
          const text = `m-${major}-${i}`;
          await releases.postMessage(conversation!, `host-${major}`, text);
          out(`ack message ${text}`);
          break;
        }
        case 2: {
          const name = `svc-${major}-${i}`;
          await catalog.addService({ name, dependencies: [] });
          out(`ack service ${name}`);
          break;
        }
        default:
          out(`ack counter ${await increment(db, 'crash-counter')}`);
      }
    }
  } else if (mode === 'host') {
    const [countStr, conversation, totalStr] = rest;
    const count = Number(countStr);
    for (let i = 0; i < count; i++) {
      out(`ack counter ${await increment(db, 'hosts-counter')}`);
      const version = `${major}.${i}.0`;
      const r = await releases.createRelease(`host ${version}`, version);
      out(`ack release ${version} ${r.release.id}`);
      const text = `post-${major}-${i}`;
      await releases.postMessage(conversation, `host-${major}`, text);
      out(`ack message ${text}`);
    }
    // Each window sees the other's changes (the README's rule): wait until both hosts' releases show.
    const total = Number(totalStr);
    const deadline = Date.now() + 15_000;
    let seen = 0;
    while (Date.now() < deadline) {
      seen = (await releases.listReleases()).filter((r) => r.name.startsWith('host ')).length;
      if (seen >= total) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    out(`sees ${seen}`);
  } else throw new Error(`unknown mode ${mode}`);
  await db.close();
  out('done');
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
