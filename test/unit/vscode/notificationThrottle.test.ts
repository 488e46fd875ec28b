import assert from 'node:assert/strict';
import { NotificationThrottle } from '../../../src/vscode/notificationThrottle';

describe('notification throttle (error notifications of commands)', () => {
  function rig() {
    let now = 1_000;
    const timers: { at: number; fn: () => void }[] = [];
    const shown: string[] = [];
    const t = new NotificationThrottle<string>(
      (m) => shown.push(m),
      (n) => shown.push(`+${n}`),
      { burst: 3, windowMs: 5_000, now: () => now, setTimer: (fn, ms) => (timers.push({ at: now + ms, fn }), {}) },
    );
    const advance = (ms: number) => {
      now += ms;
      for (const x of timers.splice(0).sort((a, b) => a.at - b.at)) {
        if (x.at <= now) x.fn();
        else timers.push(x);
      }
    };
    return { t, shown, advance, timers };
  }

  it('shows a person\'s occasional refusals one by one', () => {
    const { t, shown, advance } = rig();
    for (let i = 0; i < 5; i++) {
      t.notify(`error ${i}`);
      advance(6_000);
    }
    assert.deepEqual(shown, ['error 0', 'error 1', 'error 2', 'error 3', 'error 4']);
  });

  it('sums a flood of 10,000 up: a few shown, then one summary per window', () => {
    const { t, shown, advance } = rig();
    for (let i = 0; i < 10_000; i++) {
      t.notify(`error ${i}`);
      if (i % 1000 === 999) advance(1_000); // 10,000 errors over 10 s
    }
    advance(10_000);
    assert.deepEqual(shown.slice(0, 3), ['error 0', 'error 1', 'error 2']);
    const summaries = shown.filter((m) => m.startsWith('+'));
    assert.ok(shown.length <= 12, `${shown.length} notifications for 10,000 errors`);
    const total = summaries.reduce((n, m) => n + Number(m.slice(1)), 0) + shown.filter((m) => !m.startsWith('+')).length;
    assert.equal(total, 10_000, 'every error is counted: shown or summed up');
    assert.equal(t.pending, 0);
  });
});
