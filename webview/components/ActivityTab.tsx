import type { ActivityView } from '../../src/shared/protocol';
import { when } from '../format';

export function ActivityTab(props: { activity: ActivityView[] }) {
  if (!props.activity.length) return <p className="muted" id="activity-list">Nothing recorded yet.</p>;
  return (
    <div className="tab-body" id="activity">
      <ol className="activity" id="activity-list">
        {props.activity.map((a) => (
          <li key={a.id} data-action={a.action}>
            <time dateTime={a.at}>{when(a.at)}</time>
            <span className="actor">{a.actor}</span>
            <span className="summary">{a.summary}</span>
          </li>
        ))}
      </ol>
      <p className="muted small">The audit log is append-only; this shows the latest {props.activity.length} events of this release and its conversation.</p>
    </div>
  );
}
