// The Roadmap tab: for each roadmap this release is linked to, its milestones — this release's first —
// with progress bars, the at-risk warnings and the rule they follow; then the milestones of other
// roadmaps, to link the release from here.
import type { MilestoneView, RoadmapSection, RoadmapView } from '../../src/shared/protocol';
import { RELEASE_STATUS, when } from '../format';
import { Button } from '../ui/Button';
import { Spinner } from '../ui/Spinner';

export interface RoadmapTabProps {
  section?: RoadmapSection;
  releaseVersion: string;
  /** Set when the release cannot be linked (read-only database, cancelled release). */
  disabledReason?: string;
  busy: boolean;
  error?: string;
  onLink(roadmapId: string, milestoneId: string): void;
  onUnlink(roadmapId: string, milestoneId: string): void;
}

const day = (iso: string | undefined) => (iso ? iso.slice(0, 10) : undefined);

function Progress(props: { percent: number; label: string }) {
  const p = Math.max(0, Math.min(100, props.percent));
  return (
    <div className="progress" role="progressbar" aria-label={props.label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={p}>
      <div className="progress-fill" style={{ width: `${p}%` }} />
    </div>
  );
}

function Milestone(props: { m: MilestoneView; roadmapName: string } & Pick<RoadmapTabProps, 'disabledReason' | 'busy' | 'onLink' | 'onUnlink'>) {
  const { m } = props;
  const state = m.done ? 'done' : m.atRisk ? 'at-risk' : 'open';
  return (
    <li className={`milestone milestone-${state}`} data-milestone-id={m.id} data-linked={m.linked ? 'true' : 'false'} data-at-risk={m.atRisk ? 'true' : 'false'}>
      <div className="milestone-head">
        <span className="milestone-title">{m.title}</span>
        <span className={`milestone-state state-${state}`}>{m.done ? '✓ done' : m.atRisk ? '⚠ at risk' : 'on its way'}</span>
        <span className="muted small">{[m.dueDate ? `due ${day(m.dueDate)}` : 'no due date', `weight ${m.weight}`].join(' · ')}</span>
        {m.linked ? (
          <Button secondary disabled={props.busy || !!props.disabledReason} title={props.disabledReason ?? `Unlink this release from '${m.title}'`} onClick={() => props.onUnlink(m.roadmapId, m.id)}>
            Unlink
          </Button>
        ) : (
          <Button secondary disabled={props.busy || !!props.disabledReason} title={props.disabledReason ?? `Link this release to '${m.title}'`} onClick={() => props.onLink(m.roadmapId, m.id)}>
            Link
          </Button>
        )}
      </div>
      <div className="milestone-progress">
        <Progress percent={m.percentDone} label={`${m.title}: ${m.percentDone} % done`} />
        <span className="num">{`${m.percentDone} %`}</span>
      </div>
      <p className={m.atRisk ? 'risk-text warning-text' : 'risk-text muted'}>{m.risk}</p>
      {m.releases.length ? (
        <ul className="milestone-releases">
          {m.releases.map((r) => (
            <li key={r.releaseId} data-release-id={r.releaseId}>
              <span className="version">{r.version}</span> {r.name} · {RELEASE_STATUS[r.status].toLowerCase()}
              {r.deployedAt ? ` ${when(r.deployedAt)}` : r.expectedAt ? ` · expected ${when(r.expectedAt)} (${r.expectation ?? ''})` : ''}
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}

function LinkedRoadmap(props: { roadmap: RoadmapView } & Omit<RoadmapTabProps, 'section' | 'error' | 'releaseVersion'>) {
  const r = props.roadmap;
  const mine = r.milestones.filter((m) => m.linked);
  const others = r.milestones.filter((m) => !m.linked);
  return (
    <section className="roadmap" data-roadmap-id={r.id} aria-labelledby={`roadmap-${r.id}`}>
      <div className="section-title">
        <h2 id={`roadmap-${r.id}`}>{r.name}</h2>
        <span className="muted">{`${r.percentDone} % done`}</span>
        {r.atRiskCount ? <span className="warning-text">{`⚠ ${r.atRiskCount} milestone${r.atRiskCount > 1 ? 's' : ''} at risk`}</span> : null}
      </div>
      <Progress percent={r.percentDone} label={`Roadmap ${r.name}: ${r.percentDone} % done`} />
      {r.description ? <p className="prewrap muted">{r.description}</p> : null}
      <h3>This release delivers</h3>
      <ol className="milestones">
        {mine.map((m) => (
          <Milestone key={m.id} m={m} roadmapName={r.name} {...props} />
        ))}
      </ol>
      {others.length ? (
        <>
          <h3>Other milestones of {r.name}</h3>
          <ol className="milestones">
            {others.map((m) => (
              <Milestone key={m.id} m={m} roadmapName={r.name} {...props} />
            ))}
          </ol>
        </>
      ) : null}
      <p className="rule small muted">
        {r.rule} {r.pace}
      </p>
    </section>
  );
}

export function RoadmapTab(props: RoadmapTabProps) {
  const s = props.section;
  if (!s) return <p className="muted" id="roadmap">The roadmaps could not be read; the log says why.</p>;
  const none = s.linked.length === 0 && s.others.length === 0;
  return (
    <div className="tab-body" id="roadmap">
      {props.error ? (
        <p className="error" role="alert" id="roadmap-error">
          {props.error}
        </p>
      ) : null}
      {props.busy ? <Spinner label="Updating the links" /> : null}
      {none ? (
        <p className="muted" id="roadmap-empty">
          No roadmaps yet. Create one with “Release Manager: Create Roadmap”, add its milestones (title, due date, weight), then link releases to
          them: each milestone’s progress is the share of its releases deployed to production.
        </p>
      ) : null}
      {!none && s.linked.length === 0 ? <p className="muted" id="roadmap-unlinked">{`Release ${props.releaseVersion} is not linked to a milestone yet.`}</p> : null}
      {s.linked.map((r) => (
        <LinkedRoadmap key={r.id} roadmap={r} {...props} />
      ))}
      {s.others.length ? (
        <section aria-labelledby="roadmap-others-heading" id="roadmap-others">
          <h2 id="roadmap-others-heading">{s.linked.length ? 'Other roadmaps' : 'Roadmaps'}</h2>
          {s.others.map((r) => (
            <div key={r.id} className="other-roadmap" data-roadmap-id={r.id}>
              <h3>{r.name}</h3>
              {r.milestones.length ? (
                <ul className="milestone-links">
                  {r.milestones.map((m) => (
                    <li key={m.id} data-milestone-id={m.id}>
                      <span className="milestone-title">{m.title}</span>
                      <span className="muted small">{m.dueDate ? ` due ${day(m.dueDate)}` : ' no due date'}</span>
                      <Button secondary disabled={props.busy || !!props.disabledReason} title={props.disabledReason ?? `Link this release to '${m.title}'`} onClick={() => props.onLink(r.id, m.id)}>
                        Link
                      </Button>
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="muted small">No milestones yet (“Release Manager: Add Milestone”).</p>
              )}
            </div>
          ))}
        </section>
      ) : null}
    </div>
  );
}
