// A cleartext HTTP/2 (h2c, prior knowledge) server answering like a Go module proxy,
// for captures/make-h2c.sh. Usage: node h2c-server.mjs ADDR PORT
// DATA and HEADERS frames are padded (PADDING_STRATEGY_MAX), so the capture also shows
// a real program's padding; the .zip spans several DATA frames.
import http2 from 'node:http2';

const [addr, port] = process.argv.slice(2);
const MOD = '/github.com/x/y/@v/';
const files = new Map([
  [`${MOD}list`, 'v1.0.0\nv1.1.0\n'],
  [`${MOD}v1.0.0.info`, '{"Version":"v1.0.0","Time":"2024-01-02T03:04:05Z"}'],
  [`${MOD}v1.0.0.mod`, 'module github.com/x/y\n\ngo 1.21\n'],
  // Deterministic bytes, larger than one 16 KiB DATA frame.
  [`${MOD}v1.0.0.zip`, Buffer.from(Array.from({ length: 40000 }, (_, i) => (i * 31 + 7) & 0xff))],
]);

const server = http2.createServer({ paddingStrategy: http2.constants.PADDING_STRATEGY_MAX });
server.on('stream', (stream, headers) => {
  const path = headers[':path'];
  let received = 0;
  stream.on('data', (chunk) => (received += chunk.length));
  stream.on('end', () => {
    if (headers[':method'] === 'POST') {
      stream.respond({ ':status': 200, 'content-type': 'text/plain' });
      stream.end(`got ${received} bytes\n`);
      return;
    }
    const body = files.get(path);
    if (body === undefined) {
      stream.respond({ ':status': 404, 'content-type': 'text/plain; charset=utf-8' });
      stream.end('not found: unknown module\n');
      return;
    }
    stream.respond({ ':status': 200, 'content-length': String(Buffer.byteLength(body)), 'content-type': path.endsWith('.zip') ? 'application/zip' : 'text/plain; charset=UTF-8' });
    stream.end(body);
  });
});
server.listen(Number(port), addr, () => console.log(`listening on ${addr}:${port}`));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
