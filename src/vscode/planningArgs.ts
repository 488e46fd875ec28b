// Argument objects of the planning commands (release trains, roadmaps, release notes, DORA metrics),
// and the small text formats their input boxes read. Shape only, as commandArgs.ts: the managers
// check the values with their own validators. Pure (no 'vscode').
import { ValidationError } from '../core/model';
import type { TrainCheckpoint } from '../core/releaseTrains';
import { validateCheckpoints } from '../core/releaseTrains';
import { describe } from '../core/validate';
import type { FolderArgs, Spec } from './commandArgs';

export interface CreateTrainArgs extends FolderArgs {
  name: string;
  frequency: string;
  /** The first departure, wall clock in `timeZone`: 'YYYY-MM-DD HH:mm', 'YYYY-MM-DDTHH:mm', or 'YYYY-MM-DD' with `time`. */
  startDate: string;
  time?: string;
  timeZone?: string;
  rrule?: string;
  versionRule?: string;
  services?: string[];
  checkpoints?: unknown[];
  enabled?: boolean;
}
export interface TrainRefArgs extends FolderArgs {
  /** The train's id or name. */
  train: string;
}
export interface UpdateTrainArgs extends TrainRefArgs {
  /** Fields as ReleaseTrainScheduler.updateSchedule takes them (startDate as text). */
  updates: Record<string, unknown>;
}
export interface CreateRoadmapArgs extends FolderArgs {
  name: string;
  description?: string;
  milestones?: unknown[];
}
export interface RoadmapRefArgs extends FolderArgs {
  /** The roadmap's id or name. */
  roadmap: string;
}
export interface AddMilestoneArgs extends RoadmapRefArgs {
  title: string;
  /** 'YYYY-MM-DD' (the end of that day) or an ISO time. */
  dueDate?: string;
  weight?: number;
}
export interface MilestoneRefArgs extends RoadmapRefArgs {
  /** The milestone's id or title. */
  milestone: string;
}
export interface EditMilestoneArgs extends MilestoneRefArgs {
  updates: Record<string, unknown>;
}
export interface LinkReleaseArgs extends RoadmapRefArgs {
  releaseId: string;
  /** Ids or titles of milestones of `roadmap`. */
  milestones: string[];
}
export interface ReleaseNotesArgs extends FolderArgs {
  releaseId: string;
}
export interface ExportNotesArgs extends ReleaseNotesArgs {
  /** Relative to the folder, or absolute. */
  path: string;
}
export interface RefreshMetricsArgs extends FolderArgs {
  /** Default 30. */
  windowDays?: number;
}

const folder = { folder: { kind: 'string' as const } };
const trainRef = { ...folder, train: { kind: 'string' as const, required: true } };
const roadmapRef = { ...folder, roadmap: { kind: 'string' as const, required: true } };
const milestoneRef = { ...roadmapRef, milestone: { kind: 'string' as const, required: true } };
const releaseRef = { ...folder, releaseId: { kind: 'string' as const, required: true } };

export const PLANNING_ARG_SPECS = {
  createTrain: {
    ...folder,
    name: { kind: 'string', required: true },
    frequency: { kind: 'string', required: true },
    startDate: { kind: 'string', required: true },
    time: { kind: 'string' },
    timeZone: { kind: 'string' },
    rrule: { kind: 'string' },
    versionRule: { kind: 'string' },
    services: { kind: 'string[]' },
    checkpoints: { kind: 'list' },
    enabled: { kind: 'boolean' },
  },
  trainRef,
  updateTrain: { ...trainRef, updates: { kind: 'object', required: true } },
  runDue: folder,
  createRoadmap: { ...folder, name: { kind: 'string', required: true }, description: { kind: 'string' }, milestones: { kind: 'list' } },
  roadmapRef,
  addMilestone: { ...roadmapRef, title: { kind: 'string', required: true }, dueDate: { kind: 'string' }, weight: { kind: 'number' } },
  milestoneRef,
  editMilestone: { ...milestoneRef, updates: { kind: 'object', required: true } },
  linkRelease: { ...roadmapRef, releaseId: { kind: 'string', required: true }, milestones: { kind: 'string[]', required: true } },
  releaseNotes: releaseRef,
  exportNotes: { ...releaseRef, path: { kind: 'string', required: true } },
  refreshMetrics: { ...folder, windowDays: { kind: 'number' } },
} satisfies Record<string, Spec>;

/** A departure typed by a person or passed as text: 'YYYY-MM-DD HH:mm' becomes the scheduler's 'YYYY-MM-DDTHH:mm'. */
export function normaliseStart(text: string): string {
  const t = text.trim();
  return /^\d{4}-\d{2}-\d{2} \d{1,2}:\d{2}$/.test(t) ? t.replace(' ', 'T').replace(/T(\d):/, 'T0$1:') : t;
}

// ---------------------------------------------------------------- checkpoints as text

/** The common three, Chromium-style: what the Create Release Train box proposes. */
export const DEFAULT_CHECKPOINTS_TEXT = 'feature freeze -14d, branch cut -7d, code freeze -2d';

const UNIT_MINUTES = { d: 1440, h: 60, m: 1 } as const;
const ENTRY_RE = /^(.*\S)\s+([+-])((?:\d+\s*[dhm]\s*)+)$/i;

/**
 * "feature freeze -14d, branch cut -7d, code freeze -2d 4h" → checkpoints (offsets from the
 * departure: '-' before it, '+' after it; units d, h, m). Empty text is no checkpoints. Throws a
 * ValidationError on 'checkpoints' naming the entry, then the core's own checks run.
 */
export function parseCheckpointsText(text: string, field = 'checkpoints'): TrainCheckpoint[] {
  if (typeof text !== 'string') throw new ValidationError(field, `expected text, got ${describe(text)}`);
  const entries = text.split(/[,;\n]/).map((e) => e.trim()).filter(Boolean);
  const raw = entries.map((entry) => {
    const m = ENTRY_RE.exec(entry);
    if (!m) {
      throw new ValidationError(field, `'${entry}' is not "name offset": write e.g. "code freeze -2d" (- before the departure, + after; units d, h, m)`);
    }
    const [, name, sign, amounts] = m;
    const offset: { days?: number; hours?: number; minutes?: number } = {};
    for (const [, n, unit] of amounts.matchAll(/(\d+)\s*([dhm])/gi)) {
      const key = ({ d: 'days', h: 'hours', m: 'minutes' } as const)[unit.toLowerCase() as keyof typeof UNIT_MINUTES];
      const value = (sign === '-' ? -1 : 1) * Number(n);
      offset[key] = (offset[key] ?? 0) + value;
    }
    return { name: name.trim(), offset };
  });
  return validateCheckpoints(raw, field);
}

/** The text parseCheckpointsText reads back: "feature freeze -14d, code freeze -2d 4h". */
export function formatCheckpointsText(checkpoints: readonly TrainCheckpoint[]): string {
  return checkpoints
    .map((c) => {
      const total = (c.offset.days ?? 0) * 1440 + (c.offset.hours ?? 0) * 60 + (c.offset.minutes ?? 0);
      const sign = total < 0 ? '-' : '+';
      let rest = Math.abs(total);
      const parts: string[] = [];
      for (const [unit, size] of Object.entries(UNIT_MINUTES)) {
        const n = Math.floor(rest / size);
        rest -= n * size;
        if (n) parts.push(`${n}${unit}`);
      }
      return `${c.name} ${sign}${parts.join(' ') || '0m'}`;
    })
    .join(', ');
}

/** "2 days before", "4 hours after", "at the departure". */
export function describeOffset(minutes: number): string {
  if (minutes === 0) return 'at the departure';
  const abs = Math.abs(minutes);
  const parts: string[] = [];
  const d = Math.floor(abs / 1440);
  const h = Math.floor((abs % 1440) / 60);
  const m = abs % 60;
  if (d) parts.push(`${d} day${d > 1 ? 's' : ''}`);
  if (h) parts.push(`${h} hour${h > 1 ? 's' : ''}`);
  if (m) parts.push(`${m} minute${m > 1 ? 's' : ''}`);
  return `${parts.join(' ')} ${minutes < 0 ? 'before' : 'after'}`;
}

// ---------------------------------------------------------------- lookups by id or name

/** The entity whose id is `ref`, else whose name matches case-insensitively; a ValidationError naming `field` otherwise. */
export function byIdOrName<T extends { id: string }>(list: readonly T[], ref: string, name: (t: T) => string, field: string, what: string, where?: string): T {
  const hit = list.find((t) => t.id === ref) ?? list.find((t) => name(t).toLowerCase() === ref.trim().toLowerCase());
  if (!hit) {
    const known = list.map(name);
    const within = where ? ` in ${where}` : '';
    throw new ValidationError(field, `no ${what} '${ref}'${within}${known.length ? ` (known: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', …' : ''})` : ` (there are none yet)`}`);
  }
  return hit;
}
