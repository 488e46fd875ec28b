// Release trains at scale: 50 trains (20 weekly, 20 biweekly, 10 monthly) whose workspace was closed
// for three years, then one runDue catching up every departure (about 5,000 releases, each with its
// conversation, calendar event, departure record and audit events), on the real sql.js database.
// Also: a runDue with nothing due (the timer's steady state), upcoming departures over 90 days,
// the status-bar countdown, and the workspace calendar built from it all.
// Run: npx tsx bench/trains.ts
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CalendarFeed } from '../src/core/calendarFeed';
import type { Frequency } from '../src/core/recurrence';
import { ReleaseTrainScheduler } from '../src/core/releases/ReleaseTrainScheduler';
import { ServiceCatalog } from '../src/core/serviceCatalog';
import { WorkspaceDatabase } from '../src/storage/database';
import { SqlUnitOfWork } from '../src/storage/sqlRepositories';
import { atomicTextWriter } from '../src/storage/textFiles';
import { report } from './report';

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rm-bench-trains-'));
  const db = await WorkspaceDatabase.open({ path: path.join(dir, 'release-manager.sqlite') });
  const uow = new SqlUnitOfWork(db);
  let now = new Date('2023-01-01T00:00:00Z');
  const clock = { now: () => new Date(now) };
  const identity = { currentUser: async () => 'bench' };
  await new ServiceCatalog(uow, clock, identity).addServices([{ name: 'db' }, { name: 'api', dependencies: ['db'] }, { name: 'web', dependencies: ['api'] }]);
  const trains = new ReleaseTrainScheduler({ uow, clock, identity, defaultTimeZone: 'Europe/Berlin' });
  const zones = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'UTC', 'Australia/Sydney'];
  for (let i = 0; i < 50; i++) {
    const frequency: Frequency = i < 20 ? 'weekly' : i < 40 ? 'biweekly' : 'monthly';
    await trains.createSchedule({
      name: `Train ${i}`,
      frequency,
      startDate: `2023-01-${String(2 + (i % 27)).padStart(2, '0')}T${String(6 + (i % 12)).padStart(2, '0')}:00`,
      timeZone: zones[i % zones.length],
      enabled: true,
      versionRule: i % 3 === 0 ? 'calendar' : i % 3 === 1 ? 'next-minor' : 'next-patch',
      services: ['api', 'web'],
      checkpoints: [{ name: 'feature freeze', offset: { days: -7 } }, { name: 'branch cut', offset: { days: -3 } }, { name: 'code freeze', offset: { days: -2 } }],
    });
  }

  now = new Date('2026-01-01T00:00:00Z');
  const t0 = performance.now();
  const run = await trains.runDue();
  const catchUpMs = performance.now() - t0;
  const created = run.departures.filter((d) => d.releaseId).length;
  if (run.errors.length || created !== run.departures.length) throw new Error(`catch-up failed: ${JSON.stringify(run.errors.slice(0, 3))}`);

  const steady: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const again = await trains.runDue();
    steady.push(performance.now() - t);
    if (again.departures.length) throw new Error('a second run created releases');
  }
  const t1 = performance.now();
  const up = await trains.upcoming(now, { days: 90 });
  const upcomingMs = performance.now() - t1;
  const t2 = performance.now();
  const next = await trains.nextCheckpoint(now);
  const countdownMs = performance.now() - t2;
  const feed = new CalendarFeed({ uow, clock, files: atomicTextWriter, path: path.join(dir, 'releases.ics') });
  const t3 = performance.now();
  const cal = await feed.write();
  const calendarMs = performance.now() - t3;
  await db.close();
  const sizeMb = fs.statSync(path.join(dir, 'release-manager.sqlite')).size / 1e6;
  const icsKb = fs.statSync(path.join(dir, 'releases.ics')).size / 1e3;
  fs.rmSync(dir, { recursive: true, force: true });

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log('Release trains: 50 trains, three years closed, one catch-up');
  console.log(`| figure | value |\n|---|---|`);
  console.log(`| releases created by the catch-up | ${created} |`);
  console.log(`| catch-up runDue | ${(catchUpMs / 1000).toFixed(1)} s (${((catchUpMs / created) * 1000).toFixed(0)} µs per departure) |`);
  console.log(`| runDue with nothing due (median of 5) | ${median(steady).toFixed(1)} ms |`);
  console.log(`| upcoming, 90 days (${up.length} departures) | ${upcomingMs.toFixed(1)} ms |`);
  console.log(`| nextCheckpoint (${next?.text}) | ${countdownMs.toFixed(1)} ms |`);
  console.log(`| calendar build + write (${cal.events} events, ${icsKb.toFixed(0)} kB) | ${calendarMs.toFixed(0)} ms |`);
  console.log(`| database file | ${sizeMb.toFixed(1)} MB |`);
  report({ name: 'trains catch-up: releases created', unit: 'releases', measured: created });
  report({ name: 'trains catch-up: runDue, 50 trains × 3 years', unit: 'ms', measured: Math.round(catchUpMs) });
  report({ name: 'trains catch-up: per departure', unit: 'ms', measured: Number((catchUpMs / created).toFixed(3)) });
  report({ name: 'trains: runDue with nothing due', unit: 'ms', measured: Number(median(steady).toFixed(2)) });
  report({ name: 'trains: upcoming 90 days', unit: 'ms', measured: Number(upcomingMs.toFixed(2)) });
  report({ name: 'trains: nextCheckpoint', unit: 'ms', measured: Number(countdownMs.toFixed(2)) });
  report({ name: 'trains: calendar build + write', unit: 'ms', measured: Math.round(calendarMs) });
  report({ name: 'trains: database after catch-up', unit: 'MB', measured: Number(sizeMb.toFixed(1)) });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
