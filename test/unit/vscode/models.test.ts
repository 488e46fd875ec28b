// The pure halves of the VS Code adapters: tree grouping, promotion path, status bar, command
// arguments, the dashboard snapshot and the discovery offer. None of them may import 'vscode'.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { AuditEvent, Deployment, Release } from '../../../src/core/model';
import type { ReleaseSummary } from '../../../src/core/ports';
import { discoverServices } from '../../../src/discovery/discover';
import { checkArgs, ARG_SPECS, formatDateInput, parseDateInput } from '../../../src/vscode/commandArgs';
import { auditSummary, buildSnapshot } from '../../../src/vscode/dashboardModel';
import { acceptOffer, buildOffer, edgeKey } from '../../../src/vscode/discoveryModel';
import { derivePromotionSteps, DEFAULT_ENVIRONMENTS, environmentOrder, furthestStep, pathLine } from '../../../src/vscode/promotionModel';
import { releaseDescription, riskLevel, sortForGroup, statusGroups } from '../../../src/vscode/releaseTreeModel';
import { pickActiveRelease, statusBarView } from '../../../src/vscode/statusModel';

const root = path.join(__dirname, '../../..');
/** assert.throws on the message alone (String(error) would prefix the class name). */
const throwsMessage = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: Error) => re.test(e.message));
const at = (iso: string) => new Date(iso);
const summary = (over: Partial<ReleaseSummary> & { id: string }): ReleaseSummary => ({
  name: over.id,
  version: '1.0.0',
  status: 'planned',
  createdAt: at('2026-01-01T00:00:00Z'),
  updatedAt: at('2026-01-01T00:00:00Z'),
  ...over,
});
const deployment = (environment: string, status: Deployment['status'], created: string, over: Partial<Deployment> = {}): Deployment => ({
  id: `${environment}-${created}`,
  releaseId: 'r1',
  environment,
  status,
  createdAt: at(created),
  updatedAt: at(created),
  ...over,
});

describe('pure VS Code adapter models', () => {
  it('files that bench/ and unit tests load do not import vscode', () => {
    for (const f of ['releaseTreeModel', 'promotionModel', 'statusModel', 'commandArgs', 'dashboardModel', 'discoveryModel', 'environmentTreeModel', 'promotionSource', 'commandIds', 'errors']) {
      const src = fs.readFileSync(path.join(root, 'src/vscode', `${f}.ts`), 'utf8');
      assert.doesNotMatch(src, /from ['"]vscode['"]/, `${f}.ts imports vscode`);
    }
    for (const f of ['protocol', 'messageValidation']) assert.doesNotMatch(fs.readFileSync(path.join(root, 'src/shared', `${f}.ts`), 'utf8'), /from ['"](vscode|node:)/);
  });

  describe('Releases tree', () => {
    it('groups by status in a fixed order, skipping empty ones', () => {
      assert.deepEqual(statusGroups({ cancelled: 2, planned: 3, deployed: 0 }), [
        { status: 'planned', label: 'Planned', count: 3 },
        { status: 'cancelled', label: 'Cancelled', count: 2 },
      ]);
      assert.deepEqual(statusGroups({}), []);
    });

    it('sorts planned releases by planned start (unscheduled last), history newest created first (the storage order, for paging)', () => {
      const planned = [
        summary({ id: 'none' }),
        summary({ id: 'late', plannedStart: at('2026-05-01T00:00:00Z') }),
        summary({ id: 'early', plannedStart: at('2026-02-01T00:00:00Z') }),
      ];
      assert.deepEqual(sortForGroup('planned', planned).map((r) => r.id), ['early', 'late', 'none']);
      const deployed = [
        summary({ id: 'old', status: 'deployed', createdAt: at('2025-12-02T00:00:00Z'), actualEnd: at('2026-03-02T00:00:00Z') }),
        summary({ id: 'new', status: 'deployed', createdAt: at('2026-01-02T00:00:00Z'), actualEnd: at('2026-01-05T00:00:00Z') }),
      ];
      assert.deepEqual(sortForGroup('deployed', deployed).map((r) => r.id), ['new', 'old']);
    });

    it('describes a release by version, where it got to and its risk', () => {
      assert.equal(releaseDescription({ version: '1.2.0', riskScore: 0.4212 }, 'staging ✓'), '1.2.0 · staging ✓ · risk 0.42');
      assert.equal(releaseDescription({ version: '1.2.0' }), '1.2.0');
      assert.deepEqual([riskLevel(undefined), riskLevel(0.1), riskLevel(0.5), riskLevel(0.9)], [undefined, 'low', 'medium', 'high']);
    });
  });

  describe('promotion path derived from deployments', () => {
    it('takes the latest deployment per environment, in order, with extra environments after', () => {
      const steps = derivePromotionSteps(DEFAULT_ENVIRONMENTS, [
        deployment('dev', 'failed', '2026-01-01T10:00:00Z'),
        deployment('dev', 'completed', '2026-01-01T11:00:00Z', { completedAt: at('2026-01-01T11:05:00Z') }),
        deployment('qa-eu', 'completed', '2026-01-01T12:00:00Z'),
        deployment('test', 'in_progress', '2026-01-01T13:00:00Z', { startedAt: at('2026-01-01T13:01:00Z') }),
      ]);
      assert.deepEqual(steps.map((s) => [s.environment, s.state, s.at]), [
        ['dev', 'completed', '2026-01-01T11:05:00.000Z'],
        ['test', 'in_progress', '2026-01-01T13:01:00.000Z'],
        ['staging', 'not_deployed', undefined],
        ['production', 'not_deployed', undefined],
        ['qa-eu', 'completed', '2026-01-01T12:00:00.000Z'],
      ]);
      assert.equal(pathLine(steps.slice(0, 4)), 'dev ✓ → test … → staging · → production ·');
      assert.equal(furthestStep(steps.slice(0, 4))?.environment, 'test');
      assert.equal(furthestStep(derivePromotionSteps(DEFAULT_ENVIRONMENTS, [])), undefined);
      assert.deepEqual(environmentOrder(['dev', 'Prod'], ['prod', 'zeta', 'alpha', 'zeta']), ['dev', 'Prod', 'alpha', 'zeta']);
    });
  });

  describe('status bar', () => {
    it('picks the most recently started release in progress, else the next planned one', () => {
      const a = summary({ id: 'a', status: 'in_progress', actualStart: at('2026-01-02T00:00:00Z') });
      const b = summary({ id: 'b', status: 'in_progress', actualStart: at('2026-01-03T00:00:00Z') });
      const p1 = summary({ id: 'p1', plannedStart: at('2026-06-01T00:00:00Z') });
      const p2 = summary({ id: 'p2', plannedStart: at('2026-04-01T00:00:00Z') });
      const p3 = summary({ id: 'p3' });
      assert.equal(pickActiveRelease([a, b], [p1, p2])?.id, 'b');
      assert.equal(pickActiveRelease([], [p3, p1, p2])?.id, 'p2');
      assert.equal(pickActiveRelease([], []), undefined);
    });

    it('shows the furthest environment, and a spinner while a deployment runs', () => {
      const r = { version: '1.2.0', name: 'Checkout', status: 'in_progress' as const, riskScore: 0.3 };
      const done = derivePromotionSteps(DEFAULT_ENVIRONMENTS, [deployment('dev', 'completed', '2026-01-01T00:00:00Z'), deployment('staging', 'completed', '2026-01-02T00:00:00Z')]);
      assert.equal(statusBarView(r, done).text, '$(rocket) 1.2.0 · staging ✓');
      assert.equal(statusBarView(r, done).spinning, false);
      const running = derivePromotionSteps(DEFAULT_ENVIRONMENTS, [deployment('test', 'in_progress', '2026-01-01T00:00:00Z')]);
      assert.equal(statusBarView(r, running).text, '$(sync~spin) 1.2.0 · test …');
      const planned = statusBarView({ ...r, status: 'planned' }, derivePromotionSteps(DEFAULT_ENVIRONMENTS, []));
      assert.equal(planned.text, '$(rocket) 1.2.0 · planned');
      assert.match(planned.tooltip, /Promotion: dev · → test · → staging · → production ·/);
      assert.match(statusBarView({ ...r, name: 'a*b_[c]' }, done).tooltip, /^\*\*a\\\*b\\_\\\[c\\\]\*\*/);
    });
  });

  describe('command arguments', () => {
    it('checks shape: object, known keys, required keys, types', () => {
      assert.deepEqual(checkArgs(ARG_SPECS.postMessage, { releaseId: 'r', text: 't' }), { releaseId: 'r', text: 't' });
      const cases: [unknown, RegExp][] = [
        [null, /^arguments: expected an object, got null$/],
        [['x'], /^arguments: expected an object, got a list$/],
        [{ releaseId: 'r' }, /^arguments\.text: is required$/],
        [{ releaseId: 'r', text: 5 }, /^arguments\.text: expected text, got number 5$/],
        [{ releaseId: 'r', text: 't', author: 'x' }, /^arguments\.author: is not an argument of this command \(arguments: folder, releaseId, text\)$/],
      ];
      for (const [value, re] of cases) throwsMessage(() => checkArgs(ARG_SPECS.postMessage, value), re);
      throwsMessage(() => checkArgs(ARG_SPECS.createRelease, { name: 'n', version: '1.0.0', services: ['a', 3] }), /^arguments\.services: expected a list of names/);
      throwsMessage(() => checkArgs(ARG_SPECS.discoverServices, { accept: 'some' }), /^arguments\.accept: expected 'all' or a list of service names/);
    });

    it('reads dates as people type them, refusing impossible ones', () => {
      assert.equal(parseDateInput('d', ''), undefined);
      const d = parseDateInput('d', '2026-12-01 14:30');
      assert.equal(formatDateInput(d), '2026-12-01 14:30');
      assert.equal(formatDateInput(parseDateInput('d', '2026-12-01')), '2026-12-01 00:00');
      assert.equal(parseDateInput('d', '2026-12-01T14:30:00Z')?.toISOString(), '2026-12-01T14:30:00.000Z');
      throwsMessage(() => parseDateInput('plannedEnd', '2026-02-31'), /^plannedEnd: '2026-02-31' is not a calendar date and time$/);
      throwsMessage(() => parseDateInput('plannedEnd', '2026-01-01 25:00'), /is not a calendar date and time/);
      throwsMessage(() => parseDateInput('plannedEnd', 'next friday'), /^plannedEnd: 'next friday' is not a date: type e\.g\. 2026-12-01 or 2026-12-01 14:30$/);
    });
  });

  describe('dashboard snapshot', () => {
    const release: Release = {
      id: 'r1',
      name: 'Checkout',
      version: '1.2.0',
      status: 'planned',
      services: ['api', 'gone'],
      riskScore: 0.5,
      riskFactors: { dependencyFanIn: { value: 2, weight: 0.25, score: 0.5, explanation: '2 services depend on api' }, changeSize: { value: 'unavailable', weight: 0, score: null, explanation: 'no git repository' } },
      conversationId: 'c1',
      createdAt: at('2026-01-01T00:00:00Z'),
      updatedAt: at('2026-01-02T00:00:00Z'),
    };
    const svc = (name: string, dependencies: string[] = []) => ({ id: name, name, dependencies, createdAt: at('2026-01-01T00:00:00Z'), updatedAt: at('2026-01-01T00:00:00Z') });

    it('is plain JSON with the release, risk factors, services with dependents, messages and activity newest first', () => {
      const audit: AuditEvent[] = [
        { id: 1, at: at('2026-01-01T00:00:00Z'), actor: 'ada', action: 'release.create', entityType: 'release', entityId: 'r1', after: { version: '1.2.0', name: 'Checkout' } },
        { id: 2, at: at('2026-01-02T00:00:00Z'), actor: 'bob', action: 'release.update', entityType: 'release', entityId: 'r1', before: { name: 'A', plannedEnd: null }, after: { name: 'Checkout', plannedEnd: '2026-02-01' } },
      ];
      const s = buildSnapshot({
        folder: { name: 'shop', uri: 'file:///shop' },
        release,
        services: [svc('api'), svc('web', ['api']), svc('worker', ['api'])],
        deployments: [],
        messages: [{ id: 'm1', conversationId: 'c1', author: 'ada', text: 'hello', createdAt: at('2026-01-01T01:00:00Z') }],
        audit,
        promotion: { source: 'deployments', steps: [] },
        now: at('2026-01-03T00:00:00Z'),
      });
      assert.deepEqual(JSON.parse(JSON.stringify(s)), s, 'survives postMessage unchanged');
      assert.equal(s.release.createdAt, '2026-01-01T00:00:00.000Z');
      assert.equal(s.risk.level, 'medium');
      assert.deepEqual(s.risk.factors.map((f) => [f.label, f.value, f.score]), [['Dependency fan-in', '2', 0.5], ['Change size', 'unavailable', null]]);
      assert.deepEqual(s.services.map((x) => [x.name, x.inRelease, x.dependents]), [['gone', true, []], ['api', true, ['web', 'worker']], ['web', false, []], ['worker', false, []]]);
      assert.deepEqual(s.activity.map((a) => a.summary), ['changed name, planned end', 'created release 1.2.0 “Checkout”']);
      assert.equal(s.conversation.messages[0].at, '2026-01-01T01:00:00.000Z');
    });

    it('summarises audit events in one line', () => {
      const e = (action: string, before?: unknown, after?: unknown): AuditEvent => ({ id: 1, at: new Date(), actor: 'a', action, entityType: 'release', entityId: 'r', before, after });
      assert.equal(auditSummary(e('release.status.cancelled', { status: 'planned' }, { status: 'cancelled', reason: 'no budget' })), 'planned → cancelled: no budget');
      assert.equal(auditSummary(e('release.risk', undefined, { riskScore: 0.123 })), 'assessed risk: 0.12');
      assert.equal(auditSummary(e('conversation.post', undefined, { text: `a\n${'b'.repeat(100)}` })), `posted “a ${'b'.repeat(77)}…”`);
      assert.equal(auditSummary(e('pipeline.run_started')), 'pipeline run started');
      assert.equal(auditSummary(e('deployment.promotion', undefined, { environment: 'staging' })), 'promoted to staging');
      assert.equal(
        auditSummary(e('deployment.promotion.override', undefined, { environment: 'production', metadata: { override: { reason: 'hotfix' } } })),
        'promoted to production, overriding the checks: hotfix',
      );
      assert.equal(auditSummary(e('deployment.status.failed', { environment: 'test', status: 'in_progress' }, { environment: 'test', status: 'failed' })), 'test: in progress → failed');
      assert.equal(auditSummary(e('approval.approve', undefined, { environment: 'production', comment: 'ok' })), 'approved for production: ok');
    });
  });

  describe('discovery offer', () => {
    it('merges compose services with the packages in their folders and keeps every source', async () => {
      const proposal = await discoverServices(path.join(root, 'samples/shop'));
      const offer = buildOffer(proposal, ['redis']);
      const api = offer.services.find((s) => s.name === 'api');
      assert.deepEqual(api?.kinds, ['compose', 'package']);
      assert.deepEqual(api?.aliases, ['@shop/api']);
      assert.deepEqual(api?.sources.map((s) => s.file), ['docker-compose.yml', 'services/api/package.json']);
      assert.ok(!offer.services.some((s) => s.name.startsWith('@')), 'no package names left');
      assert.deepEqual(offer.known, ['redis']);
      const webApi = offer.edges.find((e) => e.from === 'web' && e.to === 'api');
      assert.equal(webApi?.sources.length, 2, 'compose depends_on and the package dependency are one edge');
      assert.deepEqual(offer.services.find((s) => s.name === 'adminer')?.profiles, ['tools']);

      const accepted = acceptOffer(offer, ['api', 'auth', 'web'], offer.edges.map(edgeKey), ['redis']);
      assert.deepEqual(accepted.inputs.map((i) => [i.name, i.dependencies]), [['auth', []], ['api', ['auth', 'redis']], ['web', ['api', 'auth']]]);
      assert.deepEqual(accepted.skipped.map((s) => `${s.edge.from} → ${s.edge.to}: ${s.reason}`).sort(), [
        'adminer → db: adminer is not added',
        'api → db: db is not added',
        'auth → db: db is not added',
        'worker → api: worker is not added',
        'worker → redis: worker is not added',
      ]);
    });
  });
});
