import fs from 'node:fs';
import path from 'node:path';
import initSqlJs from 'sql.js';
import type { Database, SqlJsStatic, Statement } from 'sql.js';
import { FileLock, type FileLockOptions } from './fileLock';
import { Journal, JournalCorruptError, type JournalEntry, type SqlParam } from './journal';
import { APPLICATION_ID, LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations';

export type Row = Record<string, string | number | null>;

/** What repositories see: synchronous SQL on the in-memory database. Writes are recorded for the journal. */
export interface SqlExecutor {
  all<T = Row>(sql: string, params?: SqlParam[]): T[];
  get<T = Row>(sql: string, params?: SqlParam[]): T | undefined;
  /** Returns the number of rows changed. Throws in a read. */
  run(sql: string, params?: SqlParam[]): number;
}

export interface DatabaseOptions {
  /** The database file. Its journal and lock live beside it. */
  path: string;
  /** Where sql-wasm.wasm is (dist/ in the extension); defaults to the sql.js package's copy. */
  wasmPath?: string;
  /** Quiet period after the last change before the file is rewritten. */
  snapshotDelayMs?: number;
  /** Longest time a change stays only in the journal while changes keep coming. */
  snapshotMaxWaitMs?: number;
  /** Snapshot at once when the journal holds this many entries or bytes. */
  journalMaxEntries?: number;
  journalMaxBytes?: number;
  lock?: FileLockOptions;
  /** Watch the folder for other processes' changes (the extension does; one-shot tools need not). */
  watch?: boolean;
  /** Fallback poll for other processes' changes when watching, in ms. */
  pollMs?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

/** A file we could not use, moved aside (never overwritten). */
export interface Recovery {
  file: string;
  reason: string;
  movedTo: string;
}

export interface DatabaseChange {
  source: 'local' | 'external';
}

export class DatabaseReadOnlyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseReadOnlyError';
  }
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

interface FileStamp {
  ino: number;
  size: number;
  mtimeMs: number;
}

function stamp(file: string): FileStamp | null {
  try {
    const s = fs.statSync(file);
    return { ino: s.ino, size: s.size, mtimeMs: s.mtimeMs };
  } catch {
    return null;
  }
}

const sameStamp = (a: FileStamp | null, b: FileStamp | null) =>
  a === b || (!!a && !!b && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs);

/** Serialises async sections within this process. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

const sqlJsByWasm = new Map<string, Promise<SqlJsStatic>>();

/** sql.js caches a rejected init for the life of the process, so check the wasm exists first. */
export function loadSqlJs(wasmPath?: string): Promise<SqlJsStatic> {
  const file = wasmPath ?? require.resolve('sql.js/dist/sql-wasm.wasm');
  if (!fs.existsSync(file)) {
    return Promise.reject(new Error(`sql-wasm.wasm not found at ${file}: rebuild the extension (npm run build)`));
  }
  let p = sqlJsByWasm.get(file);
  if (!p) {
    p = initSqlJs({ locateFile: () => file });
    p.catch(() => sqlJsByWasm.delete(file));
    sqlJsByWasm.set(file, p);
  }
  return p;
}

/**
 * The workspace's release database: SQLite (sql.js) in memory, made durable by a journal.
 *
 * - A write runs in one transaction; its statements are appended to the journal with fdatasync before
 *   the write resolves, so an acknowledged change survives `kill -9`.
 * - The whole file is rewritten atomically (tmp + fdatasync + rename) after a quiet period, at most
 *   every few seconds, and on close — never per change. On open the journal is replayed on the file.
 * - Several processes may write the same file: each write takes the lock file, first applies what the
 *   others appended (or reloads after their snapshot), then appends its own change.
 * - A file that is not a Release Manager database, or is corrupt, is moved aside and reported.
 */
export class WorkspaceDatabase {
  readonly path: string;
  readonly recoveries: Recovery[] = [];
  /** Set when this database cannot be written by this version (e.g. a newer schema). */
  readOnlyReason: string | undefined;

  private db!: Database;
  private seq = 0;
  private snapshotSeq = 0;
  private dbStamp: FileStamp | null = null;
  private journalEnd = 0;
  private readonly journal: Journal;
  private readonly lock: FileLock;
  private readonly mutex = new Mutex();
  private readonly statements = new Map<string, Statement>();
  private readonly listeners = new Set<(c: DatabaseChange) => void>();
  private snapshotTimer: NodeJS.Timeout | undefined;
  private firstUnsavedAt: number | undefined;
  private watcher: fs.FSWatcher | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private checkTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly opts: Required<Omit<DatabaseOptions, 'wasmPath' | 'lock' | 'log'>> & Pick<DatabaseOptions, 'log'>;

  private constructor(
    private readonly SQL: SqlJsStatic,
    options: DatabaseOptions,
  ) {
    this.path = path.resolve(options.path);
    this.journal = new Journal(`${this.path}.journal`);
    this.lock = new FileLock(`${this.path}.lock`, options.lock);
    this.opts = {
      path: this.path,
      snapshotDelayMs: options.snapshotDelayMs ?? 750,
      snapshotMaxWaitMs: options.snapshotMaxWaitMs ?? 5_000,
      journalMaxEntries: options.journalMaxEntries ?? 1_000,
      journalMaxBytes: options.journalMaxBytes ?? 1 << 20,
      watch: options.watch ?? false,
      pollMs: options.pollMs ?? 2_000,
      log: options.log,
    };
  }

  static async open(options: DatabaseOptions): Promise<WorkspaceDatabase> {
    const SQL = await loadSqlJs(options.wasmPath);
    const d = new WorkspaceDatabase(SQL, options);
    fs.mkdirSync(path.dirname(d.path), { recursive: true });
    await d.lock.acquire();
    try {
      d.removeLeftoversLocked();
      d.reloadAllLocked();
      const migrated = d.migrateLocked();
      if (migrated || d.seq > d.snapshotSeq || !d.dbStamp) await d.snapshotLocked();
    } finally {
      d.lock.release();
    }
    if (d.opts.watch) d.startWatching();
    return d;
  }

  /** The journal sequence number of the last change this process has applied. */
  get sequence(): number {
    return this.seq;
  }

  get schemaVersion(): number {
    return Number(this.execGet<{ v: number }>('SELECT max(version) AS v FROM schema_migrations')?.v ?? 0);
  }

  onDidChange(listener: (c: DatabaseChange) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Runs `fn` on the latest state (other processes' changes included). */
  read<T>(fn: (sql: SqlExecutor) => T | Promise<T>): Promise<T> {
    return this.mutex.run(async () => {
      this.assertOpen();
      await this.refreshIfChanged();
      return fn(this.executor(undefined));
    });
  }

  /**
   * Runs `fn` in one transaction. When the returned promise resolves the change is durable; when `fn`
   * throws, nothing is kept. `fn` must not wait on anything but this database.
   */
  write<T>(fn: (sql: SqlExecutor) => T | Promise<T>): Promise<T> {
    return this.mutex.run(async () => {
      this.assertOpen();
      if (this.readOnlyReason) throw new DatabaseReadOnlyError(this.readOnlyReason);
      await this.lock.acquire();
      let external = false;
      let changed = false;
      let result: T;
      try {
        external = this.syncFromDiskLocked();
        const ops: JournalEntry['ops'] = [];
        this.db.exec('BEGIN');
        try {
          result = await fn(this.executor(ops));
          if (ops.length) {
            const seq = this.seq + 1;
            this.db.run("UPDATE meta SET value = ? WHERE key = 'seq'", [String(seq)]);
            this.journalEnd = this.journal.append({ seq, at: new Date().toISOString(), ops });
            this.seq = seq;
            changed = true;
          }
          this.db.exec('COMMIT');
        } catch (e) {
          try {
            this.db.exec('ROLLBACK');
          } catch {
            /* no transaction left open */
          }
          throw e;
        }
      } finally {
        this.lock.release();
        if (external) this.emit({ source: 'external' });
      }
      if (changed) {
        // A burst of writes that never yields to the timers would starve the debounced snapshot; so
        // when the journal is over its bounds or the oldest unsaved change is past maxWait, save now.
        this.firstUnsavedAt ??= Date.now();
        if (this.snapshotOverdue()) await this.snapshotUnderLock();
        else this.scheduleSnapshot();
        this.emit({ source: 'local' });
      }
      return result;
    });
  }

  /** Rewrites the file now (tmp + fdatasync + rename) and empties the journal. */
  snapshot(): Promise<void> {
    return this.mutex.run(async () => {
      this.assertOpen();
      if (this.readOnlyReason) return;
      await this.snapshotUnderLock();
    });
  }

  /** Inside the mutex: take the lock, catch up with other writers, snapshot. */
  private async snapshotUnderLock(): Promise<void> {
    await this.lock.acquire();
    try {
      this.syncFromDiskLocked();
      await this.snapshotLocked();
    } finally {
      this.lock.release();
    }
  }

  /** Snapshots what is unsaved, stops watching and frees the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    clearTimeout(this.snapshotTimer);
    clearTimeout(this.checkTimer);
    clearInterval(this.pollTimer);
    this.watcher?.close();
    if (!this.readOnlyReason && this.seq > this.snapshotSeq) await this.snapshot();
    await this.mutex.run(() => {
      this.closed = true;
      this.freeStatements();
      this.db.close();
      this.journal.close();
      this.lock.dispose();
    });
  }

  // ------------------------------------------------------------------ internals

  private assertOpen(): void {
    if (this.closed) throw new Error(`the release database ${this.path} is closed`);
  }

  private emit(change: DatabaseChange): void {
    for (const l of [...this.listeners]) {
      try {
        l(change);
      } catch (e) {
        this.opts.log?.('error', `change listener failed: ${(e as Error).message}`);
      }
    }
  }

  private executor(ops: JournalEntry['ops'] | undefined): SqlExecutor {
    const all = <T>(sql: string, params: SqlParam[] = []): T[] => {
      const st = this.statement(sql);
      try {
        st.bind(params);
        const rows: T[] = [];
        while (st.step()) rows.push(st.getAsObject() as T);
        return rows;
      } finally {
        st.reset();
      }
    };
    return {
      all,
      get: <T>(sql: string, params?: SqlParam[]) => all<T>(sql, params)[0],
      run: (sql: string, params: SqlParam[] = []) => {
        if (!ops) throw new Error('a read cannot change the database');
        for (const p of params) {
          if (p !== null && typeof p !== 'string' && !(typeof p === 'number' && Number.isFinite(p))) {
            throw new TypeError(`SQL parameter ${String(p)} is not a string, finite number or null`);
          }
        }
        const st = this.statement(sql);
        try {
          st.run(params);
        } finally {
          st.reset();
        }
        ops.push([sql, params]);
        return this.db.getRowsModified();
      },
    };
  }

  private statement(sql: string): Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  private freeStatements(): void {
    for (const st of this.statements.values()) {
      try {
        st.free();
      } catch {
        /* already freed by export() */
      }
    }
    this.statements.clear();
  }

  private execGet<T>(sql: string): T | undefined {
    return this.executor(undefined).get<T>(sql);
  }

  /** Cheap check (two stats) whether another process changed the files; if so, apply it under the lock. */
  private async refreshIfChanged(): Promise<boolean> {
    if (sameStamp(stamp(this.path), this.dbStamp) && this.journal.size() === this.journalEnd) return false;
    await this.lock.acquire();
    let changed: boolean;
    try {
      changed = this.syncFromDiskLocked();
    } finally {
      this.lock.release();
    }
    if (changed) this.emit({ source: 'external' });
    return changed;
  }

  /** With the lock held: catch up with the files. Returns true when something changed. */
  private syncFromDiskLocked(): boolean {
    if (!sameStamp(stamp(this.path), this.dbStamp)) {
      this.reloadAllLocked();
      return true;
    }
    const size = this.journal.size();
    if (size === this.journalEnd) return false;
    if (size < this.journalEnd) {
      this.reloadAllLocked();
      return true;
    }
    const before = this.seq;
    const r = this.journal.read(this.journalEnd);
    if (r.entries.length && r.entries[0].seq > this.seq + 1) {
      this.reloadAllLocked(); // we missed entries: start again from the file
      return true;
    }
    this.applyEntries(r.entries);
    if (r.tornBytes) this.journal.truncate(r.end); // a writer died mid-append; we hold the lock
    this.journalEnd = r.end;
    return this.seq !== before;
  }

  private applyEntries(entries: JournalEntry[]): void {
    for (const e of entries) {
      if (e.seq <= this.seq) continue;
      this.db.exec('BEGIN');
      try {
        for (const [sql, params] of e.ops) this.statement(sql).run(params);
        this.db.run("UPDATE meta SET value = ? WHERE key = 'seq'", [String(e.seq)]);
        this.db.exec('COMMIT');
      } catch (err) {
        this.db.exec('ROLLBACK');
        throw new JournalCorruptError(this.journal.path, 0, `entry ${e.seq} does not apply: ${(err as Error).message}`);
      }
      this.seq = e.seq;
    }
  }

  private moveAside(file: string, reason: string): void {
    const movedTo = `${file}.${reason.startsWith('not') ? 'foreign' : 'corrupt'}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    fs.renameSync(file, movedTo);
    this.recoveries.push({ file, reason, movedTo });
    this.opts.log?.('error', `${file}: ${reason}; moved to ${movedTo}`);
  }

  /** With the lock held: load the file (or start empty) and replay the journal on it. */
  private reloadAllLocked(): void {
    this.freeStatements();
    if (this.db) this.db.close();
    this.journal.close();
    this.readOnlyReason = undefined;
    this.db = this.loadFileLocked();
    this.applyPragmas();
    this.dbStamp = stamp(this.path);
    this.seq = this.snapshotSeq = this.hasTable('meta')
      ? Number(this.execGet<{ value: string }>("SELECT value FROM meta WHERE key = 'seq'")?.value ?? 0)
      : 0;
    this.journalEnd = 0;
    const version = this.hasTable('schema_migrations') ? this.schemaVersion : 0;
    if (version > LATEST_SCHEMA_VERSION) {
      this.readOnlyReason =
        `${this.path} was written by a newer Release Manager (schema version ${version}; this version knows ${LATEST_SCHEMA_VERSION}). ` +
        'It is open read-only: update the extension to change releases.';
      return;
    }
    if (version === 0) {
      // A new database: a journal beside it belongs to a file that was deleted; keep it, out of the way.
      if (this.journal.size() > 0) this.moveAside(this.journal.path, 'not replayed: a journal without its database');
      return;
    }
    try {
      const r = this.journal.read(0);
      this.applyEntries(r.entries);
      if (r.tornBytes) this.journal.truncate(r.end);
      this.journalEnd = r.end;
    } catch (e) {
      if (!(e instanceof JournalCorruptError)) throw e;
      this.moveAside(this.journal.path, `the journal is corrupt (${e.message})`);
      this.journalEnd = 0;
    }
  }

  private loadFileLocked(): Database {
    let bytes: Buffer | undefined;
    try {
      bytes = fs.readFileSync(this.path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (!bytes || bytes.length === 0) return new this.SQL.Database();
    const fail = (reason: string): Database => {
      this.moveAside(this.path, reason);
      if (fs.existsSync(this.journal.path)) this.moveAside(this.journal.path, `its database was moved aside (${reason})`);
      return new this.SQL.Database();
    };
    if (bytes.length < 100 || !bytes.subarray(0, 16).equals(SQLITE_HEADER)) {
      return fail('not an SQLite database (wrong header)');
    }
    let db: Database;
    try {
      db = new this.SQL.Database(bytes);
      // The integrity check costs 30–600 ms on 10 MB; skip it when the file is exactly as our last
      // atomic snapshot left it (same inode, size and mtime as recorded in the stamp beside it).
      if (!sameStamp(stamp(this.path), this.readStamp())) {
        const check = db.exec('PRAGMA quick_check');
        const verdict = String(check[0]?.values[0]?.[0] ?? '');
        if (verdict !== 'ok') {
          db.close();
          return fail(`corrupt (integrity check: ${verdict.slice(0, 200)})`);
        }
      }
    } catch (e) {
      return fail(`corrupt (${(e as Error).message})`);
    }
    const appId = Number(db.exec('PRAGMA application_id')[0]?.values[0]?.[0] ?? 0);
    const tables = Number(db.exec("SELECT count(*) FROM sqlite_master WHERE type = 'table'")[0]?.values[0]?.[0] ?? 0);
    if (appId !== APPLICATION_ID && (appId !== 0 || tables > 0)) {
      db.close();
      return fail(`not a Release Manager database (application_id ${appId}, ${tables} tables)`);
    }
    return db;
  }

  /** Snapshot temp files and lock owner files of processes that died (a kill during a snapshot). */
  private removeLeftoversLocked(): void {
    const dir = path.dirname(this.path);
    const base = path.basename(this.path);
    const re = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:\\.lock)?\\.(\\d+)\\.(tmp|owner)$`);
    for (const name of fs.readdirSync(dir)) {
      const m = re.exec(name);
      if (!m) continue;
      const pid = Number(m[1]);
      let alive = pid === process.pid;
      if (!alive) {
        try {
          process.kill(pid, 0);
          alive = true;
        } catch (e) {
          alive = (e as NodeJS.ErrnoException).code === 'EPERM';
        }
      }
      if (!alive) fs.rmSync(path.join(dir, name), { force: true });
    }
  }

  private get stampPath(): string {
    return `${this.path}.stamp`;
  }

  private readStamp(): FileStamp | null {
    try {
      return JSON.parse(fs.readFileSync(this.stampPath, 'utf8')) as FileStamp;
    } catch {
      return null;
    }
  }

  private applyPragmas(): void {
    // Per-connection settings; sql.js's export() reopens the connection, so they are applied again after it.
    this.db.exec('PRAGMA foreign_keys = ON');
  }

  private hasTable(name: string): boolean {
    return !!this.executor(undefined).get("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = ?", [name]);
  }

  /** With the lock held: apply pending migrations, each in one transaction. */
  private migrateLocked(): boolean {
    if (this.readOnlyReason) return false;
    this.db.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    const have = this.schemaVersion;
    let ran = false;
    for (const m of MIGRATIONS) {
      if (m.version <= have) continue;
      this.db.exec('BEGIN');
      try {
        this.db.exec(m.sql);
        if (m.version === 1) this.db.run("INSERT INTO meta (key, value) VALUES ('seq', '0')");
        this.db.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, new Date().toISOString()]);
        this.db.exec('COMMIT');
      } catch (e) {
        this.db.exec('ROLLBACK');
        throw new Error(`migration ${m.version} (${m.name}) failed: ${(e as Error).message}`);
      }
      this.opts.log?.('info', `applied migration ${m.version}: ${m.name}`);
      ran = true;
    }
    return ran;
  }

  /** With the lock held: write the whole database atomically, then empty the journal. */
  private async snapshotLocked(): Promise<void> {
    clearTimeout(this.snapshotTimer);
    this.snapshotTimer = undefined;
    this.firstUnsavedAt = undefined;
    if (this.dbStamp && this.seq === this.snapshotSeq && this.journalEnd === 0) return;
    this.freeStatements();
    const bytes = this.db.export();
    this.applyPragmas();
    const tmp = `${this.path}.${process.pid}.tmp`;
    const fh = await fs.promises.open(tmp, 'w', 0o644);
    try {
      await fh.writeFile(bytes);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    fs.renameSync(tmp, this.path);
    try {
      const dir = fs.openSync(path.dirname(this.path), 'r');
      try {
        fs.fsyncSync(dir);
      } finally {
        fs.closeSync(dir);
      }
    } catch {
      /* some file systems refuse fsync on a directory */
    }
    this.dbStamp = stamp(this.path);
    fs.writeFileSync(this.stampPath, JSON.stringify(this.dbStamp));
    this.snapshotSeq = this.seq;
    this.journal.truncate(0);
    this.journalEnd = 0;
  }

  private snapshotOverdue(): boolean {
    return (
      this.seq - this.snapshotSeq >= this.opts.journalMaxEntries ||
      this.journalEnd >= this.opts.journalMaxBytes ||
      (this.firstUnsavedAt !== undefined && Date.now() - this.firstUnsavedAt >= this.opts.snapshotMaxWaitMs)
    );
  }

  private scheduleSnapshot(): void {
    const now = Date.now();
    this.firstUnsavedAt ??= now;
    const due = Math.min(this.opts.snapshotDelayMs, Math.max(0, this.firstUnsavedAt + this.opts.snapshotMaxWaitMs - now));
    clearTimeout(this.snapshotTimer);
    this.snapshotTimer = setTimeout(() => {
      this.snapshot().catch((e: Error) => this.opts.log?.('error', `saving ${this.path} failed: ${e.message}`));
    }, due);
    this.snapshotTimer.unref();
  }

  private startWatching(): void {
    const base = path.basename(this.path);
    const check = () => {
      clearTimeout(this.checkTimer);
      this.checkTimer = setTimeout(() => {
        if (this.closed) return;
        this.mutex
          .run(() => (this.closed ? false : this.refreshIfChanged()))
          .catch((e: Error) => this.opts.log?.('warn', `re-reading ${this.path} failed: ${e.message}`));
      }, 30);
      this.checkTimer.unref();
    };
    try {
      // Watch the folder, not the file: a snapshot replaces the file's inode by rename.
      this.watcher = fs.watch(path.dirname(this.path), (_ev, name) => {
        if (name === base || name === `${base}.journal`) check();
      });
      this.watcher.unref();
    } catch (e) {
      this.opts.log?.('warn', `cannot watch ${path.dirname(this.path)}: ${(e as Error).message}; polling instead`);
    }
    this.pollTimer = setInterval(check, this.opts.pollMs);
    this.pollTimer.unref();
  }
}
