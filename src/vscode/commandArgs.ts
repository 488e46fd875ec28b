// Argument objects that commands accept instead of prompting (tests, the webview, other
// extensions, keybindings). Checked here for shape — an object, known keys, the right types — before
// anything runs; the managers then check the values with their own validators. Pure (no 'vscode').
import { ValidationError } from '../core/model';
import { describe, keyName } from '../core/validate';
import { DASHBOARD_TABS, type DashboardTab } from '../shared/protocol';

export interface FolderArgs {
  /** A workspace folder: its name, path or URI. Needed only when several folders are open. */
  folder?: string;
}
export interface ReleaseRefArgs extends FolderArgs {
  releaseId: string;
}
export interface CreateReleaseArgs extends FolderArgs {
  name: string;
  version: string;
  description?: string;
  services?: string[];
  /** ISO 8601 or "YYYY-MM-DD HH:mm" (local time). */
  plannedStart?: string;
  plannedEnd?: string;
}
export interface UpdateReleaseArgs extends ReleaseRefArgs {
  /** Fields as ReleaseManager.updateRelease takes them; dates as text; null clears a field. */
  updates: Record<string, unknown>;
}
export interface CancelReleaseArgs extends ReleaseRefArgs {
  reason?: string;
}
export interface PostMessageArgs extends ReleaseRefArgs {
  text: string;
}
export interface OpenDashboardArgs extends ReleaseRefArgs {
  tab?: DashboardTab;
}
export interface ExportCalendarArgs extends FolderArgs {
  /** Relative to the folder, or absolute. Default: the releaseManager.calendar.path setting. */
  path?: string;
}
export interface AddServiceArgs extends FolderArgs {
  name: string;
  path?: string;
  deployCommand?: string;
  rollbackCommand?: string;
  healthCheckUrl?: string;
  dependencies?: string[];
}
export interface EditServiceArgs extends FolderArgs {
  name: string;
  /** Fields as ServiceCatalog.updateService takes them. */
  changes: Record<string, unknown>;
}
export interface RemoveServiceArgs extends FolderArgs {
  name: string;
}
export interface DeploymentOrderArgs extends ReleaseRefArgs {
  /** Where to deploy: dependencies outside the release count as ready only where they run. Default: where the release goes next. */
  environment?: string;
}
export interface DiscoverServicesArgs extends FolderArgs {
  /** Names of proposed services to add (edges between accepted or known services come along); default: none. */
  accept: string[] | 'all';
}

type Kind = 'string' | 'string[]' | 'object' | 'tab' | 'accept' | 'boolean' | 'number' | 'list' | 'objectOrNull' | 'colour';
export type Spec = Record<string, { kind: Kind; required?: boolean }>;

const folder = { folder: { kind: 'string' as const } };
const releaseRef = { ...folder, releaseId: { kind: 'string' as const, required: true } };

export const ARG_SPECS = {
  createRelease: {
    ...folder,
    name: { kind: 'string', required: true },
    version: { kind: 'string', required: true },
    description: { kind: 'string' },
    services: { kind: 'string[]' },
    plannedStart: { kind: 'string' },
    plannedEnd: { kind: 'string' },
  },
  updateRelease: { ...releaseRef, updates: { kind: 'object', required: true } },
  cancelRelease: { ...releaseRef, reason: { kind: 'string' } },
  releaseRef,
  postMessage: { ...releaseRef, text: { kind: 'string', required: true } },
  openDashboard: { ...releaseRef, tab: { kind: 'tab' } },
  exportCalendar: { ...folder, path: { kind: 'string' } },
  addService: {
    ...folder,
    name: { kind: 'string', required: true },
    path: { kind: 'string' },
    deployCommand: { kind: 'string' },
    rollbackCommand: { kind: 'string' },
    healthCheckUrl: { kind: 'string' },
    dependencies: { kind: 'string[]' },
  },
  editService: { ...folder, name: { kind: 'string', required: true }, changes: { kind: 'object', required: true } },
  removeService: { ...folder, name: { kind: 'string', required: true } },
  discoverServices: { ...folder, accept: { kind: 'accept', required: true } },
  deploymentOrder: { ...releaseRef, environment: { kind: 'string' } },
  folderOnly: folder,
} satisfies Record<string, Spec>;

/**
 * Checks an argument object against its spec: unknown keys, missing required keys and wrong types
 * are refused with a ValidationError naming `arguments.<key>`.
 */
export function checkArgs<T>(spec: Spec, value: unknown): T {
  const v = plainCopy(value);
  for (const key of Object.keys(v)) {
    // hasOwn, not `in`: 'constructor' or '__proto__' are in every object literal's prototype chain.
    if (!Object.prototype.hasOwnProperty.call(spec, key)) {
      const known = Object.keys(spec);
      throw new ValidationError(`arguments.${keyName(key)}`, `is not an argument of this command (${known.length ? `arguments: ${known.join(', ')}` : 'it takes none'})`);
    }
  }
  for (const [key, { kind, required }] of Object.entries(spec)) {
    const x = v[key];
    if (x === undefined) {
      if (required) throw new ValidationError(`arguments.${key}`, 'is required');
      continue;
    }
    const bad = (what: string) => new ValidationError(`arguments.${key}`, `expected ${what}, got ${describe(x)}`);
    switch (kind) {
      case 'string':
        if (typeof x !== 'string') throw bad('text');
        break;
      case 'string[]':
        if (!Array.isArray(x) || x.some((e) => typeof e !== 'string')) throw bad('a list of names');
        break;
      case 'object':
        if (typeof x !== 'object' || x === null || Array.isArray(x)) throw bad('an object');
        break;
      case 'tab':
        if (typeof x !== 'string' || !(DASHBOARD_TABS as readonly string[]).includes(x)) throw bad(`one of ${DASHBOARD_TABS.join(', ')}`);
        break;
      case 'accept':
        if (x !== 'all' && (!Array.isArray(x) || x.some((e) => typeof e !== 'string'))) throw bad("'all' or a list of service names");
        break;
      case 'boolean':
        if (typeof x !== 'boolean') throw bad('true or false');
        break;
      case 'number':
        if (typeof x !== 'number' || !Number.isFinite(x)) throw bad('a number');
        break;
      case 'list':
        if (!Array.isArray(x)) throw bad('a list');
        break;
      case 'objectOrNull':
        if (x !== null && (typeof x !== 'object' || Array.isArray(x))) throw bad('an object, or null to remove the settings');
        break;
      case 'colour':
        if (x !== 'blue' && x !== 'green') throw bad('blue or green');
        break;
    }
  }
  return v as T;
}

/**
 * The argument's own data properties, copied into a fresh object that the command then reads. Other
 * extensions call commands in-process, so refused here is what JSON cannot carry and what could
 * change between this check and its use: class instances and inherited keys, getters, proxies.
 */
function plainCopy(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError('arguments', `expected an object, got ${describe(value)}`);
  }
  try {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new ValidationError('arguments', `expected a plain object ({ "key": value, … }), got ${Object.prototype.toString.call(value).slice(8, -1) || 'an object'} with a prototype`);
    }
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const d = Object.getOwnPropertyDescriptor(value, key);
      if (!d) continue;
      if (!('value' in d)) throw new ValidationError(`arguments.${keyName(key)}`, 'must be a value, not a getter');
      // defineProperty, so that an own '__proto__' key stays a key (and is then refused as unknown).
      Object.defineProperty(copy, key, { value: d.value, enumerable: true, writable: true, configurable: true });
    }
    return copy;
  } catch (e) {
    if (e instanceof ValidationError) throw e;
    throw new ValidationError('arguments', `could not be read (${e instanceof Error ? e.message.slice(0, 100) : 'not an ordinary object'})`);
  }
}

/**
 * A date typed by a person: "2026-12-01", "2026-12-01 14:30" (local time) or ISO 8601.
 * Empty text is no date. A date alone means the start of that day.
 */
export function parseDateInput(field: string, text: string): Date | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const local = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2}))?$/.exec(t);
  let d: Date;
  if (local) {
    const [y, mo, da, h, mi] = [Number(local[1]), Number(local[2]), Number(local[3]), Number(local[4] ?? 0), Number(local[5] ?? 0)];
    d = new Date(y, mo - 1, da, h, mi);
    // new Date rolls 2026-02-31 over into March: refuse instead.
    if (d.getFullYear() !== y || d.getMonth() !== mo - 1 || d.getDate() !== da || h > 23 || mi > 59) {
      throw new ValidationError(field, `${describe(t)} is not a calendar date and time`);
    }
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(t)) {
    d = new Date(t);
  } else {
    throw new ValidationError(field, `${describe(t)} is not a date: type e.g. 2026-12-01 or 2026-12-01 14:30`);
  }
  if (Number.isNaN(d.getTime())) throw new ValidationError(field, `${describe(t)} is not a calendar date and time`);
  return d;
}

/** "2026-12-01 14:30" in local time, the form parseDateInput reads back. */
export function formatDateInput(d: Date | undefined): string {
  if (!d) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Dates in an argument object arrive as text; the managers take Date or ISO text, so local forms are converted here. */
export function argDate(field: string, value: unknown): Date | undefined | null {
  if (value === null) return null;
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ValidationError(field, `expected a date as text, got ${describe(value)}`);
  return parseDateInput(field, value);
}
