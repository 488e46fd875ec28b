import { execFile } from 'node:child_process';
import os from 'node:os';
import semver from 'semver';
import type { ChangeSummary, CommitInfo, GitPort, Identity } from '../core/ports';

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

  commitsSince(tag: string | null, to = 'HEAD'): Promise<CommitInfo[]> {
    const end = checkRef(to, 'to');
    return this.log(tag === null ? end : `refs/tags/${checkRef(tag, 'tag')}..${end}`);
  }

  commitsBetween(exclude: string | readonly string[] | null, to: string): Promise<CommitInfo[]> {
    const excluded = exclude === null ? [] : typeof exclude === 'string' ? [exclude] : [...new Set(exclude)];
    return this.log(checkRef(to, 'to'), ...excluded.map((x) => `^${checkRef(x, 'exclude')}`));
  }

  async tagCommit(tag: string): Promise<string | null> {
    try {
      const sha = (await git(this.cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `refs/tags/${checkRef(tag, 'tag')}^{commit}`])).trim();
      return sha || null;
    } catch {
      return null;
    }
  }

  async createAnnotatedTag(tag: string, message: string, commit = 'HEAD'): Promise<string> {
    const name = checkRef(tag, 'tag');
    const target = checkRef(commit, 'commit');
    if (await this.tagCommit(name)) throw new Error(`git tag: the tag ${name} exists already`);
    // -m passes the message as one argument; --end-of-options keeps the name and target from being read as options.
    await git(this.cwd, ['tag', '-a', '-m', message, '--end-of-options', name, target]);
    return (await git(this.cwd, ['rev-parse', '--verify', '--end-of-options', `${target}^{commit}`])).trim();
  }

  /**
   * One `git log` with NUL-separated fields (a message cannot contain NUL): each commit is a header
   * token `\x1e<sha>`, then author, email, author date, commit date and the raw message, then (after
   * a newline) its changed files, each NUL-terminated.
   */
  private async log(...revisions: string[]): Promise<CommitInfo[]> {
    const out = await git(this.cwd, ['log', '--no-merges', '--no-renames', '--no-color', '-z', '--name-only',
      '--format=%x1e%H%x00%an%x00%ae%x00%aI%x00%cI%x00%B', '--end-of-options', ...revisions, '--'], 120_000);
    const tokens = out.split('\0');
    const commits: CommitInfo[] = [];
    for (let i = 0; i < tokens.length; ) {
      const head = tokens[i];
      if (!head.startsWith('\x1e')) {
        i++;
        continue;
      }
      const [author, authorEmail, authored, committed, message] = tokens.slice(i + 1, i + 6);
      const newline = message.indexOf('\n');
      const commit: CommitInfo = {
        sha: head.slice(1),
        author,
        authorEmail,
        authoredAt: new Date(authored),
        committedAt: new Date(committed),
        subject: (newline < 0 ? message : message.slice(0, newline)).trim(),
        body: newline < 0 ? '' : message.slice(newline + 1).trim(),
        files: [],
      };
      i += 6;
      for (let first = true; i < tokens.length && !tokens[i].startsWith('\x1e'); i++, first = false) {
        const file = first && tokens[i].startsWith('\n') ? tokens[i].slice(1) : tokens[i];
        if (file) commit.files.push(file);
      }
      commits.push(commit);
    }
    return commits;
  }
}

/** A tag, sha or HEAD that cannot be read as an option or a range: letters, digits and . _ / + - only. */
function checkRef(ref: string, what: string): string {
  if (typeof ref !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9._/+-]*$/.test(ref) || ref.includes('..') || ref.endsWith('.lock') || ref.length > 255) {
    throw new Error(`git: ${what} ${JSON.stringify(ref)} is not a tag, commit or branch name`);
  }
  return ref;
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
