// Turns a discovery proposal into what "Discover Services" offers: one entry per service (a compose
// service and the npm package in the same folder are one service), each with every place it came
// from, and the edges between them; then, from what the user accepted, the catalog inputs. No 'vscode'.
import type { ServiceInput } from '../core/model';
import { validateServiceName } from '../core/serviceCatalog';
import type { Proposal, SourceRef } from '../discovery/discover';

export interface OfferedService {
  name: string;
  path?: string;
  kinds: ('compose' | 'package')[];
  /** Every file:line that proposed it. */
  sources: SourceRef[];
  /** The names it was proposed under, when they differ from `name` (e.g. the package "@shop/api"). */
  aliases: string[];
  /** Compose profiles; absent when the service always runs. */
  profiles?: string[];
}

export interface OfferedEdge {
  from: string;
  to: string;
  sources: SourceRef[];
  /** e.g. "depends_on: service_healthy" or "package dependency". */
  detail: string;
}

export interface Offer {
  /** New services (not in the catalog yet). */
  services: OfferedService[];
  /** Edges whose dependent is new (a known service's dependencies are edited, not discovered). */
  edges: OfferedEdge[];
  /** Proposed services already in the catalog. */
  known: string[];
  /** Proposed names that cannot be service names, with why. */
  unusable: { name: string; source: SourceRef; reason: string }[];
}

export const sourceText = (s: SourceRef) => `${s.file}:${s.line}`;
export const edgeKey = (e: { from: string; to: string }) => `${e.from}\u0000${e.to}`;

function validName(name: string): string | undefined {
  try {
    return validateServiceName('name', name);
  } catch {
    return undefined;
  }
}

export function buildOffer(proposal: Proposal, catalog: readonly string[]): Offer {
  const known = new Set(catalog);
  const byName = new Map<string, OfferedService>();
  const byPath = new Map<string, OfferedService>();
  const alias = new Map<string, string>();
  const unusable: Offer['unusable'] = [];
  // Compose services first: their names are what people deploy by; packages in the same folder join them.
  const ordered = [...proposal.services].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'compose' ? -1 : 1));
  for (const p of ordered) {
    const same = p.path ? byPath.get(p.path) : undefined;
    const name = same?.name ?? validName(p.name) ?? validName(p.name.replace(/^@[^/]+\//, ''));
    if (!name) {
      unusable.push({ name: p.name, source: p.source, reason: 'not a valid service name (letters, digits, ".", "_" and "-")' });
      continue;
    }
    alias.set(p.name, name);
    const entry = byName.get(name) ?? { name, kinds: [], sources: [], aliases: [] };
    if (!entry.kinds.includes(p.kind)) entry.kinds.push(p.kind);
    entry.sources.push(p.source);
    if (p.name !== name && !entry.aliases.includes(p.name)) entry.aliases.push(p.name);
    entry.path ??= p.path;
    if (p.profiles?.length) entry.profiles = [...new Set([...(entry.profiles ?? []), ...p.profiles])];
    byName.set(name, entry);
    if (entry.path) byPath.set(entry.path, entry);
  }
  const edges = new Map<string, OfferedEdge>();
  for (const e of proposal.edges) {
    const from = alias.get(e.from);
    const to = alias.get(e.to) ?? (known.has(e.to) ? e.to : undefined);
    if (!from || !to || from === to || known.has(from)) continue;
    const key = edgeKey({ from, to });
    const detail = e.kind === 'package' ? `package dependency${e.field && e.field !== 'dependencies' ? ` (${e.field})` : ''}` : `${e.kind}${e.condition ? `: ${e.condition}` : ''}`;
    const entry = edges.get(key) ?? { from, to, sources: [], detail };
    entry.sources.push(e.source);
    if (!entry.detail.includes(detail)) entry.detail += `; ${detail}`;
    edges.set(key, entry);
  }
  const all = [...byName.values()];
  return {
    services: all.filter((s) => !known.has(s.name)),
    edges: [...edges.values()],
    known: all.filter((s) => known.has(s.name)).map((s) => s.name),
    unusable,
  };
}

export interface Acceptance {
  inputs: ServiceInput[];
  /** Accepted edges that cannot be added, with why. */
  skipped: { edge: OfferedEdge; reason: string }[];
}

/** Catalog inputs for the accepted services, with the accepted edges among them (or to known services). */
export function acceptOffer(offer: Offer, services: readonly string[], edgeKeys: readonly string[], catalog: readonly string[]): Acceptance {
  const accepted = new Set(services);
  const known = new Set(catalog);
  const wanted = new Set(edgeKeys);
  const deps = new Map<string, string[]>();
  const skipped: Acceptance['skipped'] = [];
  for (const e of offer.edges) {
    if (!wanted.has(edgeKey(e))) continue;
    if (!accepted.has(e.from)) skipped.push({ edge: e, reason: `${e.from} is not added` });
    else if (!accepted.has(e.to) && !known.has(e.to)) skipped.push({ edge: e, reason: `${e.to} is not added` });
    else deps.set(e.from, [...(deps.get(e.from) ?? []), e.to]);
  }
  const inputs = offer.services
    .filter((s) => accepted.has(s.name))
    .map((s): ServiceInput => ({ name: s.name, path: s.path, dependencies: (deps.get(s.name) ?? []).sort() }));
  for (const s of inputs) if (s.path === undefined) delete s.path;
  return { inputs, skipped };
}
