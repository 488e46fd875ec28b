// The Metrics tab: the four DORA figures of the folder (from the deployment log and git), each with
// its value, its performance band (as text, not colour alone), what it was taken over, and the
// definition of what is counted.
import type { DoraFigureView, MetricsView } from '../../src/shared/protocol';
import { when } from '../format';
import { Button } from '../ui/Button';
import { Spinner } from '../ui/Spinner';

export interface MetricsTabProps {
  metrics?: MetricsView;
  metricsError?: string;
  busy: boolean;
  error?: string;
  onRefresh(): void;
}

const SAMPLE: Record<DoraFigureView['key'], (n: number) => string> = {
  deploymentFrequency: (n) => `${n} deployment${n === 1 ? '' : 's'}`,
  leadTime: (n) => `${n} commit${n === 1 ? '' : 's'}`,
  changeFailureRate: (n) => `${n} finished deployment${n === 1 ? '' : 's'}`,
  timeToRestore: (n) => `${n} restored failure${n === 1 ? '' : 's'}`,
};

function Figure(props: { f: DoraFigureView }) {
  const { f } = props;
  return (
    <li className="figure" data-figure={f.key} data-band={f.band ?? 'none'}>
      <h3>{f.label}</h3>
      <div className="figure-value">
        <span className="value">{f.display}</span>
        <span className={`band band-${f.band ?? 'none'}`}>{f.band ?? 'no band'}</span>
      </div>
      <p className="muted small">{`over ${SAMPLE[f.key](f.sample)}`}</p>
      <p className="definition">{f.definition}</p>
    </li>
  );
}

export function MetricsTab(props: MetricsTabProps) {
  const m = props.metrics;
  return (
    <div className="tab-body" id="metrics">
      <div className="section-title">
        <h2 id="metrics-heading">DORA metrics</h2>
        {m ? <span className="muted" id="metrics-window">{`${m.environment}, last ${Math.round(m.days)} days · computed ${when(m.computedAt)}`}</span> : null}
        <Button id="metrics-refresh" secondary disabled={props.busy} title="Gathers the figures again from the deployment log and git" onClick={props.onRefresh}>
          Refresh
        </Button>
        {props.busy ? <Spinner label="Gathering the figures" /> : null}
      </div>
      {props.error ? (
        <p className="error" role="alert" id="metrics-error">
          {props.error}
        </p>
      ) : null}
      {props.metricsError ? <p className="error" id="metrics-unavailable">{props.metricsError}</p> : null}
      {m ? (
        <>
          <p className="muted small">These figures are the workspace folder's, not only this release's: the four keys of software delivery performance, from the production deployments and git.</p>
          <ol className="figures" id="metrics-figures">
            {m.figures.map((f) => (
              <Figure key={f.key} f={f} />
            ))}
          </ol>
          {m.notes.length ? (
            <ul className="metrics-notes muted small" id="metrics-notes">
              {m.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          ) : null}
        </>
      ) : !props.metricsError ? (
        <p className="muted" id="metrics-pending">Gathering the figures from the deployment log and git…</p>
      ) : null}
    </div>
  );
}
