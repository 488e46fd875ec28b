// The Traffic tab's view model and the host's checks of its messages: pure, no VS Code.
import assert from 'node:assert/strict';
import { defaultStrategy, type BlueGreenStatus, type TrafficView } from '../../../src/core/blueGreen';
import { parseWebviewMessage } from '../../../src/shared/messageValidation';
import { buildTimeline, pickRollout, steadyRates, trafficTabView } from '../../../src/vscode/trafficModel';
import { confirmation, parseRouterSettingsInput, parseWeightInput } from '../../../src/vscode/trafficArgs';

const at = (s: number) => new Date(Date.UTC(2026, 2, 2, 10, 0, s));

function status(over: Partial<BlueGreenStatus> = {}): BlueGreenStatus {
  return {
    id: 'bg1', releaseId: 'r1', version: '1.3.0', environment: 'production', state: 'partial',
    activeColour: 'blue', previewColour: 'green', weights: { blue: 90, green: 10 }, versions: { blue: '1.2.0', green: '1.3.0' },
    strategy: defaultStrategy(true), production: true, attempt: 1, createdAt: at(0), updatedAt: at(5),
    stateLabel: 'traffic split', steps: [{ weight: 10, status: 'current' }, { weight: 50, status: 'pending' }, { weight: 100, status: 'pending' }],
    nextStep: 50, actions: { switch: true, promote: true, rollback: true, abort: true, confirm: true },
    checks: { health: { ok: true, url: 'http://127.0.0.1:8082/health', detail: '3 consecutive 2xx (3 attempts, 310 ms)' } },
    ...over,
  };
}

function view(s: BlueGreenStatus): TrafficView {
  return {
    status: s, routerKind: 'haproxy', hitless: true, weights: { blue: 90, green: 10 }, weightsSource: 'router',
    colours: {
      blue: { colour: 'blue', role: 'stable', version: '1.2.0', weight: 90, health: 'healthy', healthDetail: 'HTTP 200 in 2 ms', requestsPerSec: 540.2, errors5xxPerSec: 0, errorRate: 0 },
      green: { colour: 'green', role: 'preview', version: '1.3.0', weight: 10, health: 'healthy', healthDetail: 'HTTP 200 in 3 ms', requestsPerSec: 60.1, errors5xxPerSec: 0, errorRate: 0 },
    },
    rateSpanMs: 1002,
    history: [
      { at: at(0), actor: 'Ada', action: 'blue_green.setup', to: 'idle' },
      { at: at(1), actor: 'Ada', action: 'blue_green.preview_deploying', from: 'idle', to: 'preview_deploying' },
      { at: at(2), actor: 'Ada', action: 'blue_green.preview_ready', from: 'preview_deploying', to: 'preview_ready' },
      { at: at(3), actor: 'Ada', action: 'blue_green.pre_switch_checks', from: 'preview_ready', to: 'pre_switch_checks' },
      { at: at(4), actor: 'Ada', action: 'blue_green.awaiting_promotion', from: 'pre_switch_checks', to: 'awaiting_promotion' },
      { at: at(5), actor: 'Ada', action: 'blue_green.switching', from: 'awaiting_promotion', to: 'switching', weights: { blue: 100, green: 0 } },
      { at: at(5), actor: 'Ada', action: 'blue_green.partial', from: 'switching', to: 'partial', weights: { blue: 90, green: 10 } },
    ],
    readAt: at(6),
  };
}

describe('Traffic tab view model', () => {
  it('the timeline marks visited states done, the current one (a split counts as switching), and what is left pending', () => {
    const t = buildTimeline('partial', ['idle', 'preview_deploying', 'preview_ready', 'pre_switch_checks', 'awaiting_promotion', 'switching', 'partial']);
    assert.deepEqual(t.map((e) => `${e.state}:${e.status}`), [
      'preview_deploying:done', 'preview_ready:done', 'pre_switch_checks:done', 'awaiting_promotion:done', 'switching:current', 'post_switch_checks:pending', 'promoted:pending',
    ]);
    // Checks disabled: never visited, though a later state was.
    const skipped = buildTimeline('awaiting_promotion', ['idle', 'preview_deploying', 'preview_ready', 'awaiting_promotion']);
    assert.equal(skipped.find((e) => e.state === 'pre_switch_checks')?.status, 'skipped');
    // Ended early: the final state is appended as the current one; the unreached rest stays pending.
    const rolledBack = buildTimeline('rolled_back', ['idle', 'preview_deploying', 'preview_ready', 'pre_switch_checks', 'awaiting_promotion', 'switching', 'partial', 'rolled_back']);
    assert.deepEqual(rolledBack.map((e) => `${e.state}:${e.status}`).slice(-4), ['switching:done', 'post_switch_checks:pending', 'promoted:pending', 'rolled_back:current']);
    assert.ok(rolledBack.every((e) => e.label.length > 0));
  });

  it('a rollout: roles in Argo words, rates from the router, steps, checks and the history newest first, all plain JSON', () => {
    const tab = trafficTabView([status()], [
      { id: 'p', name: 'production', position: 0, protected: true, requireDifferentApprover: false, guidedFailure: false, freezeWindows: [], router: { kind: 'haproxy' }, createdAt: at(0), updatedAt: at(0) },
      { id: 's', name: 'staging', position: 1, protected: false, requireDifferentApprover: false, guidedFailure: false, freezeWindows: [], createdAt: at(0), updatedAt: at(0) },
    ], view(status()));
    assert.deepEqual(tab.routedEnvironments, ['production']);
    assert.deepEqual(tab.rollouts, [{ environment: 'production', state: 'partial', stateLabel: 'traffic split' }]);
    const r = tab.selected;
    assert.ok(r);
    assert.equal(r.colours.blue.role, 'active');
    assert.equal(r.colours.green.role, 'preview');
    assert.equal(r.colours.green.requestsPerSec, 60.1);
    assert.deepEqual(r.split, { blue: 90, green: 10 });
    assert.equal(r.nextStep, 50);
    assert.deepEqual(r.checks, [{ name: 'health', ok: true, detail: 'http://127.0.0.1:8082/health: 3 consecutive 2xx (3 attempts, 310 ms)' }]);
    assert.equal(r.history[0].to, 'partial');
    assert.equal(r.history[0].split, 'blue=90 green=10');
    assert.equal(r.history.at(-1)?.action, 'blue_green.setup');
    assert.equal(r.readAt, '2026-03-02T10:00:06.000Z');
    assert.deepEqual(JSON.parse(JSON.stringify(tab)), tab, 'only JSON crosses to the webview');
    // After promotion the old colour is "previous", still up until the scale-down time.
    const promoted = trafficTabView([], [], view(status({ state: 'promoted', activeColour: 'green', scaleDownAt: at(40) }))).selected;
    assert.equal(promoted?.colours.blue.role, 'previous');
    assert.equal(promoted?.scaleDown, 'blue stays up until 2026-03-02T10:00:40.000Z (rollback possible until then)');
  });

  it('rates over a span too short to mean much (a view right after a transition) keep the previous figures', () => {
    const prev = trafficTabView([status()], [], view(status()));
    const short = { ...view(status()), rateSpanMs: 90 };
    short.colours = { blue: { ...short.colours.blue, requestsPerSec: 3 }, green: { ...short.colours.green, requestsPerSec: 0 } };
    const next = steadyRates(prev, trafficTabView([status()], [], short));
    assert.equal(next.selected?.colours.green.requestsPerSec, 60.1);
    assert.equal(next.selected?.rateSpanMs, 1002);
    const long = trafficTabView([status()], [], { ...short, rateSpanMs: 980 });
    assert.equal(steadyRates(prev, long).selected?.colours.green.requestsPerSec, 0);
  });

  it('the tab shows the environment asked for, else the unfinished rollout, else the newest', () => {
    const a = status({ environment: 'staging', state: 'promoted' });
    const b = status({ environment: 'production', state: 'awaiting_promotion' });
    assert.equal(pickRollout([a, b])?.environment, 'production');
    assert.equal(pickRollout([a, b], 'staging')?.environment, 'staging');
    assert.equal(pickRollout([a], 'nowhere')?.environment, 'staging');
    assert.equal(pickRollout([]), undefined);
  });

  it('production confirmations say what happens to the traffic', () => {
    const s = status();
    assert.deepEqual(confirmation('switch', s, {}), {
      message: 'Switch production traffic to green 50 % (1.3.0)?',
      detail: "Now: blue=90 green=10. green goes to 50 %; the new colour's error rate is watched and traffic goes back to blue by itself past the threshold.",
    });
    assert.equal(confirmation('rollback', s, {}).message, 'Roll back production to blue (1.2.0)?');
    assert.match(confirmation('abort', s, {}).detail, /All traffic goes back to blue \(1\.2\.0\) at once/);
    assert.match(confirmation('promote', s, { full: true }).detail, /green takes all traffic at once/);
  });

  it('typed input: weights 0–100, router settings as JSON with the field named', () => {
    assert.equal(parseWeightInput(' 50 '), 50);
    assert.throws(() => parseWeightInput('101'), /^ValidationError: weight: expected a whole number from 0 to 100, got '101'$/);
    assert.throws(() => parseWeightInput('5.5'), /weight: expected a whole number/);
    assert.equal(parseRouterSettingsInput('production', '  '), null);
    assert.throws(() => parseRouterSettingsInput('production', '{"kind":'), /^ValidationError: environments\.production\.router: is not JSON: /);
    assert.throws(
      () => parseRouterSettingsInput('production', JSON.stringify({ kind: 'haproxy', socketPath: 'admin.sock', backend: 'be', servers: { blue: 'b', green: 'g' } })),
      /^ValidationError: environments\.production\.router\.socketPath: must be an absolute path, got "admin\.sock"$/,
    );
  });

  it('the host checks traffic messages: fields and values named, unknown keys refused', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'traffic/watch', watching: true }), { ok: true, message: { type: 'traffic/watch', watching: true } });
    assert.deepEqual(parseWebviewMessage({ type: 'traffic/action', requestId: 't1', action: 'rollback', environment: 'production' }), {
      ok: true, message: { type: 'traffic/action', requestId: 't1', action: 'rollback', environment: 'production' },
    });
    const bad = (raw: unknown) => {
      const r = parseWebviewMessage(raw);
      assert.ok(!r.ok);
      return `${r.field}: ${r.reason}`;
    };
    assert.equal(bad({ type: 'traffic/watch', watching: 'yes' }), "watching: expected true or false, got 'yes'");
    assert.equal(bad({ type: 'traffic/action', requestId: 't2', action: 'delete' }), "action: expected one of setup, switch, promote, abort, rollback, got 'delete'");
    assert.equal(bad({ type: 'traffic/action', requestId: 't3', action: 'switch', weight: 100 }), "weight: is not a field of 'traffic/action' (fields: type, requestId, action, environment)");
    assert.equal(bad({ type: 'traffic/action', requestId: 't4', action: 'switch', environment: 'prod\nuction' }), 'environment: must be a single line');
  });
});
