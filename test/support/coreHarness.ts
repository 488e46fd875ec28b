// Real parts for core tests: a sql.js database on disk in a temp dir, a settable clock, a fixed identity.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ReleaseManager } from '../../src/core/releases/ReleaseManager';
import { ServiceCatalog } from '../../src/core/serviceCatalog';
import type { Clock, GitPort, Identity } from '../../src/core/ports';
import { WorkspaceDatabase, type DatabaseOptions } from '../../src/storage/database';
import { SqlUnitOfWork } from '../../src/storage/sqlRepositories';
import { atomicTextWriter } from '../../src/storage/textFiles';

export class TestClock implements Clock {
  constructor(public current = new Date('2026-03-02T10:00:00Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
  set(iso: string): void {
    this.current = new Date(iso);
  }
}

export const fixedIdentity = (name = 'Ada Tester'): Identity => ({ currentUser: async () => name });

export function tempDir(prefix = 'rm-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface CoreHarness {
  dir: string;
  dbPath: string;
  db: WorkspaceDatabase;
  uow: SqlUnitOfWork;
  clock: TestClock;
  releases: ReleaseManager;
  catalog: ServiceCatalog;
  close(): Promise<void>;
}

export async function openCore(opts: { dir?: string; git?: GitPort; db?: Partial<DatabaseOptions> } = {}): Promise<CoreHarness> {
  const dir = opts.dir ?? tempDir();
  const dbPath = path.join(dir, '.vscode', 'release-manager.sqlite');
  const db = await WorkspaceDatabase.open({ path: dbPath, ...opts.db });
  const uow = new SqlUnitOfWork(db);
  const clock = new TestClock();
  const identity = fixedIdentity();
  const releases = new ReleaseManager({ uow, clock, identity, git: opts.git, files: atomicTextWriter });
  const catalog = new ServiceCatalog(uow, clock, identity);
  return {
    dir, dbPath, db, uow, clock, releases, catalog,
    close: async () => {
      await db.close();
    },
  };
}
