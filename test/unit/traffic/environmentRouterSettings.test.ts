// An environment's blue-green router settings as the Configure Traffic Router command checks and
// stores them: errors name the whole path; our own keys never reach the router adapter.
import assert from 'node:assert/strict';
import type { Environment } from '../../../src/core/model';
import { ValidationError } from '../../../src/core/model';
import {
  environmentRouterLoader,
  isProductionEnvironment,
  parseEnvironmentRouterSettings,
  splitRouterSettings,
  storedRouterSettings,
} from '../../../src/traffic/environmentRouterSettings';

const endpoints = { blue: { healthUrl: 'http://127.0.0.1:8081/health' }, green: { healthUrl: 'http://127.0.0.1:8082/health', smokeUrl: 'http://127.0.0.1:8082/' } };
const haproxy = { kind: 'haproxy', socketPath: '/run/haproxy/admin.sock', backend: 'be_app', servers: { blue: 'blue', green: 'green' }, endpoints };

function fails(value: unknown, message: string, environment = 'production'): void {
  assert.throws(() => parseEnvironmentRouterSettings(environment, value), (e: unknown) => {
    assert.ok(e instanceof ValidationError, String(e));
    assert.equal(e.message, message);
    return true;
  });
}

const env = (name: string, position: number, isProtected = false): Environment => ({
  id: name, name, position, protected: isProtected, requireDifferentApprover: false, guidedFailure: false, freezeWindows: [],
  createdAt: new Date(0), updatedAt: new Date(0),
});

describe('environment router settings (blue-green)', () => {
  it('errors name the field under environments.<name>.router', () => {
    fails({ ...haproxy, socketPath: 'admin.sock' }, 'environments.production.router.socketPath: must be an absolute path, got "admin.sock"');
    fails({ ...haproxy, kind: 'traefik' }, 'environments.production.router.kind: must be "haproxy", "nginx" or "command", got "traefik"');
    fails('haproxy', 'environments.production.router: expected an object with a kind (haproxy, nginx or command), got "haproxy"');
    fails({ ...haproxy, endpoints: undefined }, 'environments.production.router.endpoints: is required for blue-green: { "blue": { "healthUrl": …, "smokeUrl"?: … }, "green": { … } }, each reaching that colour directly');
    fails({ ...haproxy, endpoints: { ...endpoints, green: { healthUrl: 'ftp://x' } } }, 'environments.production.router.endpoints.green.healthUrl: must be an http(s) URL, got "ftp://x"');
    fails({ ...haproxy, scaleDownCommand: 42 }, 'environments.staging.router.scaleDownCommand: expected a shell command, got 42', 'staging');
    fails({ ...haproxy, blueGreen: { steps: [10, 50] } }, 'environments.production.router.blueGreen.steps: must end at 100 (all traffic on the new colour), ends at 50');
    fails({ ...haproxy, blueGreen: { autoPromotion: true } }, 'environments.production.router.blueGreen.autoPromotion: is not a blue-green setting (settings: steps, stepBakeSeconds, autoPromotionEnabled, autoPromotionSeconds, scaleDownDelaySeconds, prePromotionAnalysis, postPromotionAnalysis)');
    fails({ ...haproxy, scaleDownTimeoutSeconds: 0 }, 'environments.production.router.scaleDownTimeoutSeconds: expected a number of seconds from 1 to 3600, got 0');
  });

  it('stores the parsed router with scaleDownCommand and blueGreen beside it; the adapter gets the router alone', () => {
    const parsed = parseEnvironmentRouterSettings('production', { ...haproxy, scaleDownCommand: 'kubectl scale deploy/shop-$COLOR --replicas=0', blueGreen: { autoPromotionEnabled: false, steps: [25, 100] } });
    const stored = storedRouterSettings(parsed);
    assert.equal(stored.scaleDownCommand, 'kubectl scale deploy/shop-$COLOR --replicas=0');
    assert.deepEqual(stored.blueGreen, { autoPromotionEnabled: false, steps: [25, 100] });
    const split = splitRouterSettings(stored);
    assert.deepEqual(split.router, { ...haproxy });
    // What is stored parses again to the same.
    assert.deepEqual(parseEnvironmentRouterSettings('production', stored), parsed);
  });

  it('production is the last environment or a protected one; the loader reads the settings each time', async () => {
    const envs = [env('dev', 0), env('qa', 1, true), env('prod', 2)];
    assert.equal(isProductionEnvironment(envs, 'dev'), false);
    assert.equal(isProductionEnvironment(envs, 'qa'), true);
    assert.equal(isProductionEnvironment(envs, 'prod'), true);
    envs[0].router = { ...haproxy, blueGreen: { steps: [100] } };
    const load = environmentRouterLoader({ listEnvironments: async () => envs });
    assert.deepEqual(await load('dev'), { router: haproxy, production: false, strategy: { steps: [100] } });
    assert.deepEqual(await load('prod'), { router: undefined, production: true, strategy: undefined });
    assert.equal(await load('nope'), null);
  });
});
