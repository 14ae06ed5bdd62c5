/**
 * Decides how a message body is delimited (RFC 9112 §6.3) from the header
 * fields: none, Content-Length, chunked, or until the connection closes. Invalid
 * lengths are reported as reasons, never thrown: every value is untrusted.
 */
import { malformed, type HttpAnomaly, type Malformed } from '../anomaly.js';
import { headerValues, trimOws } from './head.js';

export type Framing =
  | { kind: 'none' }
  | { kind: 'length'; length: number }
  | { kind: 'chunked' }
  | { kind: 'close' };

/**
 * The declared Content-Length: undefined when absent, a reason when a value is not
 * decimal digits, exceeds 2^53 - 1, or differs between repeated fields/list items.
 */
export function contentLength(headers: [string, string][]): number | undefined | Malformed<HttpAnomaly> {
  let found: number | undefined;
  for (const field of headerValues(headers, 'content-length')) {
    for (const item of field.split(',')) {
      const s = trimOws(item);
      if (!/^[0-9]+$/.test(s)) return malformed('http: malformed Content-Length', 'non-numeric Content-Length');
      // Leading zeros aside, more than 16 digits is always beyond 2^53.
      const n = s.replace(/^0+(?=.)/, '').length > 16 ? Infinity : Number(s);
      if (n > Number.MAX_SAFE_INTEGER) return malformed('http: malformed Content-Length', 'Content-Length overflow');
      if (found !== undefined && found !== n) return malformed('http: conflicting Content-Length values', 'conflicting Content-Length values');
      found = n;
    }
  }
  return found;
}

/** Transfer codings in order, lower-cased; empty when the field is absent. */
function transferCodings(headers: [string, string][]): string[] {
  const out: string[] = [];
  for (const field of headerValues(headers, 'transfer-encoding')) {
    for (const item of field.split(',')) {
      const c = trimOws(item).toLowerCase();
      if (c !== '') out.push(c);
    }
  }
  return out;
}

/** Requests have a body only when they declare one; there is no read-until-close. */
export function requestFraming(headers: [string, string][]): Framing | Malformed<HttpAnomaly> {
  const cl = contentLength(headers);
  if (typeof cl === 'object') return cl;
  const codings = transferCodings(headers);
  if (codings.length > 0) {
    if (codings[codings.length - 1] !== 'chunked') return malformed('http: request Transfer-Encoding without final chunked', 'request Transfer-Encoding without final chunked');
    return { kind: 'chunked' };
  }
  return cl === undefined || cl === 0 ? { kind: 'none' } : { kind: 'length', length: cl };
}

/**
 * Responses to HEAD, 1xx, 204, 304 and 2xx to CONNECT have no body; otherwise
 * chunked, then Content-Length, else the body runs until the connection ends.
 */
export function responseFraming(
  status: number,
  requestMethod: string | undefined,
  headers: [string, string][],
): Framing | Malformed<HttpAnomaly> {
  const cl = contentLength(headers);
  if (typeof cl === 'object') return cl;
  if (requestMethod === 'HEAD' || status < 200 || status === 204 || status === 304) return { kind: 'none' };
  if (requestMethod === 'CONNECT' && status < 300) return { kind: 'none' };
  const codings = transferCodings(headers);
  if (codings.length > 0) return codings[codings.length - 1] === 'chunked' ? { kind: 'chunked' } : { kind: 'close' };
  if (cl === undefined) return { kind: 'close' };
  return cl === 0 ? { kind: 'none' } : { kind: 'length', length: cl };
}
