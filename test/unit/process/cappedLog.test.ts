import assert from 'node:assert/strict';
import { CappedLog, elisionMarker } from '../../../src/process/cappedLog';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('CappedLog', () => {
  it('keeps everything under the cap', () => {
    const log = new CappedLog(100);
    log.append('hello ');
    log.append('world');
    assert.deepEqual(log.result(), { text: 'hello world', truncated: false });
    assert.equal(log.bytes, 11);
  });

  it('keeps exactly cap bytes without a marker', () => {
    const log = new CappedLog(10);
    log.append('0123456789');
    assert.deepEqual(log.result(), { text: '0123456789', truncated: false });
  });

  it('keeps head and tail halves with the elided count between them', () => {
    const log = new CappedLog(10);
    for (const ch of 'abcdefghijklmnopqrstuvwxyz') log.append(ch);
    const { text, truncated } = log.result();
    assert.equal(truncated, true);
    assert.equal(text, 'abcde' + elisionMarker(16) + 'vwxyz');
  });

  it('splits one large segment into head and tail', () => {
    const log = new CappedLog(10);
    log.append('abcdefghijklmnopqrstuvwxyz');
    assert.equal(log.result().text, 'abcde' + elisionMarker(16) + 'vwxyz');
  });

  it('does not repeat head bytes in the tail when the total is just over the cap', () => {
    const log = new CappedLog(10);
    log.append('abcdefghijk');
    assert.equal(log.result().text, 'abcde' + elisionMarker(1) + 'ghijk');
  });

  it('never cuts a multi-byte character and counts elided bytes exactly', () => {
    const log = new CappedLog(10);
    const input = 'é'.repeat(20); // 40 bytes
    log.append(input);
    const { text, truncated } = log.result();
    assert.equal(truncated, true);
    const [head, tail] = text.split(/\n… \d+ bytes elided …\n/);
    assert.match(head!, /^é+$/);
    assert.match(tail!, /^é+$/);
    const elided = Number(/… (\d+) bytes elided …/.exec(text)![1]);
    assert.equal(bytes(head!) + bytes(tail!) + elided, 40);
    assert.ok(bytes(head!) <= 5 && bytes(tail!) <= 5);
  });

  it('stays linear with many tiny appends', () => {
    const log = new CappedLog(1024);
    const t0 = performance.now();
    for (let i = 0; i < 200_000; i++) log.append(String(i % 10));
    assert.ok(performance.now() - t0 < 1000);
    const { text } = log.result();
    assert.ok(text.startsWith('0123456789'));
    assert.ok(text.endsWith('56789'));
    assert.equal(log.bytes, 200_000);
  });
});
