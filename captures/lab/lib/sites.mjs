// Web servers of the lab. Each site is one address:port serving one or more
// host names. HTTPS sites use http2.createSecureServer with allowHTTP1 so the
// go command negotiates h2 by ALPN exactly as it does with Google's front
// ends, and log their TLS secrets (Node's 'keylog' event, NSS key log lines)
// so the captures can be decrypted. Every request is logged as ground truth.
import http from 'node:http';
import http2 from 'node:http2';

/**
 * @typedef {{status: number, type?: string, body: Buffer|string, headers?: Record<string, string>}} Reply
 * @typedef {(req: {host: string, path: string, query: string, scheme: string}) => Reply} Handler
 * @param {{name: string, address: string, port: number,
 *   tls?: {cert: string, key: Buffer, maxVersion?: 'TLSv1.2'|'TLSv1.3'},
 *   handler: Handler, keylog: (line: Buffer) => void, log: (e: object) => void, delayMs?: number}} opts
 *   delayMs: answer each request this much later, like a server across a real network
 *   (watch-e2e.mjs: keeps the go command alive long enough to be seen owning its sockets)
 */
export async function startSite({ name, address, port, tls, handler, keylog, log, delayMs = 0 }) {
  const onRequest = (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const host = (req.headers[':authority'] ?? req.headers.host ?? '').replace(/:\d+$/, '');
    let reply;
    try {
      reply = handler({ host, path: decodeURIComponent(url.pathname), query: url.search.slice(1), scheme: tls ? 'https' : 'http' });
    } catch (err) {
      reply = { status: 500, body: `lab handler error: ${err.message}\n` };
    }
    log({
      site: name,
      address: `${address}:${port}`,
      sni: req.socket?.servername || undefined,
      httpVersion: req.httpVersion,
      method: req.method,
      host,
      path: req.url,
      status: reply.status,
      userAgent: req.headers['user-agent'],
    });
    const send = () => {
      res.writeHead(reply.status, { 'content-type': reply.type ?? 'text/plain; charset=UTF-8', ...reply.headers });
      res.end(reply.body);
    };
    if (delayMs > 0) setTimeout(send, delayMs);
    else send();
  };
  const server = tls
    ? http2.createSecureServer({ allowHTTP1: true, cert: tls.cert, key: tls.key, maxVersion: tls.maxVersion ?? 'TLSv1.3' }, onRequest)
    : http.createServer(onRequest);
  if (tls) {
    server.on('keylog', (line) => keylog(line));
    server.on('tlsClientError', (err, socket) => log({ site: name, address: `${address}:${port}`, tlsError: err.message.trim(), sni: socket.servername || undefined }));
  }
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, resolve);
  });
  return {
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    }),
  };
}
