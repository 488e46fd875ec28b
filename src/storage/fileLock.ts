import fs from 'node:fs';
import os from 'node:os';

/** What a lock file holds, so that another process can tell whether its owner is still alive. */
export interface LockOwner {
  pid: number;
  hostname: string;
  at: string;
}

export interface FileLockOptions {
  /** A lock older than this whose owner cannot be checked (another host) is taken over. */
  staleMs?: number;
  /** How long `acquire` waits before giving up with a message naming the owner. */
  timeoutMs?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * An O_EXCL lock file next to the database. It is held only for the few milliseconds of a write or a
 * snapshot, so that several processes (two VS Code windows on one workspace) can each write: whoever
 * holds the lock first re-reads what the others wrote. A lock left by a killed process is taken over
 * when its pid is dead (same host) or when it is older than `staleMs` (another host).
 */
export class FileLock {
  private held = false;
  private ownerFile: string | undefined;
  private readonly staleMs: number;
  private readonly timeoutMs: number;

  constructor(
    readonly path: string,
    options: FileLockOptions = {},
  ) {
    this.staleMs = options.staleMs ?? 30_000;
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  get isHeld(): boolean {
    return this.held;
  }

  /** Tries once; true when this process now holds the lock. */
  tryAcquire(): boolean {
    if (this.held) throw new Error(`lock ${this.path} is already held by this process`);
    // The owner is written once to a private file, then hard-linked into place for each hold: link()
    // fails with EEXIST when the lock is held, and a killed process never leaves a half-written lock.
    // link() also stamps the inode's ctime, which is what the age of a lock is measured by.
    if (!this.ownerFile || !fs.existsSync(this.ownerFile)) {
      this.ownerFile = `${this.path}.${process.pid}.owner`;
      const owner: LockOwner = { pid: process.pid, hostname: os.hostname(), at: new Date().toISOString() };
      fs.writeFileSync(this.ownerFile, JSON.stringify(owner), { mode: 0o644 });
    }
    try {
      fs.linkSync(this.ownerFile, this.path);
      this.held = true;
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const stale = this.staleOwner();
    if (stale !== undefined) {
      // Rename, then check that what we moved is the stale lock we judged: another process may have
      // taken it over and created a fresh lock in between, which we then put back.
      const aside = `${this.path}.stale-${process.pid}`;
      try {
        fs.renameSync(this.path, aside);
        const moved = fs.readFileSync(aside, 'utf8');
        if (stale !== null && moved !== stale) {
          try {
            fs.linkSync(aside, this.path);
          } catch {
            /* a third process created one: it holds the lock */
          }
        }
        fs.rmSync(aside, { force: true });
      } catch {
        /* someone else took it over first */
      }
    }
    return false;
  }

  async acquire(): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    let wait = 1;
    while (!this.tryAcquire()) {
      if (Date.now() > deadline) {
        const owner = this.owner();
        throw new Error(
          `The release database is locked by ${owner ? `process ${owner.pid} on ${owner.hostname} since ${owner.at}` : 'another process'} ` +
            `(${this.path}); nothing was changed. Try again, or delete the lock file if that process is gone.`,
        );
      }
      await sleep(wait);
      wait = Math.min(wait * 2, 20);
    }
  }

  /** Removes this process's owner file (the lock itself is released per hold). */
  dispose(): void {
    this.release();
    if (this.ownerFile) fs.rmSync(this.ownerFile, { force: true });
    this.ownerFile = undefined;
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    try {
      fs.unlinkSync(this.path);
    } catch {
      /* already taken over as stale: nothing to release */
    }
  }

  owner(): LockOwner | null {
    try {
      return JSON.parse(fs.readFileSync(this.path, 'utf8')) as LockOwner;
    } catch {
      return null;
    }
  }

  /** The stale lock's raw content (null when unreadable), or undefined when the lock is live or gone. */
  private staleOwner(): string | null | undefined {
    let stat: fs.Stats;
    let raw: string;
    try {
      stat = fs.statSync(this.path);
      raw = fs.readFileSync(this.path, 'utf8');
    } catch {
      return undefined; // gone: the next create will succeed
    }
    let owner: LockOwner | null = null;
    try {
      owner = JSON.parse(raw) as LockOwner;
    } catch {
      owner = null;
    }
    if (owner && owner.hostname === os.hostname() && Number.isInteger(owner.pid)) {
      return pidAlive(owner.pid) ? undefined : raw;
    }
    // Unreadable (torn write by a killed owner) or another host: age decides.
    const stale = Date.now() - stat.ctimeMs > (owner ? this.staleMs : 2_000);
    return stale ? (owner ? raw : null) : undefined;
  }
}
