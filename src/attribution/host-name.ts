/**
 * Host names as gotap compares them. Names from SNI, Host headers, CONNECT targets and DNS
 * answers are attacker data: they are only normalised the way DNS itself compares names
 * (ASCII case folding, RFC 4343, and the root dot), never otherwise changed, so what a
 * report shows is what was on the wire. Non-ASCII letters are left alone on purpose:
 * Unicode case mapping can change a string's length and meaning.
 */
import { isIP } from 'node:net';

/** ASCII lower case, one trailing dot removed. */
export function normalizeName(name: string): string {
  const lower = name.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/**
 * The host of an authority ("host", "host:port", "[v6]:port"), normalised; undefined when
 * nothing is left. An unbracketed IPv6 literal (several colons) is kept whole.
 */
export function hostOfAuthority(authority: string): string | undefined {
  let a = authority;
  if (a.startsWith('[')) {
    const close = a.indexOf(']');
    a = close < 0 ? a.slice(1) : a.slice(1, close);
  } else {
    const colon = a.indexOf(':');
    if (colon >= 0 && colon === a.lastIndexOf(':') && /^\d*$/.test(a.slice(colon + 1))) a = a.slice(0, colon);
  }
  const host = normalizeName(a);
  return host === '' ? undefined : host;
}

/** The path of a request target or URL path: query and fragment removed. */
export function pathOnly(path: string): string {
  const end = path.search(/[?#]/);
  return end < 0 ? path : path.slice(0, end);
}

export interface RequestTarget {
  /** Host of an absolute-form target's authority ("http://h:80/p" → "h"). */
  host?: string;
  /** Path of an origin-form or absolute-form target, without query. */
  path?: string;
  absolute: boolean;
}

/** Splits an HTTP request target into the host it names (absolute-form only) and its path. */
export function parseRequestTarget(target: string): RequestTarget {
  if (target.startsWith('/')) return { path: pathOnly(target), absolute: false };
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(target);
  if (!scheme) return { absolute: false };
  const rest = target.slice(scheme[0].length);
  const end = rest.search(/[/?#]/);
  const authority = end < 0 ? rest : rest.slice(0, end);
  const path = end < 0 || rest[end] !== '/' ? '/' : pathOnly(rest.slice(end));
  // Userinfo ("user:pass@") is legal only in a URL's authority, so only here is it dropped.
  return { host: hostOfAuthority(authority.slice(authority.lastIndexOf('@') + 1)), path, absolute: true };
}

export interface HostPattern {
  /** Normalised host, or the suffix after "*." for a wildcard. */
  host: string;
  wildcard: boolean;
  /** Path prefix without a trailing slash ("/goproxy"), for host+path patterns. */
  path?: string;
}

const LABEL = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$/;

/**
 * Parses a catalog pattern: "host", "*.suffix", "host/path/prefix" or an IP address.
 * Undefined when the pattern is none of these (a port, spaces, an empty label, a
 * wildcard with a path or anywhere but the front).
 */
export function parseHostPattern(pattern: string): HostPattern | undefined {
  if (isIP(pattern) === 6) return { host: pattern.toLowerCase(), wildcard: false };
  const slash = pattern.indexOf('/');
  const hostPart = normalizeName(slash < 0 ? pattern : pattern.slice(0, slash));
  let path = slash < 0 ? undefined : pattern.slice(slash).replace(/\/+$/, '');
  if (path === '') path = undefined;
  if (path !== undefined && /[\s?#]/.test(path)) return undefined;
  const wildcard = hostPart.startsWith('*.');
  if (wildcard && path !== undefined) return undefined;
  const host = wildcard ? hostPart.slice(2) : hostPart;
  if (host === '' || !host.split('.').every((l) => LABEL.test(l))) return undefined;
  return path === undefined ? { host, wildcard } : { host, wildcard, path };
}

/** Normalised text of a parsed pattern ("mirrors.aliyun.com/goproxy", "*.goskope.com"). */
export function patternText(p: HostPattern): string {
  return `${p.wildcard ? '*.' : ''}${p.host}${p.path ?? ''}`;
}
