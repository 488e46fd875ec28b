// Runs every benchmark (bench/*.ts, each in its own process) and writes one table to bench/RESULTS.md:
// figure, target, measured, ratio to the anchor where there is one — with the machine and the date.
// Usage: npm run bench [-- name-filter]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const filter = process.argv[2];
const benches = fs.readdirSync(path.join(root, 'bench'))
  .filter((f) => f.endsWith('.ts') && f !== 'report.ts' && (!filter || f.includes(filter)))
  .sort();
const tsx = path.join(root, 'node_modules/.bin/tsx');

function run(file) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(tsx, [path.join('bench', file)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      for (const line of String(d).split('\n')) if (line && !line.startsWith('BENCH ')) process.stdout.write(`  ${line}\n`);
    });
    child.stderr.on('data', (d) => {
      out += d;
      process.stderr.write(d);
    });
    child.on('close', (code) => resolve({ file, code, out, seconds: (Date.now() - started) / 1000 }));
  });
}

const fmt = (x) => (typeof x !== 'number' || !Number.isFinite(x) ? '–' : Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2));
const rows = [];
const runs = [];
for (const b of benches) {
  console.log(`\n▶ ${b}`);
  const r = await run(b);
  runs.push(r);
  for (const line of r.out.split('\n')) {
    if (!line.startsWith('BENCH ')) continue;
    try {
      rows.push({ bench: b, ...JSON.parse(line.slice(6)) });
    } catch {
      /* a malformed line is shown in the raw output */
    }
  }
  if (r.code !== 0) rows.push({ bench: b, name: `${b} exited with code ${r.code}`, unit: '', measured: NaN, ok: false });
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const lines = [
  '# Benchmark results',
  '',
  `Measured ${new Date().toISOString()} on ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} at the end.`,
  'Absolute times on a shared 2-core VM are noisy; ratios to an anchor measured in the same run are the steadier figures.',
  '',
  '| figure | target | measured | anchor | ratio | met |',
  '|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.name} | ${r.target ?? '–'} | ${fmt(r.measured)} ${r.unit} | ${r.anchor === undefined ? '–' : `${fmt(r.anchor)} ${r.unit}`} | ${r.anchor ? `${fmt(r.measured / r.anchor)}×` : '–'} | ${r.ok === undefined ? '–' : r.ok ? 'yes' : '**no**'} |`),
  '',
  '## Raw output',
  '',
  ...runs.flatMap((r) => [`### ${r.file} (${r.seconds.toFixed(0)} s, exit ${r.code})`, '', '```', r.out.split('\n').filter((l) => !l.startsWith('BENCH ')).join('\n').trim(), '```', '']),
];
fs.writeFileSync(path.join(root, 'bench/RESULTS.md'), lines.join('\n'));
console.log(`\nwrote bench/RESULTS.md (${rows.length} figures from ${runs.length} benchmarks)`);
process.exitCode = runs.some((r) => r.code !== 0) ? 1 : 0;
