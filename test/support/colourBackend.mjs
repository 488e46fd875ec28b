// A real backend process of one colour for the blue-green tests, started by deployColour.sh the way
// an environment's pipeline would start a release. Every answer carries X-Colour and X-Version.
// /health answers 503 in mode "unhealthy"; other paths answer 500 in mode "fail-root" (a "lying"
// colour whose health still says 200). GET /__mode/<ok|unhealthy|fail-root> changes the mode at
// run time: the tests' fault injection. Env: COLOR, PORT, VERSION, BACKEND_MODE, READY_FILE.
import fs from 'node:fs';
import http from 'node:http';

const colour = process.env.COLOR;
const version = process.env.VERSION ?? 'unknown';
let mode = process.env.BACKEND_MODE || 'ok';

const server = http.createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  let status = 200;
  if (path.startsWith('/__mode/')) mode = path.slice('/__mode/'.length);
  else if (path === '/health') status = mode === 'unhealthy' ? 503 : 200;
  else if (mode === 'fail-root') status = 500;
  const body = `${colour} ${version} ${status}\n`;
  res.writeHead(status, { 'X-Colour': colour, 'X-Version': version, 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
});
// Longer than the routers' upstream idle timeouts (see backends.ts).
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.listen(Number(process.env.PORT), '127.0.0.1', () => {
  if (process.env.READY_FILE) fs.writeFileSync(process.env.READY_FILE, String(process.pid));
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
});
