// The Promotion tab: the release's way through the environments as a timeline — each environment
// with its state and times, what runs there, the pipeline running now (step by step), a Promote
// button when the core would accept it, the blockers spelled out when not, and the approval of a
// protected environment (request, approve, reject).
import type { ApprovalDecision, EnvironmentSettingsView, PipelineRunView, PipelinesView } from '../../src/shared/pipelineView';
import type { PromotionStepView, PromotionView, ReleaseStatusView } from '../../src/shared/protocol';
import { STEP_MARK, STEP_STATE, when } from '../format';
import { Button } from '../ui/Button';
import { Spinner } from '../ui/Spinner';

export interface PromotionTabProps {
  version: string;
  status: ReleaseStatusView;
  promotion: PromotionView;
  pipelines?: PipelinesView;
  readOnly?: string;
  busy: boolean;
  error?: string;
  onPromote(environment: string): void;
  onApproval(environment: string, decision: ApprovalDecision): void;
  onShowRun(runId: string): void;
}

/** Element ids from environment names, which may hold any character. */
export const idPart = (name: string) => name.replace(/[^A-Za-z0-9_-]/g, '_');

const LIVE = new Set(['running', 'waiting_approval', 'interrupted']);

export function PromotionTab(props: PromotionTabProps) {
  const { steps, source } = props.promotion;
  const open = props.status === 'planned' || props.status === 'in_progress';
  const disabled = props.busy || !!props.readOnly || !open;
  const settings = new Map((props.pipelines?.environments ?? []).map((e) => [e.name, e]));
  return (
    <div className="tab-body" id="promotion">
      <div className="section-title">
        <h2 id="promotion-timeline-heading">Promotion of {props.version}</h2>
        {props.busy ? <Spinner label="Working" /> : null}
      </div>
      {props.error ? (
        <p className="error" role="alert" id="promotion-error">
          {props.error}
        </p>
      ) : null}
      {!open ? <p className="muted">The release is {props.status === 'deployed' ? 'deployed: redeploy or roll back an environment from the Environments view' : 'cancelled: it is never deployed'}.</p> : null}
      <ol className="timeline" id="promotion-timeline" aria-labelledby="promotion-timeline-heading">
        {steps.map((s) => (
          <Environment
            key={s.environment}
            step={s}
            settings={settings.get(s.environment)}
            run={props.pipelines?.runs.find((r) => r.deploymentId === s.deploymentId)}
            disabled={disabled}
            onPromote={props.onPromote}
            onApproval={props.onApproval}
            onShowRun={props.onShowRun}
          />
        ))}
      </ol>
      {source === 'deployments' ? <p className="muted small">From this release's deployments, in the default environment order: the environments could not be read.</p> : null}
    </div>
  );
}

function Environment(props: {
  step: PromotionStepView;
  settings?: EnvironmentSettingsView;
  run?: PipelineRunView;
  disabled: boolean;
  onPromote(environment: string): void;
  onApproval(environment: string, decision: ApprovalDecision): void;
  onShowRun(runId: string): void;
}) {
  const { step: s, settings, run } = props;
  const id = idPart(s.environment);
  const live = run && LIVE.has(run.status) && !run.endedAt;
  const current = run?.steps[run.currentStep];
  return (
    <li className={`timeline-item step-${s.state}`} data-env={s.environment} data-state={s.state} data-can-promote={s.canPromote ? 'true' : 'false'}>
      <span className="timeline-mark" aria-hidden="true">
        {STEP_MARK[s.state]}
      </span>
      <div className="timeline-body">
        <div className="timeline-head">
          <span className="step-env">{s.environment}</span>
          <span className="step-state">{STEP_STATE[s.state]}</span>
          {s.protected ? <span className="tag">protected</span> : null}
          {settings ? <span className="tag">{settings.pipeline ? `pipeline ${settings.pipeline}` : 'no pipeline'}</span> : null}
          {settings?.guidedFailure ? <span className="tag">guided failure</span> : null}
          {s.canPromote ? (
            // Already there: deploying it again is possible, but not the next step.
            <Button
              id={`promote-${id}`}
              secondary={s.state === 'completed'}
              disabled={props.disabled}
              onClick={() => props.onPromote(s.environment)}
              title={s.state === 'completed' ? `Deploy ${s.environment} again with this release` : `Promote to ${s.environment}`}
            >
              {s.state === 'completed' ? 'Promote again' : 'Promote'}
            </Button>
          ) : null}
        </div>
        <div className="timeline-times muted small">
          {s.startedAt ? <span>started {when(s.startedAt)}</span> : null}
          {s.completedAt ? <span>{s.state === 'failed' ? 'failed' : 'completed'} {when(s.completedAt)}</span> : null}
          {s.current ? <span className="step-current">runs {s.current} now</span> : null}
        </div>
        {live && run ? (
          <div className="timeline-run" id={`run-progress-${id}`} data-run-status={run.status}>
            {run.status === 'running' ? <Spinner label="Pipeline running" /> : null}
            <span>
              {run.pipelineName}: step {Math.min(run.currentStep + 1, run.steps.length)} of {run.steps.length}
              {current ? ` — ${current.name}` : ''} ({run.status === 'interrupted' ? 'failed, waiting for Retry, Ignore or Abort' : run.status === 'waiting_approval' ? 'waiting for approval' : 'running'})
            </span>
            <button className="link" type="button" onClick={() => props.onShowRun(run.id)}>
              Show pipeline
            </button>
          </div>
        ) : run ? (
          <div className="timeline-run muted small">
            Last run: {run.pipelineName} {run.status.replace('_', ' ')}
            {run.endedAt ? ` ${when(run.endedAt)}` : ''}{' '}
            <button className="link" type="button" onClick={() => props.onShowRun(run.id)}>
              Show
            </button>
          </div>
        ) : null}
        {s.protected ? <Approval step={s} disabled={props.disabled} onApproval={props.onApproval} /> : null}
        {s.blockers.length ? (
          <ul className="blockers" aria-label={`Why ${s.environment} cannot be promoted to now`}>
            {s.blockers.map((b) => (
              <li key={b}>{b}</li>
            ))}
          </ul>
        ) : null}
        {settings?.freezes.length ? (
          <ul className="plain muted small" aria-label={`Freeze windows of ${s.environment}`}>
            {settings.freezes.map((f) => (
              <li key={f}>❄ {f}</li>
            ))}
          </ul>
        ) : null}
      </div>
    </li>
  );
}

function Approval(props: { step: PromotionStepView; disabled: boolean; onApproval(environment: string, decision: ApprovalDecision): void }) {
  const { step: s } = props;
  const a = s.approval;
  const id = idPart(s.environment);
  const act = (decision: ApprovalDecision) => () => props.onApproval(s.environment, decision);
  return (
    <div className="approval" id={`approval-${id}`} data-approval={a?.status ?? 'none'}>
      {!a ? (
        <>
          <span>Needs an approval.</span>
          <Button id={`request-approval-${id}`} secondary disabled={props.disabled} onClick={act('request')}>
            Request approval
          </Button>
        </>
      ) : a.status === 'pending' ? (
        <>
          <span>
            Approval requested by {a.requestedBy ?? 'someone'} {when(a.requestedAt)}.
          </span>
          <Button id={`approve-${id}`} disabled={props.disabled} onClick={act('approve')}>
            Approve
          </Button>
          <Button id={`reject-${id}`} secondary disabled={props.disabled} onClick={act('reject')}>
            Reject
          </Button>
        </>
      ) : (
        <>
          <span>
            {a.status === 'approved' ? 'Approved' : 'Rejected'} by {a.decidedBy ?? 'someone'} {when(a.decidedAt)}
            {a.comment ? `: ${a.comment}` : '.'}
          </span>
          {a.status === 'rejected' ? (
            <Button id={`request-approval-${id}`} secondary disabled={props.disabled} onClick={act('request')}>
              Request again
            </Button>
          ) : null}
        </>
      )}
    </div>
  );
}
