#!/usr/bin/env node
// A static server for dist/ (node scripts/serve.mjs [--port 8080] [--not-isolated]). From the command
// line it sends the cross-origin isolation headers (COOP/COEP) under which browsers allow WASM threads,
// unless --not-isolated; serve() itself defaults to a plain server (the browser test asks for both).
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.safetensors': 'application/octet-stream',
};

/** Serves `dir` on `port` (0: any free port); resolves to the server once it listens. */
export function serve(dir, { port = 0, isolated = false } = {}) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(dir, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    const headers = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' };
    if (isolated) {
      headers['cross-origin-opener-policy'] = 'same-origin';
      headers['cross-origin-embedder-policy'] = 'require-corp';
    }
    res.writeHead(200, headers);
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--port');
  const port = at >= 0 ? Number(args[at + 1]) : 8080;
  const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
  const isolated = !args.includes('--not-isolated');
  const server = await serve(dist, { port, isolated });
  console.log(
    `demo at http://127.0.0.1:${server.address().port}/` +
      (isolated ? ' (cross-origin isolated: WASM threads allowed)' : ' (not cross-origin isolated)'),
  );
}
