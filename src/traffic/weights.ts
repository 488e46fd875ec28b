// Weight validation shared by every router adapter and by the settings parser.
import type { Colour, Weights } from '../core/ports';

export const COLOURS: readonly Colour[] = ['blue', 'green'];

/**
 * Checks an untrusted value is a `Weights`: two integers 0..100 summing to 100, nothing else.
 * Throws an error naming the field (`weights.green: must be an integer from 0 to 100, got 10.5`).
 */
export function parseWeights(value: unknown, field = 'weights'): Weights {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${field}: must be an object { blue, green }, got ${describe(value)}`);
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key !== 'blue' && key !== 'green') throw new Error(`${field}.${key}: unknown colour (expected blue and green)`);
  }
  for (const colour of COLOURS) {
    const n = record[colour];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 100) {
      throw new Error(`${field}.${colour}: must be an integer from 0 to 100, got ${describe(n)}`);
    }
  }
  const w = { blue: record.blue as number, green: record.green as number };
  if (w.blue + w.green !== 100) {
    throw new Error(`${field}: blue + green must be 100, got ${w.blue} + ${w.green} = ${w.blue + w.green}`);
  }
  return w;
}

/** Percentages of arbitrary non-negative router weights (e.g. HAProxy's 1/1), rounded to sum 100. */
export function toPercent(blue: number, green: number): Weights {
  const total = blue + green;
  if (total <= 0) throw new Error(`both colours have weight 0 (blue=${blue}, green=${green}): no traffic is routed`);
  const b = Math.round((blue * 100) / total);
  return { blue: b, green: 100 - b };
}

export function sameWeights(a: Weights, b: Weights): boolean {
  return a.blue === b.blue && a.green === b.green;
}

export function formatWeights(w: Weights): string {
  return `blue=${w.blue} green=${w.green}`;
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
