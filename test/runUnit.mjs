// Runs the plain-Node suites (no VS Code): core, storage, discovery, traffic, process runner.
// Usage: node test/runUnit.mjs [glob-filter]   — prints "unit: N passed, N failed" last.
import { register } from 'tsx/esm/api';
import { register as registerCjs } from 'tsx/cjs/api';
import Mocha from 'mocha';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

register();
registerCjs(); // mocha require()s test files: TypeScript must load through CommonJS too
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const filter = process.argv[2];
const walk = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.test.ts') ? [path.join(dir, e.name)] : []);
const files = walk(path.join(root, 'test/unit'))
  .filter((f) => !filter || f.includes(filter))
  .sort();
const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, reporter: 'spec' });
for (const f of files) mocha.addFile(f);
await mocha.loadFilesAsync();
const runner = mocha.run((failures) => {
  const s = runner.stats ?? { passes: 0, failures };
  console.log(`unit: ${s.passes} passed, ${s.failures} failed`);
  process.exitCode = failures ? 1 : 0;
});
