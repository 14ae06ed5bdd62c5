/**
 * Derives go-request events from http-request events: the Go module protocol is read
 * from request targets, whatever carried them (plaintext HTTP/1.x today, decrypted
 * HTTP/2 later), so it sits after the HTTP analyzer instead of inside it.
 */
import type { EventSink, GoRequestEvent, HttpRequestEvent } from './events.js';
import { classifyGoRequest } from './goproxy/index.js';

/** The go-request an http-request carries, if its target is Go module protocol. */
export function goRequestOf(req: HttpRequestEvent): GoRequestEvent | undefined {
  const info = classifyGoRequest(req.method, req.target, req.host);
  return info && { ...info, type: 'go-request', ts: req.ts, packet: req.packet, flowId: req.flowId, requestPacket: req.packet, ...(req.decrypted ? { decrypted: true } : {}) };
}

export function withGoRequests(sink: EventSink): EventSink {
  return (ev) => {
    sink(ev);
    if (ev.type !== 'http-request') return;
    const go = goRequestOf(ev);
    if (go) sink(go);
  };
}
