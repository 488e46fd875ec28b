// The listener check the journey e2e runs (issue 8 §4: nothing of ours listens on anything but
// 127.0.0.1 or ::1), on real processes: one bound to loopback passes, one bound to every address
// is named with its pid, command and address.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { describeListener, isLoopback, listenersOf, processFamily } from '../../support/listeners';

/** A node process listening on `host`, with a child of its own listening on loopback. */
function serve(host: string): Promise<{ child: ChildProcess; port: number; grandchildPort: number }> {
  const script = `
    const net = require('node:net');
    const { spawn } = require('node:child_process');
    const s = net.createServer().listen(0, ${JSON.stringify(host)}, () => {
      const g = spawn(process.execPath, ['-e', "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => console.log(s.address().port)); setInterval(() => {}, 1e6)"], { stdio: ['ignore', 'pipe', 'inherit'] });
      g.stdout.once('data', (d) => console.log(JSON.stringify({ port: s.address().port, grandchildPort: Number(String(d).trim()) })));
      process.on('SIGTERM', () => { g.kill('SIGTERM'); process.exit(0); });
    });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', (d) => resolve({ child, ...JSON.parse(String(d)) }));
  });
}

describe('listener check (/proc/net/tcp + /proc/<pid>/fd)', () => {
  const started: ChildProcess[] = [];
  after(() => {
    for (const c of started) c.kill('SIGTERM');
  });

  it('reads loopback and wildcard addresses as ss prints them', () => {
    assert.ok(isLoopback('127.0.0.1') && isLoopback('127.0.0.53') && isLoopback('::1') && isLoopback('::ffff:127.0.0.1'));
    assert.ok(!isLoopback('0.0.0.0') && !isLoopback('::') && !isLoopback('10.0.0.1') && !isLoopback('::ffff:10.0.0.1'));
  });

  it('passes a process (and its child) bound to 127.0.0.1', async () => {
    const s = await serve('127.0.0.1');
    started.push(s.child);
    const family = processFamily([s.child.pid!]);
    assert.equal(family.size, 2, 'the process and its child');
    const ours = listenersOf(family);
    assert.deepEqual(ours.map((l) => [l.address, l.port]).sort(), [['127.0.0.1', s.port], ['127.0.0.1', s.grandchildPort]].sort());
    assert.ok(ours.every((l) => l.loopback));
  });

  it('names the process and the address of a socket bound to every address', async () => {
    const s = await serve('0.0.0.0');
    started.push(s.child);
    const ours = listenersOf(processFamily([s.child.pid!]));
    const bad = ours.filter((l) => !l.loopback);
    assert.equal(bad.length, 1);
    assert.equal(bad[0]!.pid, s.child.pid);
    assert.equal(bad[0]!.address, '0.0.0.0');
    assert.equal(bad[0]!.port, s.port);
    assert.match(describeListener(bad[0]!), new RegExp(`^pid ${s.child.pid} \\(.*node -e .*\\) on 0\\.0\\.0\\.0:${s.port}$`));
    // The loopback child is still found and passes.
    assert.ok(ours.some((l) => l.loopback && l.port === s.grandchildPort));
  });

  it('reads IPv6 listeners: :: is flagged, ::1 passes', async () => {
    const any6 = await serve('::');
    started.push(any6.child);
    const l = listenersOf([any6.child.pid!]).filter((x) => x.port === any6.port);
    assert.equal(l.length, 1);
    assert.equal(l[0]!.address, '::');
    assert.equal(l[0]!.family, 6);
    assert.ok(!l[0]!.loopback);
    const lo6 = await serve('::1');
    started.push(lo6.child);
    const l6 = listenersOf([lo6.child.pid!]).filter((x) => x.port === lo6.port);
    assert.equal(l6[0]!.address, '::1');
    assert.ok(l6[0]!.loopback);
  });
});
