/**
 * Lab servers for the probe tests, in a child process: the CLI runs through spawnSync,
 * which would block servers living in the test's own event loop. The child listens on
 * 127.0.0.1 only (ports chosen by the kernel), prints them as one JSON line, and is
 * killed by pid when the tests end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ServerSpec {
  name: string;
  cert: string;
  key: string;
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
}

export interface LabServers {
  ports: Record<string, number>;
  /** UDP DNS server answering A 127.0.0.1 for every name. */
  dnsPort: number;
  stop(): void;
}

const SCRIPT = `
import tls from 'node:tls';
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
const specs = JSON.parse(process.env.GOTAP_TEST_SERVERS);
const ports = {};
for (const s of specs) {
  const server = tls.createServer({ cert: s.cert, key: s.key, maxVersion: s.maxVersion, ALPNProtocols: ['h2', 'http/1.1'] }, (sock) => sock.end());
  server.on('tlsClientError', () => {});
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  ports[s.name] = server.address().port;
}
const udp = dgram.createSocket('udp4');
udp.on('message', (msg, rinfo) => {
  let q;
  try { q = dnsPacket.decode(msg); } catch { return; }
  const question = q.questions?.[0];
  if (!question) return;
  const answers = question.type === 'A' ? [{ type: 'A', name: question.name, ttl: 60, data: '127.0.0.1' }] : [];
  udp.send(dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE, questions: q.questions, answers }), rinfo.port, rinfo.address);
});
await new Promise((r) => udp.bind(0, '127.0.0.1', r));
process.stdout.write(JSON.stringify({ ports, dnsPort: udp.address().port }) + '\\n');
`;

export async function startLabServers(specs: ServerSpec[], cwd: string): Promise<LabServers> {
  const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT], {
    cwd,
    env: { ...process.env, GOTAP_TEST_SERVERS: JSON.stringify(specs) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`lab servers exited with ${code}`)));
  });
  const { ports, dnsPort } = JSON.parse(line) as { ports: Record<string, number>; dnsPort: number };
  return {
    ports,
    dnsPort,
    stop: () => {
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid);
    },
  };
}
