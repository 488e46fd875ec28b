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
  // Build beside the output and swap it in, so a run that another engineer started in the same
  // checkout never sees a half-written or emptied folder (its host has loaded its bundles by then).
  const staging = `${integrationOutDir}.${process.pid}.tmp`;
  fs.rmSync(staging, { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: repoRoot,
    entryPoints: [path.join(integrationSrcDir, 'index.ts'), ...walkTests(integrationSrcDir)],
    outbase: integrationSrcDir,
    outdir: staging,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    // 'vscode' is provided by the host; mocha 12 is loaded from the project's node_modules.
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  const old = `${integrationOutDir}.${process.pid}.old`;
  if (fs.existsSync(integrationOutDir)) fs.renameSync(integrationOutDir, old);
  fs.renameSync(staging, integrationOutDir);
  fs.rmSync(old, { recursive: true, force: true });
  return integrationEntry;
}
