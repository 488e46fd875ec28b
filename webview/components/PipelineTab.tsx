// The Pipeline tab: this release's runs, the selected run's steps with state, duration, exit code
// and attempts, and the selected step's log streamed live; Cancel, Retry / Ignore / Abort (guided
// failure) and Approve (approval step) for the runs this window drives.
import { useEffect, useRef, useState } from 'react';
import type { PipelineRunView, PipelineStepView, RunAction, StepStatusView } from '../../src/shared/pipelineView';
import { when } from '../format';
import { Button } from '../ui/Button';
import { Spinner } from '../ui/Spinner';

export interface PipelineTabProps {
  runs: PipelineRunView[];
  liveLogs: Record<string, string>;
  /** A run to show (the Promotion tab's "Show pipeline"); else the newest. */
  selectedRunId?: string;
  onSelectRun(runId: string): void;
  readOnly?: string;
  busy: boolean;
  error?: string;
  onAction(runId: string, action: RunAction): void;
}

const STEP_MARK: Record<StepStatusView, string> = {
  pending: '·',
  running: '…',
  succeeded: '✓',
  failed: '✗',
  skipped: '–',
  ignored: '!',
  cancelled: '⊘',
};

const LIVE = new Set(['running', 'waiting_approval', 'interrupted']);

export function duration(ms: number | undefined): string {
  if (ms === undefined) return '';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function PipelineTab(props: PipelineTabProps) {
  const run = props.runs.find((r) => r.id === props.selectedRunId) ?? props.runs[0];
  if (!run) {
    return (
      <div className="tab-body" id="pipeline">
        <p className="muted" id="pipeline-empty">
          No pipeline has run for this release yet. Promote it to an environment with a pipeline (Promotion tab), or choose one with "Edit Environment
          Settings"; pipelines live in .vscode/release-pipelines.json ("Edit Pipelines File").
        </p>
      </div>
    );
  }
  return (
    <div className="tab-body" id="pipeline">
      {props.runs.length > 1 ? (
        <div className="run-list" role="tablist" aria-label="Runs of this release">
          {props.runs.map((r) => (
            <button
              key={r.id}
              type="button"
              role="tab"
              aria-selected={r.id === run.id}
              className={`run-chip run-${r.status}${r.id === run.id ? ' selected' : ''}`}
              data-run-id={r.id}
              onClick={() => props.onSelectRun(r.id)}
            >
              {r.pipelineName} → {r.environment} · {r.status.replace('_', ' ')} · {when(r.startedAt)}
            </button>
          ))}
        </div>
      ) : null}
      <Run key={run.id} run={run} {...props} />
    </div>
  );
}

function Run(props: PipelineTabProps & { run: PipelineRunView }) {
  const { run } = props;
  const live = LIVE.has(run.status) && !run.endedAt;
  const [selected, setSelected] = useState<number | undefined>(undefined);
  // Follow the run's current step until the person picks one.
  const stepIndex = selected ?? Math.min(run.currentStep, run.steps.length - 1);
  const step = run.steps[stepIndex];
  const can = run.driven && !props.readOnly && !props.busy;
  const act = (action: RunAction) => () => props.onAction(run.id, action);
  return (
    <section id="pipeline-run" data-run-id={run.id} data-status={run.status} aria-labelledby="pipeline-run-heading">
      <div className="section-title">
        <h2 id="pipeline-run-heading">
          {run.pipelineName} → {run.environment}
        </h2>
        <span className={`run-status run-${run.status}`} id="pipeline-run-status">
          {run.status.replace('_', ' ')}
        </span>
        {run.status === 'running' ? <Spinner label="Pipeline running" /> : null}
        <span className="muted small">
          started {when(run.startedAt)}
          {run.endedAt ? ` · ended ${when(run.endedAt)}` : ''}
        </span>
      </div>
      {run.interruption ? (
        <p className={`banner ${live ? 'warning' : 'error'}`} id="pipeline-interruption">
          {run.interruption.reason}
        </p>
      ) : null}
      {live ? (
        <div className="run-actions" id="pipeline-actions">
          {run.status === 'interrupted' ? (
            <>
              <Button id="pipeline-retry" disabled={!can} onClick={act('retry')} title="Run the failed step again">
                Retry
              </Button>
              <Button id="pipeline-ignore" secondary disabled={!can} onClick={act('ignore')} title="Record the step as ignored and go on">
                Ignore
              </Button>
              <Button id="pipeline-abort" secondary disabled={!can} onClick={act('abort')} title="End the run; the deployment fails">
                Abort
              </Button>
            </>
          ) : null}
          {run.status === 'waiting_approval' ? (
            <Button id="pipeline-approve" disabled={!can} onClick={act('approve')}>
              Approve
            </Button>
          ) : null}
          <Button id="pipeline-cancel" secondary disabled={!can} onClick={act('cancel')} title="Stop the run and kill its processes; the deployment fails">
            Cancel run
          </Button>
          {!run.driven ? <span className="muted small">Driven by another VS Code window: act on it there.</span> : null}
        </div>
      ) : null}
      {props.error ? (
        <p className="error" role="alert" id="pipeline-error">
          {props.error}
        </p>
      ) : null}
      <table className="grid pipeline-steps" id="pipeline-steps">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Step</th>
            <th scope="col">Type</th>
            <th scope="col">State</th>
            <th scope="col">Duration</th>
            <th scope="col">Exit code</th>
            <th scope="col">Attempts</th>
            <th scope="col">Summary</th>
          </tr>
        </thead>
        <tbody>
          {run.steps.map((s) => (
            <tr
              key={s.index}
              data-step={s.index}
              data-status={s.status}
              className={`step-row step-${s.status}${s.index === stepIndex ? ' selected' : ''}`}
              tabIndex={0}
              aria-selected={s.index === stepIndex}
              onClick={() => setSelected(s.index)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  setSelected(s.index);
                }
              }}
            >
              <td className="num">{s.index + 1}</td>
              <td>{s.name}</td>
              <td>{s.type}</td>
              <td className="step-status">
                <span aria-hidden="true">{STEP_MARK[s.status]}</span> {s.status}
              </td>
              <td className="num">{s.status === 'running' ? 'running…' : duration(s.durationMs)}</td>
              <td className="num">{s.exitCode === undefined ? '' : s.exitCode === null ? '—' : s.exitCode}</td>
              <td className="num">{s.attempts || ''}</td>
              <td>{s.summary ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {step ? <StepLog run={run} step={step} live={props.liveLogs[`${run.id}:${step.index}`]} /> : null}
    </section>
  );
}

function StepLog(props: { run: PipelineRunView; step: PipelineStepView; live?: string }) {
  const { step } = props;
  // While a step runs its stored log is empty: the live stream is what there is. Once it ended, the
  // stored log (head and tail of every attempt) is the record.
  const text = step.status === 'running' ? (props.live ?? step.logTail) : step.logTail || props.live || '';
  const ref = useRef<HTMLPreElement>(null);
  const stick = useRef(true);
  useEffect(() => {
    const el = ref.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [text]);
  return (
    <section aria-labelledby="step-log-heading">
      <h2 id="step-log-heading">
        Log of step {step.index + 1}: {step.name}
      </h2>
      {step.logElided > 0 && step.status !== 'running' ? <p className="muted small">The first {step.logElided} characters are not shown here.</p> : null}
      <pre
        className="step-log"
        id="step-log"
        data-step={step.index}
        ref={ref}
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
        }}
      >
        {text || (step.status === 'pending' ? 'Not started yet.' : 'No output.')}
      </pre>
    </section>
  );
}
