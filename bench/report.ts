// Each benchmark prints its own table for a reader and one machine-readable line per figure, which
// bench/run.mjs collects into bench/RESULTS.md.
export interface Figure {
  name: string;
  unit: string;
  measured: number;
  /** The anchor the figure is compared with (e.g. better-sqlite3), in the same unit. */
  anchor?: number;
  target?: string;
  ok?: boolean;
}

export function report(f: Figure): void {
  console.log(`BENCH ${JSON.stringify(f)}`);
}
