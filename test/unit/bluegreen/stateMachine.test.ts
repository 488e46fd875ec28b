// The blue-green state machine, strategy settings, router endpoint settings and the stored record,
// without routers: pure rules plus a real sql.js database.
import assert from 'node:assert/strict';
import {
  BLUE_GREEN_STATES,
  BLUE_GREEN_TRANSITIONS,
  FINAL_STATES,
  canTransition,
  defaultStrategy,
  parseStrategyInput,
  resolveStrategy,
  weightsFor,
  type BlueGreenDeployment,
  type BlueGreenState,
} from '../../../src/core/blueGreen';
import { RefusedError, ValidationError } from '../../../src/core/model';
import { HaproxyRouter } from '../../../src/traffic/haproxy';
import { RouterConfigError, createRouter, parseRouterConfig } from '../../../src/traffic/routerConfig';
import { SettingsRouterFactory } from '../../../src/traffic/routerFactory';
import { openCore } from '../../support/coreHarness';

const endpoints = {
  blue: { healthUrl: 'http://10.0.0.1:8080/health', smokeUrl: 'http://10.0.0.1:8080/' },
  green: { healthUrl: 'http://10.0.0.2:8080/health' },
};
const haproxy = { kind: 'haproxy', socketPath: '/run/haproxy/admin.sock', backend: 'be_app', servers: { blue: 'blue', green: 'green' }, endpoints };

function invalid(fn: () => unknown, field: string, reason: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ValidationError, `not a ValidationError: ${String(err)}`);
    assert.equal(err.field, field);
    assert.equal(err.reason, reason);
    assert.equal(err.message, `${field}: ${reason}`);
    return true;
  });
}

describe('blue-green: state machine and settings', () => {
  it('reaches every state from idle, and only promoted leaves the final states (to rolled_back)', () => {
    const seen = new Set<BlueGreenState>(['idle']);
    const queue: BlueGreenState[] = ['idle'];
    while (queue.length) {
      for (const next of BLUE_GREEN_TRANSITIONS[queue.shift()!]) {
        assert.ok(BLUE_GREEN_STATES.includes(next), next);
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
    assert.deepEqual([...seen].sort(), [...BLUE_GREEN_STATES].sort());
    for (const s of FINAL_STATES) assert.deepEqual(BLUE_GREEN_TRANSITIONS[s], s === 'promoted' ? ['rolled_back'] : []);
    // Argo's path, then the exits.
    const path: BlueGreenState[] = ['idle', 'preview_deploying', 'preview_ready', 'pre_switch_checks', 'awaiting_promotion', 'switching', 'partial', 'switching', 'post_switch_checks', 'promoted', 'rolled_back'];
    for (let i = 1; i < path.length; i++) assert.ok(canTransition(path[i - 1], path[i]), `${path[i - 1]} → ${path[i]}`);
    assert.equal(canTransition('awaiting_promotion', 'promoted'), false, 'no promotion without moving traffic');
    assert.equal(canTransition('awaiting_promotion', 'rolled_back'), false, 'nothing to roll back before traffic moved');
    assert.equal(canTransition('pre_switch_checks', 'switching'), false, 'no switch before the checks pass');
    assert.equal(canTransition('aborted', 'preview_deploying'), false);
    assert.deepEqual(weightsFor('green', 10), { blue: 90, green: 10 });
    assert.deepEqual(weightsFor('blue', 100), { blue: 100, green: 0 });
  });

  it('defaults after Argo and the router notes: auto-promotion off only in production, 30 s scale-down delay', () => {
    const prod = defaultStrategy(true);
    assert.equal(prod.autoPromotionEnabled, false);
    assert.equal(defaultStrategy(false).autoPromotionEnabled, true);
    assert.deepEqual({ ...prod, autoPromotionEnabled: true }, defaultStrategy(false));
    assert.deepEqual(prod.steps, [10, 50, 100]);
    assert.equal(prod.scaleDownDelaySeconds, 30);
    assert.equal(prod.autoPromotionSeconds, 0);
    assert.deepEqual(prod.prePromotionAnalysis, { enabled: true, consecutiveSuccesses: 3, intervalMs: 150, requestTimeoutMs: 500, timeoutSeconds: 30, smokeExpectStatus: 200 });
    assert.deepEqual(prod.postPromotionAnalysis, { enabled: true, windowMs: 1000, threshold: 0.05, minRequests: 10, pollMs: 100, durationSeconds: 30 });
    // Environment settings, then per-rollout options, each overriding what it names.
    const s = resolveStrategy(true, parseStrategyInput({ autoPromotionEnabled: true, postPromotionAnalysis: { threshold: 0.01 } }, 'env'), parseStrategyInput({ steps: [25, 100], postPromotionAnalysis: { minRequests: 50 } }, 'options'));
    assert.equal(s.autoPromotionEnabled, true);
    assert.deepEqual(s.steps, [25, 100]);
    assert.deepEqual(s.postPromotionAnalysis, { ...prod.postPromotionAnalysis, threshold: 0.01, minRequests: 50 });
    assert.deepEqual(defaultStrategy(true), prod, 'resolving does not change the defaults');
  });

  it('names the field and the reason for each bad strategy setting', () => {
    const p = (v: unknown) => () => parseStrategyInput(v, 'options');
    invalid(p('fast'), 'options', "expected an object, got 'fast'");
    invalid(p({ step: [10] }), 'options.step', 'is not a blue-green setting (settings: steps, stepBakeSeconds, autoPromotionEnabled, autoPromotionSeconds, scaleDownDelaySeconds, prePromotionAnalysis, postPromotionAnalysis)');
    invalid(p({ steps: [] }), 'options.steps', 'expected a list of 1 to 20 weights ending at 100, got a list');
    invalid(p({ steps: [0, 100] }), 'options.steps[0]', 'expected a whole number from 1 to 100, got number 0');
    invalid(p({ steps: [10, '50', 100] }), 'options.steps[1]', "expected a whole number from 1 to 100, got '50'");
    invalid(p({ steps: [50, 50, 100] }), 'options.steps[1]', 'must be greater than the step before it (50)');
    invalid(p({ steps: [10, 90] }), 'options.steps', 'must end at 100 (all traffic on the new colour), ends at 90');
    invalid(p({ autoPromotionEnabled: 'yes' }), 'options.autoPromotionEnabled', "expected true or false, got 'yes'");
    invalid(p({ scaleDownDelaySeconds: -1 }), 'options.scaleDownDelaySeconds', 'expected a number from 0 to 604800, got number -1');
    invalid(p({ prePromotionAnalysis: { consecutiveSuccesses: 2.5 } }), 'options.prePromotionAnalysis.consecutiveSuccesses', 'expected a whole number from 1 to 100, got number 2.5');
    invalid(p({ prePromotionAnalysis: { smokePath: '/' } }), 'options.prePromotionAnalysis.smokePath', 'is not a blue-green setting (settings: enabled, consecutiveSuccesses, intervalMs, requestTimeoutMs, timeoutSeconds, smokeExpectStatus)');
    invalid(p({ postPromotionAnalysis: { threshold: 1.5 } }), 'options.postPromotionAnalysis.threshold', 'expected a number from 0 to 1, got number 1.5');
    invalid(p({ postPromotionAnalysis: null }), 'options.postPromotionAnalysis', 'expected an object, got null');
    assert.deepEqual(parseStrategyInput(undefined, 'options'), {});
  });

  it('parses router endpoints (additively) and names each mistake', () => {
    const parsed = parseRouterConfig(haproxy);
    assert.deepEqual(parsed.endpoints, endpoints);
    const router = createRouter(parsed);
    assert.ok(router instanceof HaproxyRouter);
    assert.equal('endpoints' in router.config, false, 'the adapter never sees the endpoints');
    const fails = (value: unknown, message: string) => assert.throws(() => parseRouterConfig(value), (err: unknown) => err instanceof RouterConfigError && err.message === message);
    fails({ ...haproxy, endpoints: { blue: endpoints.blue } }, 'router.endpoints.green: must be an object, got nothing');
    fails({ ...haproxy, endpoints: { ...endpoints, blue: { healthUrl: 'ftp://x/' } } }, 'router.endpoints.blue.healthUrl: must be an http(s) URL, got "ftp://x/"');
    fails({ ...haproxy, endpoints: { ...endpoints, green: { smokeUrl: 'http://x/' } } }, 'router.endpoints.green.healthUrl: must be a string, got nothing');
    fails({ ...haproxy, endpoints: { ...endpoints, red: {} } }, 'router.endpoints.red: unknown field (allowed: blue, green, probeUrl)');
    fails({ ...haproxy, endpoints: { ...endpoints, green: { healthUrl: 'http://x/', path: '/' } } }, 'router.endpoints.green.path: unknown field (allowed: healthUrl, smokeUrl)');
    fails({ ...haproxy, endpoints: { ...endpoints, probeUrl: 'not a url' } }, 'router.endpoints.probeUrl: must be an http(s) URL, got "not a url"');
  });

  it('resolves an environment\'s router from its settings: refusals, field names, one router per settings', async () => {
    const trust = { isTrusted: () => true };
    const settings: Record<string, { router: unknown; production: boolean }> = {
      production: { router: haproxy, production: true },
      bare: { router: { ...haproxy, endpoints: undefined }, production: false },
      broken: { router: { ...haproxy, backend: 'be app' }, production: false },
      none: { router: undefined, production: false },
      nginx: {
        router: { kind: 'nginx', prefix: '/etc/nginx/', confFile: 'nginx.conf', upstreamFile: 'up.inc', upstreamName: 'app', servers: { blue: '10.0.0.1:8080', green: '10.0.0.2:8080' }, probeUrl: 'http://127.0.0.1/', endpoints },
        production: false,
      },
    };
    const factory = new SettingsRouterFactory({ load: async (env) => settings[env] ?? null, trust });
    const t = await factory.forEnvironment('production');
    assert.equal(t.production, true);
    assert.deepEqual(t.endpoints, endpoints);
    assert.equal((await factory.forEnvironment('production')).router, t.router, 'same settings, same router');
    settings.production = { router: { ...haproxy, backend: 'be_other' }, production: true };
    assert.notEqual((await factory.forEnvironment('production')).router, t.router, 'new settings, new router');
    assert.equal((await factory.forEnvironment('nginx')).endpoints.probeUrl, 'http://127.0.0.1/', 'nginx probes through its own probe URL');
    await assert.rejects(factory.forEnvironment('qa'), (err: unknown) => err instanceof RefusedError && err.message === "environment 'qa' does not exist");
    await assert.rejects(factory.forEnvironment('none'), (err: unknown) => err instanceof RefusedError && /^environment 'none' has no traffic router: add router settings/.test(err.message));
    await assert.rejects(factory.forEnvironment('bare'), (err: unknown) => err instanceof ValidationError && err.field === 'environments.bare.router.endpoints' && /is required for blue-green/.test(err.message));
    await assert.rejects(factory.forEnvironment('broken'), (err: unknown) => err instanceof ValidationError && err.message === 'environments.broken.router.backend: must be an HAProxy backend name (letters, digits, _ . : -), got "be app"');
  });

  it('stores and reads back a rollout record with every field', async () => {
    const core = await openCore();
    try {
      const { release } = await core.releases.createRelease('Shop', '2.0.0');
      const at = (s: string) => new Date(`2026-03-02T${s}Z`);
      const rec: BlueGreenDeployment = {
        id: 'bg-1', releaseId: release.id, version: '2.0.0', environment: 'production', state: 'rolled_back',
        activeColour: 'blue', previewColour: 'green', weights: { blue: 100, green: 0 }, targetWeights: { blue: 50, green: 50 },
        versions: { blue: '1.9.0', green: '2.0.0' }, strategy: defaultStrategy(true), production: true,
        reason: 'automatic rollback: green answered 12 of 40 requests with 5xx', attempt: 2, deploymentId: 'd-1', deploySummary: 'deployed',
        checks: { health: { ok: true, url: 'http://g/health', detail: '3 consecutive 2xx', attempts: 3, ms: 310 }, smoke: { ok: true, url: 'http://g/', detail: 'HTTP 200 in 2 ms', ms: 2 } },
        breach: { colour: 'green', errorRate: 0.3, requests: 40, errors: 12, windowMs: 1000, detectedAt: at('10:00:01.250') },
        autoRollback: { detectedAt: at('10:00:01.250'), rolledBackAt: at('10:00:01.254'), detectionToRollbackMs: 4 },
        autoPromoteAt: at('10:05:00'), promotedAt: at('10:06:00'), scaleDownAt: at('10:06:30'), scaledDownAt: at('10:06:31'), scaleDownError: 'x',
        owner: '42@host', createdAt: at('10:00:00'), updatedAt: at('10:00:02'),
      };
      await core.uow.write((r) => r.blueGreen.insert(rec));
      assert.deepEqual(await core.uow.read((r) => r.blueGreen.get('bg-1')), rec);
      assert.deepEqual(await core.uow.read((r) => r.blueGreen.find(release.id, 'production')), rec);
      const minimal: BlueGreenDeployment = { ...rec, id: 'bg-2', environment: 'staging', state: 'idle', versions: {}, attempt: 1, production: false, updatedAt: at('10:00:03') };
      for (const k of ['targetWeights', 'reason', 'deploymentId', 'deploySummary', 'checks', 'breach', 'autoRollback', 'autoPromoteAt', 'promotedAt', 'scaleDownAt', 'scaledDownAt', 'scaleDownError', 'owner'] as const) delete minimal[k];
      await core.uow.write((r) => r.blueGreen.insert(minimal));
      assert.deepEqual(await core.uow.read((r) => r.blueGreen.get('bg-2')), minimal);
      assert.deepEqual((await core.uow.read((r) => r.blueGreen.list())).map((x) => x.id), ['bg-2', 'bg-1'], 'newest change first');
      assert.deepEqual((await core.uow.read((r) => r.blueGreen.list({ state: ['idle', 'partial'] }))).map((x) => x.id), ['bg-2']);
      assert.deepEqual((await core.uow.read((r) => r.blueGreen.list({ releaseId: release.id, environment: 'production' }))).map((x) => x.id), ['bg-1']);
      await assert.rejects(core.uow.write((r) => r.blueGreen.insert({ ...rec, id: 'bg-3' })), /UNIQUE/);
    } finally {
      await core.close();
    }
  });
});
