// The Services graph: ELK positions (computed in a worker, cached by the graph's structure), drawn as
// SVG. Drag to pan, wheel or the buttons to zoom; a click selects a service. With hundreds of
// services only what is in view is drawn, and when zoomed out far the text is left out (rectangles
// coloured and marked by state, edges as one path), so panning stays smooth.
import { startTransition, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent as ReactPointerEvent } from 'react';
import type { GraphNodeView, ServiceGraphView, ServiceStateKind } from '../../src/shared/protocol';
import { Button } from '../ui/Button';
import { Spinner } from '../ui/Spinner';
import { CancelledLayout, cachedLayout, layout as runLayout, layoutsRun } from './elkLayout';
import { edgeId, toElkInput, type Layout, type Point } from './layoutModel';

export const STATE_TEXT: Record<ServiceStateKind, { mark: string; name: string }> = {
  deployed: { mark: '✓', name: 'deployed' },
  not_deployed: { mark: '○', name: 'not deployed' },
  failed: { mark: '✗', name: 'failed' },
  in_progress: { mark: '…', name: 'in progress' },
};

const MIN_ZOOM = 0.05;
const MAX_ZOOM = 2.5;
/** Below this zoom the text would be unreadable anyway: draw shapes only. */
const DETAIL_ZOOM = 0.45;

interface Transform {
  x: number;
  y: number;
  k: number;
}

export interface ServiceGraphProps {
  view: ServiceGraphView;
  environment: string | undefined;
  selected: string | undefined;
  onSelect(name: string | undefined): void;
  /** Where the user last looked at this graph (restored after a reload when `key` still matches). */
  savedView?: SavedView;
  /** Called when pan or zoom settles. */
  onViewChange?(view: SavedView): void;
}

export interface SavedView extends Transform {
  /** The layout's structure key the view belongs to. */
  key: string;
}

type LayoutState = { status: 'loading' } | { status: 'ready'; layout: Layout } | { status: 'failed'; message: string };

export function ServiceGraph(props: ServiceGraphProps) {
  const { view, environment, selected, onSelect, savedView, onViewChange } = props;
  const input = useMemo(() => toElkInput(view), [view]);
  const [state, setState] = useState<LayoutState>(() => {
    const hit = cachedLayout(input.key);
    return hit ? { status: 'ready', layout: hit } : { status: 'loading' };
  });

  useEffect(() => {
    const hit = cachedLayout(input.key);
    if (hit) {
      setState((s) => (s.status === 'ready' && s.layout === hit ? s : { status: 'ready', layout: hit }));
      return;
    }
    let current = true;
    setState((s) => (s.status === 'ready' ? s : { status: 'loading' })); // keep the old picture until the new one is ready
    runLayout(input).then(
      // A transition: React renders hundreds of nodes in slices, so the page stays responsive.
      (l) => current && startTransition(() => setState({ status: 'ready', layout: l })),
      (e: Error) => {
        if (current && !(e instanceof CancelledLayout)) setState({ status: 'failed', message: e.message });
      },
    );
    return () => {
      current = false;
    };
  }, [input]);

  const layout = state.status === 'ready' ? state.layout : undefined;
  const byName = useMemo(() => new Map(view.nodes.map((n) => [n.name, n])), [view]);

  // ---- pan and zoom: applied to the DOM directly while interacting; the drawn set follows shortly after.
  const boxRef = useRef<HTMLDivElement>(null);
  const groupRef = useRef<SVGGElement>(null);
  const t = useRef<Transform>({ x: 0, y: 0, k: 1 });
  const [size, setSize] = useState({ width: 800, height: 480 });
  const [viewT, setViewT] = useState<Transform>(t.current);
  const settleTimer = useRef<number | undefined>(undefined);
  /** The layout the current view belongs to (set when a new picture is first shown). */
  const fittedKey = useRef<string | undefined>(undefined);
  const reportView = useRef(onViewChange);
  reportView.current = onViewChange;

  // Once pan or zoom settles, the drawn set follows and the dashboard keeps the view.
  const apply = useCallback((next: Transform, settleNow = false) => {
    t.current = next;
    groupRef.current?.setAttribute('transform', `translate(${next.x} ${next.y}) scale(${next.k})`);
    window.clearTimeout(settleTimer.current);
    const settle = () => {
      const settled = t.current;
      startTransition(() => setViewT(settled));
      if (fittedKey.current) reportView.current?.({ key: fittedKey.current, ...settled });
    };
    if (settleNow) settle();
    else settleTimer.current = window.setTimeout(settle, 90);
  }, []);

  useLayoutEffect(() => {
    const el = boxRef.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setSize({ width: el.clientWidth || 800, height: el.clientHeight || 480 }));
    ro.observe(el);
    setSize({ width: el.clientWidth || 800, height: el.clientHeight || 480 });
    return () => ro.disconnect();
  }, []);

  const fit = useCallback(() => {
    if (!layout) return;
    const k = clamp(Math.min(1, (size.width - 24) / Math.max(1, layout.width), (size.height - 24) / Math.max(1, layout.height)), MIN_ZOOM, 1);
    apply({ k, x: Math.max(12, (size.width - layout.width * k) / 2), y: Math.max(12, (size.height - layout.height * k) / 2) }, true);
  }, [layout, size, apply]);

  // A new picture starts fitted — or where the user last looked at it, after a reload; the same
  // picture (a refresh) keeps where the user looked.
  const restore = useRef(savedView);
  useLayoutEffect(() => {
    if (!layout || fittedKey.current === layout.key) return;
    fittedKey.current = layout.key;
    const saved = restore.current;
    restore.current = undefined;
    if (saved && saved.key === layout.key) apply({ x: saved.x, y: saved.y, k: clamp(saved.k, MIN_ZOOM, MAX_ZOOM) }, true);
    else fit();
  }, [layout, fit, apply]);

  const zoomAt = useCallback(
    (factor: number, cx = size.width / 2, cy = size.height / 2) => {
      const c = t.current;
      const k = clamp(c.k * factor, MIN_ZOOM, MAX_ZOOM);
      apply({ k, x: cx - ((cx - c.x) * k) / c.k, y: cy - ((cy - c.y) * k) / c.k });
    },
    [apply, size],
  );

  useEffect(() => {
    const el = boxRef.current;
    if (!el) return;
    // Not passive: the wheel zooms the graph instead of scrolling the page.
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const r = el.getBoundingClientRect();
      zoomAt(Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015)), e.clientX - r.left, e.clientY - r.top);
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [zoomAt]);

  const drag = useRef<{ id: number; x: number; y: number; start: Transform; moved: boolean } | undefined>(undefined);
  const onPointerDown = (e: ReactPointerEvent<SVGSVGElement>) => {
    if (e.button !== 0) return;
    drag.current = { id: e.pointerId, x: e.clientX, y: e.clientY, start: t.current, moved: false };
  };
  const onPointerMove = (e: ReactPointerEvent<SVGSVGElement>) => {
    const d = drag.current;
    if (!d || d.id !== e.pointerId) return;
    const dx = e.clientX - d.x;
    const dy = e.clientY - d.y;
    if (!d.moved && Math.hypot(dx, dy) < 4) return; // a click, not a drag
    if (!d.moved) {
      d.moved = true;
      (e.currentTarget as Element).setPointerCapture(e.pointerId);
    }
    apply({ ...d.start, x: d.start.x + dx, y: d.start.y + dy });
  };
  const onPointerUp = (e: ReactPointerEvent<SVGSVGElement>) => {
    const d = drag.current;
    drag.current = undefined;
    if (!d || d.moved) return;
    // A click: on a node selects it, on the background clears the selection. Zoomed out, nodes are
    // drawn as a few shared paths: find the one under the pointer from the positions.
    const target = (e.target as Element).closest('[data-service]');
    if (target) return onSelect(target.getAttribute('data-service') ?? undefined);
    const box = boxRef.current?.getBoundingClientRect();
    if (!layout || !box) return onSelect(undefined);
    const c = t.current;
    const gx = (e.clientX - box.left - c.x) / c.k;
    const gy = (e.clientY - box.top - c.y) / c.k;
    let hit: string | undefined;
    for (const [name, p] of layout.nodes) if (gx >= p.x && gx <= p.x + p.width && gy >= p.y && gy <= p.y + p.height) hit = name;
    onSelect(hit);
  };

  const onKey = (e: KeyboardEvent<SVGGElement>, name: string) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onSelect(name);
    }
  };

  // ---- what to draw: only what intersects the view (with a margin), at the detail the zoom allows.
  const detail = viewT.k >= DETAIL_ZOOM;
  const visible = useMemo(() => {
    if (!layout) return undefined;
    const margin = 80 / viewT.k;
    const x0 = -viewT.x / viewT.k - margin;
    const y0 = -viewT.y / viewT.k - margin;
    const x1 = x0 + size.width / viewT.k + 2 * margin;
    const y1 = y0 + size.height / viewT.k + 2 * margin;
    const nodes: string[] = [];
    for (const [name, p] of layout.nodes) if (p.x + p.width >= x0 && p.x <= x1 && p.y + p.height >= y0 && p.y <= y1) nodes.push(name);
    const edges: { id: string; from: string; to: string; inCycle: boolean; points: Point[] }[] = [];
    for (const e of view.edges) {
      const id = edgeId(e.from, e.to);
      const points = layout.edges.get(id);
      if (!points?.length) continue;
      let inView = false;
      for (const p of points) if (p.x >= x0 && p.x <= x1 && p.y >= y0 && p.y <= y1) inView = true;
      // A long edge can cross the view with both ends outside: check its bounding box too.
      if (!inView) {
        const xs = points.map((p) => p.x);
        const ys = points.map((p) => p.y);
        inView = Math.max(...xs) >= x0 && Math.min(...xs) <= x1 && Math.max(...ys) >= y0 && Math.min(...ys) <= y1;
      }
      if (inView) edges.push({ id, from: e.from, to: e.to, inCycle: !!e.inCycle, points });
    }
    return { nodes, edges };
  }, [layout, view, viewT, size]);

  const stateOf = (n: GraphNodeView) => (environment ? n.states[environment] : undefined);

  return (
    <div className="graph-frame">
      <div className="graph-toolbar" role="toolbar" aria-label="Graph view">
        <Button id="graph-zoom-in" secondary title="Zoom in" onClick={() => zoomAt(1.25)}>
          +
        </Button>
        <Button id="graph-zoom-out" secondary title="Zoom out" onClick={() => zoomAt(0.8)}>
          −
        </Button>
        <Button id="graph-fit" secondary title="Fit the whole graph in view" onClick={fit}>
          Fit
        </Button>
        <span className="muted small" id="graph-status">
          {state.status === 'loading'
            ? `Laying out ${view.nodes.length} services…`
            : state.status === 'failed'
              ? ''
              : `${view.nodes.length} services, ${view.edges.length} dependencies${layout?.ms !== undefined ? ` · layout ${layout.ms} ms` : ''}${detail ? '' : ' · zoom in for names'}`}
        </span>
      </div>
      <div
        className="graph-box"
        ref={boxRef}
        id="service-graph"
        data-state={state.status}
        data-layout-key={layout?.key ?? ''}
        data-layout-size={layout ? `${Math.round(layout.width)}x${Math.round(layout.height)}` : ''}
        data-layouts-run={layoutsRun}
        data-zoom={viewT.k.toFixed(3)}
        data-drawn={visible?.nodes.length ?? 0}
        data-detail={detail ? 'names' : 'shapes'}
      >
        {state.status === 'failed' ? (
          <p className="error" id="graph-error">
            The graph could not be laid out: {state.message}
          </p>
        ) : null}
        {state.status === 'loading' && !layout ? (
          <div className="loading graph-loading">
            <Spinner label="Laying out the graph" /> Laying out {view.nodes.length} services…
          </div>
        ) : null}
        <svg
          className="graph-svg"
          width="100%"
          height="100%"
          role="img"
          aria-label={`Dependency graph of ${view.nodes.length} services`}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerCancel={() => (drag.current = undefined)}
        >
          <defs>
            <marker id="arrow" className="graph-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" />
            </marker>
            <marker id="arrow-cycle" className="graph-arrow cycle" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" />
            </marker>
          </defs>
          <g ref={groupRef} transform={`translate(${t.current.x} ${t.current.y}) scale(${t.current.k})`}>
            {layout?.columns.map((c) => (
              <text key={`col-${c.label}-${c.x}`} className="graph-column" x={c.x} y={20}>
                {c.label}
              </text>
            ))}
            {visible && !detail ? (
              <path className="graph-edge" d={visible.edges.filter((e) => !e.inCycle).map((e) => pathOf(e.points)).join(' ')} />
            ) : null}
            {visible?.edges
              .filter((e) => detail || e.inCycle)
              .map((e) => {
                const touches = selected !== undefined && (e.from === selected || e.to === selected);
                return (
                  <path
                    key={e.id}
                    className={`graph-edge${e.inCycle ? ' cycle' : ''}${touches ? ' selected' : ''}`}
                    data-edge={`${e.to}>${e.from}`}
                    data-cycle={e.inCycle ? 'true' : undefined}
                    d={pathOf(e.points)}
                    markerEnd={detail ? `url(#${e.inCycle ? 'arrow-cycle' : 'arrow'})` : undefined}
                  />
                );
              })}
            {visible && !detail ? (
              <SimplifiedNodes names={visible.nodes} layout={layout!} byName={byName} environment={environment} selected={selected} />
            ) : null}
            {visible?.nodes.filter(() => detail).map((name) => {
              const n = byName.get(name);
              const p = layout!.nodes.get(name)!;
              if (!n) return null;
              const s = stateOf(n);
              const kind = s?.kind ?? 'not_deployed';
              const label = s ? `${STATE_TEXT[kind].mark} ${s.label}` : '';
              const cls = ['graph-node', `state-${kind}`, n.inRelease ? 'in-release' : 'outside', n.inCycle ? 'cycle' : '', n.missing ? 'missing' : '', selected === name ? 'selected' : '']
                .filter(Boolean)
                .join(' ');
              return (
                <g
                  key={name}
                  className={cls}
                  data-service={name}
                  data-state={kind}
                  transform={`translate(${p.x} ${p.y})`}
                  role="button"
                  tabIndex={detail ? 0 : -1}
                  aria-label={`${name}${n.inRelease ? '' : ' (outside the release)'}${n.wave !== undefined ? `, wave ${n.wave}` : ''}: ${s ? `${STATE_TEXT[kind].name}, ${s.label}` : 'no environment'}`}
                  aria-pressed={selected === name}
                  onKeyDown={(e) => onKey(e, name)}
                >
                  <title>{`${name}${n.inRelease ? '' : ' — outside the release'}${s ? ` — ${s.label}` : ''}`}</title>
                  <rect className="node-box" width={p.width} height={p.height} rx={4} />
                  <rect className="node-bar" width={5} height={p.height} rx={2} />
                  {detail ? (
                    <>
                      <text className="node-name" x={12} y={19}>
                        {fitText(name, p.width - (n.wave !== undefined ? 48 : 20))}
                      </text>
                      {n.wave !== undefined ? (
                        <text className="node-wave" x={p.width - 8} y={19} textAnchor="end">
                          {`W${n.wave}`}
                        </text>
                      ) : n.inCycle ? (
                        <text className="node-wave cycle" x={p.width - 8} y={19} textAnchor="end">
                          cycle
                        </text>
                      ) : null}
                      <text className="node-state" x={12} y={37}>
                        {fitText(n.missing ? 'not in the catalog' : label, p.width - 20, 6.4)}
                      </text>
                    </>
                  ) : null}
                </g>
              );
            })}
          </g>
        </svg>
      </div>
    </div>
  );
}

/**
 * Zoomed out: every node as a rectangle in one path per look (state, outside, cycle), so that 500
 * services cost a handful of DOM elements instead of thousands.
 */
function SimplifiedNodes(props: { names: readonly string[]; layout: Layout; byName: Map<string, GraphNodeView>; environment: string | undefined; selected: string | undefined }) {
  const groups = new Map<string, string[]>();
  for (const name of props.names) {
    const n = props.byName.get(name);
    const p = props.layout.nodes.get(name);
    if (!n || !p) continue;
    const kind = (props.environment ? n.states[props.environment]?.kind : undefined) ?? 'not_deployed';
    const cls = ['graph-node', 'simple', `state-${kind}`, n.inRelease ? 'in-release' : 'outside', n.inCycle ? 'cycle' : '', props.selected === name ? 'selected' : ''].filter(Boolean).join(' ');
    const d = `M${p.x.toFixed(1)} ${p.y.toFixed(1)}h${p.width.toFixed(1)}v${p.height.toFixed(1)}h${(-p.width).toFixed(1)}z`;
    groups.set(cls, [...(groups.get(cls) ?? []), d]);
  }
  return (
    <>
      {[...groups].map(([cls, ds]) => (
        <path key={cls} className={cls} d={ds.join('')} />
      ))}
    </>
  );
}

function pathOf(points: readonly Point[]): string {
  return points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(' ');
}

/** Cuts text to the width (in px at the graph's font) with an ellipsis. */
function fitText(text: string, width: number, charWidth = 7.2): string {
  const max = Math.max(3, Math.floor(width / charWidth));
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
