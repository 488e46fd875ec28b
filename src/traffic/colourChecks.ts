// The core's ColourChecks port over checks.ts and probe.ts (node:http lives here, not in the core).
import type { ColourChecks } from '../core/ports';
import { ErrorRateWatcher, smokeRequest, waitHealthy } from './checks';
import { probeOnce } from './probe';

export const colourChecks: ColourChecks = {
  waitHealthy: (url, o) =>
    waitHealthy(url, { consecutive: o.consecutive, intervalMs: o.intervalMs, requestTimeoutMs: o.requestTimeoutMs, deadlineMs: o.deadlineMs, signal: o.signal }),
  smoke: (url, o) => smokeRequest(url, { expectStatus: o.expectStatus, timeoutMs: o.timeoutMs }),
  probe: (url, timeoutMs) => probeOnce(url, timeoutMs),
  watchErrorRate(o) {
    const watcher = new ErrorRateWatcher({
      colour: o.colour,
      router: o.router,
      probeUrl: o.probeUrl,
      windowMs: o.windowMs,
      threshold: o.threshold,
      minRequests: o.minRequests,
      pollMs: o.pollMs,
      onBreach: o.onBreach,
      onError: o.onError,
    });
    return watcher.start();
  },
};
