// Service catalog commands: add, edit, remove, and discover from compose files and package workspaces.
import * as vscode from 'vscode';
import { ValidationError, type Service, type ServiceInput } from '../core/model';
import { validateHealthCheck, validateServiceName, type DiscoveredEdge, type DiscoveredService, type DiscoveryProposal } from '../core/serviceCatalog';
import { optionalText } from '../core/validate';
import { discoverServices } from '../discovery/discover';
import type { DiscoveryDiagnostic } from '../discovery/diagnostic';
import { ARG_SPECS, checkArgs, type AddServiceArgs, type DiscoverServicesArgs, type EditServiceArgs, type RemoveServiceArgs } from './commandArgs';
import type { CommandContext } from './commands';
import { acceptOffer, buildOffer, edgeKey, sourceText, type Acceptance, type Offer, type OfferedEdge, type OfferedService } from './discoveryModel';
import { Cancelled, input, isArgObject, pick, pickMany, pickService, pickSession } from './prompts';
import { FolderNode, ReleaseServiceNode, isTreeNode } from './treeNodes';
import type { FolderCore } from './workspaceSession';

// Text from a prompt or an argument; anything else goes on to validateHealthCheck, which names what is wrong.
const healthCheckOf = (url: unknown) =>
  typeof url === 'string' ? (url.trim() ? { url: url.trim() } : undefined) : url === undefined || url === null ? undefined : { url: url as string };

function checkNewName(existing: readonly Service[]) {
  return (v: string) => {
    const name = validateServiceName('name', v);
    if (existing.some((s) => s.name === name)) throw new ValidationError('name', `a service named '${name}' already exists`);
  };
}

async function pickDependencies(core: FolderCore, title: string, exclude: string, current: readonly string[] = []): Promise<string[]> {
  const others = (await core.catalog.listServices()).filter((s) => s.name !== exclude);
  if (!others.length) return [];
  const chosen = await pickMany(
    others.map((s) => ({ label: s.name, description: s.path, picked: current.includes(s.name) })),
    { title, placeHolder: 'Which services must be running before this one is deployed? (none is fine)' },
  );
  return chosen.map((c) => c.label);
}

export async function addService(ctx: CommandContext, arg: unknown): Promise<Service> {
  // A folder row (the dashboard passes its folder's): prompt in that folder. An argument object never prompts.
  let session = arg instanceof FolderNode ? arg.session : undefined;
  if (arg !== undefined && !session) {
    const a = checkArgs<AddServiceArgs>(ARG_SPECS.addService, arg);
    const core = await (await pickSession(ctx.sessions, a.folder, false)).core();
    return core.catalog.addService({
      name: a.name,
      path: a.path,
      deployCommand: a.deployCommand,
      rollbackCommand: a.rollbackCommand,
      healthCheck: healthCheckOf(a.healthCheckUrl),
      dependencies: a.dependencies,
    });
  }
  session ??= await pickSession(ctx.sessions, undefined, true);
  const core = await session.core();
  const existing = await core.catalog.listServices();
  const name = (await input({ title: 'Add Service (1/6): name', prompt: 'e.g. api, web, billing-worker', check: checkNewName(existing) })).trim();
  const path = await input({
    title: 'Add Service (2/6): folder',
    prompt: 'The folder it owns, relative to the workspace folder (for release notes and risk); empty: none',
    value: `services/${name}`,
    check: (v) => optionalText('path', v, { max: 500 }),
  });
  const deployCommand = await input({
    title: 'Add Service (3/6): deploy command',
    prompt: 'A shell command run in the workspace folder to deploy it; it gets SERVICE, RELEASE_VERSION and TARGET_ENV in its environment. Empty: none',
    check: (v) => optionalText('deployCommand', v, { max: 4000 }),
  });
  const rollbackCommand = await input({
    title: 'Add Service (4/6): rollback command',
    prompt: 'A shell command that undoes its deployment when a later service of the release fails (same environment as the deploy command). Empty: none',
    check: (v) => optionalText('rollbackCommand', v, { max: 4000 }),
  });
  const url = await input({
    title: 'Add Service (5/6): health check',
    prompt: 'An http(s) URL that answers 200 when the service is healthy; empty: none',
    check: (v) => validateHealthCheck(healthCheckOf(v)),
  });
  const dependencies = await pickDependencies(core, 'Add Service (6/6): dependencies', name);
  const service = await core.catalog.addService({
    name,
    path: path.trim() || undefined,
    deployCommand: deployCommand.trim() || undefined,
    rollbackCommand: rollbackCommand.trim() || undefined,
    healthCheck: healthCheckOf(url),
    dependencies,
  });
  void vscode.window.showInformationMessage(`Added service ${service.name}.`);
  return service;
}

async function serviceTarget(ctx: CommandContext, arg: unknown, spec: typeof ARG_SPECS.editService | typeof ARG_SPECS.removeService, title: string) {
  if (isTreeNode(arg)) {
    if (!(arg instanceof ReleaseServiceNode)) throw new ValidationError('arguments', `a ${arg.kind} is not a service`);
    return { core: await arg.session.core(), name: arg.name, args: undefined };
  }
  if (arg !== undefined) {
    const args = checkArgs<EditServiceArgs & RemoveServiceArgs>(spec, arg);
    return { core: await (await pickSession(ctx.sessions, args.folder, false)).core(), name: args.name, args };
  }
  const core = await (await pickSession(ctx.sessions, undefined, true)).core();
  return { core, name: (await pickService(core, title)).name, args: undefined };
}

export async function editService(ctx: CommandContext, arg: unknown): Promise<Service> {
  const t = await serviceTarget(ctx, arg, ARG_SPECS.editService, 'Edit Service: which service?');
  if (t.args) {
    const changes = { ...(t.args as EditServiceArgs).changes };
    if ('healthCheckUrl' in changes) {
      changes.healthCheck = healthCheckOf(changes.healthCheckUrl as string | undefined);
      delete changes.healthCheckUrl;
    }
    return t.core.catalog.updateService(t.name, changes as Partial<ServiceInput>);
  }
  const s = await t.core.catalog.getService(t.name);
  if (!s) throw new ValidationError('name', `service '${t.name}' does not exist`);
  const title = `Edit Service ${s.name}`;
  const { field } = await pick(
    [
      { label: 'Name', description: s.name, field: 'name' as const },
      { label: 'Folder', description: s.path ?? '(none)', field: 'path' as const },
      { label: 'Deploy command', description: s.deployCommand ?? '(none)', field: 'deployCommand' as const },
      { label: 'Rollback command', description: s.rollbackCommand ?? '(none)', field: 'rollbackCommand' as const },
      { label: 'Health check', description: s.healthCheck?.url ?? '(none)', field: 'healthCheck' as const },
      { label: 'Dependencies', description: s.dependencies.join(', ') || '(none)', field: 'dependencies' as const },
    ],
    { title: `${title}: which field?` },
  );
  let patch: Partial<ServiceInput>;
  switch (field) {
    case 'name': {
      const others = (await t.core.catalog.listServices()).filter((o) => o.name !== s.name);
      patch = { name: (await input({ title, value: s.name, check: checkNewName(others) })).trim() };
      break;
    }
    case 'path':
      patch = { path: (await input({ title, value: s.path ?? '', prompt: 'Relative to the workspace folder; empty: none', check: (v) => optionalText('path', v, { max: 500 }) })).trim() || undefined };
      break;
    case 'deployCommand':
      patch = { deployCommand: (await input({ title, value: s.deployCommand ?? '', prompt: 'Empty: none', check: (v) => optionalText('deployCommand', v, { max: 4000 }) })).trim() || undefined };
      break;
    case 'rollbackCommand':
      patch = {
        rollbackCommand:
          (await input({ title, value: s.rollbackCommand ?? '', prompt: 'Undoes its deployment when a later service fails; empty: none', check: (v) => optionalText('rollbackCommand', v, { max: 4000 }) })).trim() ||
          undefined,
      };
      break;
    case 'healthCheck':
      patch = { healthCheck: healthCheckOf(await input({ title, value: s.healthCheck?.url ?? '', prompt: 'An http(s) URL; empty: none', check: (v) => validateHealthCheck(healthCheckOf(v)) })) };
      break;
    case 'dependencies':
      patch = { dependencies: await pickDependencies(t.core, `${title}: dependencies`, s.name, s.dependencies) };
      break;
  }
  const after = await t.core.catalog.updateService(s.name, patch);
  void vscode.window.showInformationMessage(`Updated service ${after.name}.`);
  return after;
}

export async function removeService(ctx: CommandContext, arg: unknown): Promise<{ removed: string }> {
  const t = await serviceTarget(ctx, arg, ARG_SPECS.removeService, 'Remove Service: which service?');
  if (!t.args) {
    const yes = 'Remove';
    const choice = await vscode.window.showWarningMessage(
      `Remove service '${t.name}' from the catalog? Releases that already shipped it keep its name.`,
      { modal: true },
      yes,
    );
    if (choice !== yes) throw new Cancelled();
  }
  await t.core.catalog.removeService(t.name);
  if (!t.args) void vscode.window.showInformationMessage(`Removed service ${t.name}.`);
  return { removed: t.name };
}

/** The accepted part of an offer as a proposal for ServiceCatalog.applyDiscovery: offer names, first source of each. */
function acceptedProposal(offer: Offer, acceptance: Acceptance): DiscoveryProposal {
  const accepted = new Set(acceptance.inputs.map((i) => i.name));
  const services = offer.services
    .filter((s) => accepted.has(s.name))
    .map((s): DiscoveredService => ({ name: s.name, ...(s.path !== undefined ? { path: s.path } : {}), source: s.sources[0], kind: s.kinds[0] }));
  const wanted = new Set(acceptance.inputs.flatMap((i) => (i.dependencies ?? []).map((to) => edgeKey({ from: i.name, to }))));
  const edges = offer.edges.filter((e) => wanted.has(edgeKey(e))).map((e): DiscoveredEdge => ({ from: e.from, to: e.to, source: e.sources[0] }));
  return { services, edges };
}

/** Discovery's problems in the log and, on the files they are about, the Problems panel. */
function publishDiagnostics(ctx: CommandContext, folder: vscode.Uri, diagnostics: readonly DiscoveryDiagnostic[]): void {
  for (const d of diagnostics) {
    ctx.log[d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warn' : 'info'](`discovery: ${d.file}:${d.line}: ${d.message} (${d.code})`);
  }
  ctx.discoveryDiagnostics.publish(folder, diagnostics);
}

export interface DiscoveryResult {
  added: string[];
  dependencies: number;
  skipped: string[];
  problems: number;
}

export async function discover(ctx: CommandContext, arg: unknown): Promise<DiscoveryResult> {
  const a = arg === undefined ? undefined : checkArgs<DiscoverServicesArgs>(ARG_SPECS.discoverServices, arg);
  // Names that can never be accepted are refused before the folder is searched.
  if (a && a.accept !== 'all') a.accept.forEach((name, i) => validateServiceName(`arguments.accept[${i}]`, name));
  const session = await pickSession(ctx.sessions, a?.folder, !isArgObject(arg));
  const core = await session.core();
  const root = session.folder.uri.fsPath;
  const proposal = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Discovering services in ${session.name}…`, cancellable: true },
    async (_progress, token) => {
      // Discovery only reads files; cancelling drops its result, so nothing changes.
      const p = await discoverServices(root);
      if (token.isCancellationRequested) throw new Cancelled();
      return p;
    },
  );
  publishDiagnostics(ctx, session.folder.uri, proposal.diagnostics);
  const catalog = (await core.catalog.listServices()).map((s) => s.name);
  const offer = buildOffer(proposal, catalog);
  for (const u of offer.unusable) ctx.log.warn(`discovery: ${sourceText(u.source)}: '${u.name}' is ${u.reason}`);
  const problems = proposal.diagnostics.filter((d) => d.severity !== 'info').length + offer.unusable.length;
  const problemText = problems ? ` ${problems} problem${problems === 1 ? '' : 's'} in the log (Release Manager: Show Log).` : '';
  if (!offer.services.length) {
    const msg = offer.known.length
      ? `Discovery found ${offer.known.length} service${offer.known.length === 1 ? '' : 's'} in ${session.name}, all already in the catalog.${problemText}`
      : `Discovery found no services in ${session.name} (looked for compose files and npm/yarn/pnpm workspaces in ${proposal.files.length} files).${problemText}`;
    if (!a) void vscode.window.showInformationMessage(msg);
    if (a && a.accept !== 'all' && a.accept.length) {
      throw new ValidationError('arguments.accept', `'${a.accept[0]}' was not proposed: discovery proposes no new service in ${session.name}`);
    }
    return { added: [], dependencies: 0, skipped: [], problems };
  }

  let services: string[];
  let edges: string[];
  if (a) {
    services = a.accept === 'all' ? offer.services.map((s) => s.name) : a.accept;
    const offered = new Set(offer.services.map((s) => s.name));
    const unknown = services.find((s) => !offered.has(s));
    if (unknown !== undefined) {
      throw new ValidationError('arguments.accept', `'${unknown}' was not proposed (proposed: ${[...offered].join(', ')})`);
    }
    edges = offer.edges.map(edgeKey);
  } else {
    type Item = vscode.QuickPickItem & { service?: OfferedService; edge?: OfferedEdge };
    const byDefault = new Set(offer.services.filter((s) => !s.profiles).map((s) => s.name));
    const items: Item[] = [
      { label: 'Services', kind: vscode.QuickPickItemKind.Separator },
      ...offer.services.map((s): Item => ({
        label: s.name,
        description: [s.kinds.join(' + '), s.path, s.profiles ? `profile ${s.profiles.join(', ')}` : undefined, s.aliases.length ? `also ${s.aliases.join(', ')}` : undefined]
          .filter(Boolean)
          .join(' · '),
        detail: s.sources.map(sourceText).join(', '),
        // Services behind a compose profile run only on request: not picked by default.
        picked: byDefault.has(s.name),
        service: s,
      })),
      ...(offer.edges.length ? [{ label: 'Dependencies (deployed first → then the dependent)', kind: vscode.QuickPickItemKind.Separator } as Item] : []),
      ...offer.edges.map((e): Item => ({
        label: `${e.from} → ${e.to}`,
        description: e.detail,
        detail: e.sources.map(sourceText).join(', '),
        // Picked when both ends are (or are known already), so the defaults add no dangling edge.
        picked: byDefault.has(e.from) && (byDefault.has(e.to) || catalog.includes(e.to)),
        edge: e,
      })),
    ];
    const chosen = await pickMany(items, {
      title: `Discover Services in ${session.name}: accept what should go into the catalog`,
      placeHolder: 'Each entry says where it was found (file:line). Unticked entries are not added.',
    });
    services = chosen.filter((c) => c.service).map((c) => (c.service as OfferedService).name);
    edges = chosen.filter((c) => c.edge).map((c) => edgeKey(c.edge as OfferedEdge));
    if (!services.length) throw new Cancelled();
  }
  const acceptance = acceptOffer(offer, services, edges, catalog);
  // Through applyDiscovery, so that each service and dependency keeps the file:line it came from
  // (the dashboard's service details show them).
  const applied = await core.catalog.applyDiscovery(acceptedProposal(offer, acceptance), acceptance.inputs.map((i) => i.name));
  const addedSet = new Set(applied.added);
  const dependencies = acceptance.inputs.filter((i) => addedSet.has(i.name)).reduce((n, i) => n + (i.dependencies?.length ?? 0), 0);
  const skipped = [
    ...acceptance.skipped.map((s) => `${s.edge.from} → ${s.edge.to} (${s.reason})`),
    ...applied.skipped.map((s) => `${s.name} (${s.reason})`),
    ...applied.unresolved.map((u) => `${u.from} → ${u.to} (${u.reason})`),
  ];
  for (const c of applied.cycles) ctx.log.warn(`discovery: the catalog now has a dependency cycle ${c}; deployment order refuses it until one dependency goes`);
  const cycleText = applied.cycles.length ? ` The catalog now has a dependency cycle: ${applied.cycles.join('; ')}.` : '';
  if (!a) {
    void vscode.window.showInformationMessage(
      `Added ${applied.added.length} service${applied.added.length === 1 ? '' : 's'} (${applied.added.join(', ')}) with ${dependencies} dependenc${dependencies === 1 ? 'y' : 'ies'}.` +
        (skipped.length ? ` Skipped ${skipped.length}: ${skipped.join('; ')}.` : '') +
        cycleText +
        problemText,
    );
  }
  return { added: applied.added, dependencies, skipped, problems };
}
