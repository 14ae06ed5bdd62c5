// The lab's module tree: a few tiny modules, built in memory on every run so
// that the captures exercise what real proxies serve (a dependency chain
// alpha → beta → Corp/Tool, an upper-case path that needs `!` escaping, a
// pseudo-version, several versions in @v/list) while staying a few KB.
// h1: hashes are computed exactly as cmd/go's dirhash.Hash1 does, so a real
// checksum database can vouch for them and the go command verifies them.
import { createHash } from 'node:crypto';
import { writeZip } from './zip.mjs';

export const PSEUDO = 'v0.0.0-20240115093000-0123456789ab';

/** Modules: path → version → { requires, imports, time }. */
const TREE = {
  'example.test/alpha': {
    'v1.0.0': { requires: [], imports: [], time: '2024-01-10T10:00:00Z' },
    'v1.1.0': {
      requires: [['example.test/beta', 'v1.0.0'], ['example.test/gamma', PSEUDO]],
      imports: ['example.test/beta', 'example.test/gamma'],
      time: '2024-01-20T10:00:00Z',
    },
  },
  'example.test/beta': {
    'v1.0.0': {
      requires: [['example.test/Corp/Tool', 'v0.1.0']],
      imports: ['example.test/Corp/Tool'],
      time: '2024-01-12T10:00:00Z',
    },
  },
  'example.test/Corp/Tool': {
    'v0.1.0': { requires: [], imports: [], time: '2024-01-05T10:00:00Z' },
    'v0.2.0': { requires: [], imports: [], time: '2024-01-25T10:00:00Z' },
  },
  'example.test/gamma': {
    [PSEUDO]: { requires: [], imports: [], time: '2024-01-15T09:30:00Z' },
  },
  // Private: served only by its own host's go-import "mod" server, never in the sumdb.
  'example.test/private': {
    'v1.0.0': { requires: [], imports: [], time: '2024-01-18T10:00:00Z' },
  },
};

export const PRIVATE_PREFIX = 'example.test/private';

/** Upper-case letters become '!' + lower case (module.EscapePath). */
export function escapeModulePath(p) {
  return p.replace(/[A-Z]/g, (c) => '!' + c.toLowerCase());
}

export function unescapeModulePath(p) {
  if (/[A-Z]/.test(p)) return undefined;
  return p.replace(/!([a-z])/g, (_, c) => c.toUpperCase());
}

function goMod(path, info) {
  let text = `module ${path}\n\ngo 1.19\n`;
  if (info.requires.length > 0) {
    text += '\nrequire (\n' + info.requires.map(([p, v]) => `\t${p} ${v}\n`).join('') + ')\n';
  }
  return text;
}

function goSource(path, info) {
  const pkg = path.split('/').pop().toLowerCase();
  const imports = info.imports.map((p) => `\t${p.split('/').pop().toLowerCase()} "${p}"\n`).join('');
  const calls = info.imports.map((p) => ` + ${p.split('/').pop().toLowerCase()}.Name()`).join('');
  return `// Package ${pkg} is a gotap lab module.\npackage ${pkg}\n\n` +
    (imports ? `import (\n${imports})\n\n` : '') +
    `// Name identifies the module version.\nfunc Name() string { return "${path}"${calls} }\n`;
}

/** dirhash.Hash1 over (name, data) pairs. */
export function hash1(files) {
  const lines = [...files]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((f) => `${createHash('sha256').update(f.data).digest('hex')}  ${f.name}\n`)
    .join('');
  return 'h1:' + createHash('sha256').update(lines).digest('base64');
}

/**
 * @typedef {{path: string, version: string, mod: Buffer, zip: Buffer, info: Buffer,
 *   zipHash: string, modHash: string, private: boolean}} ModuleVersion
 */

/** Builds every module version. @returns {Map<string, ModuleVersion>} keyed by "path@version". */
export function buildModuleTree() {
  const out = new Map();
  for (const [path, versions] of Object.entries(TREE)) {
    for (const [version, info] of Object.entries(versions)) {
      const mod = Buffer.from(goMod(path, info));
      const prefix = `${path}@${version}/`;
      const files = [
        { name: prefix + 'LICENSE', data: Buffer.from('Public domain: gotap lab test module.\n') },
        { name: prefix + 'go.mod', data: mod },
        { name: prefix + path.split('/').pop().toLowerCase() + '.go', data: Buffer.from(goSource(path, info)) },
      ];
      out.set(`${path}@${version}`, {
        path,
        version,
        mod,
        zip: writeZip(files),
        info: Buffer.from(JSON.stringify({ Version: version, Time: info.time }) + '\n'),
        zipHash: hash1(files),
        modHash: hash1([{ name: 'go.mod', data: mod }]),
        private: path === PRIVATE_PREFIX || path.startsWith(PRIVATE_PREFIX + '/'),
      });
    }
  }
  return out;
}

/** Tagged (non-pseudo) versions of a module, as @v/list returns them. */
export function listVersions(tree, path) {
  return [...tree.values()]
    .filter((m) => m.path === path && !/^v0\.0\.0-\d{14}-/.test(m.version))
    .map((m) => m.version);
}

/**
 * Answers a GOPROXY-protocol path (already stripped of any proxy prefix),
 * e.g. "example.test/!corp/!tool/@v/v0.1.0.zip".
 * @returns {{status: number, type?: string, body: Buffer|string}}
 */
export function serveModulePath(tree, urlPath, { allowPrivate }) {
  const m = /^(.+?)\/(@v\/list|@v\/(.+)\.(info|mod|zip)|@latest)$/.exec(urlPath);
  const path = m ? unescapeModulePath(m[1]) : undefined;
  if (!m || path === undefined) return { status: 404, body: 'not found\n' };
  const known = [...tree.values()].filter((v) => v.path === path && (allowPrivate || !v.private));
  if (known.length === 0) return { status: 404, body: `not found: module ${path}: no matching versions\n` };
  if (m[2] === '@v/list') {
    return { status: 200, type: 'text/plain; charset=UTF-8', body: listVersions(tree, path).map((v) => v + '\n').join('') };
  }
  if (m[2] === '@latest') {
    const latest = known[known.length - 1];
    return { status: 200, type: 'application/json', body: latest.info };
  }
  const version = unescapeModulePath(m[3]);
  const mv = known.find((v) => v.version === version);
  if (!mv) return { status: 404, body: `not found: ${path}@${m[3]}: invalid version: unknown revision\n` };
  switch (m[4]) {
    case 'info': return { status: 200, type: 'application/json', body: mv.info };
    case 'mod': return { status: 200, type: 'text/plain; charset=UTF-8', body: mv.mod };
    default: return { status: 200, type: 'application/zip', body: mv.zip };
  }
}
