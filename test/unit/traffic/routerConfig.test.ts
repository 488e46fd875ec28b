// Router settings are untrusted input: every error names the field and the reason.
import assert from 'node:assert/strict';
import { CommandRouter } from '../../../src/traffic/command';
import { HaproxyRouter } from '../../../src/traffic/haproxy';
import { NginxRouter } from '../../../src/traffic/nginx';
import { RouterConfigError, createRouter, parseRouterConfig, parseRouterConfigs } from '../../../src/traffic/routerConfig';
import { parseWeights } from '../../../src/traffic/weights';

const haproxy = { kind: 'haproxy', socketPath: '/run/haproxy/admin.sock', backend: 'be_app', servers: { blue: 'blue', green: 'green' } };
const nginx = {
  kind: 'nginx', prefix: '/etc/nginx/', confFile: 'nginx.conf', upstreamFile: 'conf.d/app-upstream.inc', upstreamName: 'app',
  servers: { blue: '10.0.0.1:8080', green: '10.0.0.2:8080' }, probeUrl: 'http://127.0.0.1/', accessLog: '/var/log/nginx/bg.log',
};
const command = { kind: 'command', setCommand: 'kubectl patch svc app --type merge -p "$PATCH"', getCommand: './get-weights.sh', env: { NS: 'prod' }, timeoutMs: 20_000 };

function fails(value: unknown, message: RegExp | string, field?: string): void {
  assert.throws(() => parseRouterConfig(value), (err: unknown) => {
    assert.ok(err instanceof RouterConfigError, `not a RouterConfigError: ${String(err)}`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    if (field) assert.equal(err.field, field);
    return true;
  });
}

describe('traffic: router settings', () => {
  it('parses each kind into a typed config and builds the matching router', () => {
    const h = parseRouterConfig(haproxy);
    assert.deepEqual(h, haproxy);
    assert.ok(createRouter(h) instanceof HaproxyRouter);
    const n = parseRouterConfig(nginx);
    assert.deepEqual(n, nginx);
    const nr = createRouter(n);
    assert.ok(nr instanceof NginxRouter);
    assert.equal(nr.capabilities.perColourMetrics, true);
    const c = parseRouterConfig(command);
    assert.deepEqual(c, command);
    assert.ok(createRouter(c, { trust: { isTrusted: () => true } }) instanceof CommandRouter);
    const all = parseRouterConfigs({ staging: haproxy, production: command });
    assert.deepEqual(Object.keys(all), ['staging', 'production']);
  });

  it('names the field and the reason for each mistake', () => {
    fails({ ...haproxy, socketPath: 'admin.sock' }, 'router.socketPath: must be an absolute path, got "admin.sock"', 'router.socketPath');
    fails({ ...haproxy, backend: undefined }, 'router.backend: must be a string, got nothing');
    fails({ ...haproxy, backend: 'be_app\nshutdown sessions' }, /^router\.backend: must be an HAProxy backend name/);
    fails({ ...haproxy, servers: { blue: 'blue' } }, 'router.servers.green: must be a string, got nothing');
    fails({ ...haproxy, servers: { blue: 'a', green: 'a' } }, 'router.servers: blue and green must differ, both are "a"');
    fails({ ...haproxy, servers: { blue: 'a', green: 'b', red: 'c' } }, /^router\.servers\.red: unknown field/);
    fails({ ...haproxy, socketpath: '/x' }, /^router\.socketpath: unknown field \(allowed: kind, socketPath/);
    fails({ ...haproxy, configPath: 'haproxy.cfg' }, /^router\.configPath: must be an absolute path/);
    fails({ socketPath: '/x' }, 'router.kind: must be "haproxy", "nginx" or "command", got nothing', 'router.kind');
    fails({ ...haproxy, kind: 'envoy' }, /^router\.kind: .* got "envoy"/);
    fails('haproxy', 'router: must be an object with a kind, got "haproxy"');
    fails(null, /^router: must be an object/);

    fails({ ...nginx, servers: { blue: 'localhost', green: '10.0.0.2:8080' } }, /^router\.servers\.blue: must be host:port/);
    fails({ ...nginx, servers: { blue: '10.0.0.1:70000', green: '10.0.0.2:8080' } }, 'router.servers.blue: port must be 1..65535, got 70000');
    fails({ ...nginx, servers: { blue: '10.0.0.1:80 backup', green: '10.0.0.2:8080' } }, /^router\.servers\.blue: must be host:port/);
    fails({ ...nginx, probeUrl: 'ftp://x/' }, /^router\.probeUrl: must be an http\(s\) URL/);
    fails({ ...nginx, probeUrl: undefined }, 'router.probeUrl: must be a string, got nothing');
    fails({ ...nginx, prefix: 'nginx/' }, /^router\.prefix: must be an absolute path/);
    fails({ ...nginx, upstreamFile: 'up.conf; include /etc/passwd' }, /^router\.upstreamFile: must not contain spaces/);
    fails({ ...nginx, upstreamName: 'app {' }, /^router\.upstreamName: must be an upstream name/);

    fails({ ...command, setCommand: '  ' }, 'router.setCommand: must not be empty');
    fails({ ...command, getCommand: 42 }, 'router.getCommand: must be a string, got 42');
    fails({ ...command, timeoutMs: 5 }, 'router.timeoutMs: must be an integer from 100 to 600000, got 5');
    fails({ ...command, env: { 'BAD-NAME': 'x' } }, 'router.env.BAD-NAME: is not a valid environment variable name');
    fails({ ...command, env: { BG_BLUE_WEIGHT: '100' } }, 'router.env.BG_BLUE_WEIGHT: BG_* variables are set by Release Manager');
    fails({ ...command, env: { NS: 1 } }, 'router.env.NS: must be a string, got 1');
    fails({ ...command, cwd: 'repo' }, /^router\.cwd: must be an absolute path/);

    assert.throws(() => parseRouterConfigs({ production: { ...haproxy, socketPath: 'rel' } }), /^RouterConfigError: routers\.production\.socketPath: must be an absolute path/);
    assert.throws(() => parseRouterConfigs({ 'prod env': haproxy }), /^RouterConfigError: routers\.prod env: environment names/);
  });

  it('refuses names that would smuggle shell or router syntax', () => {
    const hostile = '$(touch pwned)';
    fails({ ...haproxy, backend: hostile }, /^router\.backend: must be an HAProxy backend name .* got "\$\(touch pwned\)"/);
    fails({ ...haproxy, servers: { blue: hostile, green: 'green' } }, /^router\.servers\.blue: must be an HAProxy server name/);
    fails({ ...nginx, servers: { blue: hostile, green: '10.0.0.2:8080' } }, /^router\.servers\.blue: must be host:port/);
    fails({ ...nginx, upstreamName: hostile }, /^router\.upstreamName:/);
    fails({ ...nginx, accessLog: `/tmp/${hostile}` }, /^router\.accessLog: must not contain/);
  });

  it('validates weights: integers 0..100 summing to 100', () => {
    assert.deepEqual(parseWeights({ blue: 90, green: 10 }), { blue: 90, green: 10 });
    assert.throws(() => parseWeights({ blue: 90, green: 20 }), /^Error: weights: blue \+ green must be 100, got 90 \+ 20 = 110$/);
    assert.throws(() => parseWeights({ blue: 50.5, green: 49.5 }), /^Error: weights\.blue: must be an integer from 0 to 100, got 50\.5$/);
    assert.throws(() => parseWeights({ blue: 101, green: -1 }), /weights\.blue: must be an integer from 0 to 100, got 101/);
    assert.throws(() => parseWeights({ blue: '90', green: 10 }), /weights\.blue: .* got "90"/);
    assert.throws(() => parseWeights({ blue: 90 }), /weights\.green: .* got nothing/);
    assert.throws(() => parseWeights({ blue: 90, green: 10, red: 0 }), /weights\.red: unknown colour/);
    assert.throws(() => parseWeights([90, 10]), /weights: must be an object/);
  });
});
