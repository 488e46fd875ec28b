// Release train commands: create, edit, enable, disable, delete, run due now. Each takes an argument
// object (planningArgs.ts) or a Release Trains tree node, and otherwise asks with input boxes that
// validate as the user types with the scheduler's own validators.
import * as vscode from 'vscode';
import { RefusedError, ValidationError } from '../core/model';
import { parseLocal, validateRecurrence, validateTimeZone, type Frequency } from '../core/recurrence';
import type { RunDueResult, TrainScheduleUpdates } from '../core/releases/ReleaseTrainScheduler';
import type { ReleaseTrain, VersionRule } from '../core/releaseTrains';
import { requireText } from '../core/validate';
import { checkArgs } from './commandArgs';
import type { CommandContext } from './commands';
import {
  byIdOrName,
  DEFAULT_CHECKPOINTS_TEXT,
  formatCheckpointsText,
  normaliseStart,
  parseCheckpointsText,
  PLANNING_ARG_SPECS,
  type CreateTrainArgs,
  type TrainRefArgs,
  type UpdateTrainArgs,
} from './planningArgs';
import { Cancelled, input, pick, pickMany, pickSession } from './prompts';
import { isTrainTreeNode, trainRefOf, TrainFolderNode } from './trainTree';
import { trainDescription, VERSION_RULE_LABEL } from './trainTreeModel';
import type { FolderCore, WorkspaceSession } from './workspaceSession';

const FREQUENCY_ITEMS: { label: string; description: string; frequency: Frequency }[] = [
  { label: 'Monthly', description: 'the same day every month; the 29th–31st fall back to the last day of shorter months', frequency: 'monthly' },
  { label: 'Biweekly', description: 'every other week, on the weekday of the first departure', frequency: 'biweekly' },
  { label: 'Weekly', description: 'every week, on the weekday of the first departure', frequency: 'weekly' },
  { label: 'Daily', description: 'every day', frequency: 'daily' },
  { label: 'Custom rule…', description: 'an RFC 5545 rule, e.g. FREQ=MONTHLY;BYDAY=1TU (first Tuesday)', frequency: 'custom' },
];

const VERSION_ITEMS: { label: string; description: string; rule: VersionRule }[] = [
  { label: 'Next minor', description: '1.4.2 → 1.5.0', rule: 'next-minor' },
  { label: 'Next patch', description: '1.4.2 → 1.4.3', rule: 'next-patch' },
  { label: 'Calendar version', description: 'YEAR.MONTH.N of the departure: 2026.3.0, then 2026.3.1', rule: 'calendar' },
];

function hostZone(): string {
  try {
    return validateTimeZone(new Intl.DateTimeFormat().resolvedOptions().timeZone, 'timeZone');
  } catch {
    return 'UTC';
  }
}

/** Tomorrow at 10:00, as the first-departure box proposes it. */
function proposedStart(now = new Date()): string {
  const d = new Date(now.getTime() + 86_400_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} 10:00`;
}

const startCheck = (v: string) => parseLocal(normaliseStart(v), 'startDate');

interface TrainTarget {
  session: WorkspaceSession;
  core: FolderCore;
  train: ReleaseTrain;
  /** Set when the command was called with an argument object (then nothing is asked). */
  args?: TrainRefArgs & Record<string, unknown>;
}

/** The train a command acts on: a tree node, an argument object (`train`: id or name), or a picker. */
async function trainTarget(ctx: CommandContext, arg: unknown, spec: Parameters<typeof checkArgs>[0], title: string, filter?: (t: ReleaseTrain) => boolean): Promise<TrainTarget> {
  const ref = trainRefOf(arg);
  if (ref) return { session: ref.session, core: await ref.session.core(), train: ref.train };
  if (isTrainTreeNode(arg)) throw new ValidationError('arguments', 'run this from a release train');
  if (arg !== undefined) {
    const args = checkArgs<TrainRefArgs & Record<string, unknown>>(spec, arg);
    const session = await pickSession(ctx.sessions, args.folder, false);
    const core = await session.core();
    const train = byIdOrName(await core.trains.listSchedules(), args.train, (t) => t.name, 'arguments.train', 'release train');
    return { session, core, train, args };
  }
  const session = await pickSession(ctx.sessions, undefined, true);
  const core = await session.core();
  const all = await core.trains.listSchedules();
  const trains = filter ? all.filter(filter) : all;
  if (!trains.length) throw new RefusedError(all.length ? `No release train in ${session.name} fits: ${title.replace(/:.*$/, '').toLowerCase()} does not apply to any.` : `There are no release trains in ${session.name} yet: create one first.`);
  const chosen = await pick(
    trains.map((t) => ({ label: t.name, description: trainDescription(t), train: t })),
    { title, placeHolder: 'Type a train name' },
  );
  return { session, core, train: chosen.train };
}

async function firstDepartureText(core: FolderCore, train: ReleaseTrain): Promise<string> {
  const [next] = (await core.trains.upcoming(core.clock.now(), { days: 400 }, 1)).filter((d) => d.trainId === train.id);
  return next ? `first departure ${next.label} → ${next.expectedVersion}` : train.enabled ? 'no departure in the next year' : 'disabled';
}

export async function createTrain(ctx: CommandContext, arg: unknown): Promise<ReleaseTrain> {
  if (arg !== undefined && !(arg instanceof TrainFolderNode)) {
    const a = checkArgs<CreateTrainArgs>(PLANNING_ARG_SPECS.createTrain, arg);
    const core = await (await pickSession(ctx.sessions, a.folder, false)).core();
    return core.trains.createSchedule({
      name: a.name,
      frequency: a.frequency as Frequency,
      startDate: normaliseStart(a.startDate),
      time: a.time,
      timeZone: a.timeZone,
      rrule: a.rrule,
      versionRule: a.versionRule as VersionRule | undefined,
      services: a.services,
      checkpoints: a.checkpoints as never,
      enabled: a.enabled,
    });
  }
  const session = arg instanceof TrainFolderNode ? arg.session : await pickSession(ctx.sessions, undefined, true);
  const core = await session.core();
  const existing = await core.trains.listSchedules();
  const catalog = await core.catalog.listServices();
  let steps = catalog.length ? 7 : 6;
  let step = 0;
  const title = (what: string) => `Create Release Train (${++step}/${steps}): ${what}`;

  const name = (
    await input({
      title: title('name'),
      prompt: 'What is the train called? e.g. "Monthly"; its releases are named after it and the departure date',
      check: (v) => {
        const n = requireText('name', v, { max: 200 });
        const clash = existing.find((t) => t.name.toLowerCase() === n.toLowerCase());
        if (clash) throw new ValidationError('name', `a release train named '${clash.name}' exists already`);
      },
    })
  ).trim();
  const { frequency } = await pick(FREQUENCY_ITEMS, { title: title('frequency'), placeHolder: 'How often does it depart?' });
  if (frequency === 'custom') steps++;
  const start = normaliseStart(
    await input({
      title: title('first departure'),
      prompt: 'Date and time of the first departure, as the clock reads in the train\'s time zone (next step): YYYY-MM-DD HH:mm',
      value: proposedStart(),
      check: startCheck,
    }),
  );
  const timeZone = validateTimeZone(
    (
      await input({
        title: title('time zone'),
        prompt: 'IANA time zone of the departures, e.g. Europe/Berlin, America/New_York, UTC. Departures keep their wall-clock time across daylight saving.',
        value: hostZone(),
        check: (v) => validateTimeZone(v.trim(), 'timeZone'),
      })
    ).trim(),
    'timeZone',
  );
  let rrule: string | undefined;
  if (frequency === 'custom') {
    rrule = (
      await input({
        title: title('custom rule'),
        prompt: 'RFC 5545 RRULE, anchored at the first departure: e.g. FREQ=MONTHLY;BYDAY=1TU or FREQ=WEEKLY;INTERVAL=3;BYDAY=WE',
        value: 'FREQ=MONTHLY;BYDAY=1TU',
        check: (v) => validateRecurrence({ frequency: 'custom', start, timeZone, rrule: v.trim() }),
      })
    ).trim();
  }
  const { rule: versionRule } = await pick(VERSION_ITEMS, { title: title('version rule'), placeHolder: 'Which version does each departure\'s release get?' });
  let services: string[] = [];
  if (catalog.length) {
    const chosen = await pickMany(
      catalog.map((s) => ({ label: s.name, description: s.path, picked: true })),
      { title: title('services'), placeHolder: 'Which services does each release of this train ship? (none is fine)' },
    );
    services = chosen.map((c) => c.label);
  }
  const checkpoints = parseCheckpointsText(
    await input({
      title: title('checkpoints'),
      prompt: 'Checkpoints before (−) or after (+) each departure, comma-separated, units d h m; empty: none',
      value: DEFAULT_CHECKPOINTS_TEXT,
      check: (v) => parseCheckpointsText(v),
    }),
  );
  const train = await core.trains.createSchedule({ name, frequency, startDate: start, timeZone, rrule, versionRule, services, checkpoints, enabled: true });
  void vscode.window.showInformationMessage(`Created release train '${train.name}': ${await firstDepartureText(core, train)}.`);
  return train;
}

type TrainField = 'name' | 'schedule' | 'versionRule' | 'services' | 'checkpoints';

export async function updateTrain(ctx: CommandContext, arg: unknown): Promise<ReleaseTrain> {
  const t = await trainTarget(ctx, arg, PLANNING_ARG_SPECS.updateTrain, 'Edit Release Train: which train?');
  if (t.args) {
    const updates = { ...(t.args as unknown as UpdateTrainArgs).updates };
    if (typeof updates.startDate === 'string') updates.startDate = normaliseStart(updates.startDate);
    return t.core.trains.updateSchedule(t.train.id, updates as TrainScheduleUpdates);
  }
  const train = t.train;
  const rec = train.recurrence;
  const fields: { label: string; description: string; field: TrainField }[] = [
    { label: 'Name', description: train.name, field: 'name' },
    { label: 'Schedule', description: trainDescription({ ...train, services: [], enabled: true }).split(' · ')[0], field: 'schedule' },
    { label: 'Version rule', description: VERSION_RULE_LABEL[train.versionRule], field: 'versionRule' },
    { label: 'Services', description: train.services.join(', ') || '(none)', field: 'services' },
    { label: 'Checkpoints', description: formatCheckpointsText(train.checkpoints) || '(none)', field: 'checkpoints' },
  ];
  const { field } = await pick(fields, { title: `Edit Release Train '${train.name}': which field?` });
  const title = `Edit Release Train '${train.name}': ${fields.find((f) => f.field === field)?.label.toLowerCase()}`;
  let updates: TrainScheduleUpdates;
  switch (field) {
    case 'name':
      updates = { name: (await input({ title, value: train.name, check: (v) => requireText('name', v, { max: 200 }) })).trim() };
      break;
    case 'schedule': {
      const { frequency } = await pick(
        FREQUENCY_ITEMS.map((f) => ({ ...f, picked: f.frequency === rec.frequency, description: f.frequency === rec.frequency ? `current · ${f.description}` : f.description })),
        { title: `${title} (1/3): frequency` },
      );
      const start = normaliseStart(
        await input({ title: `${title} (2/3): first departure`, prompt: 'YYYY-MM-DD HH:mm in the train\'s time zone. The new schedule applies from now on.', value: rec.start.replace('T', ' '), check: startCheck }),
      );
      const timeZone = (await input({ title: `${title} (3/3): time zone`, value: rec.timeZone, check: (v) => validateTimeZone(v.trim(), 'timeZone') })).trim();
      let rrule: string | undefined;
      if (frequency === 'custom') {
        rrule = (
          await input({
            title: `${title}: custom rule`,
            value: rec.rrule ?? 'FREQ=MONTHLY;BYDAY=1TU',
            check: (v) => validateRecurrence({ frequency: 'custom', start, timeZone, rrule: v.trim() }),
          })
        ).trim();
      }
      updates = { frequency, startDate: start, timeZone, ...(rrule !== undefined ? { rrule } : {}) };
      break;
    }
    case 'versionRule': {
      const { rule } = await pick(
        VERSION_ITEMS.map((v) => ({ ...v, description: v.rule === train.versionRule ? `current · ${v.description}` : v.description })),
        { title },
      );
      updates = { versionRule: rule };
      break;
    }
    case 'services': {
      const catalog = await t.core.catalog.listServices();
      const chosen = await pickMany(catalog.map((s) => ({ label: s.name, description: s.path, picked: train.services.includes(s.name) })), { title });
      updates = { services: chosen.map((c) => c.label) };
      break;
    }
    case 'checkpoints':
      updates = {
        checkpoints: parseCheckpointsText(
          await input({ title, prompt: 'e.g. feature freeze -14d, branch cut -7d, code freeze -2d; empty: none', value: formatCheckpointsText(train.checkpoints), check: (v) => parseCheckpointsText(v) }),
        ),
      };
      break;
  }
  const after = await t.core.trains.updateSchedule(train.id, updates);
  void vscode.window.showInformationMessage(`Updated release train '${after.name}': ${await firstDepartureText(t.core, after)}.`);
  return after;
}

export async function enableTrain(ctx: CommandContext, arg: unknown): Promise<ReleaseTrain> {
  const t = await trainTarget(ctx, arg, PLANNING_ARG_SPECS.trainRef, 'Enable Release Train: which train?', (x) => !x.enabled);
  const after = await t.core.trains.enable(t.train.id);
  if (!t.args) void vscode.window.showInformationMessage(`Enabled release train '${after.name}': ${await firstDepartureText(t.core, after)}. Departures missed while it was disabled create nothing.`);
  return after;
}

export async function disableTrain(ctx: CommandContext, arg: unknown): Promise<ReleaseTrain> {
  const t = await trainTarget(ctx, arg, PLANNING_ARG_SPECS.trainRef, 'Disable Release Train: which train?', (x) => x.enabled);
  const after = await t.core.trains.disable(t.train.id);
  if (!t.args) void vscode.window.showInformationMessage(`Disabled release train '${after.name}': it creates no releases until enabled again.`);
  return after;
}

export async function deleteTrain(ctx: CommandContext, arg: unknown): Promise<{ deleted: string }> {
  const t = await trainTarget(ctx, arg, PLANNING_ARG_SPECS.trainRef, 'Delete Release Train: which train?');
  if (!t.args) {
    const choice = await vscode.window.showWarningMessage(
      `Delete release train '${t.train.name}'?`,
      { modal: true, detail: 'It creates no more releases. The releases it created stay; the audit log keeps the train.' },
      'Delete',
    );
    if (choice !== 'Delete') throw new Cancelled();
  }
  await t.core.trains.deleteSchedule(t.train.id);
  if (!t.args) void vscode.window.showInformationMessage(`Deleted release train '${t.train.name}'.`);
  return { deleted: t.train.id };
}

/** Runs what is due now in one folder (named, or the only one) or in every open folder. */
export async function runDueTrains(ctx: CommandContext, arg: unknown): Promise<RunDueResult> {
  const a = arg === undefined || isTrainTreeNode(arg) ? undefined : checkArgs<{ folder?: string }>(PLANNING_ARG_SPECS.runDue, arg);
  // From a train's row: its folder; with `folder`: that one; otherwise every open folder.
  const ref = trainRefOf(arg);
  const sessions = ref
    ? [ref.session]
    : a?.folder !== undefined
      ? [await pickSession(ctx.sessions, a.folder, false)]
      : ctx.sessions.list().filter((s) => s.state === 'ready');
  const total: RunDueResult = { departures: [], errors: [], more: false };
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Running due release trains…' }, async () => {
    for (const session of sessions) {
      const core = await session.core();
      // The runner's own run: it announces what it created and re-arms the timer.
      const result = await core.trainRunner.run();
      if (!result) throw new Error(`the release trains of ${session.name} could not run; the log says why`);
      total.departures.push(...result.departures);
      total.errors.push(...result.errors);
    }
  });
  if (!a && total.departures.length === 0 && total.errors.length === 0) void vscode.window.showInformationMessage('No release train departure was due: nothing to create.');
  return total;
}

