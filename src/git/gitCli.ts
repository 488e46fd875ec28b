import { execFile } from 'node:child_process';
import os from 'node:os';
import semver from 'semver';
import type { ChangeSummary, GitPort, Identity } from '../core/ports';

/** Paths whose change makes a release riskier: schema migrations, infrastructure, security, lock files. */
export const SENSITIVE_PATHS: RegExp[] = [
  /(^|\/)(migrations?|migrate|db\/migrate|alembic|flyway|liquibase)\//i,
  /\.sql$/i,
  /(^|\/)(infra|infrastructure|terraform|k8s|kubernetes|helm|charts|deploy|ansible)\//i,
  /(^|\/)(Dockerfile|docker-compose[^/]*\.ya?ml|compose\.ya?ml)$/i,
  /(^|\/)\.github\/workflows\//,
  /(^|\/)[^/]*(auth|security|secret|crypto|permission)[^/]*(\/|$)/i,
  /(^|\/)(package-lock\.json|yarn\.lock|pnpm-lock\.yaml|go\.sum|Cargo\.lock|poetry\.lock)$/,
];

export const isSensitivePath = (p: string) => SENSITIVE_PATHS.some((re) => re.test(p));

/** Runs git with arguments (never a shell), in `cwd`. */
export function git(cwd: string, args: string[], timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, timeout: timeoutMs, maxBuffer: 64 << 20, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' } },
      (err, stdout, stderr) => {
        if (err) {
          const e = err as NodeJS.ErrnoException;
          reject(new Error(e.code === 'ENOENT' ? 'git is not installed' : `git ${args[0]}: ${String(stderr).trim() || err.message}`));
        } else resolve(String(stdout));
      });
  });
}

/** The real `git` on the workspace folder. */
export class GitCli implements GitPort {
  constructor(readonly cwd: string) {}

  async isRepository(): Promise<boolean> {
    try {
      return (await git(this.cwd, ['rev-parse', '--is-inside-work-tree'])).trim() === 'true';
    } catch {
      return false;
    }
  }

  async releaseTags(): Promise<{ tag: string; version: string }[]> {
    const out = await git(this.cwd, ['tag', '--list']);
    return out
      .split('\n')
      .map((t) => t.trim())
      .filter(Boolean)
      .map((tag) => ({ tag, version: semver.valid(tag.replace(/^v/, '')) ?? '' }))
      .filter((t) => t.version !== '');
  }

  async previousReleaseTag(version: string): Promise<string | null> {
    const tags = (await this.releaseTags()).filter((t) => semver.lt(t.version, version));
    tags.sort((a, b) => semver.rcompare(a.version, b.version));
    return tags[0]?.tag ?? null;
  }

  async headCommit(): Promise<string | null> {
    try {
      // --verify: a repository without commits fails instead of printing 'HEAD'.
      const sha = (await git(this.cwd, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'])).trim();
      return /^[0-9a-f]{40,64}$/.test(sha) ? sha : null;
    } catch {
      return null;
    }
  }

  async changeSince(tag: string): Promise<ChangeSummary> {
    // `--` keeps a tag from being read as an option; the range is one argument, never shell text.
    const range = `refs/tags/${tag}..HEAD`;
    const [numstat, count] = await Promise.all([
      git(this.cwd, ['diff', '--numstat', '-z', '--no-renames', range, '--']),
      git(this.cwd, ['rev-list', '--count', range, '--']),
    ]);
    let linesAdded = 0;
    let linesDeleted = 0;
    const paths: string[] = [];
    for (const rec of numstat.split('\0')) {
      const m = /^(\d+|-)\t(\d+|-)\t(.+)$/.exec(rec);
      if (!m) continue;
      if (m[1] !== '-') linesAdded += Number(m[1]);
      if (m[2] !== '-') linesDeleted += Number(m[2]);
      paths.push(m[3]);
    }
    return {
      baseTag: tag,
      commits: Number(count.trim()) || 0,
      files: paths.length,
      linesAdded,
      linesDeleted,
      sensitiveFiles: paths.filter(isSensitivePath),
      paths,
    };
  }
}

/** `git config user.name`, else the OS user; asked once. */
export class GitIdentity implements Identity {
  private name: Promise<string> | undefined;
  constructor(private readonly cwd: string) {}

  currentUser(): Promise<string> {
    this.name ??= git(this.cwd, ['config', 'user.name'], 5_000)
      .then((n) => n.trim() || osUser())
      .catch(() => osUser());
    return this.name;
  }
}

function osUser(): string {
  try {
    return os.userInfo().username || 'unknown';
  } catch {
    return process.env.USER ?? 'unknown';
  }
}
