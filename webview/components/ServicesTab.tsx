// The Services tab: the dependency graph (ELK), the deployment order beside it, and the selected
// service's details with Edit / Remove. The environment picker chooses which environment the node
// states (and the order's readiness) are about.
import { useEffect, useMemo, useState } from 'react';
import type { GraphNodeView, GraphUiState, OrderEntryView, ServiceGraphView } from '../../src/shared/protocol';
import { STATE_TEXT, ServiceGraph } from '../graph/ServiceGraph';
import { Button } from '../ui/Button';
import { Select } from '../ui/Select';

export interface ServicesTabProps {
  /** Whether the tab is shown: the graph (and its layout worker) starts only once it has been. */
  active: boolean;
  graph: ServiceGraphView | undefined;
  /** The release's services (names), to tell "no services" from "not loaded". */
  releaseServices: readonly string[];
  /** The chosen environment and the graph's pan and zoom, kept by the dashboard across reloads. */
  ui?: GraphUiState;
  onUiChange?(patch: GraphUiState): void;
  readOnly?: string;
  busy: boolean;
  error?: string;
  onAdd(): void;
  onEdit(name: string): void;
  onRemove(name: string): void;
}

export function ServicesTab(props: ServicesTabProps) {
  const { graph } = props;
  const { ui, onUiChange } = props;
  const [environment, setEnvironmentState] = useState<string | undefined>(ui?.environment ?? graph?.defaultEnvironment);
  const setEnvironment = (e: string | undefined) => {
    setEnvironmentState(e);
    onUiChange?.({ environment: e });
  };
  const [selected, setSelected] = useState<string | undefined>();
  // Every tab's content is rendered; the ELK worker (1.6 MB of script) is not worth starting for a
  // dashboard whose Services tab is never opened.
  const [opened, setOpened] = useState(props.active);
  useEffect(() => {
    if (props.active) setOpened(true);
  }, [props.active]);
  // Keep the choice while it exists; otherwise follow where the release goes next.
  useEffect(() => {
    if (!graph) return;
    if (environment === undefined || !graph.environments.includes(environment)) setEnvironmentState(graph.defaultEnvironment ?? graph.environments[0]);
  }, [graph, environment]);
  const node = useMemo(() => graph?.nodes.find((n) => n.name === selected), [graph, selected]);
  const actionsOff = props.busy || !!props.readOnly;

  const addButton = (
    <Button id="service-add" secondary disabled={actionsOff} title={props.readOnly ?? 'Add a service to the catalog (prompts in VS Code)'} onClick={props.onAdd}>
      Add service
    </Button>
  );

  if (!graph) {
    return (
      <div className="tab-body" id="services">
        <p className="muted" id="service-graph-empty">
          {props.releaseServices.length ? 'The service graph could not be read; the log says why (Release Manager: Show Log).' : 'This release names no services.'}
        </p>
        {addButton}
      </div>
    );
  }

  return (
    <div className="tab-body" id="services">
      <div className="services-toolbar">
        <Select
          id="graph-environment"
          label="State in"
          value={environment ?? ''}
          options={graph.environments.map((e) => ({ value: e, label: e === graph.defaultEnvironment ? `${e} (next)` : e }))}
          onChange={setEnvironment}
        />
        <ul className="graph-legend" id="graph-legend" aria-label="Legend">
          {(Object.keys(STATE_TEXT) as (keyof typeof STATE_TEXT)[]).map((k) => (
            <li key={k} className={`legend-item state-${k}`}>
              <span className="legend-swatch" aria-hidden="true" />
              {STATE_TEXT[k].mark} {STATE_TEXT[k].name}
            </li>
          ))}
          <li className="legend-item outside">
            <span className="legend-swatch" aria-hidden="true" />
            outside the release
          </li>
          <li className="legend-item cycle">
            <span className="legend-line" aria-hidden="true" />
            dependency cycle
          </li>
        </ul>
        {addButton}
      </div>
      {graph.cycles.length ? (
        <p className="banner error" role="alert" id="graph-cycles">
          {graph.cycles.length === 1 ? 'Dependency cycle' : 'Dependency cycles'}: {graph.cycles.map((c) => c.text).join('; ')}. There is no deployment order until one of
          these dependencies is removed (select a service, Edit → Dependencies); the cycle's edges are drawn dashed.
        </p>
      ) : null}
      {props.error ? (
        <p className="banner error" role="alert" id="service-error">
          {props.error}
        </p>
      ) : null}
      {graph.nodes.length === 0 ? (
        <p className="muted" id="service-graph-empty">
          This release names no services. Add them to the release (Update Release → services), or add services to the catalog first.
        </p>
      ) : (
        <div className="services-layout">
          <section className="graph-pane" aria-labelledby="graph-heading">
            <h2 id="graph-heading">Dependencies</h2>
            {opened ? <ServiceGraph
                view={graph}
                environment={environment}
                selected={selected}
                onSelect={setSelected}
                savedView={ui?.view}
                onViewChange={onUiChange ? (v) => onUiChange({ view: v }) : undefined}
              /> : null}
          </section>
          <aside className="side-pane">
            {node ? (
              <ServiceDetails
                node={node}
                graph={graph}
                environment={environment}
                actionsOff={actionsOff}
                readOnly={props.readOnly}
                onEdit={props.onEdit}
                onRemove={props.onRemove}
                onSelect={setSelected}
                onClose={() => setSelected(undefined)}
              />
            ) : null}
            <OrderList graph={graph} environment={environment} selected={selected} onSelect={setSelected} />
          </aside>
        </div>
      )}
    </div>
  );
}

function readiness(o: OrderEntryView, environment: string | undefined): { ready: boolean; reason?: string } {
  return (environment !== undefined ? o.byEnvironment[environment] : undefined) ?? o;
}

function OrderList(props: { graph: ServiceGraphView; environment: string | undefined; selected?: string; onSelect(name: string): void }) {
  const { graph, environment } = props;
  return (
    <section aria-labelledby="order-heading">
      <h2 id="order-heading">Deployment order{environment ? ` to ${environment}` : ''}</h2>
      {graph.order.length ? (
        <table className="grid order-table" id="deployment-order">
          <thead>
            <tr>
              <th scope="col">Wave</th>
              <th scope="col">#</th>
              <th scope="col">Service</th>
              <th scope="col">Ready</th>
            </tr>
          </thead>
          <tbody>
            {graph.order.map((o) => {
              const r = readiness(o, environment);
              return (
                <tr
                  key={o.service}
                  data-service={o.service}
                  data-ready={r.ready ? 'true' : 'false'}
                  className={props.selected === o.service ? 'selected' : undefined}
                  onClick={() => props.onSelect(o.service)}
                >
                  <td>{o.wave}</td>
                  <td>{o.order}</td>
                  <td>
                    <button type="button" className="link" onClick={() => props.onSelect(o.service)}>
                      {o.service}
                    </button>
                  </td>
                  <td className={r.ready ? undefined : 'not-ready'}>
                    {r.ready ? '✓ ready' : '✗ not ready'}
                    {r.reason ? <div className="muted small">{r.reason}</div> : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : (
        <p className="muted" id="deployment-order-none">
          {graph.orderError ?? 'No services to order.'}
        </p>
      )}
    </section>
  );
}

function ServiceDetails(props: {
  node: GraphNodeView;
  graph: ServiceGraphView;
  environment: string | undefined;
  actionsOff: boolean;
  readOnly?: string;
  onEdit(name: string): void;
  onRemove(name: string): void;
  onSelect(name: string): void;
  onClose(): void;
}) {
  const n = props.node;
  const state = props.environment ? n.states[props.environment] : undefined;
  return (
    <section className="service-details" id="service-details" data-service={n.name} aria-labelledby="service-details-name">
      <header className="details-header">
        <h2 id="service-details-name">{n.name}</h2>
        <span className="muted small">
          {n.missing ? 'named by the release, not in the catalog' : n.inRelease ? 'in this release' : 'outside the release (a dependency)'}
          {n.wave !== undefined ? ` · wave ${n.wave}` : ''}
          {n.inCycle ? ' · on a dependency cycle' : ''}
        </span>
      </header>
      <dl className="fields">
        {state ? (
          <>
            <dt>In {props.environment}</dt>
            <dd id="service-state">
              {STATE_TEXT[state.kind].mark} {state.label}
            </dd>
          </>
        ) : null}
        <dt>Folder</dt>
        <dd id="service-path">{n.path ?? '—'}</dd>
        <dt>Deploy command</dt>
        <dd id="service-deploy">{n.deployCommand ? <code>{n.deployCommand}</code> : '— (none: deploying it does nothing)'}</dd>
        <dt>Rollback command</dt>
        <dd id="service-rollback">{n.rollbackCommand ? <code>{n.rollbackCommand}</code> : '—'}</dd>
        <dt>Health check</dt>
        <dd id="service-health">{n.healthCheckUrl ?? '—'}</dd>
        {n.source ? (
          <>
            <dt>Found in</dt>
            <dd id="service-source">{n.source}</dd>
          </>
        ) : null}
        <dt>Depends on</dt>
        <dd>
          {n.dependencies.length ? (
            <ul className="plain" id="service-dependencies">
              {n.dependencies.map((d) => (
                <li key={d.name} data-dependency={d.name}>
                  <button type="button" className="link" onClick={() => props.onSelect(d.name)}>
                    {d.name}
                  </button>{' '}
                  <span className="muted small">{d.source ? `from ${d.source}` : 'added by hand'}</span>
                </li>
              ))}
            </ul>
          ) : (
            'nothing'
          )}
        </dd>
        <dt>Needed by</dt>
        <dd id="service-dependents">{n.dependents.join(', ') || 'nothing'}</dd>
      </dl>
      <table className="grid runs-table" id="service-runs" aria-label="What runs where">
        <thead>
          <tr>
            <th scope="col">Environment</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {props.graph.environments.map((e) => {
            const s = n.states[e];
            return (
              <tr key={e} data-environment={e}>
                <td>{e}</td>
                <td className={`state-text state-${s?.kind ?? 'not_deployed'}`}>{s ? `${STATE_TEXT[s.kind].mark} ${s.label}` : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="actions">
        {n.missing ? null : (
          <>
            <Button id="service-edit" disabled={props.actionsOff} title={props.readOnly ?? 'Edit this service (prompts in VS Code)'} onClick={() => props.onEdit(n.name)}>
              Edit
            </Button>
            <Button id="service-remove" secondary disabled={props.actionsOff} title={props.readOnly ?? 'Remove this service from the catalog'} onClick={() => props.onRemove(n.name)}>
              Remove
            </Button>
          </>
        )}
        <Button id="service-details-close" secondary onClick={props.onClose}>
          Close
        </Button>
      </div>
    </section>
  );
}
