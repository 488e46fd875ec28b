// Runs a folder's release trains: once when its database opens (catching up departures missed
// while VS Code was closed), then on one timer armed for the next departure — re-armed after each
// run and after every database change (a train created, edited or disabled here or in another
// window). Exactly-once creation is the scheduler's job (one transaction per batch, a primary key
// per departure); this only decides when to ask. Pure (no 'vscode'): unit tests drive it with a
// real database and real timers.
import type { Clock } from '../core/ports';
import type { ReleaseTrainScheduler, RunDueResult } from '../core/releases/ReleaseTrainScheduler';

export interface TrainRunnerDeps {
  scheduler: Pick<ReleaseTrainScheduler, 'runDue' | 'nextRunAt'>;
  clock: Clock;
  log: { info(m: string): void; warn(m: string): void };
  /** After each run that handled something (created releases or recorded failures) or failed a train. */
  onRun(result: RunDueResult): void;
  /**
   * The longest single wait. Timers drift (a laptop asleep, a changed system clock) and Node caps a
   * timeout at ~24.8 days, so a long wait is cut into waits of at most this; default one hour.
   */
  maxDelayMs?: number;
  /** Past the departure by this much before running, so that a timer firing a hair early is not wasted; default 250 ms. */
  slackMs?: number;
  /** Change notifications within this window are folded into one re-arm; default 200 ms. */
  debounceMs?: number;
}

export class TrainRunner {
  private timer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  /** When the armed timer will run the trains (for tests and the log). */
  private armedFor: Date | undefined;
  /** Bumped by every arm; a slower nextRunAt answer for an older arm is dropped. */
  private generation = 0;
  private running: Promise<RunDueResult | undefined> | undefined;
  private disposed = false;

  constructor(private readonly deps: TrainRunnerDeps) {}

  /** At activation, after the database opened: catch up, then arm. */
  start(): Promise<RunDueResult | undefined> {
    return this.run();
  }

  /** The database changed: the next departure may be another one now. */
  changed(): void {
    if (this.disposed) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.arm();
    }, this.deps.debounceMs ?? 200);
  }

  /** "Run Due Trains Now", and the timer: runs what is due, then re-arms. One run at a time. */
  run(): Promise<RunDueResult | undefined> {
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        let result: RunDueResult;
        // `more`: a train had more due departures than one run takes (years missed); take the rest.
        do {
          result = await this.deps.scheduler.runDue(this.deps.clock.now());
          if (this.disposed) return result;
          if (result.departures.length || result.errors.length) this.deps.onRun(result);
        } while (result.more);
        return result;
      } catch (e) {
        this.deps.log.warn(`release trains: the run failed: ${(e as Error).message}`);
        return undefined;
      } finally {
        this.running = undefined;
        await this.arm();
      }
    })();
    return this.running;
  }

  /** When the armed timer fires, or undefined when no enabled train has a next departure. */
  get nextRunAt(): Date | undefined {
    return this.armedFor;
  }

  private async arm(): Promise<void> {
    const generation = ++this.generation;
    let next: Date | null;
    try {
      next = await this.deps.scheduler.nextRunAt(this.deps.clock.now());
    } catch (e) {
      if (!this.disposed) this.deps.log.warn(`release trains: cannot tell the next departure: ${(e as Error).message}`);
      return;
    }
    if (this.disposed || generation !== this.generation) return;
    clearTimeout(this.timer); // never two timers
    this.timer = undefined;
    this.armedFor = next ?? undefined;
    if (!next) return;
    const wait = next.getTime() - this.deps.clock.now().getTime() + (this.deps.slackMs ?? 250);
    const maxDelay = this.deps.maxDelayMs ?? 3_600_000;
    if (wait > maxDelay) {
      // Only re-asks when the wait is over: nothing runs before the departure.
      this.timer = setTimeout(() => void this.arm(), maxDelay);
    } else {
      this.timer = setTimeout(() => void this.run(), Math.max(0, wait));
    }
    this.timer.unref?.();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    clearTimeout(this.debounce);
    this.timer = undefined;
    this.debounce = undefined;
  }
}

/** The notifications for a run: one per created release, or one summary when it caught up several. */
export function describeRun(result: RunDueResult): { info?: string; releaseId?: string; warnings: string[] } {
  const created = result.departures.filter((d) => d.releaseId && d.version);
  const failed = result.departures.filter((d) => d.error);
  const warnings = [
    ...failed.map((d) => `Release train '${d.trainName}': ${d.error}`),
    ...result.errors.map((e) => `Release train '${e.trainName}' could not run: ${e.message} It is retried at its next departure.`),
  ];
  if (warnings.length > 3) warnings.splice(2, warnings.length - 2, `…and ${warnings.length - 2} more problems (the log lists them).`);
  if (created.length === 0) return { warnings };
  if (created.length === 1) {
    const d = created[0];
    return { info: `Release ${d.version} created by train '${d.trainName}'.`, releaseId: d.releaseId, warnings };
  }
  const byTrain = new Map<string, string[]>();
  for (const d of created) byTrain.set(d.trainName, [...(byTrain.get(d.trainName) ?? []), d.version!]);
  const list = [...byTrain.entries()]
    .map(([train, versions]) => `'${train}': ${versions.length > 4 ? `${versions.slice(0, 2).join(', ')} … ${versions[versions.length - 1]}` : versions.join(', ')}`)
    .join('; ');
  return { info: `Release trains caught up: ${created.length} releases created (${list}).`, warnings };
}
