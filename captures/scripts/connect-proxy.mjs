// A minimal HTTP CONNECT proxy for make-captures.sh (Debian's tinyproxy is
// not always installable offline). It resolves the target through the system
// resolver, as a real proxy does, so the capture shows the proxy's own DNS
// query, then answers "200 Connection established" and relays bytes. It only
// ever connects to loopback addresses: a capture script must never reach out.
//
// Usage: node connect-proxy.mjs ADDR:PORT
import dns from 'node:dns/promises';
import http from 'node:http';
import net from 'node:net';
import process from 'node:process';

const [spec] = process.argv.slice(2);
const cut = spec.lastIndexOf(':');

const server = http.createServer((req, res) => {
  res.writeHead(405, { 'content-type': 'text/plain', allow: 'CONNECT' });
  res.end('only CONNECT is supported\n');
});

server.on('connect', async (req, clientSocket, head) => {
  clientSocket.on('error', () => clientSocket.destroy());
  const target = /^([^:]+):(\d+)$/.exec(req.url ?? '');
  let address;
  try {
    address = target ? (await dns.lookup(target[1], { family: 4 })).address : undefined;
  } catch {
    address = undefined;
  }
  if (!target || !address?.startsWith('127.')) {
    clientSocket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
    return;
  }
  let connected = false;
  const upstream = net.connect(Number(target[2]), address, () => {
    connected = true;
    clientSocket.write('HTTP/1.1 200 Connection established\r\n\r\n');
    if (head.length > 0) upstream.write(head);
    upstream.pipe(clientSocket);
    clientSocket.pipe(upstream);
  });
  // pipe() forwards FIN but not a reset: close the other side either way.
  clientSocket.on('close', () => upstream.destroy());
  upstream.on('close', () => clientSocket.destroy());
  upstream.on('error', () => {
    if (!connected) clientSocket.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n');
    else clientSocket.destroy();
  });
});

server.listen(Number(spec.slice(cut + 1)), spec.slice(0, cut));
process.on('SIGTERM', () => process.exit(0));
