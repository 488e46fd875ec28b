// Which TCP sockets our processes listen on, read from /proc as `ss -ltnp` would: the LISTEN rows
// of /proc/net/tcp and /proc/net/tcp6 (local address and socket inode), and the `socket:[inode]`
// links in /proc/<pid>/fd of the processes a test started. Issue 8 §4: nothing of ours may listen
// on anything but 127.0.0.1 or ::1. Linux only; reads, never signals.
import fs from 'node:fs';

export interface ListeningSocket {
  inode: number;
  /** Printable address: `127.0.0.1`, `0.0.0.0`, `::1`, `::`, `::ffff:127.0.0.1`. */
  address: string;
  port: number;
  family: 4 | 6;
}

export interface OurListener extends ListeningSocket {
  pid: number;
  /** The process's command line, shortened (for messages). */
  command: string;
  loopback: boolean;
}

const LISTEN = '0A';

/** /proc/net/tcp's address: little-endian 32-bit words of hex; IPv6 is four of them. */
function decodeAddress(hex: string): { address: string; family: 4 | 6 } {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((w) => (w.match(/../g) ?? []).map((b) => parseInt(b, 16)).reverse());
  if (bytes.length === 4) return { address: bytes.join('.'), family: 4 };
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return { address: `::ffff:${bytes.slice(12).join('.')}`, family: 6 };
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  // Compress the longest run of zero groups, as `ss` prints it.
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j;
  }
  if (best.len < 2) return { address: groups.join(':'), family: 6 };
  const head = groups.slice(0, best.at).join(':');
  const tail = groups.slice(best.at + best.len).join(':');
  return { address: `${head}::${tail}`, family: 6 };
}

/** Every LISTEN socket of this network namespace, by inode. */
export function listeningSockets(): Map<number, ListeningSocket> {
  const out = new Map<number, ListeningSocket>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue; // no IPv6 in this kernel
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== LISTEN) continue;
      const [addrHex, portHex] = f[1]!.split(':');
      const inode = Number(f[9]);
      if (!addrHex || !portHex || !inode) continue;
      out.set(inode, { inode, port: parseInt(portHex, 16), ...decodeAddress(addrHex) });
    }
  }
  return out;
}

export function isLoopback(address: string): boolean {
  return address === '::1' || /^(::ffff:)?127\./.test(address);
}

function readStat(pid: number): { ppid: number; pgrp: number } | undefined {
  try {
    // The command name may contain spaces and parentheses: the fields start after the last ')'.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(rest[1]), pgrp: Number(rest[2]) };
  } catch {
    return undefined;
  }
}

function allPids(): number[] {
  return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
}

/**
 * The processes `roots` stand for: each root, its descendants (by parent pid), and every member of
 * the process groups in `groups` with their descendants. A daemon that detached itself (setsid and
 * a dead parent) is found only if it is a root.
 */
export function processFamily(roots: readonly number[], groups: readonly number[] = []): Set<number> {
  const stats = new Map<number, { ppid: number; pgrp: number }>();
  for (const pid of allPids()) {
    const s = readStat(pid);
    if (s) stats.set(pid, s);
  }
  const found = new Set<number>();
  for (const pid of roots) if (stats.has(pid)) found.add(pid);
  for (const [pid, s] of stats) if (groups.includes(s.pgrp)) found.add(pid);
  // Descendants: repeat until nothing is added (the tree is shallow).
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, s] of stats) {
      if (!found.has(pid) && found.has(s.ppid)) {
        found.add(pid);
        grew = true;
      }
    }
  }
  return found;
}

export function commandOf(pid: number): string {
  try {
    const c = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ').replace(/\s+/g, ' ');
    return c.length > 160 ? `${c.slice(0, 157)}…` : c;
  } catch {
    return '(gone)';
  }
}

function socketInodes(pid: number): number[] {
  let fds: string[];
  try {
    fds = fs.readdirSync(`/proc/${pid}/fd`);
  } catch {
    return []; // exited meanwhile
  }
  const inodes: number[] = [];
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.push(Number(m[1]));
    } catch { /* closed meanwhile */ }
  }
  return inodes;
}

/** The listening sockets held by `pids` (one entry per process and socket; a forked socket shows under each holder). */
export function listenersOf(pids: Iterable<number>): OurListener[] {
  const listening = listeningSockets();
  const out: OurListener[] = [];
  for (const pid of pids) {
    for (const inode of socketInodes(pid)) {
      const s = listening.get(inode);
      if (s) out.push({ ...s, pid, command: commandOf(pid), loopback: isLoopback(s.address) });
    }
  }
  return out.sort((a, b) => a.port - b.port || a.pid - b.pid);
}

/** `pid 123 (node server.js) on 0.0.0.0:8080` */
export function describeListener(l: OurListener): string {
  return `pid ${l.pid} (${l.command}) on ${l.family === 6 ? `[${l.address}]` : l.address}:${l.port}`;
}
