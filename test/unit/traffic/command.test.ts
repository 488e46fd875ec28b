// CommandRouter against a shell script standing in for kubectl (test/support/fake-kubectl.sh).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Weights } from '../../../src/core/ports';
import { CommandRouter, parseWeightsOutput, type CommandRouterConfig } from '../../../src/traffic/command';
import { startBackends } from '../../support/backends';
import { makeTempDir, removeTempDir } from '../../support/trafficRouters';

const KUBECTL = path.resolve(__dirname, '../../support/fake-kubectl.sh');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('traffic: CommandRouter (user shell commands)', function () {
  this.timeout(20_000);
  let dir: string;
  let state: string;
  let base: CommandRouterConfig;

  beforeEach(() => {
    dir = makeTempDir('command');
    state = path.join(dir, 'weights');
    fs.writeFileSync(state, 'blue=100 green=0\n');
    base = {
      setCommand: '"$KUBECTL" patch',
      getCommand: '"$KUBECTL" get',
      cwd: dir,
      env: { KUBECTL, FAKE_KUBECTL_STATE: state },
      timeoutMs: 5000,
    };
  });

  afterEach(() => removeTempDir(dir));

  const calls = () => (fs.existsSync(`${state}.log`) ? fs.readFileSync(`${state}.log`, 'utf8').trim().split('\n') : []);
  const pwned = () => fs.readdirSync(dir).filter((f) => f.startsWith('pwned'));

  it('applies weights through environment variables and reads them back', async () => {
    const router = new CommandRouter(base);
    assert.equal(router.kind, 'command');
    assert.deepEqual(await router.getWeights(), { blue: 100, green: 0 });
    await router.setWeights({ blue: 90, green: 10 });
    assert.deepEqual(await router.getWeights(), { blue: 90, green: 10 });
    await router.setWeights({ blue: 0, green: 100 });
    await router.setWeights({ blue: 50, green: 50 });
    assert.deepEqual(calls().filter((c) => c.startsWith('patch')), [
      'patch blue=90 green=10 target=blue',
      'patch blue=0 green=100 target=green',
      'patch blue=50 green=50 target=blue', // at 50/50 the gaining colour
    ]);
    const json = new CommandRouter({ ...base, getCommand: '"$KUBECTL" get-json' });
    assert.deepEqual(await json.getWeights(), { blue: 50, green: 50 });
    await router.validate({ blue: 10, green: 90 });
    await assert.rejects(router.validate({ blue: 10, green: 80 }), /blue \+ green must be 100/);
  });

  it('parses getCommand output strictly, with an error that shows what was printed', async () => {
    assert.deepEqual(parseWeightsOutput('blue=90 green=10\n'), { blue: 90, green: 10 });
    assert.deepEqual(parseWeightsOutput('green=10 blue=90'), { blue: 90, green: 10 });
    assert.deepEqual(parseWeightsOutput(' {"blue":90,"green":10}\n'), { blue: 90, green: 10 });
    for (const [out, why] of [
      ['blue=90', /getCommand printed "blue=90"; expected "blue=<0-100> green=<0-100>"/],
      ['blue=90 green=20', /blue \+ green must be 100, got 90 \+ 20/],
      ['blue=ninety green=10', /getCommand printed "blue=ninety green=10"/],
      ['blue=90 blue=10', /getCommand printed/],
      ['blue=90 green=10 extra', /getCommand printed/],
      ['blue=90\ngreen=10', /getCommand printed/],
      ['', /getCommand printed ""/],
      ['{"blue":90,"green":10,"red":0}', /getCommand output\.red: unknown colour/],
      ['{"blue":"90","green":10}', /getCommand output\.blue: must be an integer/],
      ['{"blue":90,', /not valid JSON/],
    ] as const) {
      assert.throws(() => parseWeightsOutput(out), why, `output ${JSON.stringify(out)}`);
    }
    const router = new CommandRouter({ ...base, getCommand: 'echo "all traffic on blue"' });
    await assert.rejects(router.getWeights(), /getCommand printed "all traffic on blue"/);
  });

  it('reports a failing command with its exit code and stderr', async () => {
    const router = new CommandRouter({ ...base, setCommand: '"$KUBECTL" frob' });
    await assert.rejects(router.setWeights({ blue: 0, green: 100 }), /setCommand failed \(exit 1\): error: unknown command "frob"/);
    assert.deepEqual(await router.getWeights(), { blue: 100, green: 0 }, 'unchanged');
  });

  it('kills the whole process group when a command times out', async () => {
    const router = new CommandRouter({ ...base, setCommand: 'sleep 30 & echo $! > child.pid; wait', timeoutMs: 300 });
    const started = Date.now();
    await assert.rejects(router.setWeights({ blue: 0, green: 100 }), /setCommand timed out after 300 ms and was killed/);
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    const child = Number(fs.readFileSync(path.join(dir, 'child.pid'), 'utf8'));
    // Dead or a zombie (killed; this machine's PID 1 may not reap orphans).
    const alive = () => {
      try { return fs.readFileSync(`/proc/${child}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z'; } catch { return false; }
    };
    for (let i = 0; i < 30 && alive(); i++) await sleep(50);
    assert.equal(alive(), false, `background sleep ${child} survived the timeout`);
  });

  it('never lets a hostile value reach a shell: $(touch pwned) is data, not code', async () => {
    const router = new CommandRouter(base);
    const hostile = '$(touch pwned)';
    await assert.rejects(router.setWeights({ blue: hostile, green: 10 } as unknown as Weights), /weights\.blue: must be an integer from 0 to 100, got "\$\(touch pwned\)"/);
    await assert.rejects(router.setWeights({ blue: '90; touch pwned2', green: '10' } as unknown as Weights), /weights\.blue/);
    assert.deepEqual(calls(), [], 'no command ran');

    // Values from settings travel as environment variables and stay literal.
    const named = new CommandRouter({
      ...base,
      setCommand: 'printf "%s\\n" "$APP_NAME" > name.txt && "$KUBECTL" patch',
      env: { ...base.env, APP_NAME: '$(touch pwned3)`touch pwned4`; touch pwned5' },
    });
    await named.setWeights({ blue: 20, green: 80 });
    assert.equal(fs.readFileSync(path.join(dir, 'name.txt'), 'utf8'), '$(touch pwned3)`touch pwned4`; touch pwned5\n');

    // A getCommand that prints shell syntax is refused, not evaluated.
    const liar = new CommandRouter({ ...base, getCommand: `printf '%s' 'blue=$(touch pwned6) green=10'` });
    await assert.rejects(liar.getWeights(), /getCommand printed "blue=\$\(touch pwned6\) green=10"/);

    assert.throws(() => new CommandRouter({ ...base, env: { 'X$(touch pwned7)': '1' } }), /not an allowed variable name/);
    assert.throws(() => new CommandRouter({ ...base, env: { BG_BLUE_WEIGHT: '1' } }), /not an allowed variable name/);
    assert.deepEqual(pwned(), [], 'nothing was executed');
  });

  it('runs nothing in an untrusted workspace', async () => {
    const router = new CommandRouter(base, { trust: { isTrusted: () => false } });
    await assert.rejects(router.setWeights({ blue: 0, green: 100 }), /not run: router commands do not run in an untrusted workspace/);
    await assert.rejects(router.getWeights(), /untrusted/);
    assert.deepEqual(calls(), []);
  });

  it('verifies a split by probing when a probe URL is configured', async () => {
    const backends = await startBackends();
    try {
      assert.equal(new CommandRouter(base).verify, undefined);
      const router = new CommandRouter({ ...base, probeUrl: backends.green.url });
      const ms = await router.verify!({ blue: 0, green: 100 }, 2000);
      assert.ok(ms < 2000);
      await assert.rejects(router.verify!({ blue: 100, green: 0 }, 200), /not observed/);
    } finally {
      await backends.stop();
    }
  });
});
