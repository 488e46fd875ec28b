// Who drives a pipeline run, and whether that process still lives (ports.ts `RunOwnership`). Node only.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { RunOwner } from '../core/model';
import type { RunOwnership } from '../core/ports';
import { isProcessGone } from './treeKill';

/** Field 22 of /proc/<pid>/stat: start time in clock ticks since boot; null where /proc is missing. */
export function processStartTime(pid: number): string | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/**
 * A run's owner is its process: pid, host and the process's start time, so that a pid the system
 * gave to another process after ours ended is not mistaken for ours. A run owned on another host
 * cannot be checked from here and counts as alive.
 */
export class ProcessRunOwnership implements RunOwnership {
  private readonly me: RunOwner;

  constructor() {
    const start = processStartTime(process.pid);
    this.me = { pid: process.pid, hostname: os.hostname(), ...(start !== null && { processStart: start }) };
  }

  current(): RunOwner {
    return { ...this.me };
  }

  async isAlive(owner: RunOwner): Promise<boolean> {
    if (!owner || !Number.isInteger(owner.pid) || owner.pid <= 0) return false;
    if (owner.hostname !== this.me.hostname) return true;
    if (await isProcessGone(owner.pid)) return false;
    if (owner.processStart !== undefined) {
      const now = processStartTime(owner.pid);
      if (now !== null && now !== owner.processStart) return false;
    }
    return true;
  }
}
