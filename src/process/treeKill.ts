// Terminating a whole process group: the shell a step runs in, its children and their children.
// POSIX only (process groups, negative pids). Node only, no 'vscode'.
import { readdir, readFile } from 'node:fs/promises';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends `signal` to every process in group `pgid`. Returns false when the group has no member
 * left (ESRCH); other errors (EPERM) are thrown because they mean we are signalling a group we
 * do not own.
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) throw new Error(`signalGroup: refusing to signal process group ${pgid}`);
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/** State letter of /proc/<pid>/stat ('R', 'S', 'Z', …) and its process group, or null when gone. */
async function procStat(pid: number): Promise<{ state: string; pgrp: number } | null> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: parse after the last ')'.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0] ?? '', pgrp: Number(rest[2]) };
  } catch {
    return null;
  }
}

/**
 * True while the group has a member that is not a zombie. `kill(-pgid, 0)` alone is not enough:
 * orphans are re-parented to PID 1, and where PID 1 does not reap (containers, micro-VMs) a dead
 * grandchild stays a zombie in the group forever, which would make every kill wait its full grace.
 */
export async function groupHasLiveMembers(pgid: number): Promise<boolean> {
  if (!signalGroup(pgid, 0)) return false;
  if (process.platform !== 'linux') return true;
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return true;
  }
  for (const name of entries) {
    const code = name.charCodeAt(0);
    if (code < 48 || code > 57) continue;
    const st = await procStat(Number(name));
    if (st && st.pgrp === pgid && st.state !== 'Z' && st.state !== 'X') return true;
  }
  return false;
}

/** True when `pid` no longer runs: gone, or a zombie nobody has reaped yet. */
export async function isProcessGone(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  if (process.platform !== 'linux') return false;
  const st = await procStat(pid);
  return st === null || st.state === 'Z' || st.state === 'X';
}

export interface KillGroupOptions {
  /** How long members get to exit after SIGTERM before SIGKILL. */
  graceMs: number;
  /** How often liveness is checked while waiting. Default 25 ms. */
  pollMs?: number;
}

export type KillGroupOutcome =
  /** The group was already empty: nothing was signalled. */
  | 'gone'
  /** Every member exited within the grace period after SIGTERM. */
  | 'terminated'
  /** Some member outlived the grace period and got SIGKILL. */
  | 'killed';

/**
 * SIGTERM to group `pgid`, then SIGKILL to the group if any member is still alive after `graceMs`.
 * Works when the group leader has already exited and only its descendants remain: a process group
 * outlives its leader, and its id cannot be reused while any member (even a zombie) holds it.
 * Resolves once no live member remains (or shortly after SIGKILL was sent, if the kernel is slow).
 */
export async function killProcessGroup(pgid: number, options: KillGroupOptions): Promise<KillGroupOutcome> {
  const pollMs = options.pollMs ?? 25;
  if (!(await groupHasLiveMembers(pgid))) return 'gone';
  if (!signalGroup(pgid, 'SIGTERM')) return 'terminated';
  const deadline = Date.now() + Math.max(0, options.graceMs);
  while (Date.now() < deadline) {
    await sleep(Math.min(pollMs, Math.max(1, deadline - Date.now())));
    if (!(await groupHasLiveMembers(pgid))) return 'terminated';
  }
  if (!(await groupHasLiveMembers(pgid))) return 'terminated';
  signalGroup(pgid, 'SIGKILL');
  // SIGKILL cannot be ignored, but delivery is asynchronous: wait (bounded) until it has landed so
  // callers can rely on "resolved" meaning "gone".
  const killDeadline = Date.now() + 1000;
  while (Date.now() < killDeadline && (await groupHasLiveMembers(pgid))) await sleep(10);
  return 'killed';
}
