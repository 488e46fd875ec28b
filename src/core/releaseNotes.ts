// Release notes from git history: conventional-commit parsing, grouping by type and by service,
// Markdown rendering. Pure: the commits come from GitPort.commitsSince.
//
// Conventional Commits 1.0.0: `type(scope)!: description`, footers after a blank line, a breaking
// change marked by `!` or a `BREAKING CHANGE:` / `BREAKING-CHANGE:` footer (upper case, as the spec
// says). Commits that do not follow the convention are kept, under "Other changes".
// A service owns the files under its `path` (the longest matching path wins; path '.' owns the
// rest). A commit that touches no service's files but whose scope is a service's name goes to
// that service. A commit touching two services is listed under both.
import type { CommitInfo } from './ports';

export interface ConventionalCommit {
  /** Lower case; 'other' when the subject does not follow the convention. */
  type: string;
  scope?: string;
  description: string;
  breaking: boolean;
  /** Texts of BREAKING CHANGE footers (or the description, for a bare `!`). */
  breakingNotes: string[];
  conventional: boolean;
}

export interface NoteEntry {
  sha: string;
  shortSha: string;
  type: string;
  scope?: string;
  description: string;
  breaking: boolean;
  breakingNotes: string[];
  author: string;
  committedAt: Date;
  /** Services whose files the commit changed (or named by its scope); empty: none. */
  services: string[];
}

export interface NoteGroup {
  /** A service name, or null for changes outside every service. */
  service: string | null;
  entries: NoteEntry[];
}

export interface NoteSection {
  type: string;
  title: string;
  groups: NoteGroup[];
}

export interface ReleaseNotesData {
  version: string;
  name: string;
  /** The previous release's tag the notes start from; null: from the first commit. */
  baseTag: string | null;
  commits: number;
  /** Every breaking change, first in the notes. */
  breaking: NoteEntry[];
  /** By type in TYPE_ORDER, each by service. */
  sections: NoteSection[];
  /** The same entries by service, for the dashboard's service view. */
  byService: NoteGroup[];
}

/** Section order and titles; other conventional types fall into "Other changes". */
export const TYPE_TITLES: ReadonlyArray<readonly [string, string]> = [
  ['feat', 'Features'],
  ['fix', 'Bug fixes'],
  ['perf', 'Performance'],
  ['refactor', 'Refactoring'],
  ['revert', 'Reverts'],
  ['docs', 'Documentation'],
  ['build', 'Build'],
  ['ci', 'Continuous integration'],
  ['test', 'Tests'],
  ['style', 'Style'],
  ['chore', 'Chores'],
  ['other', 'Other changes'],
];
const KNOWN_TYPES = new Set(TYPE_TITLES.map(([t]) => t));

const HEADER_RE = /^([A-Za-z]+)(?:\(([^()\r\n]*)\))?(!)?: +(\S.*)$/;
const BREAKING_FOOTER_RE = /^BREAKING[ -]CHANGE: *(.*)$/;
/** A git-trailer-style footer token that ends a multi-line footer value. */
const FOOTER_TOKEN_RE = /^(?:[A-Za-z][A-Za-z-]*|BREAKING CHANGE)(?:: | #)/;

export function parseConventionalCommit(subject: string, body = ''): ConventionalCommit {
  const m = HEADER_RE.exec(subject.trim());
  const breakingNotes = breakingFooters(body);
  if (!m) return { type: 'other', description: subject.trim(), breaking: breakingNotes.length > 0, breakingNotes, conventional: false };
  const [, type, scope, bang, description] = m;
  const notes = bang && breakingNotes.length === 0 ? [description.trim()] : breakingNotes;
  return {
    type: type.toLowerCase(),
    ...(scope && scope.trim() ? { scope: scope.trim() } : {}),
    description: description.trim(),
    breaking: Boolean(bang) || breakingNotes.length > 0,
    breakingNotes: notes,
    conventional: true,
  };
}

function breakingFooters(body: string): string[] {
  const notes: string[] = [];
  let open = false;
  for (const line of body.split(/\r?\n/)) {
    const m = BREAKING_FOOTER_RE.exec(line);
    if (m) {
      notes.push(m[1].trim());
      open = true;
    } else if (open && line.trim() !== '' && !FOOTER_TOKEN_RE.test(line)) {
      // The footer's value goes on until a blank line or the next footer.
      notes[notes.length - 1] = `${notes[notes.length - 1]} ${line.trim()}`.trim();
    } else open = false;
  }
  return notes.filter((n) => n !== '');
}

export interface ServicePath {
  name: string;
  path?: string;
}

function normalisePath(p: string): string {
  return p.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/\/+$/, '').replace(/^\.$/, '');
}

/** The service owning `file` (longest path prefix), or null. */
export function serviceOf(file: string, services: readonly ServicePath[]): string | null {
  const f = normalisePath(file);
  let best: { name: string; len: number } | null = null;
  for (const s of services) {
    if (s.path === undefined) continue;
    const p = normalisePath(s.path);
    const owns = p === '' || f === p || f.startsWith(`${p}/`);
    if (owns && (best === null || p.length > best.len)) best = { name: s.name, len: p.length };
  }
  return best?.name ?? null;
}

export function buildReleaseNotes(
  commits: readonly CommitInfo[],
  services: readonly ServicePath[],
  meta: { version: string; name: string; baseTag: string | null },
): ReleaseNotesData {
  const serviceNames = services.map((s) => s.name);
  const entries: NoteEntry[] = commits.map((c) => {
    const cc = parseConventionalCommit(c.subject, c.body);
    const owners = new Set<string>();
    for (const f of c.files) {
      const s = serviceOf(f, services);
      if (s) owners.add(s);
    }
    if (owners.size === 0 && cc.scope) {
      const named = serviceNames.find((n) => n.toLowerCase() === cc.scope!.toLowerCase());
      if (named) owners.add(named);
    }
    return {
      sha: c.sha,
      shortSha: c.sha.slice(0, 7),
      type: KNOWN_TYPES.has(cc.type) ? cc.type : 'other',
      ...(cc.scope ? { scope: cc.scope } : {}),
      description: cc.description,
      breaking: cc.breaking,
      breakingNotes: cc.breakingNotes,
      author: c.author,
      committedAt: c.committedAt,
      // Catalog order, so the notes read the same way every time.
      services: serviceNames.filter((n) => owners.has(n)),
    };
  });
  const group = (list: NoteEntry[]): NoteGroup[] => {
    const groups: NoteGroup[] = [];
    for (const name of [...serviceNames, null]) {
      const inGroup = list.filter((e) => (name === null ? e.services.length === 0 : e.services.includes(name)));
      if (inGroup.length) groups.push({ service: name, entries: inGroup });
    }
    return groups;
  };
  const sections: NoteSection[] = [];
  for (const [type, title] of TYPE_TITLES) {
    const ofType = entries.filter((e) => e.type === type);
    if (ofType.length) sections.push({ type, title, groups: group(ofType) });
  }
  return {
    version: meta.version,
    name: meta.name,
    baseTag: meta.baseTag,
    commits: commits.length,
    breaking: entries.filter((e) => e.breaking),
    sections,
    byService: group(entries),
  };
}

/** Markdown people paste into a changelog: breaking changes first, then by type, then by service. */
export function renderReleaseNotesMarkdown(notes: ReleaseNotesData): string {
  const lines: string[] = [`# Release ${notes.version} — ${inline(notes.name)}`, ''];
  const plural = notes.commits === 1 ? 'commit' : 'commits';
  lines.push(notes.baseTag ? `${notes.commits} ${plural} since ${notes.baseTag}.` : `${notes.commits} ${plural} since the first commit (no earlier release tag).`);
  if (notes.commits === 0) lines.push('', 'No changes.');
  if (notes.breaking.length) {
    lines.push('', '## ⚠ Breaking changes', '');
    for (const e of notes.breaking) {
      const who = e.services.length ? e.services.join(', ') : e.scope;
      for (const note of e.breakingNotes.length ? e.breakingNotes : [e.description]) {
        lines.push(`- ${who ? `**${inline(who)}:** ` : ''}${inline(note)} (${e.shortSha})`);
      }
    }
  }
  const byService = notes.byService.some((g) => g.service !== null);
  for (const section of notes.sections) {
    lines.push('', `## ${section.title}`);
    for (const g of section.groups) {
      if (byService) lines.push('', `### ${g.service === null ? 'Other' : inline(g.service)}`);
      lines.push('');
      for (const e of g.entries) {
        const scope = e.scope && e.scope !== g.service ? `**${inline(e.scope)}:** ` : '';
        lines.push(`- ${scope}${inline(e.description)}${e.breaking ? ' ⚠' : ''} (${e.shortSha})`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Commit text on one line, as Markdown that cannot open an HTML tag. */
function inline(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
