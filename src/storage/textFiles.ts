import fs from 'node:fs';
import path from 'node:path';
import type { TextFileWriter } from '../core/releases/ReleaseManager';

/** Writes tmp + fsync + rename, so a reader (a calendar app, git) never sees half a file. */
export const atomicTextWriter: TextFileWriter = {
  async writeText(file: string, text: string): Promise<void> {
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    const fh = await fs.promises.open(tmp, 'w', 0o644);
    try {
      await fh.writeFile(text, 'utf8');
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await fs.promises.rename(tmp, file);
  },
};
