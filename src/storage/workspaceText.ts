// Reading a text file the workspace owns (the pipeline file): bounded before it is read, and refused
// with a reason when it is too big, binary or not UTF-8 — so a 50 MB or binary file is a clear problem
// in the Problems panel, not seconds of a blocked extension host or a parse of garbage.
import { promises as fs } from 'node:fs';
import { decodeUtf8, formatBytes, MAX_FILE_BYTES, notTextReason } from '../discovery/diagnostic';

export type WorkspaceText = { kind: 'missing' } | { kind: 'text'; text: string } | { kind: 'unreadable'; reason: string };

/** Files over this are refused unread: 1 MB, as discovery's compose and package files. */
export const MAX_WORKSPACE_TEXT_BYTES = MAX_FILE_BYTES;

export async function readWorkspaceText(file: string, maxBytes = MAX_WORKSPACE_TEXT_BYTES): Promise<WorkspaceText> {
  let bytes: Buffer;
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) return { kind: 'unreadable', reason: 'is not a regular file' };
    if (st.size > maxBytes) return { kind: 'unreadable', reason: `is ${formatBytes(st.size)}; files over ${formatBytes(maxBytes)} are not read` };
    bytes = await fs.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'unreadable', reason: `could not be read (${code ?? (e as Error).message})` };
  }
  // It may have grown between the stat and the read.
  const bad = notTextReason(bytes, maxBytes);
  if (bad) return { kind: 'unreadable', reason: bad.message.replace(/^File is/, 'is').replace(/^Not a text file/, 'is not a text file') };
  const text = decodeUtf8(bytes);
  if (text === null) return { kind: 'unreadable', reason: 'is not a text file (it is not valid UTF-8)' };
  return { kind: 'text', text: text.replace(/^\uFEFF/, '') };
}
