// Prior-knowledge h2c client for captures/make-h2c.sh: one connection, the GETs sent
// concurrently (interleaved streams), then a POST with a body. (curl 7.88's prior-knowledge
// mode fails to reuse a connection to Node's server: "Error in the HTTP2 framing layer".)
// Usage: node h2c-client.mjs ADDR PORT AUTHORITY PATH...
import http2 from 'node:http2';
import net from 'node:net';

const [addr, port, authority, ...paths] = process.argv.slice(2);
const session = http2.connect(`http://${authority}`, { createConnection: () => net.connect(Number(port), addr) });

function request(headers, body) {
  return new Promise((resolve, reject) => {
    const req = session.request({ 'user-agent': 'Go-http-client/2.0', ...headers }, { endStream: body === undefined });
    let status = 0;
    let bytes = 0;
    req.on('response', (h) => (status = h[':status']));
    req.on('data', (chunk) => (bytes += chunk.length));
    req.on('end', () => resolve(`${headers[':method'] ?? 'GET'} ${headers[':path']}: ${status}, ${bytes} bytes`));
    req.on('error', reject);
    if (body !== undefined) req.end(body);
  });
}

const results = await Promise.all(paths.map((p) => request({ ':path': p })));
results.push(await request({ ':method': 'POST', ':path': '/upload/2024-01-02', 'content-type': 'text/plain' }, 'telemetry-report-body'));
console.log(results.join('\n'));
session.close();
