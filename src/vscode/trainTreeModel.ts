// The Release Trains tree's rows: each train with its schedule, its next departures (in the train's
// zone, with the version each would get) and their checkpoints as absolute times. Pure (no
// 'vscode'): unit tests check it against a real database.
import { describeRecurrence, formatInstant } from '../core/recurrence';
import type { NextCheckpoint, ReleaseTrainScheduler, UpcomingDeparture } from '../core/releases/ReleaseTrainScheduler';
import { formatCountdown, type ReleaseTrain, type VersionRule } from '../core/releaseTrains';
import { describeOffset } from './planningArgs';

export const VERSION_RULE_LABEL: Record<VersionRule, string> = {
  'next-minor': 'next minor',
  'next-patch': 'next patch',
  calendar: 'calendar version',
};

/** Departures shown per train; the calendar file has the rest. */
export const DEPARTURES_PER_TRAIN = 3;
/** How far ahead the tree looks for them (a yearly custom rule still shows its next one). */
const HORIZON_DAYS = 400;

export interface CheckpointRow {
  name: string;
  /** "Code freeze". */
  label: string;
  /** "Sun 2026-03-29 09:00 · in 3d", or "… · passed". */
  description: string;
  at: Date;
  passed: boolean;
  tooltip: string;
}

export interface DepartureRow {
  trainId: string;
  at: Date;
  /** "Tue 2026-03-31 09:00": the wall clock in the train's zone. */
  label: string;
  /** "1.5.0 · in 5d". */
  description: string;
  expectedVersion: string;
  tooltip: string;
  checkpoints: CheckpointRow[];
}

export interface TrainRow {
  train: ReleaseTrain;
  /** "monthly on day 31 … at 09:00 Europe/Berlin · next minor · 2 services", or "disabled · …". */
  description: string;
  tooltip: string;
  departures: DepartureRow[];
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
/** "Tue 2026-03-31 09:00 Europe/Berlin" without the zone (the train's row names it). */
const wallClock = (at: Date, zone: string) => formatInstant(at, zone).slice(0, -(zone.length + 1));

export function trainDescription(train: ReleaseTrain): string {
  const parts = [describeRecurrence(train.recurrence), VERSION_RULE_LABEL[train.versionRule]];
  if (train.services.length) parts.push(`${train.services.length} service${train.services.length > 1 ? 's' : ''}`);
  return `${train.enabled ? '' : 'disabled · '}${parts.join(' · ')}`;
}

export function trainTooltip(train: ReleaseTrain): string {
  return [
    `Release train '${train.name}'${train.enabled ? '' : ' (disabled: creates nothing)'}`,
    `Departs ${describeRecurrence(train.recurrence)}`,
    `Version: ${VERSION_RULE_LABEL[train.versionRule]}`,
    `Services: ${train.services.join(', ') || 'none named'}`,
    train.checkpoints.length
      ? `Checkpoints: ${train.checkpoints.map((c) => `${c.name} ${describeOffset((c.offset.days ?? 0) * 1440 + (c.offset.hours ?? 0) * 60 + (c.offset.minutes ?? 0))}`).join('; ')}`
      : 'No checkpoints',
  ].join('\n');
}

export function departureRow(d: UpcomingDeparture, now: Date): DepartureRow {
  const zone = d.timeZone;
  return {
    trainId: d.trainId,
    at: d.at,
    label: wallClock(d.at, zone),
    description: `${d.expectedVersion} · ${formatCountdown(now, d.at)}`,
    expectedVersion: d.expectedVersion,
    tooltip: [
      `'${d.trainName}' departs ${d.label}`,
      `It creates release ${d.expectedVersion} (if no other release takes that version first)`,
      `Services: ${d.services.join(', ') || 'none named'}`,
    ].join('\n'),
    checkpoints: d.checkpoints.map((c) => {
      const passed = c.at.getTime() <= now.getTime();
      return {
        name: c.name,
        label: capitalise(c.name),
        description: `${wallClock(c.at, zone)} · ${passed ? 'passed' : formatCountdown(now, c.at)}`,
        at: c.at,
        passed,
        tooltip: `${capitalise(c.name)}: ${describeOffset(c.offsetMinutes)} the departure — ${formatInstant(c.at, zone)}${passed ? ' (passed)' : ''}`,
      };
    }),
  };
}

/** Every train of the folder (disabled ones too, without departures), by name, with its next departures. */
export async function loadTrainRows(
  scheduler: Pick<ReleaseTrainScheduler, 'listSchedules' | 'upcoming'>,
  now: Date,
  perTrain = DEPARTURES_PER_TRAIN,
): Promise<TrainRow[]> {
  const [trains, upcoming] = await Promise.all([scheduler.listSchedules(), scheduler.upcoming(now, { days: HORIZON_DAYS }, perTrain)]);
  return [...trains]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((train) => ({
      train,
      description: trainDescription(train),
      tooltip: trainTooltip(train),
      departures: upcoming.filter((d) => d.trainId === train.id).map((d) => departureRow(d, now)),
    }));
}

/** The status-bar countdown: "$(watch) code freeze in 2d", and a Markdown tooltip with the train and the time. */
export function countdownView(next: NextCheckpoint, timeZone: string, folderName?: string): { text: string; tooltip: string } {
  const what = next.kind === 'departure' ? 'Departure' : next.name.charAt(0).toUpperCase() + next.name.slice(1);
  return {
    text: `$(watch) ${next.text}`,
    tooltip: [
      `**${escapeMarkdown(what)}** of release train '${escapeMarkdown(next.trainName)}'${folderName ? ` (${escapeMarkdown(folderName)})` : ''}`,
      '',
      `${escapeMarkdown(formatInstant(next.at, timeZone))}`,
      '',
      next.kind === 'departure' ? 'The train creates its release then.' : `Departure: ${escapeMarkdown(formatInstant(next.departureAt, timeZone))}`,
      '',
      'Click to show the Release Trains view',
    ].join('\n'),
  };
}

function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}
