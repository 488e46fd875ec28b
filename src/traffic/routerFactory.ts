// RouterFactory over per-environment router settings: parsed (errors name the field), built with
// createRouter, and kept per environment while the settings stay the same, so a router's state
// (nginx's access-log offset, HAProxy's command queue) survives between calls.
import { RefusedError, ValidationError } from '../core/model';
import type { BlueGreenTarget, RouterFactory, TrafficRouter, WorkspaceTrust } from '../core/ports';
import { RouterConfigError, createRouter, parseRouterConfig, type CreateRouterOptions } from './routerConfig';

export interface EnvironmentRouterSettings {
  /** The environment's `router` settings, untrusted until parsed. */
  router: unknown;
  /** The last or a protected environment. */
  production: boolean;
  /** Environment-level blue-green strategy (validated by the manager). */
  strategy?: unknown;
}

export interface SettingsRouterFactoryOptions extends Omit<CreateRouterOptions, 'trust'> {
  /** The environment's settings, or null when the environment does not exist. */
  load(environment: string): Promise<EnvironmentRouterSettings | null>;
  /** Command routers run only while this says the workspace is trusted. */
  trust: WorkspaceTrust;
}

export class SettingsRouterFactory implements RouterFactory {
  private readonly cache = new Map<string, { key: string; router: TrafficRouter }>();

  constructor(private readonly options: SettingsRouterFactoryOptions) {}

  async forEnvironment(environment: string): Promise<BlueGreenTarget> {
    const settings = await this.options.load(environment);
    if (!settings) throw new RefusedError(`environment '${environment}' does not exist`);
    const field = `environments.${environment}.router`;
    if (settings.router === undefined || settings.router === null) {
      throw new RefusedError(`environment '${environment}' has no traffic router: add router settings (kind haproxy, nginx or command, with endpoints for blue and green) to use blue-green there`);
    }
    let config;
    try {
      config = parseRouterConfig(settings.router, field);
    } catch (err) {
      if (err instanceof RouterConfigError) throw new ValidationError(err.field, err.reason);
      throw err;
    }
    if (!config.endpoints) {
      throw new ValidationError(`${field}.endpoints`, 'is required for blue-green: { blue: { healthUrl, smokeUrl? }, green: { healthUrl, smokeUrl? } }, each reaching that colour directly');
    }
    const key = JSON.stringify(config);
    let cached = this.cache.get(environment);
    if (!cached || cached.key !== key) {
      const { load: _load, ...createOptions } = this.options;
      cached = { key, router: createRouter(config, createOptions) };
      this.cache.set(environment, cached);
    }
    // nginx and command routers already name a URL through the router: the probe source by default.
    const probeUrl = config.endpoints.probeUrl ?? (config.kind === 'haproxy' ? undefined : config.probeUrl);
    const endpoints = probeUrl ? { ...config.endpoints, probeUrl } : config.endpoints;
    return { router: cached.router, endpoints, production: settings.production, strategy: settings.strategy };
  }
}
