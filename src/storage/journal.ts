import fs from 'node:fs';

export type SqlParam = string | number | null;

/** One acknowledged transaction: the statements it ran, replayable in order. */
export interface JournalEntry {
  seq: number;
  at: string;
  ops: [sql: string, params: SqlParam[]][];
}

export interface JournalRead {
  entries: JournalEntry[];
  /** Offset just past the last complete line. */
  end: number;
  /** Bytes after `end` that are not a complete line (a write torn by a killed process). */
  tornBytes: number;
}

export class JournalCorruptError extends Error {
  constructor(
    readonly path: string,
    readonly offset: number,
    reason: string,
  ) {
    super(`journal ${path} is corrupt at byte ${offset}: ${reason}`);
    this.name = 'JournalCorruptError';
  }
}

/**
 * An append-only JSONL log of logical changes (statements + parameters, not pages). Each append is
 * followed by fdatasync, which is what makes a change durable before its caller is told it succeeded.
 */
export class Journal {
  private fd: number | undefined;

  constructor(readonly path: string) {}

  size(): number {
    try {
      return fs.statSync(this.path).size;
    } catch {
      return 0;
    }
  }

  /** Appends one entry durably; returns the journal's size afterwards. */
  append(entry: JournalEntry): number {
    const line = Buffer.from(JSON.stringify(entry) + '\n', 'utf8');
    if (this.fd === undefined) this.fd = fs.openSync(this.path, 'a', 0o644);
    let written = 0;
    while (written < line.length) written += fs.writeSync(this.fd, line, written);
    fs.fdatasyncSync(this.fd);
    return fs.fstatSync(this.fd).size;
  }

  /** Reads complete entries from `offset`. A torn last line is reported, not returned. */
  read(offset = 0): JournalRead {
    let buf: Buffer;
    try {
      const fd = fs.openSync(this.path, 'r');
      try {
        const size = fs.fstatSync(fd).size;
        buf = Buffer.alloc(Math.max(0, size - offset));
        let got = 0;
        while (got < buf.length) {
          const n = fs.readSync(fd, buf, got, buf.length - got, offset + got);
          if (n === 0) break;
          got += n;
        }
        buf = buf.subarray(0, got);
      } finally {
        fs.closeSync(fd);
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], end: 0, tornBytes: 0 };
      throw e;
    }
    const entries: JournalEntry[] = [];
    let pos = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, pos);
      if (nl < 0) break;
      const text = buf.toString('utf8', pos, nl);
      let entry: JournalEntry;
      try {
        entry = JSON.parse(text) as JournalEntry;
      } catch {
        throw new JournalCorruptError(this.path, offset + pos, 'a line is not JSON');
      }
      if (!Number.isInteger(entry.seq) || !Array.isArray(entry.ops)) {
        throw new JournalCorruptError(this.path, offset + pos, 'a line is not a journal entry');
      }
      entries.push(entry);
      pos = nl + 1;
    }
    return { entries, end: offset + pos, tornBytes: buf.length - pos };
  }

  /** Cuts the file at `length` (drops a torn tail, or everything after a snapshot). */
  truncate(length: number): void {
    try {
      fs.truncateSync(this.path, length);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
