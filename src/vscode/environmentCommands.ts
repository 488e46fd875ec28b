// Environment commands: add, rename, move up / down, remove, edit settings (protected, a different
// approver, guided failure, pipeline), and freeze windows (one-off or recurring, in a time zone).
// Each takes an argument object or asks; the core validates and refuses with its own text.
import * as vscode from 'vscode';
import { RefusedError, ValidationError, type Environment, type EnvironmentUpdates } from '../core/model';
import { FREQUENCIES, parseLocal, validateTimeZone, type Frequency } from '../core/recurrence';
import { requireText } from '../core/validate';
import { checkArgs } from './commandArgs';
import type { CommandContext } from './commands';
import { confirm, environmentDetail, environmentTarget, freezeLabel, pickPipeline } from './environmentPrompts';
import { input, pick, pickSession } from './prompts';

// The argument specs live in promotionArgs.ts (pure, read by the fuzz tests).
export { ENVIRONMENT_ARGS } from './promotionArgs';
import { ENVIRONMENT_ARGS } from './promotionArgs';

function newName(existing: readonly Environment[], except?: Environment) {
  return (v: string) => {
    const name = requireText('name', v, { max: 64 });
    const clash = existing.find((e) => e.name.toLowerCase() === name.toLowerCase() && e.id !== except?.id);
    if (clash) throw new ValidationError('name', `an environment named '${clash.name}' already exists`);
  };
}

export async function addEnvironment(ctx: CommandContext, arg: unknown): Promise<Environment> {
  if (arg !== undefined) {
    const a = checkArgs<{ folder?: string; name: string; settings?: Record<string, unknown> }>(ENVIRONMENT_ARGS.add, arg);
    const core = await (await pickSession(ctx.sessions, a.folder, false)).core();
    return core.environments.addEnvironment(a.name, (a.settings ?? {}) as never);
  }
  const core = await (await pickSession(ctx.sessions, undefined, true)).core();
  const envs = await core.environments.listEnvironments();
  const name = (await input({ title: 'Add Environment (1/3): name', prompt: 'e.g. "qa" or "eu-production"; it reaches pipeline processes as TARGET_ENV', check: newName(envs) })).trim();
  const where = await pick(
    [
      ...envs.map((e) => ({ label: `Before ${e.name}`, position: e.position })),
      { label: envs.length ? `After ${envs[envs.length - 1]!.name} (last)` : 'First', position: envs.length },
    ],
    { title: `Add Environment (2/3): where does ${name} come in the promotion order?` },
  );
  const guard = await pick(
    [
      { label: 'Not protected', description: 'promotion needs no approval', protected: false },
      { label: 'Protected', description: 'promotion needs an approved approval of the release', protected: true },
    ],
    { title: `Add Environment (3/3): does promotion to ${name} need an approval?` },
  );
  const env = await core.environments.addEnvironment(name, { position: where.position, protected: guard.protected });
  void vscode.window.showInformationMessage(`Added environment ${env.name}. "Edit Environment Settings" chooses its pipeline and guided failure.`);
  return env;
}

export async function renameEnvironment(ctx: CommandContext, arg: unknown): Promise<Environment> {
  const t = await environmentTarget(ctx, arg, ENVIRONMENT_ARGS.rename, 'Rename Environment: which environment?');
  if (t.args) return t.core.environments.renameEnvironment(t.environment.name, t.args.newName as string);
  const envs = await t.core.environments.listEnvironments();
  const name = await input({
    title: `Rename Environment ${t.environment.name}`,
    value: t.environment.name,
    prompt: 'Its deployments and approvals follow the new name',
    check: newName(envs, t.environment),
  });
  return t.core.environments.renameEnvironment(t.environment.name, name);
}

async function move(ctx: CommandContext, arg: unknown, by: -1 | 1): Promise<Environment[]> {
  const t = await environmentTarget(ctx, arg, ENVIRONMENT_ARGS.environment, `Move Environment ${by < 0 ? 'Up' : 'Down'}: which environment?`);
  const names = (await t.core.environments.listEnvironments()).map((e) => e.name);
  const i = names.indexOf(t.environment.name);
  const j = i + by;
  if (j < 0) throw new RefusedError(`${t.environment.name} is already the first environment`);
  if (j >= names.length) throw new RefusedError(`${t.environment.name} is already the last environment`);
  [names[i], names[j]] = [names[j]!, names[i]!];
  return t.core.environments.reorderEnvironments(names);
}

export const moveEnvironmentUp = (ctx: CommandContext, arg: unknown) => move(ctx, arg, -1);
export const moveEnvironmentDown = (ctx: CommandContext, arg: unknown) => move(ctx, arg, 1);

export async function removeEnvironment(ctx: CommandContext, arg: unknown): Promise<void> {
  const t = await environmentTarget(ctx, arg, ENVIRONMENT_ARGS.environment, 'Remove Environment: which environment?');
  if (!t.args) {
    await confirm(
      `Remove environment ${t.environment.name}?`,
      'Releases are no longer promoted through it. Its deployment history stays (and shows in the Environments view while deployments name it).',
      'Remove',
    );
  }
  await t.core.environments.removeEnvironment(t.environment.name);
}

type SettingItem = vscode.QuickPickItem & { apply: () => Promise<EnvironmentUpdates> };

export async function editEnvironment(ctx: CommandContext, arg: unknown): Promise<Environment> {
  const t = await environmentTarget(ctx, arg, ENVIRONMENT_ARGS.edit, 'Edit Environment Settings: which environment?');
  const { core, environment: e } = t;
  if (t.args) return core.environments.updateEnvironment(e.name, t.args.changes as EnvironmentUpdates);
  const pipelines = await core.pipelines.listPipelines();
  const current = e.pipelineId ? pipelines.find((p) => p.id === e.pipelineId) : undefined;
  const onOff = (v: boolean) => (v ? 'on' : 'off');
  const items: SettingItem[] = [
    {
      label: `Protected: ${e.protected ? 'yes' : 'no'}`,
      detail: e.protected ? 'Turn off: promotion needs no approval' : 'Turn on: promotion needs an approved approval of the release',
      apply: async () => ({ protected: !e.protected }),
    },
    {
      label: `A different approver: ${onOff(e.requireDifferentApprover)}`,
      detail: 'Whether the person who requested an approval (or started a run) may not approve it',
      apply: async () => ({ requireDifferentApprover: !e.requireDifferentApprover }),
    },
    {
      label: `Guided failure: ${onOff(e.guidedFailure)}`,
      detail: 'On: a failed step pauses the run with Retry / Ignore / Abort instead of failing it',
      apply: async () => ({ guidedFailure: !e.guidedFailure }),
    },
    {
      label: `Pipeline: ${current ? `'${current.name}'` : 'none'}`,
      detail: 'What a promotion to this environment runs',
      apply: async () => {
        const p = await pickPipeline(core, `Pipeline of ${e.name}`, { none: 'No pipeline (deployments are marked by hand)', preferred: e.pipelineId });
        return { pipelineId: p ? p.id : null };
      },
    },
  ];
  const chosen = await pick(items, { title: `Edit Environment Settings: ${e.name}`, placeHolder: environmentDetail(e, pipelines) });
  const after = await core.environments.updateEnvironment(e.name, await chosen.apply());
  void vscode.window.showInformationMessage(`${after.name}: ${environmentDetail(after, pipelines)}.`);
  return after;
}

// ---------------------------------------------------------------- freeze windows

/** "62h", "90m", "2d 4h", "1d 30m" or a number of minutes. */
export function parseDuration(field: string, text: string): number {
  const t = text.trim().toLowerCase();
  if (/^\d+$/.test(t)) return Number(t);
  const m = /^(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?$/.exec(t);
  if (!t || !m || (!m[1] && !m[2] && !m[3])) throw new ValidationError(field, `'${text}' is not a duration: type e.g. 62h, 90m or 2d 4h`);
  return Number(m[1] ?? 0) * 1440 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

/** "2026-12-24 18:00" → "2026-12-24T18:00" (the form freeze windows store). */
function localInput(field: string, text: string): string {
  const v = text.trim().replace(' ', 'T');
  parseLocal(v, field);
  return v;
}

const FREQUENCY_LABEL: Record<Exclude<Frequency, 'custom'>, string> = { daily: 'Every day', weekly: 'Every week', biweekly: 'Every two weeks', monthly: 'Every month' };

export async function addFreezeWindow(ctx: CommandContext, arg: unknown): Promise<Environment> {
  const t = await environmentTarget(ctx, arg, ENVIRONMENT_ARGS.addFreeze, 'Add Freeze Window: which environment?');
  if (t.args) return t.core.environments.addFreezeWindow(t.environment.name, t.args.window);
  const env = t.environment.name;
  const title = (step: string) => `Add Freeze Window to ${env}: ${step}`;
  const name = (await input({ title: title('name'), prompt: 'e.g. "Weekend freeze" or "Year-end"', check: (v) => requireText('name', v, { max: 200 }) })).trim();
  const kind = await pick(
    [
      { label: 'One-off', description: 'from a start to an end', recurring: false },
      { label: 'Recurring', description: 'every day, week, two weeks or month, for a duration', recurring: true },
    ],
    { title: title('one-off or recurring?') },
  );
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
  const timeZone = validateTimeZone(
    (await input({ title: title('time zone'), value: zone, prompt: 'IANA time zone of the times you type, e.g. Europe/Berlin (daylight saving is followed)', check: (v) => validateTimeZone(v.trim(), 'timeZone') })).trim(),
    'timeZone',
  );
  const when = 'YYYY-MM-DD HH:mm';
  let window: Record<string, unknown>;
  if (!kind.recurring) {
    const start = localInput('start', await input({ title: title('start'), prompt: `${when}, in ${timeZone}`, check: (v) => localInput('start', v) }));
    const end = localInput(
      'end',
      await input({
        title: title('end'),
        prompt: `${when}, in ${timeZone}; deployments are possible again from then`,
        check: (v) => {
          if (parseLocal(localInput('end', v), 'end') <= parseLocal(start, 'start')) throw new ValidationError('end', `must be after the start (${start.replace('T', ' ')})`);
        },
      }),
    );
    window = { name, start, end, timeZone };
  } else {
    const frequency = await pick(
      FREQUENCIES.filter((f): f is Exclude<Frequency, 'custom'> => f !== 'custom').map((f) => ({ label: FREQUENCY_LABEL[f], frequency: f })),
      { title: title('how often?') },
    );
    const start = localInput('start', await input({ title: title('first occurrence'), prompt: `${when}, in ${timeZone}: when the first freeze starts (its weekday and time repeat)`, check: (v) => localInput('start', v) }));
    const durationMinutes = parseDuration(
      'durationMinutes',
      await input({ title: title('duration'), prompt: 'How long each freeze lasts (wall clock), e.g. 62h for Friday 16:00 to Monday 06:00', check: (v) => parseDuration('durationMinutes', v) }),
    );
    window = { name, start, timeZone, durationMinutes, recurrence: { frequency: frequency.frequency } };
  }
  const after = await t.core.environments.addFreezeWindow(env, window);
  const added = after.freezeWindows[after.freezeWindows.length - 1];
  void vscode.window.showInformationMessage(`Added freeze window to ${env}: ${added ? freezeLabel(added) : name}.`);
  return after;
}

export async function removeFreezeWindow(ctx: CommandContext, arg: unknown): Promise<Environment> {
  const t = await environmentTarget(ctx, arg, ENVIRONMENT_ARGS.removeFreeze, 'Remove Freeze Window: which environment?');
  if (t.args) return t.core.environments.removeFreezeWindow(t.environment.name, t.args.windowId as string);
  const windows = t.environment.freezeWindows;
  if (!windows.length) throw new RefusedError(`${t.environment.name} has no freeze windows`);
  const chosen = await pick(
    windows.map((w) => ({ label: w.name, description: w.timeZone, detail: freezeLabel(w), id: w.id })),
    { title: `Remove Freeze Window from ${t.environment.name}` },
  );
  return t.core.environments.removeFreezeWindow(t.environment.name, chosen.id);
}
