// A real (tiny) checksum database in the sum.golang.org format, so the go
// command verifies lab modules exactly as it verifies real ones: Ed25519
// signed tree heads in golang.org/x/mod/sumdb/note format, /lookup answers,
// and hash/data tiles of an RFC 6962 Merkle tree (tile height 8). Filler
// records precede the lab's modules so their ids exceed 256 and the client
// needs a full tile, a partial tile and a level-1 tile, as on the real log.
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { unescapeModulePath } from './modtree.mjs';

const H = 8;
const FILLER_RECORDS = 300;

const sha256 = (...parts) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const recordHash = (data) => sha256(Buffer.from([0]), data);
const nodeHash = (l, r) => sha256(Buffer.from([1]), l, r);

/** RFC 6962 Merkle tree hash of leaf hashes [lo, hi). */
function treeHash(leaves, lo, hi) {
  if (hi - lo === 1) return leaves[lo];
  let k = 1;
  while (k * 2 < hi - lo) k *= 2;
  return nodeHash(treeHash(leaves, lo, lo + k), treeHash(leaves, lo + k, hi));
}

/** Parses "tile/8/<L|data>/[xNNN/...]NNN[.p/W]" (tlog.ParseTilePath). */
export function parseTilePath(p) {
  const f = p.split('/');
  if (f.length < 4 || f[0] !== 'tile' || f[1] !== String(H)) return undefined;
  const level = f[2] === 'data' ? -1 : /^\d+$/.test(f[2]) ? Number(f[2]) : NaN;
  if (Number.isNaN(level) || level > 8) return undefined;
  let rest = f.slice(3);
  let width = 1 << H;
  if (rest.length >= 2 && rest[rest.length - 2].endsWith('.p')) {
    const w = rest[rest.length - 1];
    if (!/^\d{1,3}$/.test(w)) return undefined;
    width = Number(w);
    if (width < 1 || width >= 1 << H) return undefined;
    rest = rest.slice(0, -1);
    rest[rest.length - 1] = rest[rest.length - 1].slice(0, -2);
  }
  let n = 0;
  for (let i = 0; i < rest.length; i++) {
    const m = (i < rest.length - 1 ? /^x(\d{3})$/ : /^(\d{3})$/).exec(rest[i]);
    if (!m || rest.length > 5) return undefined;
    n = n * 1000 + Number(m[1]);
  }
  return { level, n, width };
}

/**
 * @param {string} name the database name (sum.golang.org)
 * @param {Iterable<{path: string, version: string, zipHash: string, modHash: string}>} modules
 */
export function createSumdb(name, modules) {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url');
  const keyData = Buffer.concat([Buffer.from([1]), raw]);
  const keyHash = sha256(Buffer.from(name + '\n'), keyData).subarray(0, 4);
  const vkey = `${name}+${keyHash.toString('hex')}+${keyData.toString('base64')}`;

  const records = [];
  const ids = new Map();
  for (let i = 0; i < FILLER_RECORDS; i++) {
    const p = `example.test/filler/m${String(i).padStart(3, '0')}`;
    const h = (s) => 'h1:' + sha256(Buffer.from(s)).toString('base64');
    records.push(Buffer.from(`${p} v1.0.0 ${h(p + 'zip')}\n${p} v1.0.0/go.mod ${h(p + 'mod')}\n`));
  }
  for (const m of modules) {
    ids.set(`${m.path}@${m.version}`, records.length);
    records.push(Buffer.from(`${m.path} ${m.version} ${m.zipHash}\n${m.path} ${m.version}/go.mod ${m.modHash}\n`));
  }
  const leaves = records.map(recordHash);
  // levels[k][i]: hash of the complete subtree of 2^k leaves starting at i*2^k.
  const levels = [leaves];
  while (levels[levels.length - 1].length > 1) {
    const prev = levels[levels.length - 1];
    const next = [];
    for (let i = 0; i + 1 < prev.length; i += 2) next.push(nodeHash(prev[i], prev[i + 1]));
    levels.push(next);
  }
  const size = records.length;
  const text = `go.sum database tree\n${size}\n${treeHash(leaves, 0, size).toString('base64')}\n`;
  const sig = sign(null, Buffer.from(text), privateKey);
  const signedTree = Buffer.from(`${text}\n— ${name} ${Buffer.concat([keyHash, sig]).toString('base64')}\n`);

  const formatRecord = (id) => Buffer.concat([Buffer.from(`${id}\n`), records[id], Buffer.from('\n')]);

  return {
    name,
    vkey,
    size,
    /** Answers a path under the database root ("lookup/…", "tile/…", "latest"). */
    serve(path) {
      if (path === 'latest') return { status: 200, type: 'text/plain; charset=UTF-8', body: signedTree };
      if (path.startsWith('lookup/')) {
        const at = path.lastIndexOf('@');
        const modPath = at > 0 ? unescapeModulePath(path.slice(7, at)) : undefined;
        const version = at > 0 ? unescapeModulePath(path.slice(at + 1)) : undefined;
        const id = ids.get(`${modPath}@${version}`);
        if (id === undefined) return { status: 404, body: `not found: ${path.slice(7)}\n` };
        return { status: 200, type: 'text/plain; charset=UTF-8', body: Buffer.concat([formatRecord(id), signedTree]) };
      }
      const t = path.startsWith('tile/') ? parseTilePath(path) : undefined;
      if (!t) return { status: 404, body: 'not found\n' };
      const start = t.n << H;
      if (t.level === -1) {
        if (start + t.width > size) return { status: 404, body: 'not found\n' };
        const parts = [];
        for (let i = start; i < start + t.width; i++) parts.push(formatRecord(i));
        return { status: 200, type: 'text/plain; charset=UTF-8', body: Buffer.concat(parts) };
      }
      const hashes = levels[t.level * H] ?? [];
      if (start + t.width > hashes.length) return { status: 404, body: 'not found\n' };
      return { status: 200, type: 'application/octet-stream', body: Buffer.concat(hashes.slice(start, start + t.width)) };
    },
  };
}
