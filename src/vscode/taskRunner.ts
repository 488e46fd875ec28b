// `task` pipeline steps through vscode.tasks (ports.ts `TaskRunner`): the task is found by name
// (its label), started with executeTask, and its exit code taken from onDidEndTaskProcess.
//
// Release values reach the task only as environment variables. Shell and process tasks get them
// through their execution options (a copy of the task is run with `options.env` extended; the
// tasks.json entry is untouched). Tasks whose execution VS Code does not expose (custom executions,
// tasks an extension resolves only when run) cannot take variables: they run as they are and the
// step log says so. A task's output goes to its terminal, which the API does not let an extension
// read: the step log names the terminal instead.
import * as vscode from 'vscode';
import type { TaskRunner, TaskRunResult, TaskRunSpec } from '../core/ports';

/** After terminate(), how long to wait for VS Code to report the end before giving up on it. */
const END_GRACE_MS = 5000;

export class VsCodeTaskRunner implements TaskRunner {
  constructor(private readonly folder: vscode.WorkspaceFolder) {}

  async runTask(spec: TaskRunSpec): Promise<TaskRunResult> {
    if (spec.signal.aborted) return { exitCode: null, cancelled: true };
    let all: vscode.Task[];
    try {
      all = await vscode.tasks.fetchTasks();
    } catch (e) {
      return { exitCode: null, error: `could not list the tasks of ${this.folder.name}: ${(e as Error).message}` };
    }
    const task = this.find(all, spec.task);
    if (!task) {
      const names = [...new Set(all.filter((t) => this.inFolder(t)).map((t) => t.name))].sort();
      return {
        exitCode: null,
        error: `no task named '${spec.task}' in ${this.folder.name} (${names.length ? `tasks: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', …' : ''}` : 'it has no tasks; define one in .vscode/tasks.json'})`,
      };
    }
    const prepared = withEnvironment(task, spec.env);
    spec.onOutput(`Running task '${task.name}' (${task.source}); its output is in the terminal "Task - ${task.name}".\n`);
    if (prepared.limitation) spec.onOutput(`${prepared.limitation}\n`);
    return this.execute(prepared.task, spec);
  }

  /** This folder's task first, then a workspace-wide or global one, then any of that name. */
  private find(all: readonly vscode.Task[], name: string): vscode.Task | undefined {
    const named = all.filter((t) => t.name === name);
    return (
      named.find((t) => this.inFolder(t)) ??
      named.find((t) => t.scope === vscode.TaskScope.Workspace) ??
      named.find((t) => t.scope === vscode.TaskScope.Global) ??
      named[0]
    );
  }

  private inFolder(t: vscode.Task): boolean {
    return typeof t.scope === 'object' && t.scope !== null && t.scope.uri.toString() === this.folder.uri.toString();
  }

  private async execute(task: vscode.Task, spec: TaskRunSpec): Promise<TaskRunResult> {
    // Subscribed before executeTask: a short task may end before its execution object reaches us.
    const ended: { execution: vscode.TaskExecution; exitCode: number | undefined; process: boolean }[] = [];
    let wake: (() => void) | undefined;
    const note = (execution: vscode.TaskExecution, exitCode: number | undefined, process: boolean) => {
      ended.push({ execution, exitCode, process });
      wake?.();
    };
    const subscriptions = [
      vscode.tasks.onDidEndTaskProcess((e) => note(e.execution, e.exitCode, true)),
      vscode.tasks.onDidEndTask((e) => note(e.execution, undefined, false)),
    ];
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      let execution: vscode.TaskExecution;
      try {
        execution = await vscode.tasks.executeTask(task);
      } catch (e) {
        return { exitCode: null, error: `task '${task.name}' could not start: ${(e as Error).message}` };
      }
      const mine = (x: vscode.TaskExecution) => x === execution || (x.task.name === task.name && x.task.source === task.source && sameScope(x.task.scope, task.scope));
      let stopped: 'timeout' | 'cancel' | undefined;
      const stop = (why: 'timeout' | 'cancel') => {
        if (stopped) return;
        stopped = why;
        execution.terminate();
        wake?.();
      };
      if (spec.timeoutMs && spec.timeoutMs > 0) timer = setTimeout(() => stop('timeout'), spec.timeoutMs);
      onAbort = () => stop('cancel');
      spec.signal.addEventListener('abort', onAbort, { once: true });
      if (spec.signal.aborted) stop('cancel');

      let stoppedAt: number | undefined;
      for (;;) {
        const processEnd = ended.find((e) => e.process && mine(e.execution));
        const taskEnd = ended.find((e) => !e.process && mine(e.execution));
        if (processEnd || taskEnd) {
          // onDidEndTaskProcess comes before onDidEndTask; a task without a process has only the latter.
          const exitCode = processEnd?.exitCode;
          if (stopped === 'cancel') return { exitCode: exitCode ?? null, cancelled: true };
          if (stopped === 'timeout') return { exitCode: exitCode ?? null, timedOut: true };
          if (exitCode === undefined) return { exitCode: null, error: `task '${task.name}' ended without an exit code (a task without a process, or one VS Code stopped)` };
          spec.onOutput(`Task '${task.name}' exited with code ${exitCode}.\n`);
          return { exitCode };
        }
        if (stopped) {
          stoppedAt ??= Date.now();
          if (Date.now() - stoppedAt > END_GRACE_MS) return stopped === 'cancel' ? { exitCode: null, cancelled: true } : { exitCode: null, timedOut: true };
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, stopped ? 100 : 1000);
        });
        wake = undefined;
      }
    } finally {
      if (timer) clearTimeout(timer);
      if (onAbort) spec.signal.removeEventListener('abort', onAbort);
      for (const s of subscriptions) s.dispose();
    }
  }
}

function sameScope(a: vscode.Task['scope'], b: vscode.Task['scope']): boolean {
  if (typeof a === 'object' && typeof b === 'object' && a && b) return a.uri.toString() === b.uri.toString();
  return a === b;
}

/** A copy of the task whose process gets `env` added, or the task itself with why it cannot. */
export function withEnvironment(task: vscode.Task, env: Record<string, string>): { task: vscode.Task; limitation?: string } {
  const exec = task.execution;
  let copy: vscode.ShellExecution | vscode.ProcessExecution | undefined;
  if (exec instanceof vscode.ShellExecution) {
    const options: vscode.ShellExecutionOptions = { ...exec.options, env: { ...exec.options?.env, ...env } };
    if (exec.commandLine !== undefined) copy = new vscode.ShellExecution(exec.commandLine, options);
    else if (exec.command !== undefined) copy = new vscode.ShellExecution(exec.command, exec.args ?? [], options);
  } else if (exec instanceof vscode.ProcessExecution) {
    copy = new vscode.ProcessExecution(exec.process, exec.args, { ...exec.options, env: { ...exec.options?.env, ...env } });
  }
  if (!copy) {
    const kind = exec instanceof vscode.CustomExecution ? 'a custom execution' : `type '${task.definition.type}', whose command VS Code resolves only when it runs`;
    return {
      task,
      limitation: `Note: task '${task.name}' has ${kind}, which cannot take environment variables: it runs without the release values (RELEASE_ID, RELEASE_VERSION, …). Use a shell or process task to receive them.`,
    };
  }
  const t = new vscode.Task(task.definition, task.scope ?? vscode.TaskScope.Workspace, task.name, task.source, copy, task.problemMatchers);
  t.detail = task.detail;
  t.group = task.group;
  t.isBackground = task.isBackground;
  t.presentationOptions = task.presentationOptions;
  t.runOptions = task.runOptions;
  return { task: t };
}
