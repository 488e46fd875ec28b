// Extension test entry (extensionTestsPath), run by VS Code inside the real extension host.
// Same contract as @vscode/test-electron: run() resolves when every test passed, rejects otherwise.
// Counts and failures also go to the JSON file named by RELEASE_MANAGER_TEST_RESULTS (the server
// passes its environment to the extension host), so the runner does not have to parse logs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

interface Results {
  passed: number;
  failed: number;
  failures: { title: string; error: string }[];
}

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => e.isDirectory() ? testFiles(path.join(dir, e.name))
      : e.name.endsWith('.test.js') ? [path.join(dir, e.name)] : [])
    .sort();
}

export function run(): Promise<void> {
  // Stack traces point into test/integration/*.ts (the bundles carry inline source maps).
  process.setSourceMapsEnabled(true);
  const mocha = new Mocha({ ui: 'bdd', timeout: 30_000, color: false });
  const grep = process.env.RELEASE_MANAGER_TEST_GREP;
  if (grep) mocha.grep(grep);
  for (const f of testFiles(__dirname)) mocha.addFile(f);

  const results: Results = { passed: 0, failed: 0, failures: [] };
  const report = () => {
    const file = process.env.RELEASE_MANAGER_TEST_RESULTS;
    if (file) fs.writeFileSync(file, JSON.stringify(results, null, 2));
  };
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        report();
        if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
        else resolve();
      });
      runner.on('pass', () => { results.passed++; });
      runner.on('fail', (test, err: Error) => {
        results.failed++;
        results.failures.push({ title: test.fullTitle(), error: String(err?.stack ?? err) });
      });
    } catch (err) {
      // A test file that throws while loading lands here, before any test ran.
      results.failed++;
      results.failures.push({ title: 'loading test files', error: String((err as Error)?.stack ?? err) });
      report();
      reject(err);
    }
  });
}
