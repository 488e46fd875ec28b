// Follows the audit log: after each database change, the events appended since the last look.
// The audit log is the one place every mutation lands, with what it did (release.status.deployed,
// deployment.status.failed, …), so reactions to changes — tagging a release that reached production,
// refreshing the DORA figures — read it instead of diffing tables. Pure (no 'vscode').
import type { AuditEvent } from '../core/model';
import type { UnitOfWork } from '../core/ports';

const FIRST_PAGE = 50;
/** A burst bigger than this (a train catching up years) is read only this far back. */
const MAX_PAGE = 20_000;

export class AuditFollower {
  private last: number | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly uow: UnitOfWork) {}

  /** From now on: events already in the log are not reported. */
  start(): Promise<void> {
    return this.serial(async () => {
      const [top] = await this.uow.read((r) => r.audit.list({ limit: 1 }));
      this.last = top?.id ?? 0;
    });
  }

  /** The events appended since the previous call (or start), oldest first. */
  next(): Promise<AuditEvent[]> {
    return this.serial(async () => {
      if (this.last === undefined) {
        const [top] = await this.uow.read((r) => r.audit.list({ limit: 1 }));
        this.last = top?.id ?? 0;
        return [];
      }
      const last = this.last;
      for (let limit = FIRST_PAGE; ; limit *= 4) {
        const page = await this.uow.read((r) => r.audit.list({ limit: Math.min(limit, MAX_PAGE) })); // newest first
        const fresh = page.filter((e) => e.id > last);
        if (fresh.length < page.length || page.length < limit || limit >= MAX_PAGE) {
          if (page.length) this.last = Math.max(last, page[0].id);
          return fresh.reverse();
        }
      }
    });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
