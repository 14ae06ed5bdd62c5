/**
 * A fake `tcpdump` for end-to-end tests of live and watch without root: put its directory
 * first on PATH. It prints the real tcpdump 4.99's messages, streams a real capture as its
 * pcap output, answers SIGUSR1 and SIGINT with statistics like the real one, and never
 * outlives gotap. FAKE_TCPDUMP selects a failure: perm, nodev, die (after the capture).
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FakeTcpdump {
  /** Directory holding the `tcpdump` script. */
  binDir: string;
  /** Where the script writes the arguments it was given. */
  argsFile: string;
}

export function makeFakeTcpdump(dir: string, pcap: string): FakeTcpdump {
  const binDir = join(dir, 'fake-bin');
  const argsFile = join(dir, 'tcpdump.args');
  mkdirSync(binDir, { recursive: true });
  writeFileSync(
    join(binDir, 'tcpdump'),
    `#!/bin/sh
echo "$@" > "${argsFile}"
case "$FAKE_TCPDUMP" in
  perm) echo "tcpdump: $2: You don't have permission to perform this capture on that device" >&2; echo "(socket: Operation not permitted)" >&2; exit 1;;
  nodev) echo "tcpdump: $2: No such device exists" >&2; echo "(No such device exists)" >&2; exit 1;;
esac
trap 'echo "412 packets captured" >&2; echo "415 packets received by filter" >&2; echo "3 packets dropped by kernel" >&2; exit 0' INT
trap 'echo "tcpdump: 300 packets captured, 300 packets received by filter, 1 packet dropped by kernel" >&2' USR1
echo "tcpdump: listening on $2, link-type EN10MB (Ethernet), snapshot length 262144 bytes" >&2
cat "${pcap}"
if [ "$FAKE_TCPDUMP" = die ]; then sleep 0.2; echo "tcpdump: pcap_loop: The interface went down" >&2; exit 1; fi
# Like the real one (which gets SIGPIPE on its next write), never outlive gotap.
while kill -0 $PPID 2>/dev/null; do sleep 0.05; done
`,
  );
  chmodSync(join(binDir, 'tcpdump'), 0o755);
  return { binDir, argsFile };
}
