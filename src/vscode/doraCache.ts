// The DORA figures of a folder, computed on demand and kept until a production deployment changes
// them or someone asks for a refresh: gathering them asks git for every production deployment's new
// commits, too much to repeat for every dashboard snapshot. Pure (no 'vscode').
import type { DoraReport } from '../core/doraMetrics';
import { ValidationError } from '../core/model';
import type { Clock } from '../core/ports';

export interface DoraEntry {
  report: DoraReport;
  computedAt: Date;
}

export const DEFAULT_DORA_WINDOW_DAYS = 30;

export class DoraCache {
  private entry: DoraEntry | undefined;
  private stale = true;
  private computing: Promise<DoraEntry> | undefined;
  private windowDays = DEFAULT_DORA_WINDOW_DAYS;
  /** Why the last gathering failed; cleared by invalidate() and refresh(). */
  error: string | undefined;

  constructor(
    private readonly compute: (windowDays: number, now: Date) => Promise<DoraReport>,
    private readonly clock: Clock,
  ) {}

  /** The figures, computed now when there are none or they are out of date. */
  get(): Promise<DoraEntry> {
    if (this.entry && !this.stale) return Promise.resolve(this.entry);
    return this.refresh();
  }

  /** The figures as last computed, without computing. */
  peek(): DoraEntry | undefined {
    return this.entry;
  }

  /** Whether peek() is up to date (computed, and no deployment changed since). */
  get fresh(): boolean {
    return this.entry !== undefined && !this.stale;
  }

  /** Computes again (over `windowDays` from now on, when given). */
  refresh(windowDays?: number): Promise<DoraEntry> {
    if (windowDays !== undefined) {
      if (!Number.isInteger(windowDays) || windowDays < 1 || windowDays > 3660) {
        return Promise.reject(new ValidationError('windowDays', `expected a whole number of days from 1 to 3660, got ${windowDays}`));
      }
      this.windowDays = windowDays;
    }
    if (this.computing && windowDays === undefined) return this.computing;
    const run = (async () => {
      this.stale = false;
      this.error = undefined;
      const report = await this.compute(this.windowDays, this.clock.now());
      this.entry = { report, computedAt: this.clock.now() };
      return this.entry;
    })();
    this.computing = run;
    run.then(
      () => {
        if (this.computing === run) this.computing = undefined;
      },
      (e: Error) => {
        if (this.computing === run) this.computing = undefined;
        this.stale = true;
        this.error = e.message;
      },
    );
    return run;
  }

  /** A deployment changed: the next get() computes again. */
  invalidate(): void {
    this.stale = true;
    this.error = undefined;
  }
}
