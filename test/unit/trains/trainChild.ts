// A separate process running the release-train scheduler on a shared database file, as a second
// VS Code window would. Usage: trainChild <db> <wasm> <first now ISO> <rounds> <step hours> <name>
// Round i runs the scheduler at first now + i × step, as a window's timer does while time passes.
// Prints "ready", waits for a line on stdin, then "created <trainId> <departure ISO> <version>" per
// release it created, then "done".
import { ReleaseTrainScheduler } from '../../../src/core/releases/ReleaseTrainScheduler';
import { WorkspaceDatabase } from '../../../src/storage/database';
import { SqlUnitOfWork } from '../../../src/storage/sqlRepositories';

async function main(): Promise<void> {
  const [dbPath, wasmPath, nowIso, roundsStr, stepHours, name] = process.argv.slice(2);
  const db = await WorkspaceDatabase.open({ path: dbPath, wasmPath });
  let now = new Date(nowIso);
  const scheduler = new ReleaseTrainScheduler({
    uow: new SqlUnitOfWork(db),
    clock: { now: () => now },
    identity: { currentUser: async () => name },
    // Small batches: the two processes take turns on the lock many times.
    batchSize: 3,
  });
  // Both processes start departing at the same moment: the parent says "go" once both are ready.
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  process.stdin.pause();
  for (let round = 0; round < Number(roundsStr); round++) {
    now = new Date(Date.parse(nowIso) + round * Number(stepHours) * 3_600_000);
    const result = await scheduler.runDue(now);
    for (const e of result.errors) process.stderr.write(`error ${e.trainName}: ${e.message}\n`);
    for (const d of result.departures) process.stdout.write(`created ${d.trainId} ${d.departureAt.toISOString()} ${d.version ?? `error: ${d.error}`}\n`);
  }
  await db.close();
  process.stdout.write('done\n');
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
