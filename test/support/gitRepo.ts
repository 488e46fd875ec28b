// Real git repositories in a temp dir, for risk factors and release notes.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './coreHarness';

export class TempRepo {
  readonly dir: string;
  private tick = 0;
  constructor(dir = tempDir('rm-git-')) {
    this.dir = dir;
    this.git('init', '-q', '-b', 'main');
    this.git('config', 'user.name', 'Repo Author');
    this.git('config', 'user.email', 'author@example.com');
    this.git('config', 'commit.gpgsign', 'false');
  }

  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.dir, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } });
  }

  write(file: string, content: string): void {
    const p = path.join(this.dir, file);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }

  /** Commits the given files with a fixed, increasing date so history is deterministic. */
  commit(message: string, files: Record<string, string>, when?: string): string {
    for (const [f, c] of Object.entries(files)) this.write(f, c);
    this.git('add', '-A');
    const date = when ?? new Date(Date.UTC(2026, 0, 1) + ++this.tick * 3_600_000).toISOString();
    execFileSync('git', ['commit', '-q', '-m', message], {
      cwd: this.dir,
      env: { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
    });
    return this.git('rev-parse', 'HEAD').trim();
  }

  tag(name: string): void {
    this.git('tag', name);
  }
}
