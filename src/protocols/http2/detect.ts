/** The HTTP/2 client connection preface (RFC 9113 §3.4), for the dispatcher's sniffing. */

export const CLIENT_PREFACE = Uint8Array.from(Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'));

/** true: the preface is there; false: these bytes cannot start it; undefined: need more bytes. */
export function looksLikeHttp2Preface(head: Uint8Array): boolean | undefined {
  const n = Math.min(head.length, CLIENT_PREFACE.length);
  for (let i = 0; i < n; i++) if (head[i] !== CLIENT_PREFACE[i]) return false;
  return head.length >= CLIENT_PREFACE.length ? true : undefined;
}
