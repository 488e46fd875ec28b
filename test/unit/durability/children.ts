// Starting durabilityChild.ts as real child processes (bundled once by esbuild) and reading a database
// file without our code (better-sqlite3), for the durability tests.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import * as esbuild from 'esbuild';

const root = path.resolve(__dirname, '../../..');
export const WASM = path.join(root, 'node_modules/sql.js/dist/sql-wasm.wasm');
let bundle: Promise<string> | undefined;

/** The child script, bundled on first use. */
export function childBundle(): Promise<string> {
  bundle ??= (async () => {
    const outDir = path.join(root, 'out/test-durability');
    fs.mkdirSync(outDir, { recursive: true });
    const outfile = path.join(outDir, `durabilityChild.${process.pid}.js`);
    await esbuild.build({
      entryPoints: [path.join(__dirname, 'durabilityChild.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile, logLevel: 'error',
    });
    process.on('exit', () => fs.rmSync(outfile, { force: true }));
    return outfile;
  })();
  return bundle;
}

export interface Child {
  child: ChildProcess;
  /** The acknowledged mutations so far: "release 3.0.0 <id>", "message m-3-1", "counter 7", … */
  acks: string[];
  /** Other lines ("sees 120", "done"). */
  lines: string[];
  done: Promise<number | null>;
  stderr(): string;
}

export async function startChild(args: string[], env: Record<string, string> = {}): Promise<Child> {
  const child = spawn(process.execPath, [await childBundle(), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const acks: string[] = [];
  const lines: string[] = [];
  let buf = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.startsWith('ack ')) acks.push(line.slice(4));
      else lines.push(line);
    }
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, acks, lines, done, stderr: () => err };
}

/** The acknowledgements of one kind ("release", "message", …), each split into its words. */
export function acked(acks: readonly string[], kind: string): string[][] {
  return acks.filter((a) => a.startsWith(`${kind} `)).map((a) => a.split(' ').slice(1));
}

/** Reads a database file without our code: is it valid SQLite on its own? */
export function integrityOnDisk(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return String((db.prepare('PRAGMA integrity_check').get() as Record<string, unknown>).integrity_check);
  } finally {
    db.close();
  }
}
