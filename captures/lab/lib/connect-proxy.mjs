// A corporate forward proxy: HTTP CONNECT on :3128, then a blind TCP tunnel.
// The go command honours HTTPS_PROXY, so the capture shows "CONNECT
// proxy.golang.org:443" in clear followed by TLS inside the tunnel. Targets
// are resolved by the lab DNS and refused unless they are loopback, so the
// tunnel can never lead out of the namespace.
import http from 'node:http';
import net from 'node:net';
import { promises as dns } from 'node:dns';

export async function startConnectProxy({ address, port, log }) {
  const server = http.createServer((req, res) => {
    res.writeHead(405, { 'content-type': 'text/plain' });
    res.end('CONNECT only\n');
  });
  const sockets = new Set();
  const track = (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  server.on('connection', track);
  server.on('connect', async (req, client, head) => {
    const m = /^([a-z0-9.-]+):(\d{1,5})$/i.exec(req.url ?? '');
    let target;
    try {
      target = m ? (await dns.lookup(m[1], { family: 4 })).address : undefined;
    } catch {
      target = undefined;
    }
    const allowed = target !== undefined && target.startsWith('127.');
    log({ site: 'connect-proxy', address: `${address}:${port}`, method: 'CONNECT', target: req.url, resolved: target, allowed, userAgent: req.headers['user-agent'] });
    if (!allowed) {
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      return;
    }
    const upstream = net.connect(Number(m[2]), target, () => {
      client.write('HTTP/1.1 200 Connection established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    track(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
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
