// Two real HTTP backends (blue, green) for the traffic tests. Contract shared with the routers'
// verify() and the probe-based watcher: every response carries `X-Colour: blue|green`, errors too.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Colour } from '../../src/core/ports';

export interface Backend {
  readonly colour: Colour;
  readonly port: number;
  /** `127.0.0.1:port`, as routers are configured. */
  readonly address: string;
  readonly url: string;
  /** `/health` answers 503 while false. */
  setHealthy(healthy: boolean): void;
  /** `/` answers 500 while true (a "lying" backend whose health still says 200). */
  setFailRoot(fail: boolean): void;
  /** Requests to `/` served so far (health checks excluded). */
  readonly rootRequests: number;
}

export interface Backends {
  blue: Backend;
  green: Backend;
  stop(): Promise<void>;
}

async function startBackend(colour: Colour): Promise<{ backend: Backend; server: http.Server }> {
  let healthy = true;
  let failRoot = false;
  let rootRequests = 0;
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    let status = 200;
    if (path === '/health') status = healthy ? 200 : 503;
    else {
      rootRequests++;
      if (failRoot) status = 500;
    }
    const body = `${colour} ${status}\n`;
    res.writeHead(status, { 'X-Colour': colour, 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
  // Longer than the routers' upstream idle timeouts, so the backend never closes a pooled
  // connection at the moment a router reuses it.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const backend: Backend = {
    colour,
    port,
    address: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    setHealthy: (h) => { healthy = h; },
    setFailRoot: (f) => { failRoot = f; },
    get rootRequests() { return rootRequests; },
  };
  return { backend, server };
}

export async function startBackends(): Promise<Backends> {
  const blue = await startBackend('blue');
  const green = await startBackend('green');
  return {
    blue: blue.backend,
    green: green.backend,
    async stop() {
      for (const { server } of [blue, green]) {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      }
    },
  };
}
