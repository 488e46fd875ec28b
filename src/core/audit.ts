import type { Clock, Identity, Repositories } from './ports';

/** Who and when for every mutation; each manager appends through this, inside its transaction. */
export class Auditor {
  constructor(
    private readonly clock: Clock,
    private readonly identity: Identity,
  ) {}

  async actor(): Promise<string> {
    return this.identity.currentUser();
  }

  /** `actor` must be resolved before the transaction (it may run git); pass it in. */
  async record(
    repos: Repositories,
    actor: string,
    action: string,
    entityType: string,
    entityId: string,
    before?: unknown,
    after?: unknown,
  ): Promise<void> {
    await repos.audit.append({ at: this.clock.now(), actor, action, entityType, entityId, before, after });
  }
}
