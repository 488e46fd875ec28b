// The blue-green commands' pure parts: argument objects (shape checks naming `arguments.<key>`),
// the confirmation a production action asks, and the typed inputs (a weight, router settings as
// JSON). No 'vscode': plain mocha tests them.
import { formatSplit, otherColour, type BlueGreenStatus } from '../core/blueGreen';
import { ValidationError } from '../core/model';
import type { Colour } from '../core/ports';
import { describe } from '../core/validate';
import { checkArgs } from './commandArgs';
import type { TrafficAction } from '../shared/trafficView';
import { parseEnvironmentRouterSettings, routerField, storedRouterSettings } from '../traffic/environmentRouterSettings';

export type ArgKind = 'string' | 'number' | 'boolean' | 'object' | 'objectOrNull' | 'colour';
export type ArgSpec = Record<string, { kind: ArgKind; required?: boolean }>;

const base = { folder: { kind: 'string' }, releaseId: { kind: 'string', required: true }, environment: { kind: 'string' } } satisfies ArgSpec;

export const TRAFFIC_ARG_SPECS = {
  setup: { ...base, environment: { kind: 'string', required: true }, options: { kind: 'object' } },
  switch: { ...base, colour: { kind: 'colour' }, weight: { kind: 'number' }, plan: { kind: 'boolean' }, confirm: { kind: 'boolean' } },
  promote: { ...base, full: { kind: 'boolean' }, confirm: { kind: 'boolean' } },
  abort: { ...base, reason: { kind: 'string' }, confirm: { kind: 'boolean' } },
  rollback: { ...base, reason: { kind: 'string' }, confirm: { kind: 'boolean' } },
  configureRouter: { folder: { kind: 'string' }, environment: { kind: 'string', required: true }, settings: { kind: 'objectOrNull', required: true } },
} satisfies Record<string, ArgSpec>;

export interface TrafficArgs {
  folder?: string;
  releaseId: string;
  environment?: string;
  options?: Record<string, unknown>;
  colour?: Colour;
  weight?: number;
  plan?: boolean;
  full?: boolean;
  reason?: string;
  confirm?: boolean;
}

/** Shape checks of an argument object; errors name `arguments.<key>`. The managers check values. */
export function checkTrafficArgs<T>(spec: ArgSpec, value: unknown): T {
  // The commands' one shape check (plain objects only, own keys, no getters), with this module's kinds.
  return checkArgs<T>(spec, value);
}

export const VERB: Record<Exclude<TrafficAction, 'setup'>, string> = { switch: 'Switch', promote: 'Promote', abort: 'Abort', rollback: 'Roll Back' };

/** The question a production action asks, with what it will do to the traffic. */
export function confirmation(action: Exclude<TrafficAction, 'setup'>, s: BlueGreenStatus, o: { colour?: Colour; weight?: number; plan?: boolean; full?: boolean }): { message: string; detail: string } {
  const now = `Now: ${formatSplit(s.weights)}.`;
  const stable = otherColour(s.previewColour);
  const oldVersion = s.versions[stable] ? ` (${s.versions[stable]})` : '';
  switch (action) {
    case 'switch': {
      const colour = o.colour ?? s.previewColour;
      const w = o.weight ?? (o.plan ? undefined : s.nextStep);
      const target = w === undefined ? `through the remaining steps (${s.steps.filter((x) => x.status === 'pending').map((x) => x.weight).join(' → ')} %)` : `to ${w} %`;
      return {
        message: `Switch ${s.environment} traffic to ${colour} ${w === undefined ? '' : `${w} % `}(${s.version})?`.replace('  ', ' '),
        detail: `${now} ${colour} goes ${target}; the new colour's error rate is watched and traffic goes back to ${stable} by itself past the threshold.`,
      };
    }
    case 'promote':
      return {
        message: `Promote ${s.version} in ${s.environment}?`,
        detail: `${now} ${o.full ? `${s.previewColour} takes all traffic at once.` : `${s.previewColour} goes through the remaining steps to 100 %.`} ${stable} stays up for the scale-down delay, so a rollback stays possible.`,
      };
    case 'abort':
      return {
        message: `Abort the rollout of ${s.version} in ${s.environment}?`,
        detail: `${now} ${s.weights[s.previewColour] > 0 ? `All traffic goes back to ${stable}${oldVersion} at once; ` : 'Traffic stays as it is; '}the preview colour ${s.previewColour} is discarded.`,
      };
    case 'rollback':
      return {
        message: `Roll back ${s.environment} to ${stable}${oldVersion}?`,
        detail: `${now} All traffic goes back to ${stable} at once, away from ${s.previewColour} (${s.version}).`,
      };
  }
}

export function parseWeightInput(text: string): number {
  const t = text.trim();
  if (!/^\d{1,3}$/.test(t) || Number(t) > 100) throw new ValidationError('weight', `expected a whole number from 0 to 100, got '${t}'`);
  return Number(t);
}

/** A new environment's router settings, proposed in the input box. */
export const ROUTER_TEMPLATE = {
  kind: 'haproxy',
  socketPath: '/run/haproxy/admin.sock',
  backend: 'be_app',
  servers: { blue: 'blue', green: 'green' },
  endpoints: { blue: { healthUrl: 'http://127.0.0.1:8081/health' }, green: { healthUrl: 'http://127.0.0.1:8082/health' } },
};

/** Parses the JSON a person typed; the error names the field (or says where the JSON breaks). */
export function parseRouterSettingsInput(environment: string, text: string): Record<string, unknown> | null {
  if (text.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ValidationError(routerField(environment), `is not JSON: ${(e as Error).message}`);
  }
  return storedRouterSettings(parseEnvironmentRouterSettings(environment, value));
}

