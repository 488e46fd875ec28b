// One build script, two contexts (style.md rule 12):
//   host    src/extension.ts  -> dist/extension.js  (node, cjs, 'vscode' external, + sql-wasm.wasm)
//   webview webview/main.tsx  -> dist/webview.js    (browser, iife; the ELK worker script is bundled in as text)
// Flags: --watch, --production (minified, no source maps).
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const copyAssets = {
  name: 'copy-assets',
  setup(build) {
    build.onEnd(() => {
      fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
      fs.copyFileSync(path.join(root, 'node_modules/sql.js/dist/sql-wasm.wasm'), path.join(root, 'dist/sql-wasm.wasm'));
    });
  },
};

const logResult = (name) => ({
  name: `log-${name}`,
  setup(build) {
    build.onEnd((r) => {
      if (r.errors.length) console.error(`[esbuild] ${name}: ${r.errors.length} error(s)`);
      else if (watch) console.log(`[esbuild] ${name} rebuilt`);
    });
  },
});

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'warning',
  absWorkingDir: root,
};

const contexts = await Promise.all([
  esbuild.context({
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // The wasm's package path is only a fallback for plain-Node tests; the extension passes dist/sql-wasm.wasm.
    external: ['vscode', 'sql.js/dist/sql-wasm.wasm'],
    plugins: [copyAssets, logResult('host')],
  }),
  esbuild.context({
    ...common,
    entryPoints: ['webview/main.tsx'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    jsx: 'automatic',
    loader: { '.ttf': 'file' },
    define: { 'process.env.NODE_ENV': production ? '"production"' : '"development"' },
    plugins: [logResult('webview')],
  }),
]);

if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('[esbuild] watching');
} else {
  const results = await Promise.allSettled(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  const failed = results.filter((r) => r.status === 'rejected');
  if (failed.length) {
    for (const f of failed) console.error(f.reason?.message ?? f.reason);
    process.exit(1);
  }
}
