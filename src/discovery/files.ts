// File-system helpers for discovery (node only): bounded reads, bounded walks, posix paths.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { formatBytes } from './diagnostic';

export const DEFAULT_IGNORE = ['node_modules', '.git', 'dist'];

/** `rel` inside `root`, with forward slashes; '.' for the root itself. */
export function relPath(root: string, abs: string): string {
  const rel = path.relative(root, abs).split(path.sep).join('/');
  return rel === '' ? '.' : rel;
}

export function joinRel(dir: string, name: string): string {
  return dir === '.' || dir === '' ? name : `${dir}/${name}`;
}

/** Normalise a relative posix path ('./a/../b' → 'b'); null when it leaves the root or is absolute. */
export function normaliseRel(p: string): string | null {
  if (p.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(p)) return null;
  const out: string[] = [];
  for (const seg of p.split(/[\\/]+/)) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (!out.length) return null;
      out.pop();
    } else out.push(seg);
  }
  return out.length ? out.join('/') : '.';
}

export type CappedRead = { ok: true; content: Uint8Array } | { ok: false; message: string };

/** Read a file unless it is larger than `maxBytes` (checked before reading). */
export async function readCapped(abs: string, maxBytes: number): Promise<CappedRead> {
  try {
    const st = await fs.stat(abs);
    if (!st.isFile()) return { ok: false, message: 'Not a regular file' };
    if (st.size > maxBytes) {
      return { ok: false, message: `File is ${formatBytes(st.size)}; files over ${formatBytes(maxBytes)} are not read` };
    }
    return { ok: true, content: await fs.readFile(abs) };
  } catch (e) {
    return { ok: false, message: `Could not read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
}

export interface WalkEntry {
  /** Relative to the walk's root, posix, '.' for the root. */
  dir: string;
  files: string[];
  subdirs: string[];
}

/**
 * Directories under `root` to `maxDepth` levels (0 = the root only), skipping `ignore` names and
 * symbolic links (no loops), in a stable order. Unreadable folders are skipped.
 */
export async function walkDirs(root: string, maxDepth: number, ignore: readonly string[]): Promise<WalkEntry[]> {
  const out: WalkEntry[] = [];
  const ignored = new Set(ignore);
  const visit = async (rel: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(rel === '.' ? root : path.join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    const files: string[] = [];
    const subdirs: string[] = [];
    for (const e of entries) {
      if (e.isFile()) files.push(e.name);
      else if (e.isDirectory() && !ignored.has(e.name)) subdirs.push(e.name);
    }
    files.sort();
    subdirs.sort();
    out.push({ dir: rel, files, subdirs });
    if (depth >= maxDepth) return;
    for (const d of subdirs) await visit(joinRel(rel, d), depth + 1);
  };
  await visit('.', 0);
  return out;
}
