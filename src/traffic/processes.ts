// Child processes and file writes shared by the router adapters (node only, no 'vscode').
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface RunSpec {
  file: string;
  args: string[];
  cwd?: string;
  /** Added to the inherited environment. */
  env?: Record<string, string>;
  timeoutMs: number;
  /** Bytes of stdout/stderr kept each (the tail). */
  capBytes?: number;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/**
 * Runs a program without a shell. The child leads its own process group so that a timeout ends
 * everything it started (a `/bin/sh -c` script's `sleep`, a `kubectl` plugin…), not just the
 * direct child: SIGTERM to the group, SIGKILL 1 s later if anything is left.
 */
export function runProcess(spec: RunSpec): Promise<RunResult> {
  const cap = spec.capBytes ?? 64 * 1024;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(spec.file, spec.args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout = (stdout + d.toString()).slice(-cap); });
    child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-cap); });
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = (signal: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try { process.kill(-child.pid, signal); } catch { /* group already gone */ }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), 1000);
      killTimer.unref();
    }, spec.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${spec.file}: ${err.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      // Whatever the group left behind (a backgrounded sleep) must not outlive a timeout.
      if (timedOut) killGroup('SIGKILL');
      if (killTimer) clearTimeout(killTimer);
      resolve({ code, signal, timedOut, stdout, stderr, durationMs: Date.now() - started });
    });
  });
}

/** The last lines of a program's output, for error messages. */
export function outputTail(r: Pick<RunResult, 'stdout' | 'stderr'>, maxChars = 600): string {
  const text = `${r.stderr}${r.stderr && r.stdout ? '\n' : ''}${r.stdout}`.trim();
  return text.length > maxChars ? `…${text.slice(-maxChars)}` : text;
}

/**
 * Replaces `target` in one step: the content goes to `<target><suffix>` in the same directory
 * (same file system), is flushed, then renamed over the target, so a reader — nginx reloading,
 * HAProxy restarting — sees the old file or the new one, never half of one. Keeps the mode.
 */
export function writeFileAtomic(target: string, content: string, suffix?: string): void {
  const tmp = `${target}${suffix ?? `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`}`;
  let mode = 0o644;
  try { mode = fs.statSync(target).mode & 0o7777; } catch { /* new file */ }
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    fs.writeFileSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.chmodSync(tmp, mode);
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  try {
    const dirFd = fs.openSync(path.dirname(target), 'r');
    try { fs.fsyncSync(dirFd); } finally { fs.closeSync(dirFd); }
  } catch { /* directory fsync is best effort */ }
}
