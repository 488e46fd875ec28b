import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { RefusedError } from '../../../src/core/model';
import { parseConventionalCommit, serviceOf } from '../../../src/core/releaseNotes';
import { ReleaseNotesService } from '../../../src/core/releaseNotesService';
import { GitCli } from '../../../src/git/gitCli';
import { atomicTextWriter } from '../../../src/storage/textFiles';
import { openCore, tempDir, type CoreHarness } from '../../support/coreHarness';
import { TempRepo } from '../../support/gitRepo';

describe('notes: conventional commits', () => {
  const cases: [string, string, object][] = [
    ['feat(api): add refunds', '', { type: 'feat', scope: 'api', description: 'add refunds', breaking: false, breakingNotes: [], conventional: true }],
    ['Fix: typo', '', { type: 'fix', description: 'typo', breaking: false, breakingNotes: [], conventional: true }],
    ['feat!: drop Node 18', '', { type: 'feat', description: 'drop Node 18', breaking: true, breakingNotes: ['drop Node 18'], conventional: true }],
    ['refactor(core)!: rename ports', 'Why it changed.\n\nBREAKING CHANGE: GitPort.changeSince takes a tag\nand no longer a range.\nRefs: #12',
      { type: 'refactor', scope: 'core', description: 'rename ports', breaking: true, breakingNotes: ['GitPort.changeSince takes a tag and no longer a range.'], conventional: true }],
    ['chore: bump', 'BREAKING-CHANGE: needs Node 20', { type: 'chore', description: 'bump', breaking: true, breakingNotes: ['needs Node 20'], conventional: true }],
    ['Update dependencies', '', { type: 'other', description: 'Update dependencies', breaking: false, breakingNotes: [], conventional: false }],
    ['feat: ', '', { type: 'other', description: 'feat:', breaking: false, breakingNotes: [], conventional: false }],
    ['fix(a)(b): nested', '', { type: 'other', description: 'fix(a)(b): nested', breaking: false, breakingNotes: [], conventional: false }],
    // The footer token is upper case in the spec: a lower-case mention is prose.
    ['fix: x', 'breaking change: not a footer', { type: 'fix', description: 'x', breaking: false, breakingNotes: [], conventional: true }],
  ];
  for (const [subject, body, expected] of cases) {
    it(`parses ${JSON.stringify(subject)}${body ? ' with a body' : ''}`, () => {
      assert.deepEqual(parseConventionalCommit(subject, body), expected);
    });
  }

  it('gives a file to the service with the longest owning path; "." owns the rest', () => {
    const services = [{ name: 'api', path: 'services/api' }, { name: 'admin', path: './services/api/admin/' }, { name: 'root', path: '.' }, { name: 'nopath' }];
    assert.equal(serviceOf('services/api/x.ts', services), 'api');
    assert.equal(serviceOf('services/api/admin/y.ts', services), 'admin');
    assert.equal(serviceOf('services/apix/z.ts', services), 'root');
    assert.equal(serviceOf('README.md', services.slice(0, 2)), null);
  });
});

describe('notes: ReleaseNotesService on a real git repository', () => {
  let h: CoreHarness;
  let repo: TempRepo;
  let notes: ReleaseNotesService;
  const sha: Record<string, string> = {};

  beforeEach(async () => {
    repo = new TempRepo();
    sha.init = repo.commit('chore: initial layout', { 'services/api/index.ts': 'api', 'services/web/index.tsx': 'web', 'README.md': '# shop' });
    repo.git('tag', '-a', '-m', 'Release 1.0.0', 'v1.0.0');
    sha.refunds = repo.commit('feat(api): add refunds endpoint', { 'services/api/refunds.ts': 'refunds' });
    sha.status = repo.commit('fix(web): show refund status', { 'services/web/status.tsx': 'status' });
    sha.orders = repo.commit('feat(api)!: drop the v1 orders endpoint', { 'services/api/orders.ts': 'v2 only' });
    sha.breakingFooter = repo.commit('fix(web): send the new cart format\n\nBREAKING CHANGE: carts saved by 1.0 are\ndiscarded on first load.', { 'services/web/cart.ts': 'cart' });
    sha.cache = repo.commit('perf: cache catalog lookups', { 'services/api/catalog.ts': 'c', 'services/web/catalog.ts': 'c' });
    sha.docs = repo.commit('docs: explain releases', { 'README.md': '# shop\nreleases' });
    sha.deps = repo.commit('Update dependencies', { 'package.json': '{}' });
    sha.checkout = repo.commit('refactor(web): split <Checkout> into steps', { 'services/web/checkout.tsx': 'x' });
    sha.worker = repo.commit('fix(worker): retry the queue', { 'ops/worker.sh': 'retry' });
    sha.toggle = repo.commit('feat(web): feature toggle in config', { 'config/web.json': '{}' });
    h = await openCore({ dir: repo.dir, git: new GitCli(repo.dir) });
    await h.catalog.addServices([{ name: 'api', path: 'services/api' }, { name: 'web', path: 'services/web/' }]);
    notes = new ReleaseNotesService({ uow: h.uow, clock: h.clock, identity: { currentUser: async () => 'Ada Tester' }, git: new GitCli(repo.dir), releases: h.releases, files: atomicTextWriter });
  });
  afterEach(async () => h.close());

  it('generates notes since the previous release tag, breaking changes first, by type and by service, and stores them on the release', async () => {
    const { release } = await h.releases.createRelease('Refunds', '1.1.0');
    const out = await notes.generate(release.id);
    const s = (k: string) => sha[k].slice(0, 7);
    assert.equal(out.markdown, [
      '# Release 1.1.0 — Refunds',
      '',
      '10 commits since v1.0.0.',
      '',
      '## ⚠ Breaking changes',
      '',
      `- **web:** carts saved by 1.0 are discarded on first load. (${s('breakingFooter')})`,
      `- **api:** drop the v1 orders endpoint (${s('orders')})`,
      '',
      '## Features',
      '',
      '### api',
      '',
      `- drop the v1 orders endpoint ⚠ (${s('orders')})`,
      `- add refunds endpoint (${s('refunds')})`,
      '',
      '### web',
      '',
      `- feature toggle in config (${s('toggle')})`,
      '',
      '## Bug fixes',
      '',
      '### web',
      '',
      `- send the new cart format ⚠ (${s('breakingFooter')})`,
      `- show refund status (${s('status')})`,
      '',
      '### Other',
      '',
      `- **worker:** retry the queue (${s('worker')})`,
      '',
      '## Performance',
      '',
      '### api',
      '',
      `- cache catalog lookups (${s('cache')})`,
      '',
      '### web',
      '',
      `- cache catalog lookups (${s('cache')})`,
      '',
      '## Refactoring',
      '',
      '### web',
      '',
      `- split &lt;Checkout&gt; into steps (${s('checkout')})`,
      '',
      '## Documentation',
      '',
      '### Other',
      '',
      `- explain releases (${s('docs')})`,
      '',
      '## Other changes',
      '',
      '### Other',
      '',
      `- Update dependencies (${s('deps')})`,
      '',
    ].join('\n'));
    assert.equal(out.notes.baseTag, 'v1.0.0');
    assert.deepEqual(out.notes.byService.map((g) => [g.service, g.entries.length]), [['api', 3], ['web', 5], [null, 3]]);
    assert.equal((await h.releases.getRelease(release.id))?.releaseNotes, out.markdown);
    const audit = await h.uow.read((r) => r.audit.list({ entityType: 'release', entityId: release.id }));
    assert.equal(audit.at(-1)?.action, 'release.update');
  });

  it('stops at the release\'s own tag, starts at the first commit without an earlier tag, and exports the edited notes', async () => {
    repo.git('tag', '-a', '-m', 'Release 1.1.0', 'v1.1.0');
    repo.commit('feat(api): after 1.1.0', { 'services/api/later.ts': 'x' });
    const { release } = await h.releases.createRelease('Refunds', '1.1.0');
    const gen = await notes.generate(release.id);
    assert.equal(gen.notes.commits, 10, 'the commit after the v1.1.0 tag is not part of 1.1.0');
    assert.equal(gen.to, sha.toggle);
    const { release: next } = await h.releases.createRelease('Next', '1.2.0');
    assert.deepEqual((await notes.preview(next.id)).notes.sections.map((x) => x.groups.map((g) => g.entries.map((e) => e.description))), [[['after 1.1.0']]]);
    const { release: old } = await h.releases.createRelease('First', '0.9.0');
    const first = await notes.preview(old.id);
    assert.equal(first.notes.baseTag, null);
    assert.equal(first.notes.commits, 12);
    assert.match(first.markdown, /^12 commits since the first commit \(no earlier release tag\)\.$/m);

    await assert.rejects(notes.exportMarkdown(old.id, path.join(tempDir(), 'x.md')),
      (e: Error) => e instanceof RefusedError && e.message === 'release 0.9.0 (First) has no release notes yet; generate them first');
    const edited = `${gen.markdown}\nThanks to everyone who tested the refunds.`;
    await h.releases.updateRelease(release.id, { releaseNotes: edited });
    const file = path.join(tempDir(), 'notes', 'RELEASE-1.1.0.md');
    const written = await notes.exportMarkdown(release.id, file);
    assert.equal(fs.readFileSync(file, 'utf8'), `${edited}\n`);
    assert.equal(written.bytes, Buffer.byteLength(`${edited}\n`));
  });

  it('tags a deployed release v<version> (annotated) on the commit its production deployment recorded', async () => {
    const { release } = await h.releases.createRelease('Refunds', '1.1.0');
    await assert.rejects(notes.tagRelease(release.id), (e: Error) => e instanceof RefusedError && e.message === 'release 1.1.0 (Refunds) is planned; it is tagged when it reaches production');
    await h.releases.updateRelease(release.id, { status: 'in_progress' });
    await h.releases.updateRelease(release.id, { status: 'deployed' });
    const now = h.clock.now();
    await h.uow.write((r) => r.deployments.insert({
      id: 'd-prod', releaseId: release.id, environment: 'production', status: 'completed', startedAt: now, completedAt: now,
      metadata: { commit: sha.checkout }, createdAt: now, updatedAt: now,
    }));
    const t = await notes.tagRelease(release.id);
    assert.deepEqual(t, { tag: 'v1.1.0', commit: sha.checkout, created: true });
    assert.equal(repo.git('cat-file', '-t', 'v1.1.0').trim(), 'tag');
    assert.equal(repo.git('rev-parse', 'v1.1.0^{commit}').trim(), sha.checkout);
    assert.equal(repo.git('tag', '-l', '--format=%(contents:subject)', 'v1.1.0').trim(), 'Release 1.1.0 — Refunds');
    assert.deepEqual(await notes.tagRelease(release.id), { tag: 'v1.1.0', commit: sha.checkout, created: false });
    const audit = await h.uow.read((r) => r.audit.list({ entityType: 'release', entityId: release.id }));
    assert.equal(audit.filter((a) => a.action === 'release.tag').length, 1);

    // A tag of that name on another commit is left alone, with the reason.
    const { release: other } = await h.releases.createRelease('Other', '1.2.0');
    repo.git('tag', 'v1.2.0', sha.init);
    await h.releases.updateRelease(other.id, { status: 'in_progress' });
    await h.releases.updateRelease(other.id, { status: 'deployed' });
    await assert.rejects(notes.tagRelease(other.id), (e: Error) => e instanceof RefusedError &&
      e.message === `tag v1.2.0 exists already on ${sha.init.slice(0, 7)}, not on ${sha.toggle.slice(0, 7)} that 1.2.0 (Other) deployed; move or delete the tag by hand`);
  });

  it('says why outside a git repository', async () => {
    const outside = await openCore();
    try {
      const svc = new ReleaseNotesService({ uow: outside.uow, clock: outside.clock, identity: { currentUser: async () => 'x' }, git: new GitCli(outside.dir), releases: outside.releases });
      const { release } = await outside.releases.createRelease('R', '1.0.0');
      await assert.rejects(svc.generate(release.id), (e: Error) => e instanceof RefusedError && /not in a git repository$/.test(e.message));
    } finally {
      await outside.close();
    }
  });
});
