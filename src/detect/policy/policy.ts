/**
 * The go command's network policy (GOPROXY, GOSUMDB, GONOSUMDB, GOPRIVATE, GONOPROXY,
 * GOINSECURE) parsed with Go's own rules, so the policy detector can say which setting
 * explains each observed contact. Sources: gotap flags, the contents of `go env -json`,
 * the environment, Go's defaults.
 *
 * Precedence is flag > `go env -json` > environment > default. `go env -json` is the
 * go command's *effective* configuration on the machine where it ran (its environment
 * already overrides its GOENV file there), so it describes the developer's go better
 * than the environment gotap itself happens to run in. As in Go, an empty environment
 * value counts as unset; GONOPROXY and GONOSUMDB default to GOPRIVATE (and a GOPRIVATE
 * from a higher-precedence source than theirs replaces them).
 *
 * Mirrors cmd/go/internal/modfetch proxyList (`,` falls back on 404/410 only, `|` on any
 * error, `direct`/`off` end the list, a bare host gets https://, schemes https/http/file)
 * and dbDial + note.NewVerifier (GOSUMDB `off` | known name | name+hash+key | "key url",
 * the key hash checked; sum.golang.google.cn is sum.golang.org at another URL).
 */
import { createHash } from 'node:crypto';
import { isValidGlob, matchPrefixPatterns } from './match-prefix.js';

export type PolicyVar = 'GOPROXY' | 'GOSUMDB' | 'GONOSUMDB' | 'GOPRIVATE' | 'GONOPROXY' | 'GOINSECURE';
export type PolicySource = 'flag' | 'env' | 'go-env' | 'default';

export const POLICY_VARS: readonly PolicyVar[] = ['GOPROXY', 'GOSUMDB', 'GONOSUMDB', 'GOPRIVATE', 'GONOPROXY', 'GOINSECURE'];

export const DEFAULT_GOPROXY = 'https://proxy.golang.org,direct';
export const DEFAULT_GOSUMDB = 'sum.golang.org';

/** cmd/go/internal/modfetch knownGOSUMDB. */
const KNOWN_GOSUMDB: Record<string, string> = {
  'sum.golang.org': 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8',
};

export interface ProxyEntry {
  kind: 'url' | 'direct' | 'off';
  /** 1-based position in GOPROXY (empty elements not counted). */
  index: number;
  /** The URL as the go command uses it (https:// added to a bare host). */
  url?: string;
  scheme?: 'https' | 'http' | 'file';
  /** Lower-case host name without port (http/https entries). */
  host?: string;
  /** Explicit port, when the URL has one. */
  port?: number;
  /** Path prefix without trailing slash ('' for none). */
  path?: string;
  /** '|' follows this entry: the next one is tried after any error, not only after 404/410. */
  fallbackOnError: boolean;
}

export interface SumdbPolicy {
  /** GOSUMDB=off: no checksum database at all. */
  off: boolean;
  /** Database name ("sum.golang.org"), host[/path]. */
  name?: string;
  /** Verifier key ("sum.golang.org+033de0ae+Ac4z…"). */
  key?: string;
  /** Explicit URL from the "key url" form; it bypasses the proxies. */
  url?: string;
  /** Host the go command contacts when it talks to the database itself (lower-case, no port). */
  host?: string;
}

export interface GoPolicy {
  goproxy: ProxyEntry[];
  gosumdb: SumdbPolicy;
  /** Comma-separated glob lists, split; empty elements dropped. */
  gonosumdb: string[];
  goprivate: string[];
  gonoproxy: string[];
  goinsecure: string[];
  /** Effective value of each variable as the go command would see it. */
  values: Record<PolicyVar, string>;
  sources: Record<PolicyVar, PolicySource>;
  /** Things Go accepts silently but that probably do not do what was meant (malformed globs). */
  warnings: string[];
}

export interface GoPolicyInput {
  flags?: Partial<Record<PolicyVar, string>>;
  env?: NodeJS.ProcessEnv;
  /** Contents of `go env -json`. */
  goEnvJson?: string;
}

/** An invalid policy value; the message is one line, fit for the terminal. */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
}

const RANK: Record<PolicySource, number> = { default: 0, env: 1, 'go-env': 2, flag: 3 };

interface Picked {
  value: string;
  source: PolicySource;
}

function parseGoEnvJson(text: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new PolicyError(`go env -json: not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new PolicyError('go env -json: expected a JSON object of variable names to strings');
  }
  const out: Record<string, string> = {};
  for (const name of POLICY_VARS) {
    const v = (parsed as Record<string, unknown>)[name];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw new PolicyError(`go env -json: ${name} is not a string`);
    out[name] = v;
  }
  return out;
}

function picker(input: GoPolicyInput): (name: PolicyVar) => Picked {
  const goEnv = input.goEnvJson !== undefined ? parseGoEnvJson(input.goEnvJson) : {};
  return (name) => {
    const flag = input.flags?.[name];
    if (flag !== undefined) return { value: flag, source: 'flag' };
    const fromGoEnv = goEnv[name];
    if (fromGoEnv !== undefined) return { value: fromGoEnv, source: 'go-env' };
    const fromEnv = input.env?.[name];
    if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, source: 'env' };
    return { value: '', source: 'default' };
  };
}

/** url.getScheme from Go's net/url. */
function goScheme(raw: string): string {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (/[a-zA-Z]/.test(c)) continue;
    if (/[0-9+.-]/.test(c)) {
      if (i === 0) return '';
      continue;
    }
    if (c === ':') {
      if (i === 0) throw new PolicyError(`GOPROXY: parse "${raw}": missing protocol scheme`);
      return raw.slice(0, i).toLowerCase();
    }
    return '';
  }
  return '';
}

function proxyEntry(rawUrl: string, index: number, fallbackOnError: boolean): ProxyEntry {
  let url = rawUrl;
  // Single-word tokens are reserved; anything with ":/" or an absolute path must be a full URL.
  if (/[.:/]/.test(url) && !url.includes(':/') && !url.startsWith('/')) url = `https://${url}`;
  const scheme = goScheme(url);
  if (scheme === '') throw new PolicyError(`GOPROXY: invalid proxy URL missing scheme: ${url}`);
  if (scheme !== 'http' && scheme !== 'https' && scheme !== 'file') {
    throw new PolicyError(`GOPROXY: invalid proxy URL scheme (must be https, http, file): ${url}`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PolicyError(`GOPROXY: invalid proxy URL: ${url}`);
  }
  if (scheme === 'file') {
    if (parsed.host !== '' || parsed.search !== '' || parsed.hash !== '' || parsed.username !== '') {
      throw new PolicyError(`GOPROXY: invalid file:// proxy URL with non-path elements: ${url}`);
    }
    return { kind: 'url', index, url, scheme, path: parsed.pathname.replace(/\/+$/, ''), fallbackOnError };
  }
  if (parsed.hostname === '') throw new PolicyError(`GOPROXY: proxy URL without a host: ${url}`);
  const host = parsed.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  const entry: ProxyEntry = { kind: 'url', index, url, scheme, host, path: parsed.pathname.replace(/\/+$/, ''), fallbackOnError };
  if (parsed.port !== '') entry.port = Number(parsed.port);
  return entry;
}

/** cmd/go proxyList: the GOPROXY entries the go command will walk, in order. */
export function parseGoProxy(value: string): ProxyEntry[] {
  const list: ProxyEntry[] = [];
  let rest = value;
  while (rest !== '') {
    let raw: string;
    let fallbackOnError = false;
    const sep = rest.search(/[,|]/);
    if (sep >= 0) {
      raw = rest.slice(0, sep);
      fallbackOnError = rest[sep] === '|';
      rest = rest.slice(sep + 1);
    } else {
      raw = rest;
      rest = '';
    }
    raw = raw.trim();
    if (raw === '') continue;
    const index = list.length + 1;
    if (raw === 'off' || raw === 'direct') {
      // Both end the list; later entries are ignored by the go command.
      list.push({ kind: raw, index, fallbackOnError: false });
      break;
    }
    list.push(proxyEntry(raw, index, fallbackOnError));
  }
  if (list.length === 0) throw new PolicyError('GOPROXY list is not the empty string, but contains no entries');
  return list;
}

function strictBase64(s: string): Buffer | undefined {
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return undefined;
  const b = Buffer.from(s, 'base64');
  return b.toString('base64') === s ? b : undefined;
}

/** note.NewVerifier: "<name>+<hash>+<base64 key>" with the hash and algorithm checked. */
function parseVerifierKey(vkey: string): { name: string } {
  const p1 = vkey.indexOf('+');
  const name = p1 < 0 ? vkey : vkey.slice(0, p1);
  const after = p1 < 0 ? '' : vkey.slice(p1 + 1);
  const p2 = after.indexOf('+');
  const hash16 = p2 < 0 ? after : after.slice(0, p2);
  const key64 = p2 < 0 ? '' : after.slice(p2 + 1);
  const key = strictBase64(key64);
  const validName = name !== '' && !/\s/u.test(name) && !name.includes('+');
  if (hash16.length !== 8 || !/^[0-9a-fA-F]{8}$/.test(hash16) || key === undefined || key.length === 0 || !validName) {
    throw new PolicyError('invalid GOSUMDB: malformed verifier id');
  }
  const sum = createHash('sha256').update(name).update('\n').update(key).digest();
  if (sum.readUInt32BE(0) !== parseInt(hash16, 16)) throw new PolicyError('invalid GOSUMDB: invalid verifier hash');
  if (key[0] !== 1) throw new PolicyError('invalid GOSUMDB: unknown verifier algorithm');
  if (key.length !== 33) throw new PolicyError('invalid GOSUMDB: malformed verifier id');
  return { name };
}

function hostOf(hostPort: string): string {
  return hostPort.toLowerCase().replace(/:[0-9]*$/, '');
}

/** cmd/go dbDial: which database, and which host the go command contacts for it. */
export function parseGoSumdb(value: string): SumdbPolicy {
  if (value === 'off') return { off: true };
  const effective = value === 'sum.golang.google.cn' ? 'sum.golang.org https://sum.golang.google.cn' : value;
  const fields = effective.split(/\s+/u).filter((f) => f !== '');
  if (fields.length === 0) throw new PolicyError('missing GOSUMDB');
  if (fields.length > 2) throw new PolicyError('invalid GOSUMDB: too many fields');
  const key = KNOWN_GOSUMDB[fields[0]!] ?? fields[0]!;
  const { name } = parseVerifierKey(key);
  // No funny business in the database name: host[/path] only.
  if (!/^[^/?#@\\\s]+(\/[^?#\\\s]*)?$/u.test(name) || name.endsWith('/') || /%/.test(name)) {
    throw new PolicyError(`invalid sumdb name (must be host[/path]): ${name}`);
  }
  const out: SumdbPolicy = { off: false, name, key, host: hostOf(name.split('/')[0]!) };
  if (fields.length === 2) {
    let u: URL;
    try {
      u = new URL(fields[1]!);
    } catch {
      throw new PolicyError(`invalid GOSUMDB URL: ${fields[1]}`);
    }
    out.url = fields[1]!;
    out.host = u.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  }
  return out;
}

function globList(name: PolicyVar, value: string, warnings: string[]): string[] {
  const list = value.split(',').filter((g) => g !== '');
  for (const g of list) {
    const glob = g.endsWith('/') ? g.slice(0, -1) : g;
    if (glob !== '' && !isValidGlob(glob)) warnings.push(`${name}: pattern "${g}" is malformed; Go ignores it, so it matches no module`);
  }
  return list;
}

/** The effective policy, with Go's defaults and validation. Throws PolicyError on an invalid value. */
export function parseGoPolicy(input: GoPolicyInput): GoPolicy {
  const pick = picker(input);
  const picked = Object.fromEntries(POLICY_VARS.map((v) => [v, pick(v)])) as Record<PolicyVar, Picked>;

  if (picked.GOPROXY.value === '') picked.GOPROXY = { value: DEFAULT_GOPROXY, source: 'default' };
  if (picked.GOSUMDB.value === '') picked.GOSUMDB = { value: DEFAULT_GOSUMDB, source: 'default' };
  // GONOPROXY/GONOSUMDB default to GOPRIVATE, and a GOPRIVATE given with higher precedence replaces them.
  for (const v of ['GONOPROXY', 'GONOSUMDB'] as const) {
    const own = picked[v];
    const priv = picked.GOPRIVATE;
    if (own.value === '' || RANK[priv.source] > RANK[own.source]) picked[v] = { ...priv };
  }

  const warnings: string[] = [];
  const values = Object.fromEntries(POLICY_VARS.map((v) => [v, picked[v].value])) as Record<PolicyVar, string>;
  const sources = Object.fromEntries(POLICY_VARS.map((v) => [v, picked[v].source])) as Record<PolicyVar, PolicySource>;
  return {
    goproxy: parseGoProxy(values.GOPROXY),
    gosumdb: parseGoSumdb(values.GOSUMDB),
    goprivate: globList('GOPRIVATE', values.GOPRIVATE, warnings),
    // Inherited from GOPRIVATE: already warned about there.
    gonosumdb: globList('GONOSUMDB', values.GONOSUMDB, values.GONOSUMDB === values.GOPRIVATE ? [] : warnings),
    gonoproxy: globList('GONOPROXY', values.GONOPROXY, values.GONOPROXY === values.GOPRIVATE ? [] : warnings),
    goinsecure: globList('GOINSECURE', values.GOINSECURE, warnings),
    values,
    sources,
    warnings,
  };
}

/** The module is fetched directly, never from a proxy (GONOPROXY, default GOPRIVATE). */
export function bypassesProxy(policy: GoPolicy, modulePath: string): boolean {
  return matchPrefixPatterns(policy.gonoproxy.join(','), modulePath);
}

/** The module is never looked up in the checksum database (GONOSUMDB, default GOPRIVATE; or GOSUMDB=off). */
export function bypassesSumdb(policy: GoPolicy, modulePath: string): boolean {
  return policy.gosumdb.off || matchPrefixPatterns(policy.gonosumdb.join(','), modulePath);
}
