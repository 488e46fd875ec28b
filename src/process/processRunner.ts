// Runs pipeline shell steps as real child processes (ports.ts `ProcessRunner`). Node only.
import { spawn, type ChildProcess } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';
import type { ProcessResult, ProcessRunner, ProcessSpec } from '../core/ports';
import { CappedLog } from './cappedLog';
import { killProcessGroup } from './treeKill';

export const DEFAULT_LOG_CAP_BYTES = 256 * 1024;
export const DEFAULT_KILL_GRACE_MS = 2000;

export interface NodeProcessRunnerOptions {
  /** After SIGTERM to a step's process group, how long before SIGKILL. Default 2000 ms. */
  killGraceMs?: number;
  /** Log cap when the spec sets none. Default 256 KiB. */
  logCapBytes?: number;
  /** The shell run as `<shell> -c <command>`. Default `/bin/sh`. */
  shell?: string;
  /**
   * When the shell exits normally, terminate whatever it left running in its process group
   * (`server &`). Default true: a finished step leaves nothing behind. A step that must start a
   * long-lived process should detach it on purpose (`setsid`, a service manager, `docker -d`).
   */
  killOrphans?: boolean;
  /**
   * After the shell has exited (and its group is dealt with), how long to wait for output still
   * buffered in the pipes, or held open by a process that left the group. Default 1000 ms.
   */
  drainMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Names the step's environment may use: no '=', no NUL (both would corrupt the environment block). */
const ENV_NAME = /^[^=\0]+$/;

/**
 * Runs a shell step: `/bin/sh -c spec.command` in `spec.cwd`, as the leader of its own process
 * group so a timeout or cancellation can end the whole tree.
 *
 * **Release values reach the command only as environment variables.** The environment is the
 * inherited one plus `spec.env`; `spec.command` is passed to the shell verbatim and this class
 * never builds or edits command text. A command refers to values as `"$RELEASE_NAME"`, so a value
 * like `$(touch pwned)` or `; rm -rf x` stays data: the shell expands a variable once and does
 * not re-parse its value as code.
 *
 * Output is decoded as UTF-8 per stream (a character split across chunks is held back until it is
 * whole), passed to `spec.onOutput` as it arrives, and kept in a capped log: the first and last
 * halves of `logCapBytes`, with a `… N bytes elided …` line between them.
 *
 * `timeoutMs` and `spec.signal` end the step the same way: SIGTERM to the process group, SIGKILL
 * to the group after `killGraceMs` if anything in it is still alive (a shell that traps TERM, a
 * grandchild started with `&`, a leader that is already gone). The result says which
 * (`timedOut` / `cancelled`) and resolves only once the group is gone. No `timeoutMs` (or ≤ 0)
 * means no timeout.
 *
 * Errors: `run` does not reject for a step that cannot start (missing or non-directory cwd, a
 * shell that cannot be spawned, an invalid environment name). It resolves with `exitCode: null`,
 * `signal: null`, `timedOut: false`, `cancelled: false` and a log — also sent to `onOutput` on
 * stderr — that starts with `Could not start process:` and names the cause and the cwd. A step
 * failure is then recorded like any other failed step, with its reason in its log.
 *
 * POSIX only (process groups, `/bin/sh`).
 */
export class NodeProcessRunner implements ProcessRunner {
  private readonly killGraceMs: number;
  private readonly logCapBytes: number;
  private readonly shell: string;
  private readonly killOrphans: boolean;
  private readonly drainMs: number;
  private readonly active = new Set<AbortController>();

  constructor(options: NodeProcessRunnerOptions = {}) {
    this.killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
    this.logCapBytes = options.logCapBytes ?? DEFAULT_LOG_CAP_BYTES;
    this.shell = options.shell ?? '/bin/sh';
    this.killOrphans = options.killOrphans ?? true;
    this.drainMs = options.drainMs ?? 1000;
  }

  /** Cancels every step still running (e.g. on deactivate) and resolves when their groups are gone. */
  async dispose(): Promise<void> {
    const pending = [...this.active];
    for (const c of pending) c.abort();
    while (this.active.size) await sleep(10);
  }

  async run(spec: ProcessSpec): Promise<ProcessResult> {
    const started = performance.now();
    const log = new CappedLog(spec.logCapBytes ?? this.logCapBytes);
    let outputBytes = 0;
    const emit = (text: string, stream: 'stdout' | 'stderr') => {
      if (!text) return;
      log.append(text);
      try {
        spec.onOutput?.(text, stream);
      } catch {
        // A failing listener (a closed output channel) must not take the step, or the host, down.
      }
    };
    const result = (fields: Partial<ProcessResult>): ProcessResult => {
      const { text, truncated } = log.result();
      return {
        exitCode: null,
        signal: null,
        timedOut: false,
        cancelled: false,
        durationMs: Math.round(performance.now() - started),
        log: text,
        logTruncated: truncated,
        outputBytes,
        ...fields,
      };
    };
    const cannotStart = (reason: string) => {
      emit(`Could not start process: ${reason}\n`, 'stderr');
      return result({});
    };

    if (spec.signal?.aborted) {
      emit('Cancelled before the process started.\n', 'stderr');
      return result({ cancelled: true });
    }
    for (const [name, value] of Object.entries(spec.env ?? {})) {
      if (!ENV_NAME.test(name)) return cannotStart(`invalid environment variable name ${JSON.stringify(name)}`);
      if (typeof value !== 'string' || value.includes('\0')) {
        return cannotStart(`environment variable ${name} must be a string without NUL characters`);
      }
    }
    try {
      const st = await stat(spec.cwd);
      if (!st.isDirectory()) return cannotStart(`working directory ${spec.cwd} is not a directory`);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return cannotStart(
        code === 'ENOENT' ? `working directory ${spec.cwd} does not exist` : `working directory ${spec.cwd}: ${code ?? String(err)}`,
      );
    }

    let child: ChildProcess;
    try {
      child = spawn(this.shell, ['-c', spec.command], {
        cwd: spec.cwd,
        env: { ...inheritedEnv(), ...spec.env },
        detached: true, // own process group: the group id is the child's pid
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
      });
    } catch (err) {
      return cannotStart(`${(err as Error).message} (cwd ${spec.cwd})`);
    }

    const controller = new AbortController();
    this.active.add(controller);
    let timedOut = false;
    let cancelled = false;
    let killing: Promise<unknown> | null = null;
    const pgid = child.pid;
    const terminate = (why: 'timeout' | 'cancel') => {
      if (killing || pgid === undefined) return;
      if (why === 'timeout') timedOut = true;
      else cancelled = true;
      killing = killProcessGroup(pgid, { graceMs: this.killGraceMs }).catch(() => undefined);
    };
    const onAbort = () => terminate('cancel');
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    controller.signal.addEventListener('abort', onAbort, { once: true });
    const timer =
      spec.timeoutMs !== undefined && spec.timeoutMs > 0 ? setTimeout(() => terminate('timeout'), spec.timeoutMs) : undefined;

    const pipe = (stream: NodeJS.ReadableStream | null, name: 'stdout' | 'stderr') =>
      new Promise<void>((resolve) => {
        if (!stream) return resolve();
        const decoder = new StringDecoder('utf8');
        let flushed = false;
        const flush = () => {
          if (flushed) return;
          flushed = true;
          emit(decoder.end(), name);
          resolve();
        };
        stream.on('data', (chunk: Buffer) => {
          outputBytes += chunk.length;
          emit(decoder.write(chunk), name);
        });
        stream.once('end', flush);
        stream.once('close', flush);
        stream.once('error', flush);
      });
    const drained = Promise.all([pipe(child.stdout, 'stdout'), pipe(child.stderr, 'stderr')]);

    try {
      const ended = await new Promise<{ code: number | null; signal: NodeJS.Signals | null } | { error: Error }>((resolve) => {
        child.once('error', (error) => resolve({ error }));
        child.once('exit', (code, signal) => resolve({ code, signal }));
      });
      if (timer) clearTimeout(timer);
      if ('error' in ended) {
        child.stdout?.destroy();
        child.stderr?.destroy();
        await drained;
        return cannotStart(`${ended.error.message} (cwd ${spec.cwd})`);
      }
      if (!killing && this.killOrphans && pgid !== undefined) {
        killing = killProcessGroup(pgid, { graceMs: this.killGraceMs }).catch(() => undefined);
      }
      if (killing) await killing;
      let drainTimer: NodeJS.Timeout | undefined;
      await Promise.race([drained, new Promise<void>((r) => (drainTimer = setTimeout(r, this.drainMs)))]);
      clearTimeout(drainTimer);
      child.stdout?.destroy();
      child.stderr?.destroy();
      await drained;
      return result({ exitCode: ended.code, signal: ended.signal, timedOut, cancelled });
    } finally {
      if (timer) clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onAbort);
      this.active.delete(controller);
    }
  }
}

/**
 * The extension host's environment minus what only makes sense inside it: ELECTRON_RUN_AS_NODE
 * would turn any Electron program a step starts (`code`, an Electron app's CLI) into plain Node.
 */
export function inheritedEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  return env;
}
