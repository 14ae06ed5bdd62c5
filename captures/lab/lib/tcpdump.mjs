// Packet capture on the namespace's loopback. Clients start only after
// tcpdump says "listening on" (otherwise the first handshake is lost), and it
// is stopped with SIGINT so it flushes the pcap.
import { spawnTracked, stop } from './children.mjs';

export async function startCapture(file) {
  // -Z root: Debian's tcpdump otherwise drops to the tcpdump user and may be
  // unable to write under a root-owned output directory. --immediate-mode:
  // with TPACKET_V3 packets otherwise wait in a ring block for up to a
  // second, and whatever is still there at SIGINT never reaches the file.
  const child = spawnTracked('tcpdump', ['-i', 'lo', '--immediate-mode', '-B', '32768', '-U', '-s', '0', '-n', '-Z', 'root', '-w', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tcpdump did not start: ${stderr}`)), 10000);
    child.stderr.on('data', (d) => {
      stderr += d;
      if (stderr.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`tcpdump exited: ${stderr}`));
    });
  });
  return {
    async stop() {
      await stop(child, 'SIGINT', 5000);
      return stderr;
    },
  };
}
