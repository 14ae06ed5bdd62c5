/**
 * Recognises the Go command's HTTP requests from method, target and Host: module
 * proxy (@v/list, .info, .mod, .zip, @latest), checksum database (direct or
 * through a proxy's /sumdb/<name>/), go-get meta lookups, toolchain downloads,
 * telemetry uploads and the vulnerability database.
 *
 * Prefix rule: a proxy may serve modules under a path prefix
 * (/artifactory/api/go/<repo>, /repository/<name>, /goproxy, /go …). Known
 * repository-manager layouts are tried first; otherwise the shortest prefix
 * that leaves a valid module path (module.CheckPath: first element with a dot)
 * wins. A prefix element containing a dot is therefore read as part of the
 * module path unless it follows a known layout.
 */
import type { GoRequestEvent } from '../events.js';
import { decodeModulePath, decodeVersion } from './escape.js';
import { isCanonicalVersion, isVersionQuery } from './modpath.js';
import { parseTile } from './tile.js';

export type GoRequestInfo = Omit<GoRequestEvent, 'ts' | 'packet' | 'flowId' | 'type' | 'requestPacket'>;

/** Checksum databases a client may talk to directly. */
const SUMDB_HOSTS = new Set(['sum.golang.org', 'sum.golang.google.cn']);
const VULNDB_HOSTS = new Set(['vuln.go.dev', 'vuln.golang.org']);
const TOOLCHAIN_MODULE = 'golang.org/toolchain';
const TELEMETRY_CONFIG_MODULE = 'golang.org/x/telemetry/config';

/** Repository managers whose prefix has a fixed number of elements: [leading elements, total elements]. */
const KNOWN_LAYOUTS: [string[], number][] = [
  [['artifactory', 'api', 'go'], 4],
  [['api', 'go'], 3],
  [['repository'], 2],
];

interface SplitTarget {
  host: string | undefined;
  /** Percent-decoded path elements (after the leading '/'). */
  elems: string[];
  query: string;
}

/** Lower-cased host without port, for comparisons. */
function hostName(host: string | undefined): string | undefined {
  if (host === undefined) return undefined;
  const h = host.toLowerCase();
  if (h.startsWith('[')) return h;
  const colon = h.lastIndexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

function splitTarget(target: string): SplitTarget | undefined {
  let host: string | undefined;
  let rest = target;
  const abs = /^https?:\/\/([^/?#]*)/i.exec(target);
  if (abs !== null) {
    host = abs[1];
    rest = target.slice(abs[0].length);
    if (rest === '') rest = '/';
  }
  if (!rest.startsWith('/')) return undefined;
  const q = rest.indexOf('?');
  const path = q >= 0 ? rest.slice(0, q) : rest;
  const query = q >= 0 ? rest.slice(q + 1) : '';
  const elems: string[] = [];
  for (const raw of path.slice(1).split('/')) {
    let e: string;
    try {
      e = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    // Traversal or smuggled separators make the path meaningless as a Go request.
    if (e === '.' || e === '..' || e.includes('/')) return undefined;
    elems.push(e);
  }
  return { host, elems, query };
}

function joinPrefix(elems: string[]): string | undefined {
  return elems.length === 0 ? undefined : `/${elems.join('/')}`;
}

/** Splits "<prefix>/<escaped module>" elements: known layouts first, then the shortest valid prefix. */
function splitModule(elems: string[]): { prefix: string | undefined; module: string } | undefined {
  if (elems.some((e) => e === '')) return undefined;
  for (const [lead, total] of KNOWN_LAYOUTS) {
    if (elems.length > total && lead.every((e, k) => elems[k] === e)) {
      const module = decodeModulePath(elems.slice(total).join('/'));
      if (module !== undefined) return { prefix: joinPrefix(elems.slice(0, total)), module };
    }
  }
  for (let k = 0; k < elems.length; k++) {
    const module = decodeModulePath(elems.slice(k).join('/'));
    if (module !== undefined) return { prefix: joinPrefix(elems.slice(0, k)), module };
  }
  return undefined;
}

/** Module proxy requests: <prefix>/<module>/@v/list|<v>.info|.mod|.zip, <prefix>/<module>/@latest. */
function classifyProxy(elems: string[]): Omit<GoRequestInfo, 'method' | 'target' | 'host'> | undefined {
  const last = elems[elems.length - 1]!;
  let modElems: string[];
  let kind: 'list' | 'info' | 'mod' | 'zip' | 'latest';
  let version: string | undefined;
  if (last === '@latest') {
    kind = 'latest';
    modElems = elems.slice(0, -1);
  } else if (elems[elems.length - 2] === '@v') {
    modElems = elems.slice(0, -2);
    if (last === 'list') {
      kind = 'list';
    } else {
      const m = /^(.+)\.(info|mod|zip)$/.exec(last);
      if (m === null) return undefined;
      kind = m[2] as 'info' | 'mod' | 'zip';
      version = decodeVersion(m[1]!);
      if (version === undefined) return undefined;
      if (kind === 'info' ? !isVersionQuery(version) : !isCanonicalVersion(version)) return undefined;
    }
  } else {
    return undefined;
  }
  const split = splitModule(modElems);
  if (split === undefined) return undefined;
  const special =
    split.module === TOOLCHAIN_MODULE ? 'toolchain' : split.module === TELEMETRY_CONFIG_MODULE ? 'telemetry' : kind;
  return { kind: special, module: split.module, version, prefix: split.prefix };
}

/** Checksum-database paths after "<name>/" (through a proxy) or at the root of the database host. */
function classifySumdb(
  rest: string[],
  direct: boolean,
): Omit<GoRequestInfo, 'method' | 'target' | 'host' | 'sumdb' | 'prefix'> | undefined {
  const [op] = rest;
  if (op === 'supported' && rest.length === 1 && !direct) return { kind: 'sumdb-supported' };
  if (op === 'latest' && rest.length === 1) return { kind: 'sumdb-latest' };
  if (op === 'lookup' && rest.length >= 2) {
    const spec = rest.slice(1).join('/');
    const at = spec.lastIndexOf('@');
    if (at < 0) return undefined;
    const module = decodeModulePath(spec.slice(0, at));
    const version = decodeVersion(spec.slice(at + 1));
    if (module === undefined || version === undefined || !isCanonicalVersion(version)) return undefined;
    return { kind: 'lookup', module, version };
  }
  if (op === 'tile') {
    const tile = parseTile(rest.slice(1));
    return tile === undefined ? undefined : { kind: 'tile', tile };
  }
  return undefined;
}

/** dl.google.com/go/go1.22.0.linux-amd64.tar.gz, go.dev/dl/…, golang.org/dl/…: Go release downloads. */
function classifyRelease(host: string | undefined, elems: string[]): { version?: string } | undefined {
  const file = /^(go[0-9]+(?:\.[0-9]+)*(?:(?:rc|beta)[0-9]+)?)\.[a-z0-9]+-[a-z0-9]+\.(?:tar\.gz|zip|msi|pkg)(?:\.sha256)?$/;
  if (host === 'dl.google.com' && elems.length === 2 && elems[0] === 'go') {
    const m = file.exec(elems[1]!);
    return m === null ? undefined : { version: m[1] };
  }
  if ((host === 'go.dev' || host === 'golang.org') && elems[0] === 'dl' && elems.length === 2) {
    if (elems[1] === '') return {};
    const m = file.exec(elems[1]!);
    return m === null ? undefined : { version: m[1] };
  }
  return undefined;
}

/** vuln.go.dev: /index/db.json, /index/modules.json, /ID/GO-YYYY-NNNN.json, legacy /index.json, /ID/index.json, /<module>.json. */
function classifyVulndb(elems: string[]): { module?: string } | undefined {
  const path = elems.join('/');
  if (/^(?:index\/(?:db|modules)|index|ID\/index|ID\/GO-[0-9]{4}-[0-9]{4,})\.json(?:\.gz)?$/.test(path)) return {};
  const m = /^(.+)\.json(?:\.gz)?$/.exec(path);
  if (m === null) return undefined;
  const module = decodeModulePath(m[1]!);
  return module === undefined ? undefined : { module };
}

function hasGoGet(query: string): boolean {
  return query.split('&').includes('go-get=1');
}

/** What kind of Go request this is, or undefined when it is not one. Never throws. */
export function classifyGoRequest(method: string, target: string, host: string | undefined): GoRequestInfo | undefined {
  const t = splitTarget(target);
  if (t === undefined) return undefined;
  const rawHost = t.host ?? host;
  const name = hostName(rawHost);
  const { elems, query } = t;
  const base = { method, target, host: rawHost };

  if (name === 'telemetry.go.dev') {
    const upload = method === 'POST' && elems.length === 2 && elems[0] === 'upload' && /^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:\.json)?$/.test(elems[1]!);
    return upload ? { ...base, kind: 'telemetry' } : undefined;
  }
  if (name !== undefined && VULNDB_HOSTS.has(name)) {
    const v = classifyVulndb(elems);
    return v === undefined ? undefined : { ...base, kind: 'vulndb', ...v };
  }
  const release = classifyRelease(name, elems);
  if (release !== undefined) return { ...base, kind: 'toolchain', ...release };

  if (hasGoGet(query)) {
    const parts = elems[elems.length - 1] === '' ? elems.slice(0, -1) : elems;
    if (name === undefined || parts.length === 0 || parts.some((e) => e === '')) return undefined;
    const module = `${name}/${parts.join('/')}`;
    return { ...base, kind: module === TOOLCHAIN_MODULE ? 'toolchain' : 'go-get', module };
  }

  if (elems.some((e) => e === '')) return undefined;
  // Through a proxy: <prefix>/sumdb/<name>/…
  const s = elems.indexOf('sumdb');
  if (s >= 0 && elems.length >= s + 3) {
    const r = classifySumdb(elems.slice(s + 2), false);
    if (r !== undefined) return { ...base, ...r, sumdb: elems[s + 1], prefix: joinPrefix(elems.slice(0, s)) };
  }
  // Directly at a checksum database; /latest alone is too generic for unknown hosts.
  if (elems[0] === 'lookup' || elems[0] === 'tile' || (elems[0] === 'latest' && name !== undefined && SUMDB_HOSTS.has(name))) {
    const r = classifySumdb(elems, true);
    if (r !== undefined) return { ...base, ...r };
  }
  const p = classifyProxy(elems);
  return p === undefined ? undefined : { ...base, ...p };
}
