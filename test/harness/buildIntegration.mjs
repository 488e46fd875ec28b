// Bundles test/integration/index.ts + every test/integration/**/*.test.ts to out/test/integration/
// (cjs, node): the extensionTestsPath entry shared by runIntegration.mjs (code-server) and
// runElectron.mjs (@vscode/test-electron).
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './codeServer.mjs';

export const integrationSrcDir = path.join(repoRoot, 'test/integration');
export const integrationOutDir = path.join(repoRoot, 'out/test/integration');
export const integrationEntry = path.join(integrationOutDir, 'index.js');

function walkTests(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walkTests(path.join(dir, e.name)) : e.name.endsWith('.test.ts') ? [path.join(dir, e.name)] : []);
}

export async function buildIntegrationTests() {
  fs.rmSync(integrationOutDir, { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: repoRoot,
    entryPoints: [path.join(integrationSrcDir, 'index.ts'), ...walkTests(integrationSrcDir)],
    outbase: integrationSrcDir,
    outdir: integrationOutDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    // 'vscode' is provided by the host; mocha 12 is loaded from the project's node_modules.
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return integrationEntry;
}
