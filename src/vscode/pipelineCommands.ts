// Pipeline commands: start a run for a pending deployment, cancel it, resolve a guided failure
// (retry / ignore / abort), approve an approval step, and the workspace file — create a pipeline in
// `.vscode/release-pipelines.json` (the file made from a template with `$schema` when missing) or
// open it. Runs show their progress through pipelineRunUi.ts.
import * as vscode from 'vscode';
import { RefusedError, ValidationError, type PipelineDefinition, type PipelineRun, type PipelineStep } from '../core/model';
import { checkPipelineName, PIPELINE_FILE, validateSteps } from '../core/pipelineDefinition';
import type { PipelineSyncResult } from '../core/releases/DeploymentPipelineManager';
import { optionalText } from '../core/validate';
import { checkArgs } from './commandArgs';
import type { CommandContext } from './commands';
import { LIVE_RUN, pickDeployment, pickPipeline, pickRun } from './environmentPrompts';
import { addPipeline, pipelineFileTemplate, starterSteps } from './pipelineFileTemplate';
import { input, isArgObject, pickSession } from './prompts';
import type { FolderCore } from './workspaceSession';

// The argument specs live in promotionArgs.ts (pure, read by the fuzz tests).
export { PIPELINE_ARGS } from './promotionArgs';
import { PIPELINE_ARGS } from './promotionArgs';

export async function startPipelineRun(ctx: CommandContext, arg: unknown): Promise<PipelineRun> {
  const a = arg === undefined ? undefined : checkArgs<{ folder?: string; deploymentId: string; pipeline?: string }>(PIPELINE_ARGS.startRun, arg);
  const core = await (await pickSession(ctx.sessions, a?.folder, !a)).core();
  if (a) return core.pipelines.startRun(a.deploymentId, a.pipeline);
  const pending = await core.environments.listDeployments({ status: 'pending' });
  const d = await pickDeployment(core, 'Start Pipeline Run: for which pending deployment?', pending, `No deployment in ${core.folder.name} is pending; promote a release first.`);
  const env = (await core.environments.listEnvironments()).find((e) => e.name === d.environment);
  const p = await pickPipeline(core, `Start Pipeline Run: which pipeline for ${d.environment}?`, { preferred: d.pipelineId ?? env?.pipelineId });
  return core.pipelines.startRun(d.id, p!.id);
}

type RunAction = 'cancel' | 'retry' | 'ignore' | 'abort' | 'approve';

async function onRun(ctx: CommandContext, arg: unknown, action: RunAction): Promise<PipelineRun> {
  const spec = action === 'approve' ? PIPELINE_ARGS.approveStep : PIPELINE_ARGS.run;
  const a = arg === undefined ? undefined : checkArgs<{ folder?: string; runId: string; comment?: string }>(spec, arg);
  const core = await (await pickSession(ctx.sessions, a?.folder, !a)).core();
  let runId: string;
  let comment: string | undefined;
  if (a) {
    runId = a.runId;
    comment = a.comment;
  } else {
    const [title, statuses, what] = {
      cancel: ['Cancel Pipeline Run: which run?', LIVE_RUN, 'running'],
      retry: ['Retry Failed Pipeline Step: in which run?', ['interrupted'], 'paused at a failed step'],
      ignore: ['Ignore Failed Pipeline Step: in which run?', ['interrupted'], 'paused at a failed step'],
      abort: ['Abort Pipeline Run: which run?', ['interrupted'], 'paused at a failed step'],
      approve: ['Approve Pipeline Step: in which run?', ['waiting_approval'], 'waiting for an approval'],
    }[action] as [string, PipelineRun['status'][], string];
    runId = (await pickRun(core, title, statuses, what)).id;
    if (action === 'approve') {
      const c = await input({ title: 'Approve Pipeline Step', prompt: 'A comment (optional, recorded with the approval)', check: (v) => optionalText('comment', v, { max: 2000 }) });
      comment = c.trim() === '' ? undefined : c;
    }
  }
  switch (action) {
    case 'cancel':
      return core.pipelines.cancelRun(runId);
    case 'approve':
      return core.pipelines.approveStep(runId, await core.identity.currentUser(), comment);
    default:
      return core.pipelines.resolveInterruption(runId, action);
  }
}

export const cancelPipelineRun = (ctx: CommandContext, arg: unknown) => onRun(ctx, arg, 'cancel');
export const retryPipelineStep = (ctx: CommandContext, arg: unknown) => onRun(ctx, arg, 'retry');
export const ignorePipelineStep = (ctx: CommandContext, arg: unknown) => onRun(ctx, arg, 'ignore');
export const abortPipelineRun = (ctx: CommandContext, arg: unknown) => onRun(ctx, arg, 'abort');
export const approvePipelineStep = (ctx: CommandContext, arg: unknown) => onRun(ctx, arg, 'approve');

// ---------------------------------------------------------------- the workspace file

function fileUri(core: FolderCore): vscode.Uri {
  return vscode.Uri.joinPath(core.folder.uri, ...PIPELINE_FILE.split('/'));
}

async function readText(uri: vscode.Uri): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch (e) {
    if (e instanceof vscode.FileSystemError && e.code === 'FileNotFound') return undefined;
    throw e;
  }
}

/** Refused while the file has unsaved edits: writing it would lose them or be lost. */
function refuseDirty(uri: vscode.Uri): void {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open?.isDirty) throw new RefusedError(`${PIPELINE_FILE} has unsaved changes; save or revert them first`);
}

async function show(uri: vscode.Uri, offset?: number): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(doc);
  if (offset !== undefined) {
    const at = doc.positionAt(offset);
    editor.selection = new vscode.Selection(at, at);
    editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenter);
  }
}

export interface CreatePipelineResult {
  pipeline: PipelineDefinition;
  /** The file's path. */
  path: string;
  created: boolean;
  sync: PipelineSyncResult;
}

/** Adds a pipeline to the workspace file (created from the template when missing) and applies the file. */
export async function createPipeline(ctx: CommandContext, arg: unknown): Promise<CreatePipelineResult> {
  let steps: PipelineStep[] = starterSteps();
  let rest = arg;
  if (isArgObject(arg) && typeof arg === 'object' && arg !== null && 'steps' in arg) {
    const { steps: raw, ...others } = arg;
    try {
      steps = validateSteps(raw);
    } catch (e) {
      if (e instanceof ValidationError) throw new ValidationError(`arguments.${e.field}`, e.reason);
      throw e;
    }
    rest = others;
  }
  const a = rest === undefined ? undefined : checkArgs<{ folder?: string; name: string }>(PIPELINE_ARGS.create, rest);
  const core = await (await pickSession(ctx.sessions, a?.folder, !a)).core();
  const existing = await core.pipelines.listPipelines();
  const check = (v: string) => {
    const issues: { path: string; message: string }[] = [];
    const name = checkPipelineName(v, 'name', issues);
    if (issues.length || name === undefined) throw new ValidationError('name', issues[0]?.message ?? 'invalid');
    const clash = existing.find((p) => p.name.toLowerCase() === name.toLowerCase());
    if (clash) throw new ValidationError('name', `a pipeline named '${clash.name}' already exists${clash.source === 'file' ? ` in ${PIPELINE_FILE}` : ' (created in VS Code)'}`);
    return name;
  };
  const name = a
    ? (() => {
        try {
          return check(a.name);
        } catch (e) {
          throw e instanceof ValidationError ? new ValidationError('arguments.name', e.reason) : e;
        }
      })()
    : check(await input({ title: 'Create Pipeline: name', prompt: `Added to ${PIPELINE_FILE}, where the team reviews it in git`, value: existing.length ? '' : 'deploy', check }));
  const uri = fileUri(core);
  refuseDirty(uri);
  const before = await readText(uri);
  const { text, at } = before === undefined ? { text: pipelineFileTemplate(name, steps), at: undefined } : addPipeline(before, name, steps);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  // Applied now (the file watcher applies it too, harmlessly): the pipeline exists when the command returns.
  const sync = await core.pipelines.syncPipelineFile(text, PIPELINE_FILE);
  if (sync.errors.length) throw new ValidationError(sync.errors[0]!.path, `${sync.errors[0]!.message} (${PIPELINE_FILE})`);
  const pipeline = await core.pipelines.getPipeline(name);
  if (!a) {
    await show(uri, at ?? text.indexOf(`"name": ${JSON.stringify(name)}`));
    void vscode.window.showInformationMessage(
      `Added pipeline '${name}' to ${PIPELINE_FILE}: edit its steps here; saving applies them. "Edit Environment Settings" makes an environment run it.`,
    );
  }
  return { pipeline, path: uri.fsPath, created: before === undefined, sync };
}

/** Opens the workspace pipeline file, creating it from the template (one pipeline, "deploy") when missing. */
export async function editPipelines(ctx: CommandContext, arg: unknown): Promise<{ path: string; created: boolean }> {
  const a = arg === undefined ? undefined : checkArgs<{ folder?: string }>(PIPELINE_ARGS.editFile, arg);
  const core = await (await pickSession(ctx.sessions, a?.folder, !a)).core();
  const uri = fileUri(core);
  let created = false;
  if ((await readText(uri)) === undefined) {
    const taken = new Set((await core.pipelines.listPipelines()).map((p) => p.name.toLowerCase()));
    let name = 'deploy';
    for (let n = 2; taken.has(name); n++) name = `deploy-${n}`;
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(pipelineFileTemplate(name)));
    created = true;
  }
  await show(uri);
  return { path: uri.fsPath, created };
}
