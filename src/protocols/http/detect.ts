/**
 * Cheap content sniffing for the dispatcher: does a stream's first bytes look like
 * an HTTP/1.x request or response? Answers `undefined` while the bytes seen so far
 * are a prefix of something that could still go either way, so the caller can wait
 * for more instead of guessing.
 */

/** Methods from the IANA HTTP method registry that clients actually send. */
const KNOWN_METHODS = new Set([
  'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH',
  'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'SEARCH',
  'REPORT', 'MKCALENDAR', 'ACL', 'BIND', 'UNBIND', 'REBIND', 'MERGE', 'CHECKOUT',
  'LINK', 'UNLINK', 'PURGE', 'QUERY',
]);

/** Longest method token accepted (the longest registered one, VERSION-CONTROL, has 15). */
export const MAX_METHOD_LENGTH = 24;

const SP = 0x20;

/** RFC 9110 tchar. */
export function isTokenByte(b: number): boolean {
  if (b >= 0x61 && b <= 0x7a) return true; // a-z
  if (b >= 0x41 && b <= 0x5a) return true; // A-Z
  if (b >= 0x30 && b <= 0x39) return true; // 0-9
  // ! # $ % & ' * + - . ^ _ ` | ~
  return b === 0x21 || (b >= 0x23 && b <= 0x27) || b === 0x2a || b === 0x2b || b === 0x2d || b === 0x2e ||
    b === 0x5e || b === 0x5f || b === 0x60 || b === 0x7c || b === 0x7e;
}

function isUpperMethodByte(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || b === 0x2d || b === 0x5f;
}

/** Compares `first` with `prefix`: true if it starts with it, undefined if it is a shorter prefix of it. */
function startsWith(first: Uint8Array, prefix: string): boolean | undefined {
  const n = Math.min(first.length, prefix.length);
  for (let i = 0; i < n; i++) if (first[i] !== prefix.charCodeAt(i)) return false;
  return first.length >= prefix.length ? true : undefined;
}

/**
 * A request line starts with a known method and a space, or with an upper-case
 * token, a space and a plausible target (`/`, `*`, or an absolute http(s) URI).
 */
export function looksLikeHttpRequest(first: Uint8Array): boolean | undefined {
  let i = 0;
  while (i < first.length && i <= MAX_METHOD_LENGTH && isTokenByte(first[i]!)) i++;
  if (i > MAX_METHOD_LENGTH) return false;
  if (i === first.length) return undefined;
  if (first[i] !== SP || i === 0) return false;
  let method = '';
  for (let k = 0; k < i; k++) method += String.fromCharCode(first[k]!);
  if (KNOWN_METHODS.has(method)) return true;
  for (let k = 0; k < i; k++) if (!isUpperMethodByte(first[k]!)) return false;
  const target = first.subarray(i + 1);
  if (target.length === 0) return undefined;
  if (target[0] === 0x2f || target[0] === 0x2a) return true; // '/' or '*'
  const http = startsWith(target, 'http://');
  if (http !== false) return http;
  return startsWith(target, 'https://');
}

/** A status line starts with "HTTP/1.". */
export function looksLikeHttpResponse(first: Uint8Array): boolean | undefined {
  return startsWith(first, 'HTTP/1.');
}
