// Where the benchmark captures live and what is known about them: shared by
// the generator (which writes them) and the runner (which reads them). They
// are cached outside the repository because they are 0.1 to 2 GB.
import process from 'node:process';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const DEFAULT_DIR = '/var/tmp/gotap-bench';

export const BENCH_FILES = {
  small: 'bench-100MB.pcap',
  medium: 'bench-500MB.pcap',
  large: 'bench-2GB.pcap',
};

/** Packet count, byte size and duration of a capture, from capinfos (-T -r: one tab-separated line). */
export function capinfos(file) {
  const out = execFileSync('capinfos', ['-T', '-r', '-M', '-c', '-u', file]).toString().trim().split('\t');
  return { file, bytes: statSync(file).size, packets: Number(out[1]), seconds: Number(out[2]) };
}

/** The generator's meta.json (file sizes, packet counts), or undefined when the cache is incomplete. */
export function readMeta(dir) {
  const path = join(dir, 'meta.json');
  if (!existsSync(path)) return undefined;
  try {
    const meta = JSON.parse(readFileSync(path, 'utf8'));
    return Object.keys(BENCH_FILES).every((k) => meta.files?.[k]?.packets > 0) ? meta : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The gotap command benchmarked: `report` when this build has it, else `replay --format
 * ndjson` (callers say which ran). args(file) are node's arguments; output goes to /dev/null.
 */
export function gotapCommand(bin) {
  const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' }).stdout ?? '';
  if (/^\s+report\b/m.test(help)) return { name: 'report', args: (f) => [bin, 'report', f, '--format', 'json', '-o', '/dev/null'] };
  return { name: 'replay', args: (f) => [bin, 'replay', '--format', 'ndjson', f] };
}
