// Promotion and pipeline managers over the core harness, with real processes, real HTTP and a
// task runner that runs a shell command per task name (the VS Code adapter uses vscode.tasks).
import fs from 'node:fs';
import path from 'node:path';
import type { GitPort, Sleep, TaskRunner, WorkspaceTrust } from '../../src/core/ports';
import { DeploymentPipelineManager } from '../../src/core/releases/DeploymentPipelineManager';
import { EnvironmentPromotionManager } from '../../src/core/releases/EnvironmentPromotionManager';
import type { PipelineStep, Release } from '../../src/core/model';
import { httpClient } from '../../src/process/httpRequest';
import { NodeProcessRunner } from '../../src/process/processRunner';
import { ProcessRunOwnership } from '../../src/process/runOwner';
import { fixedIdentity, openCore, type CoreHarness } from './coreHarness';

export class ToggleTrust implements WorkspaceTrust {
  trusted = true;
  isTrusted(): boolean {
    return this.trusted;
  }
}

/** Runs `commands[task]` through the same process runner; unknown names fail like VS Code's "task not found". */
export function mapTaskRunner(runner: NodeProcessRunner, commands: Record<string, string>): TaskRunner {
  return {
    async runTask(spec) {
      const command = commands[spec.task];
      if (command === undefined) return { exitCode: null, error: `no task named '${spec.task}' (tasks: ${Object.keys(commands).join(', ')})` };
      const res = await runner.run({ command, cwd: spec.cwd, env: spec.env, timeoutMs: spec.timeoutMs, signal: spec.signal, onOutput: (t) => spec.onOutput(t) });
      return { exitCode: res.exitCode, timedOut: res.timedOut, cancelled: res.cancelled };
    },
  };
}

export interface PipelineHarness extends CoreHarness {
  /** The workspace folder shell steps run in. */
  work: string;
  runner: NodeProcessRunner;
  trust: ToggleTrust;
  promotion: EnvironmentPromotionManager;
  pipelines: DeploymentPipelineManager;
  /** A release created with ReleaseManager. */
  release(version?: string, name?: string): Promise<Release>;
  /** A database pipeline with these steps. */
  pipeline(name: string, steps: PipelineStep[]): Promise<string>;
}

export async function openPipelines(opts: {
  dir?: string;
  git?: GitPort;
  timeZone?: string;
  sleep?: Sleep;
  identity?: string;
  tasks?: Record<string, string>;
  killGraceMs?: number;
} = {}): Promise<PipelineHarness> {
  const core = await openCore({ dir: opts.dir, git: opts.git });
  const work = path.join(core.dir, 'work');
  fs.mkdirSync(work, { recursive: true });
  const runner = new NodeProcessRunner({ killGraceMs: opts.killGraceMs ?? 500, drainMs: 200 });
  const trust = new ToggleTrust();
  const identity = fixedIdentity(opts.identity ?? 'Ada Tester');
  const promotion = new EnvironmentPromotionManager({ uow: core.uow, clock: core.clock, identity, git: opts.git, timeZone: opts.timeZone ?? 'UTC' });
  const pipelines = new DeploymentPipelineManager({
    uow: core.uow,
    clock: core.clock,
    identity,
    trust,
    processes: runner,
    http: httpClient,
    promotion,
    ownership: new ProcessRunOwnership(),
    cwd: work,
    sleep: opts.sleep,
    tasks: opts.tasks ? mapTaskRunner(runner, opts.tasks) : undefined,
    retryDelayMs: 20,
  });
  let n = 0;
  return {
    ...core,
    work,
    runner,
    trust,
    promotion,
    pipelines,
    release: async (version = `1.${n++}.0`, name = `Release ${version}`) => (await core.releases.createRelease(name, version)).release,
    pipeline: async (name, steps) => (await pipelines.createPipeline(name, steps)).id,
    close: async () => {
      await pipelines.dispose();
      await runner.dispose();
      await core.close();
    },
  };
}
