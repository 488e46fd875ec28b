// Roadmap commands: create a roadmap, add / edit / remove milestones, link or unlink a release to
// milestones (multi-pick), show a roadmap's progress. Argument objects (planningArgs.ts) name a
// roadmap or milestone by id or by name; without one, quick picks and validated input boxes ask.
import * as vscode from 'vscode';
import { RefusedError, ValidationError } from '../core/model';
import type { MilestoneInput, MilestoneUpdates } from '../core/releases/ReleaseRoadmapLinker';
import type { Milestone, Roadmap, RoadmapProgress } from '../core/roadmaps';
import { optionalText, requireText } from '../core/validate';
import { ARG_SPECS, checkArgs, parseDateInput } from './commandArgs';
import type { CommandContext } from './commands';
import {
  byIdOrName,
  PLANNING_ARG_SPECS,
  type AddMilestoneArgs,
  type CreateRoadmapArgs,
  type EditMilestoneArgs,
  type LinkReleaseArgs,
  type MilestoneRefArgs,
  type RoadmapRefArgs,
} from './planningArgs';
import { progressBar } from './planningModel';
import { Cancelled, input, isArgObject, pick, pickMany, pickSession, releaseTarget } from './prompts';
import type { FolderCore, WorkspaceSession } from './workspaceSession';

const day = (d: Date | undefined) => (d ? d.toISOString().slice(0, 10) : undefined);

/** A due date as typed: 'YYYY-MM-DD' (the end of that day) or nothing. */
function dueCheck(v: string): void {
  const t = v.trim();
  if (t === '') return;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(t)) throw new ValidationError('dueDate', `'${t}' is not a date: type e.g. 2026-06-30`);
  parseDateInput('dueDate', t);
}

function weightCheck(v: string): number {
  const n = Number(v.trim());
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 1000) throw new ValidationError('weight', `expected a number above 0 and at most 1000, got '${v.trim()}'`);
  return n;
}

interface RoadmapTarget {
  session: WorkspaceSession;
  core: FolderCore;
  roadmap: Roadmap;
  args?: RoadmapRefArgs & Record<string, unknown>;
}

async function roadmapTarget(ctx: CommandContext, arg: unknown, spec: Parameters<typeof checkArgs>[0], title: string): Promise<RoadmapTarget> {
  if (arg !== undefined) {
    const args = checkArgs<RoadmapRefArgs & Record<string, unknown>>(spec, arg);
    const session = await pickSession(ctx.sessions, args.folder, false);
    const core = await session.core();
    const roadmap = byIdOrName(await core.roadmaps.listRoadmaps(), args.roadmap, (r) => r.name, 'arguments.roadmap', 'roadmap');
    return { session, core, roadmap, args };
  }
  const session = await pickSession(ctx.sessions, undefined, true);
  const core = await session.core();
  return { session, core, roadmap: await pickRoadmap(core, title) };
}

async function pickRoadmap(core: FolderCore, title: string): Promise<Roadmap> {
  const roadmaps = await core.roadmaps.listRoadmaps();
  if (!roadmaps.length) throw new RefusedError(`There are no roadmaps in ${core.folder.name} yet: create one with "Create Roadmap" first.`);
  if (roadmaps.length === 1) return roadmaps[0];
  const chosen = await pick(
    roadmaps.map((r) => ({ label: r.name, description: `${r.milestones.length} milestone${r.milestones.length === 1 ? '' : 's'}`, detail: r.description, roadmap: r })),
    { title, placeHolder: 'Type a roadmap name' },
  );
  return chosen.roadmap;
}

function milestoneByRef(roadmap: Roadmap, ref: string, field: string): Milestone {
  return byIdOrName(roadmap.milestones, ref, (m) => m.title, field, 'milestone', `roadmap '${roadmap.name}'`);
}

async function pickMilestone(roadmap: Roadmap, title: string): Promise<Milestone> {
  if (!roadmap.milestones.length) throw new RefusedError(`Roadmap '${roadmap.name}' has no milestones yet: add one with "Add Milestone".`);
  const chosen = await pick(
    roadmap.milestones.map((m) => ({ label: m.title, description: [m.dueDate ? `due ${day(m.dueDate)}` : 'no due date', `weight ${m.weight}`].join(' · '), milestone: m })),
    { title, placeHolder: 'Type a milestone title' },
  );
  return chosen.milestone;
}

export async function createRoadmap(ctx: CommandContext, arg: unknown): Promise<Roadmap> {
  if (arg !== undefined) {
    const a = checkArgs<CreateRoadmapArgs>(PLANNING_ARG_SPECS.createRoadmap, arg);
    const core = await (await pickSession(ctx.sessions, a.folder, false)).core();
    return core.roadmaps.createRoadmap({ name: a.name, description: a.description, milestones: a.milestones as MilestoneInput[] | undefined });
  }
  const session = await pickSession(ctx.sessions, undefined, true);
  const core = await session.core();
  const existing = await core.roadmaps.listRoadmaps();
  const name = (
    await input({
      title: 'Create Roadmap (1/2): name',
      prompt: 'e.g. "2026 H2" or "Checkout v2"',
      check: (v) => {
        const n = requireText('name', v, { max: 200 });
        const clash = existing.find((r) => r.name.toLowerCase() === n.toLowerCase());
        if (clash) throw new ValidationError('name', `a roadmap named '${clash.name}' exists already`);
      },
    })
  ).trim();
  const description = await input({ title: 'Create Roadmap (2/2): description', prompt: 'What it is for (optional)', check: (v) => optionalText('description', v, { max: 10_000 }) });
  const roadmap = await core.roadmaps.createRoadmap({ name, description: description.trim() || undefined });
  const ADD = 'Add Milestone';
  void vscode.window.showInformationMessage(`Created roadmap '${roadmap.name}'. Add its milestones, then link releases to them.`, ADD).then((choice) => {
    if (choice === ADD) return askMilestone(core, roadmap).then(undefined, (e) => (e instanceof Cancelled ? undefined : ctx.reportError(e)));
  });
  return roadmap;
}

async function askMilestone(core: FolderCore, roadmap: Roadmap): Promise<Milestone> {
  const title = (await input({ title: `Add Milestone to '${roadmap.name}' (1/3): title`, prompt: 'e.g. "Guest checkout"', check: (v) => requireText('title', v, { max: 200 }) })).trim();
  const due = (
    await input({ title: `Add Milestone to '${roadmap.name}' (2/3): due date`, prompt: 'YYYY-MM-DD: done by the end of that day; empty: no due date', check: dueCheck })
  ).trim();
  const weight = weightCheck(
    await input({ title: `Add Milestone to '${roadmap.name}' (3/3): weight`, prompt: "Its share of the roadmap's progress (1 = as much as any other)", value: '1', check: weightCheck }),
  );
  const milestone = await core.roadmaps.addMilestone(roadmap.id, { title, dueDate: due || undefined, weight });
  void vscode.window.showInformationMessage(`Added milestone '${milestone.title}' to roadmap '${roadmap.name}'.`);
  return milestone;
}

export async function addMilestone(ctx: CommandContext, arg: unknown): Promise<Milestone> {
  const t = await roadmapTarget(ctx, arg, PLANNING_ARG_SPECS.addMilestone, 'Add Milestone: to which roadmap?');
  if (t.args) {
    const a = t.args as unknown as AddMilestoneArgs;
    return t.core.roadmaps.addMilestone(t.roadmap.id, { title: a.title, dueDate: a.dueDate, weight: a.weight });
  }
  return askMilestone(t.core, t.roadmap);
}

export async function editMilestone(ctx: CommandContext, arg: unknown): Promise<Milestone> {
  const t = await roadmapTarget(ctx, arg, PLANNING_ARG_SPECS.editMilestone, 'Edit Milestone: of which roadmap?');
  if (t.args) {
    const a = t.args as unknown as EditMilestoneArgs;
    const m = milestoneByRef(t.roadmap, a.milestone, 'arguments.milestone');
    return t.core.roadmaps.updateMilestone(t.roadmap.id, m.id, a.updates as MilestoneUpdates);
  }
  const m = await pickMilestone(t.roadmap, `Edit Milestone of '${t.roadmap.name}': which one?`);
  const fields = [
    { label: 'Title', description: m.title, field: 'title' as const },
    { label: 'Due date', description: day(m.dueDate) ?? '(none)', field: 'dueDate' as const },
    { label: 'Weight', description: String(m.weight), field: 'weight' as const },
    { label: 'Position', description: `${m.position + 1} of ${t.roadmap.milestones.length}`, field: 'position' as const },
  ];
  const { field } = await pick(fields, { title: `Edit Milestone '${m.title}': which field?` });
  const title = `Edit Milestone '${m.title}': ${fields.find((f) => f.field === field)?.label.toLowerCase()}`;
  let updates: MilestoneUpdates;
  switch (field) {
    case 'title':
      updates = { title: (await input({ title, value: m.title, check: (v) => requireText('title', v, { max: 200 }) })).trim() };
      break;
    case 'dueDate': {
      const v = (await input({ title, value: day(m.dueDate) ?? '', prompt: 'YYYY-MM-DD; empty removes the due date', check: dueCheck })).trim();
      updates = { dueDate: v || null };
      break;
    }
    case 'weight':
      updates = { weight: weightCheck(await input({ title, value: String(m.weight), check: weightCheck })) };
      break;
    case 'position': {
      const n = t.roadmap.milestones.length;
      const check = (v: string) => {
        const p = Number(v.trim());
        if (!Number.isInteger(p) || p < 1 || p > n) throw new ValidationError('position', `expected a whole number from 1 to ${n}`);
        return p;
      };
      updates = { position: check(await input({ title, value: String(m.position + 1), prompt: `1 (first) to ${n} (last)`, check })) - 1 };
      break;
    }
  }
  const after = await t.core.roadmaps.updateMilestone(t.roadmap.id, m.id, updates);
  void vscode.window.showInformationMessage(`Updated milestone '${after.title}'.`);
  return after;
}

export async function removeMilestone(ctx: CommandContext, arg: unknown): Promise<{ removed: string }> {
  const t = await roadmapTarget(ctx, arg, PLANNING_ARG_SPECS.milestoneRef, 'Remove Milestone: of which roadmap?');
  const m = t.args
    ? milestoneByRef(t.roadmap, (t.args as unknown as MilestoneRefArgs).milestone, 'arguments.milestone')
    : await pickMilestone(t.roadmap, `Remove Milestone of '${t.roadmap.name}': which one?`);
  if (!t.args) {
    const choice = await vscode.window.showWarningMessage(
      `Remove milestone '${m.title}' from roadmap '${t.roadmap.name}'?`,
      { modal: true, detail: 'Its links to releases go with it; the releases stay.' },
      'Remove',
    );
    if (choice !== 'Remove') throw new Cancelled();
  }
  await t.core.roadmaps.removeMilestone(t.roadmap.id, m.id);
  if (!t.args) void vscode.window.showInformationMessage(`Removed milestone '${m.title}'.`);
  return { removed: m.id };
}

interface LinkOutcome {
  releaseId: string;
  /** Titles of the milestones linked (or unlinked) by this call. */
  changed: string[];
  /** Titles already in the asked state. */
  unchanged: string[];
}

async function linkCommand(ctx: CommandContext, arg: unknown, mode: 'link' | 'unlink'): Promise<LinkOutcome> {
  const verb = mode === 'link' ? 'Link Release to Milestones' : 'Unlink Release from Milestones';
  let core: FolderCore;
  let releaseId: string;
  let targets: { roadmap: Roadmap; milestone: Milestone }[];
  const isArgs = isArgObject(arg);
  if (isArgs) {
    const a = checkArgs<LinkReleaseArgs>(PLANNING_ARG_SPECS.linkRelease, arg);
    core = await (await pickSession(ctx.sessions, a.folder, false)).core();
    releaseId = a.releaseId;
    const roadmap = byIdOrName(await core.roadmaps.listRoadmaps(), a.roadmap, (r) => r.name, 'arguments.roadmap', 'roadmap');
    if (!a.milestones.length) throw new ValidationError('arguments.milestones', 'name at least one milestone');
    targets = a.milestones.map((ref, i) => ({ roadmap, milestone: milestoneByRef(roadmap, ref, `arguments.milestones[${i}]`) }));
  } else {
    // From a release in the tree, or the release picker.
    const t = await releaseTarget(ctx.sessions, arg, ARG_SPECS.releaseRef, {
      statuses: mode === 'link' ? ['planned', 'in_progress', 'deployed'] : undefined,
      title: `${verb}: which release?`,
      purpose: `to ${mode}`,
    });
    core = t.core;
    releaseId = t.releaseId;
    const release = await core.releases.getRelease(releaseId);
    const linked = new Set((await core.roadmaps.milestonesOf(releaseId)).map((l) => l.milestone.id));
    const roadmaps = await core.roadmaps.listRoadmaps();
    const items: (vscode.QuickPickItem & { roadmap?: Roadmap; milestone?: Milestone })[] = [];
    for (const r of roadmaps) {
      const ms = r.milestones.filter((m) => (mode === 'link' ? !linked.has(m.id) : linked.has(m.id)));
      if (!ms.length) continue;
      items.push({ label: r.name, kind: vscode.QuickPickItemKind.Separator });
      for (const m of ms) items.push({ label: m.title, description: m.dueDate ? `due ${day(m.dueDate)}` : 'no due date', roadmap: r, milestone: m });
    }
    if (!items.length) {
      throw new RefusedError(
        mode === 'link'
          ? roadmaps.length
            ? `Release ${release?.version ?? releaseId} is linked to every milestone already.`
            : `There are no roadmaps in ${core.folder.name} yet: create one with "Create Roadmap" first.`
          : `Release ${release?.version ?? releaseId} is not linked to any milestone.`,
      );
    }
    const chosen = await pickMany(items, { title: `${verb}: ${release?.version ?? ''} ${release ? `(${release.name})` : ''}`.trim(), placeHolder: mode === 'link' ? 'Which milestones does it deliver?' : 'Which links go?' });
    if (!chosen.length) throw new Cancelled();
    targets = chosen.filter((c) => c.roadmap && c.milestone).map((c) => ({ roadmap: c.roadmap!, milestone: c.milestone! }));
  }
  const out: LinkOutcome = { releaseId, changed: [], unchanged: [] };
  for (const { roadmap, milestone } of targets) {
    if (mode === 'link') {
      const { created } = await core.roadmaps.linkRelease(releaseId, roadmap.id, milestone.id);
      (created ? out.changed : out.unchanged).push(milestone.title);
    } else {
      await core.roadmaps.unlinkRelease(releaseId, roadmap.id, milestone.id);
      out.changed.push(milestone.title);
    }
  }
  if (!isArgs) {
    const list = out.changed.map((m) => `'${m}'`).join(', ');
    void vscode.window.showInformationMessage(mode === 'link' ? `Linked to ${list}.` : `Unlinked from ${list}.`);
  }
  return out;
}

export function linkRelease(ctx: CommandContext, arg: unknown): Promise<LinkOutcome> {
  return linkCommand(ctx, arg, 'link');
}

export function unlinkRelease(ctx: CommandContext, arg: unknown): Promise<LinkOutcome> {
  return linkCommand(ctx, arg, 'unlink');
}

/** A roadmap's progress: with an argument object, the core's RoadmapProgress; otherwise a quick pick to read and open from. */
export async function showRoadmap(ctx: CommandContext, arg: unknown): Promise<RoadmapProgress> {
  const t = await roadmapTarget(ctx, arg, PLANNING_ARG_SPECS.roadmapRef, 'Show Roadmap: which roadmap?');
  const progress = await t.core.roadmaps.trackProgress(t.roadmap.id);
  if (t.args) return progress;
  const items = progress.milestones.map((p) => ({
    label: `${p.atRisk ? '$(warning)' : p.done ? '$(pass)' : '$(milestone)'} ${p.milestone.title}`,
    description: `${progressBar(p.percentDone)}${p.milestone.dueDate ? ` · due ${day(p.milestone.dueDate)}` : ''}${p.atRisk ? ' · at risk' : ''}`,
    detail: `${p.releases.length ? p.releases.map((r) => `${r.version} ${r.status.replace('_', ' ')}`).join(', ') : 'no releases linked'} — ${p.risk}`,
    progress: p,
  }));
  if (!items.length) throw new RefusedError(`Roadmap '${t.roadmap.name}' has no milestones yet: add one with "Add Milestone".`);
  const chosen = await pick(items, {
    title: `Roadmap '${progress.name}': ${progress.percentDone} % done${progress.atRiskCount ? ` · ${progress.atRiskCount} at risk` : ''} — pick a milestone to open one of its releases`,
    placeHolder: progress.pace.rule,
  });
  const releases = chosen.progress.releases;
  if (releases.length) {
    const r = releases.length === 1 ? releases[0] : (await pick(releases.map((x) => ({ label: x.version, description: `${x.name} · ${x.status.replace('_', ' ')}`, release: x })), { title: `Milestone '${chosen.progress.milestone.title}': open which release?` })).release;
    await ctx.dashboards.open(t.session, r.releaseId, 'roadmap');
  }
  return progress;
}
