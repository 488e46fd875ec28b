// Release notes for a release: git history since the previous release's tag, stored on the release
// through ReleaseManager.updateRelease (so it is validated, audited and editable afterwards),
// exported as Markdown; and the optional annotated tag when the release reaches production.
import { Auditor } from './audit';
import { NotFoundError, RefusedError, type Release } from './model';
import type { Clock, GitPort, Identity, Repositories, UnitOfWork } from './ports';
import { buildReleaseNotes, renderReleaseNotesMarkdown, type ReleaseNotesData } from './releaseNotes';
import { releaseLabel, type ReleaseManager, type TextFileWriter } from './releases/ReleaseManager';
import { requireText } from './validate';

export interface ReleaseNotesServiceDeps {
  uow: UnitOfWork;
  clock: Clock;
  identity: Identity;
  git: GitPort;
  releases: ReleaseManager;
  files?: TextFileWriter;
}

export interface GeneratedNotes {
  notes: ReleaseNotesData;
  markdown: string;
  /** The commit the notes end at: the release's own tag when it has one, else HEAD. */
  to: string;
}

const SHA_RE = /^[0-9a-f]{7,64}$/;

export class ReleaseNotesService {
  private readonly auditor: Auditor;

  constructor(private readonly deps: ReleaseNotesServiceDeps) {
    this.auditor = new Auditor(deps.clock, deps.identity);
  }

  /** The notes as they would be generated now, without storing them. */
  async preview(releaseId: string): Promise<GeneratedNotes> {
    const release = await this.requireRelease(releaseId);
    if (!(await this.deps.git.isRepository())) {
      throw new RefusedError('release notes come from git history, and the workspace folder is not in a git repository');
    }
    const baseTag = await this.deps.git.previousReleaseTag(release.version);
    const own = (await this.deps.git.tagCommit(`v${release.version}`)) ?? (await this.deps.git.tagCommit(release.version));
    const to = own ?? 'HEAD';
    const commits = await this.deps.git.commitsSince(baseTag, to);
    const services = await this.deps.uow.read((r) => r.services.list());
    const notes = buildReleaseNotes(commits, services, { version: release.version, name: release.name, baseTag });
    return { notes, markdown: renderReleaseNotesMarkdown(notes), to };
  }

  /**
   * Generates the notes and stores them on the release (replacing earlier ones, also edited ones:
   * the dashboard asks before it calls this on a release that has notes).
   */
  async generate(releaseId: string): Promise<GeneratedNotes & { release: Release }> {
    const generated = await this.preview(releaseId);
    const release = await this.deps.releases.updateRelease(releaseId, { releaseNotes: generated.markdown });
    return { ...generated, release };
  }

  /** Writes the release's stored notes (as generated or as edited since) to a Markdown file. */
  async exportMarkdown(releaseId: string, path: string): Promise<{ path: string; bytes: number }> {
    const target = requireText('path', path, { max: 4096 });
    if (!this.deps.files) throw new Error('exportMarkdown needs a file writer');
    const release = await this.requireRelease(releaseId);
    if (!release.releaseNotes) throw new RefusedError(`release ${releaseLabel(release)} has no release notes yet; generate them first`);
    const text = release.releaseNotes.endsWith('\n') ? release.releaseNotes : `${release.releaseNotes}\n`;
    await this.deps.files.writeText(target, text);
    return { path: target, bytes: new TextEncoder().encode(text).length };
  }

  /**
   * Creates the annotated tag `v<version>` on the commit the release's production deployment
   * recorded (`metadata.commit`), else on HEAD. For the `releaseManager.git.tagOnProduction`
   * setting: the container calls it when a release becomes deployed. Idempotent when the tag
   * already points there; refused when it points elsewhere or the release is not deployed.
   */
  async tagRelease(releaseId: string): Promise<{ tag: string; commit: string; created: boolean }> {
    const release = await this.requireRelease(releaseId);
    if (release.status !== 'deployed') {
      throw new RefusedError(`release ${releaseLabel(release)} is ${release.status.replace('_', ' ')}; it is tagged when it reaches production`);
    }
    const tag = `v${release.version}`;
    const recorded = await this.deps.uow.read((r) => productionCommit(r, release.id));
    const head = recorded ?? (await this.deps.git.headCommit());
    if (!head) throw new RefusedError(`cannot tag ${releaseLabel(release)}: the workspace folder is not a git repository with commits`);
    const existing = await this.deps.git.tagCommit(tag);
    if (existing) {
      if (existing.startsWith(head) || head.startsWith(existing)) return { tag, commit: existing, created: false };
      throw new RefusedError(`tag ${tag} exists already on ${existing.slice(0, 7)}, not on ${head.slice(0, 7)} that ${releaseLabel(release)} deployed; move or delete the tag by hand`);
    }
    const actor = await this.deps.identity.currentUser();
    const commit = await this.deps.git.createAnnotatedTag(tag, `Release ${release.version} — ${release.name}`, head);
    await this.deps.uow.write((r) => this.auditor.record(r, actor, 'release.tag', 'release', release.id, undefined, { tag, commit }));
    return { tag, commit, created: true };
  }

  private async requireRelease(releaseId: string): Promise<Release> {
    const release = await this.deps.releases.getRelease(releaseId);
    if (!release) throw new NotFoundError('release', String(releaseId));
    return release;
  }
}

/** The last environment in promotion order (production), or 'production' before any exist. */
export async function productionEnvironment(r: Repositories): Promise<string> {
  const envs = await r.environments.list();
  return envs.length ? envs[envs.length - 1].name : 'production';
}

/** The commit the release's latest completed production deployment recorded, when it did. */
async function productionCommit(r: Repositories, releaseId: string): Promise<string | null> {
  const env = await productionEnvironment(r);
  const deployments = await r.deployments.list({ releaseId, environment: env, status: 'completed' });
  for (const d of deployments) {
    const c = d.metadata?.commit;
    if (typeof c === 'string' && SHA_RE.test(c)) return c;
  }
  return null;
}
