// Blue-green traffic control: both colours with version, role and health, the live split
// (requests/s and 5xx per colour), the weight steps with the current one marked, the state machine
// as a small timeline, the buttons, and the audited history. Every state is also said in words:
// colour is never the only signal.
import { useEffect } from 'react';
import { useStore } from 'zustand';
import type { TimelineEntry, TrafficAction, TrafficColourView, TrafficRolloutView, TrafficTabView } from '../../src/shared/trafficView';
import { when } from '../format';
import { trafficStore } from '../store/trafficStore';
import { Badge } from '../ui/Badge';
import { Button } from '../ui/Button';
import { Spinner } from '../ui/Spinner';

const MARK: Record<TimelineEntry['status'], string> = { done: '✓', current: '●', pending: '○', skipped: '–' };
const STEP_MARK = { done: '✓', current: '●', pending: '○' } as const;
const ROLE: Record<TrafficColourView['role'], string> = { active: 'active', preview: 'preview', previous: 'previous (kept up)' };
const HEALTH: Record<TrafficColourView['health'], string> = { healthy: 'healthy', unhealthy: 'unhealthy', unknown: 'unknown' };

const rate = (n: number | undefined, digits = 1) => (n === undefined ? '—' : n.toFixed(digits));
const percent = (n: number | undefined) => (n === undefined ? '—' : `${(n * 100).toFixed(n < 0.1 ? 1 : 0)} %`);

export function TrafficTab(props: { active: boolean; readOnly?: string }) {
  const s = useStore(trafficStore);
  const { watch } = s;
  useEffect(() => {
    watch(props.active);
  }, [props.active, watch]);
  const view = s.view;
  return (
    <div className="tab-body" id="traffic" data-state={view?.selected?.state ?? (view ? 'none' : 'loading')}>
      {s.error ? (
        <p className="banner error" role="alert" id="traffic-error">
          {s.error}
        </p>
      ) : null}
      {!view ? (
        <div className="loading">
          <Spinner label="Reading the traffic router" /> Reading the traffic router…
        </div>
      ) : (
        <TrafficBody view={view} pending={s.pending?.action} readOnly={props.readOnly} chosen={s.environment} onChoose={s.choose} onRun={s.run} />
      )}
    </div>
  );
}

function TrafficBody(p: {
  view: TrafficTabView;
  pending?: TrafficAction;
  readOnly?: string;
  chosen?: string;
  onChoose(env: string): void;
  onRun(action: TrafficAction, environment?: string): void;
}) {
  const { view } = p;
  const r = view.selected;
  return (
    <>
      {view.rollouts.length > 1 ? (
        <div className="traffic-rollouts" id="traffic-rollouts" role="group" aria-label="Rollouts of this release">
          <span className="muted">Rollouts:</span>
          {view.rollouts.map((x) => (
            <Button key={x.environment} secondary={x.environment !== r?.environment} onClick={() => p.onChoose(x.environment)}>
              {x.environment} · {x.stateLabel}
            </Button>
          ))}
        </div>
      ) : null}
      {view.error ? (
        <p className="banner warning" id="traffic-view-error">
          {view.error}
        </p>
      ) : null}
      {r ? <Rollout r={r} pending={p.pending} readOnly={p.readOnly} onRun={p.onRun} /> : null}
      <SetUp view={view} pending={p.pending} readOnly={p.readOnly} onRun={p.onRun} />
    </>
  );
}

/** How to start a rollout (or another one, once the shown one has ended). */
function SetUp(p: { view: TrafficTabView; pending?: TrafficAction; readOnly?: string; onRun(action: TrafficAction, environment?: string): void }) {
  const r = p.view.selected;
  if (r && !['promoted', 'aborted', 'rolled_back'].includes(r.state)) return null;
  return (
    <section id="traffic-setup">
      <h2>{r ? 'Set up another rollout' : 'No blue-green rollout of this release yet'}</h2>
      <p className="muted">
        Setting up deploys this release to the idle colour through the environment's pipeline (with COLOR set), checks its health and a smoke request
        against that colour directly, then waits for you to move traffic: 10 → 50 → 100 %, watched, with one-click rollback.
      </p>
      {p.view.routedEnvironments.length ? (
        <div className="traffic-actions">
          {p.view.routedEnvironments.map((env) => (
            <Button key={env} id={`traffic-setup-${env}`} disabled={!!p.pending || !!p.readOnly} onClick={() => p.onRun('setup', env)}>
              Set up in {env}
            </Button>
          ))}
          {p.pending === 'setup' ? <Spinner label="Setting up" /> : null}
        </div>
      ) : (
        <p id="traffic-no-router">
          No environment has traffic router settings yet: run <strong>Release Manager: Configure Traffic Router</strong> (HAProxy, nginx or your own
          commands, with each colour's health URL).
        </p>
      )}
    </section>
  );
}

function Rollout(p: { r: TrafficRolloutView; pending?: TrafficAction; readOnly?: string; onRun(action: TrafficAction, environment?: string): void }) {
  const { r } = p;
  const busy = !!p.pending || !!r.busy || !!p.readOnly;
  const run = (a: TrafficAction) => p.onRun(a, r.environment);
  return (
    <section id="traffic-rollout" data-rollout-id={r.id} data-environment={r.environment}>
      <div className="section-title">
        <h2>
          {r.version} in {r.environment}
        </h2>
        <Badge id="traffic-state">{r.stateLabel}</Badge>
        {r.busy ? (
          <span className="muted" id="traffic-busy">
            <Spinner label={r.busy} /> {r.busy} running
          </span>
        ) : null}
      </div>
      <p className="muted small" id="traffic-router">
        {r.routerKind} router{r.hitless ? ' (switches without dropping connections)' : ''} · split{' '}
        {r.splitSource === 'router' ? 'read from the router' : 'as last recorded'} at {when(r.readAt)}
        {r.production ? ' · production: actions ask for confirmation' : ''}
      </p>
      {r.routerError ? (
        <p className="banner warning" id="traffic-router-error">
          The router could not be read: {r.routerError}
        </p>
      ) : null}
      {r.reason ? (
        <p className="prewrap" id="traffic-reason">
          {r.reason}
        </p>
      ) : null}
      <Timeline entries={r.timeline} />

      <h2>Live split</h2>
      <SplitBar r={r} />
      <div className="traffic-colours">
        <ColourCard c={r.colours.blue} />
        <ColourCard c={r.colours.green} />
      </div>
      <p className="muted small">
        Requests and 5xx per second from the router's counters{r.rateSpanMs ? ` over the last ${(r.rateSpanMs / 1000).toFixed(1)} s` : ''}; health from one
        request to each colour's health URL.
      </p>

      <h2>Weight steps ({r.previewColour})</h2>
      <ol className="traffic-steps" id="traffic-steps">
        {r.steps.map((st) => (
          <li key={st.weight} data-status={st.status} data-weight={st.weight}>
            <span aria-hidden="true">{STEP_MARK[st.status]}</span> {st.weight} %{st.status === 'current' ? ' (now)' : ''}
          </li>
        ))}
      </ol>

      <div className="traffic-actions" id="traffic-actions">
        <Button id="traffic-switch" disabled={busy || !r.actions.switch} onClick={() => run('switch')} title="Apply the next weight step">
          {r.nextStep !== undefined ? `Switch ${r.previewColour} to ${r.nextStep} %` : 'Switch'}
        </Button>
        <Button id="traffic-promote" secondary disabled={busy || !r.actions.promote} onClick={() => run('promote')} title="The remaining steps to 100 %">
          Promote
        </Button>
        <Button id="traffic-rollback" secondary disabled={busy || !r.actions.rollback} onClick={() => run('rollback')} title="All traffic back to the previous colour at once">
          Roll back
        </Button>
        <Button id="traffic-abort" secondary disabled={busy || !r.actions.abort} onClick={() => run('abort')} title="Stop the rollout; traffic back to the active colour">
          Abort
        </Button>
        {p.pending && p.pending !== 'setup' ? <Spinner label={`${p.pending} running`} /> : null}
      </div>

      {r.checks.length || r.autoRollback || r.scaleDown ? (
        <dl className="fields" id="traffic-facts">
          {r.checks.map((c) => (
            <Fact key={c.name} label={`${c.name === 'health' ? 'Health check' : 'Smoke request'}`} value={`${c.ok ? '✓ passed' : '✗ failed'}: ${c.detail}`} />
          ))}
          {r.autoRollback ? <Fact label="Automatic rollback" value={r.autoRollback} /> : null}
          {r.scaleDown ? <Fact label="Scale-down" value={r.scaleDown} /> : null}
        </dl>
      ) : null}

      <h2>History</h2>
      <table className="traffic-history" id="traffic-history">
        <thead>
          <tr>
            <th>When</th>
            <th>Who</th>
            <th>Change</th>
            <th>Split</th>
            <th>Why</th>
          </tr>
        </thead>
        <tbody>
          {r.history.map((h, i) => (
            <tr key={`${h.at}-${i}`} data-action={h.action}>
              <td className="nowrap">{when(h.at)}</td>
              <td>{h.actor}</td>
              <td>{h.from && h.to && h.from !== h.to ? `${h.from.replace(/_/g, ' ')} → ${h.to.replace(/_/g, ' ')}` : h.action.replace(/^blue_green\./, '').replace(/_/g, ' ')}</td>
              <td className="nowrap">{h.split ?? ''}</td>
              <td className="prewrap">{h.reason ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Fact(p: { label: string; value: string }) {
  return (
    <>
      <dt>{p.label}</dt>
      <dd className="prewrap">{p.value}</dd>
    </>
  );
}

function Timeline(p: { entries: TimelineEntry[] }) {
  return (
    <ol className="traffic-timeline" id="traffic-timeline" aria-label="Rollout states">
      {p.entries.map((e) => (
        <li key={e.state} data-state={e.state} data-status={e.status} aria-current={e.status === 'current' ? 'step' : undefined}>
          <span aria-hidden="true">{MARK[e.status]}</span> {e.label}
        </li>
      ))}
    </ol>
  );
}

function SplitBar(p: { r: TrafficRolloutView }) {
  const { blue, green } = p.r.split;
  return (
    <div id="traffic-split" data-blue={blue} data-green={green}>
      <div className="split-bar" role="img" aria-label={`blue ${blue} %, green ${green} %`}>
        {blue > 0 ? <span className="split-blue" style={{ width: `${blue}%` }} /> : null}
        {green > 0 ? <span className="split-green" style={{ width: `${green}%` }} /> : null}
      </div>
      <div className="split-legend">
        <span>blue {blue} %</span>
        <span>green {green} %</span>
      </div>
    </div>
  );
}

function ColourCard(p: { c: TrafficColourView }) {
  const { c } = p;
  return (
    <div className={`colour-card colour-${c.colour}`} id={`colour-${c.colour}`} data-role={c.role} data-health={c.health} data-rps={c.requestsPerSec ?? ''}>
      <h3>
        <span className="colour-swatch" aria-hidden="true" /> {c.colour} <span className="muted">· {ROLE[c.role]}</span>
      </h3>
      <dl className="fields">
        <dt>Version</dt>
        <dd>{c.version ?? 'unknown'}</dd>
        <dt>Health</dt>
        <dd className={c.health === 'unhealthy' ? 'error' : undefined}>
          {c.health === 'healthy' ? '✓' : c.health === 'unhealthy' ? '✗' : '?'} {HEALTH[c.health]} ({c.healthDetail})
        </dd>
        <dt>Weight</dt>
        <dd>{c.weight} %</dd>
        <dt>Requests/s</dt>
        <dd className="colour-rps">{rate(c.requestsPerSec)}</dd>
        <dt>5xx/s</dt>
        <dd className="colour-5xx">
          {rate(c.errors5xxPerSec)} ({percent(c.errorRate)})
        </dd>
      </dl>
    </div>
  );
}
