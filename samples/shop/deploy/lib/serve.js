// The local stand-in for a service container: a tiny HTTP server on 127.0.0.1.
// GET /health and /version answer for every service; `routes` adds the service's own endpoints.
// It exits by itself when its pid file is removed or names another process, so stop-all.sh,
// a redeploy, or deleting a temp copy of the repo all end it.
'use strict';
const fs = require('node:fs');
const http = require('node:http');

function serve(service, routes = {}) {
  const port = Number(process.env.PORT);
  const version = process.env.RELEASE_VERSION ?? '0.0.0';
  const env = process.env.TARGET_ENV ?? 'dev';
  const color = process.env.COLOR || null;
  const pidFile = process.env.PIDFILE;
  const started = new Date().toISOString();

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const json = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/health') return json(200, { status: 'ok', service, version, env, color, started });
    if (url.pathname === '/version') return json(200, { service, version });
    const route = routes[url.pathname];
    if (!route) return json(404, { error: 'not found' });
    const out = route(url);
    if (typeof out === 'string') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(out);
    }
    return json(200, out);
  });
  server.listen(port, '127.0.0.1', () => {
    console.log(`${service} ${version} (${env}${color ? `/${color}` : ''}) listening on http://127.0.0.1:${port}`);
  });

  if (pidFile) {
    setInterval(() => {
      let owner = '';
      try { owner = fs.readFileSync(pidFile, 'utf8').trim(); } catch { /* removed */ }
      if (owner !== String(process.pid)) {
        console.log(`${service}: pid file gone or taken over, exiting`);
        process.exit(0);
      }
    }, 1000).unref();
  }
  for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
}

module.exports = { serve };
