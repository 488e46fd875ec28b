// Dates and labels as the dashboard shows them (local time, as the trees do).
import type { DeploymentStatusView, ReleaseStatusView, StepState } from '../src/shared/protocol';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function when(iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

export const RELEASE_STATUS: Record<ReleaseStatusView, string> = {
  planned: 'Planned',
  in_progress: 'In progress',
  deployed: 'Deployed',
  cancelled: 'Cancelled',
};

export const STEP_STATE: Record<StepState | DeploymentStatusView, string> = {
  not_deployed: 'not deployed',
  pending: 'pending',
  in_progress: 'in progress',
  completed: 'completed',
  failed: 'failed',
  rolled_back: 'rolled back',
};

export const STEP_MARK: Record<StepState, string> = {
  not_deployed: '·',
  pending: '…',
  in_progress: '…',
  completed: '✓',
  failed: '✗',
  rolled_back: '↺',
};
