// Where the benchmark captures live and what is known about them: shared by
// the generator (which writes them) and the runner (which reads them). They
// are cached outside the repository because they are 0.1 to 2 GB, one
// directory per shape and generator version (`dns-v1/` …): a generator whose
// output changes gets a new version, so a cache never mixes old and new bytes.
import process from 'node:process';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const DEFAULT_DIR = '/var/tmp/gotap-bench';

/** Size variants in MB (the file names say 100MB, 500MB, 2GB). */
export const SIZES = [100, 500, 2000];
const sizeLabel = (mb) => (mb >= 1000 ? `${mb / 1000}GB` : `${mb}MB`);

/**
 * The shapes. `source` shapes are generated; `from` shapes are derived from
 * another shape's file of the same size (`derive`: how), or only measured
 * differently (`live`). `defaultSizes` is what a run without --sizes measures.
 */
export const SHAPES = {
  mix: { version: 1, file: (mb) => `bench-${sizeLabel(mb)}.pcap`, defaultSizes: SIZES, title: 'Go-proxy download mix (curl + tcpdump in a netns)' },
  dns: { version: 1, file: (mb) => `dns-${sizeLabel(mb)}.pcap`, defaultSizes: SIZES, title: 'DNS storm (record writer)' },
  flows: { version: 1, file: (mb) => `flows-${sizeLabel(mb)}.pcap`, defaultSizes: SIZES, title: 'short TCP flows with ClientHellos (record writer)' },
  pcapng: { from: 'mix', derive: 'pcapng', file: (mb) => `bench-${sizeLabel(mb)}.pcapng`, defaultSizes: [500], title: 'the mix as pcapng (editcap -F pcapng)' },
  gzip: { from: 'mix', derive: 'gzip', file: (mb) => `bench-${sizeLabel(mb)}.pcapng.gz`, defaultSizes: [500], title: 'the mix as gzipped pcapng (gzip -6)' },
  live: { from: 'mix', derive: undefined, defaultSizes: [500], title: 'live path: tcpdump -r F -w - | gotap replay -, against the file' },
};

/** The cache directory of a shape (derived shapes live with their source). */
export const shapeDir = (dir, shape) => {
  const root = SHAPES[shape].from ?? shape;
  return join(dir, `${root}-v${SHAPES[root].version}`);
};

/** Path of a shape's file of `mb` MB (for `live`: the mix file it replays). */
export const shapeFile = (dir, shape, mb) => {
  const s = SHAPES[shape];
  return join(shapeDir(dir, shape), (s.file ?? SHAPES[s.from].file)(mb));
};

/** Packet count, byte size and duration of a capture, from capinfos (-T -r: one tab-separated line). */
export function capinfos(file) {
  const out = execFileSync('capinfos', ['-T', '-r', '-M', '-c', '-u', file]).toString().trim().split('\t');
  return { file, bytes: statSync(file).size, packets: Number(out[1]), seconds: Number(out[2]) };
}

/** A shape directory's meta.json ({ files: { [file name]: info } }), or an empty one. */
export function readMeta(dir) {
  const path = join(dir, 'meta.json');
  if (!existsSync(path)) return { files: {} };
  try {
    const meta = JSON.parse(readFileSync(path, 'utf8'));
    return meta.files ? meta : { files: {} };
  } catch {
    return { files: {} };
  }
}

/** What the cache knows about a shape's file of `mb` MB, or undefined when it is not there yet. */
export function fileInfo(dir, shape, mb) {
  const file = shapeFile(dir, shape, mb);
  const info = readMeta(shapeDir(dir, shape)).files[file.split('/').at(-1)];
  return info && existsSync(file) && info.packets > 0 ? { ...info, file } : undefined;
}

/** gotap's two benchmarked commands as argv (bin/gotap.js run as a program, so its shebang's node flags apply; output goes to /dev/null). */
export function gotapCommands(bin) {
  const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' }).stdout ?? '';
  if (!/^\s+report\b/m.test(help)) throw new Error('this build has no `report` command');
  return {
    report: (f) => [bin, 'report', f, '--format', 'json', '-o', '/dev/null'],
    replay: (f) => [bin, 'replay', '--format', 'ndjson', f],
  };
}

/** Parses `--shapes a,b` and `--sizes 100,2G` values; throws with a usage message on anything else. */
export function parseSelection(shapes, sizes) {
  const names = shapes ? shapes.split(',').map((s) => s.trim()).filter(Boolean) : Object.keys(SHAPES);
  for (const n of names) if (!SHAPES[n]) throw new Error(`unknown shape ${n} (shapes: ${Object.keys(SHAPES).join(', ')})`);
  const mbs = sizes?.split(',').map((s) => {
    const m = /^(\d+)\s*(g|gb|m|mb)?$/i.exec(s.trim());
    const mb = m ? Number(m[1]) * (/^g/i.test(m[2] ?? '') ? 1000 : 1) : NaN;
    if (!SIZES.includes(mb)) throw new Error(`unknown size ${s} (sizes: ${SIZES.join(', ')} MB, or 2G)`);
    return mb;
  });
  return names.map((shape) => ({ shape, sizes: mbs ?? SHAPES[shape].defaultSizes }));
}
