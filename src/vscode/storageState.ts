// What a folder's database looks like on disk and in memory, for the integration tests' testing hook:
// the fuzz test compares it before and after thousands of refused inputs to prove nothing was written.
import fs from 'node:fs';
import type { FolderCore } from './workspaceSession';

export interface FileStampView {
  ino: number;
  size: number;
  mtimeMs: number;
}

export interface StorageState {
  path: string;
  /** The journal sequence number of the last change applied (every committed write adds one). */
  sequence: number;
  auditEvents: number;
  lastAuditId: number;
  /** The database file and its journal; null when absent. */
  file: FileStampView | null;
  journal: FileStampView | null;
}

function stampOf(file: string): FileStampView | null {
  try {
    const s = fs.statSync(file);
    return { ino: s.ino, size: s.size, mtimeMs: s.mtimeMs };
  } catch {
    return null;
  }
}

export async function storageState(core: FolderCore): Promise<StorageState> {
  const audit = await core.db.read((sql) => sql.get<{ n: number; last: number | null }>('SELECT count(*) AS n, max(id) AS last FROM audit_events'));
  return {
    path: core.db.path,
    sequence: core.db.sequence,
    auditEvents: Number(audit?.n ?? 0),
    lastAuditId: Number(audit?.last ?? 0),
    file: stampOf(core.db.path),
    journal: stampOf(`${core.db.path}.journal`),
  };
}
