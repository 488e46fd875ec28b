// The place for the dependency graph. The ELK layout (layered, left to right, in a blob: Web Worker
// fetched from dist/elk-worker.min.js; the CSP already allows worker-src blob:) replaces this list
// when dependency-aware deployment lands. Until then: each service of the release with what it needs.
import type { ServiceView } from '../../src/shared/protocol';

export function ServiceGraph(props: { services: ServiceView[] }) {
  const shown = props.services.filter((s) => s.inRelease);
  if (!shown.length) return <p className="muted" id="service-graph">This release names no services.</p>;
  return (
    <ul className="graph-list" id="service-graph">
      {shown.map((s) => (
        <li key={s.name} data-service={s.name}>
          <strong>{s.name}</strong>
          {s.dependencies.length ? <span className="muted"> needs {s.dependencies.join(', ')}</span> : <span className="muted"> needs nothing else</span>}
        </li>
      ))}
    </ul>
  );
}
