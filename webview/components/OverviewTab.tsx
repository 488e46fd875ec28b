import type { DashboardSnapshot, PromotionView, RiskView } from '../../src/shared/protocol';
import { RELEASE_STATUS, STEP_MARK, STEP_STATE, when } from '../format';
import { Button } from '../ui/Button';
import { Spinner } from '../ui/Spinner';

export function OverviewTab(props: { snapshot: DashboardSnapshot; assessing: boolean; riskError?: string; onAssess(): void }) {
  const { release } = props.snapshot;
  const canAssess = (release.status === 'planned' || release.status === 'in_progress') && !props.snapshot.readOnly;
  return (
    <div className="tab-body" id="overview">
      <section aria-labelledby="fields-heading">
        <h2 id="fields-heading">Release</h2>
        <dl className="fields" id="release-fields">
          <dt>Version</dt>
          <dd id="field-version">{release.version}</dd>
          <dt>Name</dt>
          <dd id="field-name">{release.name}</dd>
          <dt>Status</dt>
          <dd id="field-status">{RELEASE_STATUS[release.status]}</dd>
          <dt>Description</dt>
          <dd id="field-description" className={release.description ? 'prewrap' : 'muted'}>{release.description ?? 'none'}</dd>
          <dt>Services</dt>
          <dd id="field-services" className={release.services.length ? undefined : 'muted'}>{release.services.join(', ') || 'none named'}</dd>
          <dt>Planned</dt>
          <dd id="field-planned">{release.plannedStart || release.plannedEnd ? `${when(release.plannedStart)} → ${when(release.plannedEnd)}` : <span className="muted">not scheduled</span>}</dd>
          {release.actualStart ? (
            <>
              <dt>Actual</dt>
              <dd id="field-actual">{`${when(release.actualStart)} → ${release.actualEnd ? when(release.actualEnd) : 'in progress'}`}</dd>
            </>
          ) : null}
          <dt>Updated</dt>
          <dd id="field-updated">{when(release.updatedAt)}</dd>
        </dl>
      </section>
      <Risk risk={props.snapshot.risk} canAssess={canAssess} assessing={props.assessing} error={props.riskError} onAssess={props.onAssess} />
      <Promotion promotion={props.snapshot.promotion} />
    </div>
  );
}

function Risk(props: { risk: RiskView; canAssess: boolean; assessing: boolean; error?: string; onAssess(): void }) {
  const { risk } = props;
  return (
    <section aria-labelledby="risk-heading">
      <div className="section-title">
        <h2 id="risk-heading">Risk</h2>
        <span id="risk-score" className={`risk risk-${risk.level ?? 'none'}`} data-score={risk.score ?? ''}>
          {risk.score === undefined ? 'not assessed' : `${risk.score.toFixed(2)} · ${risk.level}`}
        </span>
        {props.canAssess ? (
          <Button id="assess-risk" secondary disabled={props.assessing} onClick={props.onAssess}>
            {risk.score === undefined ? 'Assess risk' : 'Assess again'}
          </Button>
        ) : null}
        {props.assessing ? <Spinner label="Assessing risk" /> : null}
      </div>
      {props.error ? (
        <p className="error" role="alert" id="risk-error">
          {props.error}
        </p>
      ) : null}
      {risk.factors.length ? (
        <table className="grid" id="risk-factors">
          <thead>
            <tr>
              <th scope="col">Factor</th>
              <th scope="col">Value</th>
              <th scope="col">Weight</th>
              <th scope="col">Score</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {risk.factors.map((f) => (
              <tr key={f.key} data-factor={f.key} className={f.score === null ? 'muted' : undefined}>
                <td>{f.label}</td>
                <td>{/^\d{4}-\d{2}-\d{2}T/.test(f.value) ? when(f.value) : f.value}</td>
                <td className="num">{f.weight.toFixed(2)}</td>
                <td className="num">{f.score === null ? '—' : f.score.toFixed(2)}</td>
                <td>{f.explanation}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">Not assessed yet. The score weighs the services involved, their dependants, recent failures, the change since the previous tag and the schedule.</p>
      )}
    </section>
  );
}

function Promotion(props: { promotion: PromotionView }) {
  const { steps, source } = props.promotion;
  return (
    <section aria-labelledby="promotion-heading">
      <h2 id="promotion-heading">Promotion path</h2>
      <ol className="promotion" id="promotion-path">
        {steps.map((s) => (
          <li key={s.environment} data-env={s.environment} data-state={s.state} className={`step step-${s.state}`}>
            <span className="step-mark" aria-hidden="true">
              {STEP_MARK[s.state]}
            </span>
            <span className="step-env">{s.environment}</span>
            <span className="step-detail">
              <span className="step-state">{STEP_STATE[s.state]}</span>
              {s.at ? <span className="step-at">{when(s.at)}</span> : null}
              {s.current ? <span className="step-current">running {s.current}</span> : null}
              {s.canPromote ? <span className="step-ready">can be promoted now</span> : null}
            </span>
            {s.blockers.length ? (
              <ul className="blockers">
                {s.blockers.map((b) => (
                  <li key={b}>{b}</li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ol>
      {source === 'deployments' ? <p className="muted small">From this release's deployments, in the default environment order.</p> : null}
    </section>
  );
}
