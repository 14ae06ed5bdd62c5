// A small HTTP/HTTPS server for make-captures.sh. It exists so the captures
// carry a real Node server's behaviour (keep-alive, pipelining, chunked
// bodies, HTTP/2 via ALPN like Google's front ends) while the content stays
// tiny and fixed. It serves a static module-proxy tree (--root) plus a few
// fixed pages, and writes the server side of every TLS session to an NSS key
// log (--keylog) because the go command never logs its own keys.
//
// Usage:
//   node web-server.mjs [--http ADDR:PORT]... [--https ADDR:PORT]...
//     [--h2] [--cert leaf+chain.pem --key leaf.key] [--root DIR] [--keylog FILE]
import { Buffer } from 'node:buffer';
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import path from 'node:path';
import process from 'node:process';
import { setTimeout } from 'node:timers';
import { URL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    http: { type: 'string', multiple: true, default: [] },
    https: { type: 'string', multiple: true, default: [] },
    h2: { type: 'boolean', default: false },
    cert: { type: 'string' },
    key: { type: 'string' },
    root: { type: 'string' },
    keylog: { type: 'string' },
  },
});

const pages = {
  '/': 'hello from the gotap capture lab\n',
  '/a': 'page a\n',
  '/b': 'page b\n',
  '/c': 'page c\n',
};

const contentTypes = {
  '.info': 'application/json',
  '.mod': 'text/plain; charset=utf-8',
  '.zip': 'application/zip',
};

// Resolve a request path inside --root only; anything escaping it is a 404.
function staticFile(pathname) {
  if (!opts.root) return undefined;
  const root = path.resolve(opts.root);
  const file = path.resolve(root, '.' + pathname);
  if (!file.startsWith(root + path.sep)) return undefined;
  try {
    return statSync(file).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

function handle(req, res) {
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(req.url, 'http://capture.invalid').pathname);
  } catch {
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end('bad request\n');
    return;
  }
  if (pathname === '/chunked') {
    // Two writes with a pause: HTTP/1.1 frames them as two chunks in two segments.
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('first chunk\n');
    setTimeout(() => res.end('second chunk\n'), 50);
    return;
  }
  const file = staticFile(pathname);
  if (file !== undefined) {
    const body = readFileSync(file);
    res.writeHead(200, {
      'content-type': contentTypes[path.extname(file)] ?? 'text/plain; charset=utf-8',
      'content-length': body.length,
    });
    res.end(body);
    return;
  }
  const page = pages[pathname];
  if (page !== undefined) {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(page) });
    res.end(page);
    return;
  }
  const body = 'not found\n';
  res.writeHead(404, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
}

function listen(server, spec) {
  const cut = spec.lastIndexOf(':');
  server.listen(Number(spec.slice(cut + 1)), spec.slice(0, cut));
}

for (const spec of opts.http) listen(http.createServer(handle), spec);

if (opts.https.length > 0) {
  const tlsOpts = { cert: readFileSync(opts.cert), key: readFileSync(opts.key) };
  for (const spec of opts.https) {
    const server = opts.h2
      ? http2.createSecureServer({ ...tlsOpts, allowHTTP1: true }, handle)
      : https.createServer(tlsOpts, handle);
    if (opts.keylog) server.on('keylog', (line) => appendFileSync(opts.keylog, line));
    listen(server, spec);
  }
}

process.on('SIGTERM', () => process.exit(0));
