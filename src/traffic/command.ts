// Command adapter: the user's own shell commands move traffic (a `kubectl patch`, a cloud CLI…).
// Values reach the commands only through environment variables; the command text comes from
// settings, never from weights or names, so nothing a release carries is ever parsed by a shell.
import type { Colour, TrafficRouter, Weights, WorkspaceTrust } from '../core/ports';
import { verifySplitByProbes } from './probe';
import { outputTail, runProcess } from './processes';
import { describe, parseWeights } from './weights';

export interface CommandRouterConfig {
  /** Applies the split. Sees BG_BLUE_WEIGHT, BG_GREEN_WEIGHT, BG_TARGET_COLOUR; exit 0 = applied. */
  setCommand: string;
  /** Prints the live split: `blue=90 green=10` or `{"blue":90,"green":10}`. */
  getCommand: string;
  /** Optional dry run with the same variables (e.g. `kubectl patch --dry-run=server`). */
  validateCommand?: string;
  /** Working directory (absolute). */
  cwd?: string;
  /** Extra variables for every command (names only `[A-Za-z_][A-Za-z0-9_]*`, not `BG_*`). */
  env?: Record<string, string>;
  /** Per command. Default 30000 ms. */
  timeoutMs?: number;
  /** When set, verify() probes this URL through the router (answers carry `X-Colour`). */
  probeUrl?: string;
}

export interface CommandRouterOptions {
  /** Router commands run only in a trusted workspace. */
  trust?: WorkspaceTrust;
  /** Default `/bin/sh`. */
  shell?: string;
  /** Used when the config has no cwd. Default the process's cwd. */
  defaultCwd?: string;
}

export class CommandRouter implements TrafficRouter {
  readonly kind = 'command' as const;
  readonly capabilities = { weighted: true, hitless: false, perColourMetrics: false };
  readonly verify?: (w: Weights, timeoutMs: number) => Promise<number>;
  /** Only to name BG_TARGET_COLOUR at 50/50; never reported as the router's state. */
  private lastKnown: Weights | undefined;

  constructor(readonly config: CommandRouterConfig, private readonly options: CommandRouterOptions = {}) {
    if (!config.setCommand.trim()) throw new Error('setCommand: must not be empty');
    if (!config.getCommand.trim()) throw new Error('getCommand: must not be empty');
    for (const name of Object.keys(config.env ?? {})) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || name.startsWith('BG_')) throw new Error(`env.${name}: not an allowed variable name`);
    }
    const probeUrl = config.probeUrl;
    if (probeUrl) this.verify = (w, timeoutMs) => verifySplitByProbes(probeUrl, w, timeoutMs);
  }

  async validate(w: Weights): Promise<void> {
    const weights = parseWeights(w);
    if (this.config.validateCommand) await this.run('validateCommand', this.config.validateCommand, weightEnv(weights, this.lastKnown));
  }

  async getWeights(): Promise<Weights> {
    const r = await this.run('getCommand', this.config.getCommand);
    const weights = parseWeightsOutput(r.stdout);
    this.lastKnown = weights;
    return weights;
  }

  async setWeights(w: Weights): Promise<void> {
    const weights = parseWeights(w);
    await this.run('setCommand', this.config.setCommand, weightEnv(weights, this.lastKnown));
    this.lastKnown = weights;
  }

  private async run(field: string, command: string, extra: Record<string, string> = {}) {
    if (this.options.trust && !this.options.trust.isTrusted()) {
      throw new Error(`${field} not run: router commands do not run in an untrusted workspace`);
    }
    const timeoutMs = this.config.timeoutMs ?? 30_000;
    const r = await runProcess({
      file: this.options.shell ?? '/bin/sh',
      args: ['-c', command],
      cwd: this.config.cwd ?? this.options.defaultCwd,
      env: { ...this.config.env, ...extra },
      timeoutMs,
    });
    if (r.timedOut) throw new Error(`${field} timed out after ${timeoutMs} ms and was killed${tail(r)}`);
    if (r.code !== 0) throw new Error(`${field} failed (${r.code === null ? `signal ${r.signal}` : `exit ${r.code}`})${tail(r)}`);
    return r;
  }
}

function tail(r: { stdout: string; stderr: string }): string {
  const t = outputTail(r);
  return t ? `: ${t}` : '';
}

/**
 * BG_TARGET_COLOUR names the colour with the larger weight; at 50/50, the one gaining compared
 * with the last split this router read or set (green when unknown).
 */
function weightEnv(w: Weights, previous: Weights | undefined): Record<string, string> {
  let target: Colour = w.blue > w.green ? 'blue' : 'green';
  if (w.blue === w.green && previous && previous.blue < w.blue) target = 'blue';
  return { BG_BLUE_WEIGHT: String(w.blue), BG_GREEN_WEIGHT: String(w.green), BG_TARGET_COLOUR: target };
}

const EXPECTED = 'expected "blue=<0-100> green=<0-100>" or {"blue":<0-100>,"green":<0-100>}';

/** Strict: the whole output (trimmed) is one of the two forms, and the weights sum to 100. */
export function parseWeightsOutput(stdout: string): Weights {
  const text = stdout.trim();
  let value: unknown;
  if (text.startsWith('{')) {
    try { value = JSON.parse(text); } catch {
      throw new Error(`getCommand output is not valid JSON: ${describe(text)}; ${EXPECTED}`);
    }
  } else {
    const m = /^(blue|green)=(\d{1,3})[ \t]+(blue|green)=(\d{1,3})$/.exec(text);
    if (!m || m[1] === m[3]) throw new Error(`getCommand printed ${describe(text)}; ${EXPECTED}`);
    value = { [m[1]]: Number(m[2]), [m[3]]: Number(m[4]) };
  }
  try {
    return parseWeights(value, 'getCommand output');
  } catch (err) {
    throw new Error(`${(err as Error).message} (${EXPECTED})`);
  }
}
