// Error notifications, bounded: a person sees each refusal of what they did, but a caller that fires
// thousands of failing commands (an extension in a loop, a stuck keybinding) must not bury the window
// in notifications — 3,000 of them kept VS Code's window unresponsive for minutes (issue 8 fuzz test).
// Past a few per window the rest are counted and summed up in one notification. Pure (no 'vscode').

export interface ThrottleOptions {
  /** Notifications shown as they come within one window. Default 3. */
  burst?: number;
  /** Length of a window in ms. Default 5000. */
  windowMs?: number;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => { unref?(): void };
}

export class NotificationThrottle<T> {
  private windowStart = -Infinity;
  private shown = 0;
  private suppressed = 0;
  private timer: { unref?(): void } | undefined;
  private readonly burst: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly setTimer: NonNullable<ThrottleOptions['setTimer']>;

  constructor(
    /** Shows one notification. */
    private readonly show: (item: T) => void,
    /** Shows the one notification that stands for `count` held back. */
    private readonly showSummary: (count: number) => void,
    options: ThrottleOptions = {},
  ) {
    this.burst = options.burst ?? 3;
    this.windowMs = options.windowMs ?? 5_000;
    this.now = options.now ?? Date.now;
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  }

  /** Shows `item` now, or counts it for the summary when the window's burst is used up. */
  notify(item: T): void {
    const now = this.now();
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.shown = 0;
    }
    if (this.shown < this.burst && this.suppressed === 0) {
      this.shown++;
      this.show(item);
      return;
    }
    this.suppressed++;
    if (!this.timer) {
      const t = this.setTimer(() => this.flush(), Math.max(0, this.windowStart + this.windowMs - now));
      t.unref?.();
      this.timer = t;
    }
  }

  /** The summary of what was held back (called by the timer at the end of the window). */
  flush(): void {
    this.timer = undefined;
    const n = this.suppressed;
    if (!n) return;
    this.suppressed = 0;
    // The summary opens a new window, so a flood continues as one summary per window.
    this.windowStart = this.now();
    this.shown = 1;
    this.showSummary(n);
  }

  /** Notifications held back and not summed up yet. */
  get pending(): number {
    return this.suppressed;
  }
}
