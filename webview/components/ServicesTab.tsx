import type { ServiceView } from '../../src/shared/protocol';
import { ServiceGraph } from '../graph/ServiceGraph';

export function ServicesTab(props: { services: ServiceView[] }) {
  const inRelease = props.services.filter((s) => s.inRelease);
  return (
    <div className="tab-body" id="services">
      <section aria-labelledby="graph-heading">
        <h2 id="graph-heading">Dependencies</h2>
        <ServiceGraph services={props.services} />
      </section>
      <section aria-labelledby="services-heading">
        <h2 id="services-heading">Services {inRelease.length ? `(${inRelease.length} in this release)` : ''}</h2>
        {props.services.length ? (
          <table className="grid" id="services-list">
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">In release</th>
                <th scope="col">Folder</th>
                <th scope="col">Depends on</th>
                <th scope="col">Needed by</th>
              </tr>
            </thead>
            <tbody>
              {props.services.map((s) => (
                <tr key={s.name} data-service={s.name} className={s.inRelease ? undefined : 'muted'}>
                  <td>{s.name}</td>
                  <td>{s.inRelease ? '✓' : ''}</td>
                  <td>{s.path ?? '—'}</td>
                  <td>{s.dependencies.join(', ') || '—'}</td>
                  <td>{s.dependents.join(', ') || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted">No services in the catalog yet: run “Release Manager: Discover Services” or “Add Service”.</p>
        )}
      </section>
    </div>
  );
}
