// Issue 8 §2, the plain-Node half for commands: every command of the table has a fuzz entry (its
// argument spec and a sample), and checkArgs — the shape check every command runs first — refuses
// 12,000 generated invalid or hostile argument objects with a ValidationError naming `arguments` or
// `arguments.<key>`, never throws anything else and never touches Object.prototype. The same cases
// run through the real commands inside VS Code in test/integration/fuzz.test.ts.
import assert from 'node:assert/strict';
import { ValidationError } from '../../../src/core/model';
import { checkArgs } from '../../../src/vscode/commandArgs';
import { COMMANDS } from '../../../src/vscode/commandIds';
import { argCase, baseArgs, unknownKinds, type Args, type ArgSpec } from '../../support/fuzz/commandArgs';
import { COMMAND_FUZZ, uncoveredCommands, UNIT_FIXTURES } from '../../support/fuzz/commandTable';
import { polluted, prototypeFingerprint } from '../../support/fuzz/hostile';
import { fuzzSeed, Rng } from '../../support/fuzz/random';
import { judgeCommandError } from '../../support/fuzz/judge';

const CASES = 12_000;

describe('fuzz: command arguments (checkArgs)', () => {
  it('has a fuzz entry for every command of the table, with argument kinds the fuzzer knows', () => {
    const ids = COMMANDS.map((c) => c.id);
    assert.deepEqual(uncoveredCommands(ids), [], 'add each of these to COMMAND_FUZZ in test/support/fuzz/commandTable.ts so that the fuzzer covers it');
    const unknown = Object.entries(COMMAND_FUZZ).flatMap(([id, e]) => (typeof e.args === 'object' ? unknownKinds(e.args).map((k) => `${id}: ${k}`) : []));
    assert.deepEqual(unknown, [], 'argument kinds test/support/fuzz/commandArgs.ts cannot break yet');
    const stale = Object.keys(COMMAND_FUZZ).filter((id) => !ids.includes(id as never));
    assert.deepEqual(stale, [], 'entries for commands that are no longer in the table');
  });

  it('passes each sample argument object through checkArgs unchanged', () => {
    for (const [id, e] of Object.entries(COMMAND_FUZZ)) {
      if (typeof e.args !== 'object') continue;
      const base = baseArgs(e.args, e.sample?.(UNIT_FIXTURES));
      assert.deepEqual(checkArgs(e.args, base), base, id);
    }
  });

  it(`refuses ${CASES.toLocaleString('en')} broken argument objects by shape, naming the argument; never throws anything else`, function () {
    this.timeout(120_000);
    const seed = fuzzSeed();
    const rng = new Rng(seed);
    const before = prototypeFingerprint();
    const entries = Object.entries(COMMAND_FUZZ).filter(([, e]) => typeof e.args === 'object') as [string, { args: ArgSpec; sample?: (f: typeof UNIT_FIXTURES) => Args }][];
    const failures: string[] = [];
    let shape = 0;
    let value = 0;
    const started = performance.now();
    for (let i = 0; i < CASES; i++) {
      const [id, e] = entries[i % entries.length];
      const c = argCase(rng, e.args, e.sample?.(UNIT_FIXTURES), false);
      let problem: string | undefined;
      try {
        checkArgs(e.args, c.arg);
        if (c.level === 'shape') problem = 'accepted';
      } catch (err) {
        if (c.level === 'shape') problem = judgeCommandError(c, err);
        else if (!(err instanceof ValidationError)) problem = `threw ${(err as Error)?.name}: ${String((err as Error)?.message).slice(0, 200)}`;
      }
      if (c.level === 'shape') shape++;
      else value++;
      if (problem && failures.length < 25) failures.push(`case ${i + 1} ${id} (${c.what}): ${problem}`);
      const p = polluted();
      if (p && failures.length < 25) failures.push(`case ${i + 1} ${id} (${c.what}): a plain object now has '${p}'`);
    }
    console.log(`      ${shape} shape and ${value} value cases over ${entries.length} commands in ${(performance.now() - started).toFixed(0)} ms, seed ${seed}`);
    assert.deepEqual(failures, [], `seed ${seed} (rerun with FUZZ_SEED=${seed})`);
    assert.equal(prototypeFingerprint(), before, 'prototypes changed');
  });

  it('reads what it checked: a getter or an inherited key cannot swap a value after the check', () => {
    const spec: ArgSpec = { name: { kind: 'string', required: true } };
    let reads = 0;
    const tricky = Object.defineProperty({}, 'name', { enumerable: true, get: () => (reads++ ? { evil: true } : 'ok') });
    assert.throws(() => checkArgs(spec, tricky), /^ValidationError: arguments\.name: must be a value, not a getter$/);
    assert.throws(() => checkArgs(spec, Object.create({ name: 'inherited' })), /arguments: expected a plain object/);
    assert.throws(() => checkArgs(spec, { name: 'x', constructor: 'y' }), /^ValidationError: arguments\.constructor: is not an argument of this command \(arguments: name\)$/);
    assert.throws(() => checkArgs(spec, JSON.parse('{"name":"x","__proto__":{"admin":true}}')), /arguments\.__proto__: is not an argument/);
    assert.throws(() => checkArgs({}, { '': 1 }), /^ValidationError: arguments\."": is not an argument of this command \(it takes none\)$/);
    const copy = checkArgs<{ name: string }>(spec, { name: 'plain' });
    assert.equal(copy.name, 'plain');
  });
});
