/**
 * Derives go-request events from http-request events: the Go module protocol is read
 * from request targets, whatever carried them (plaintext HTTP/1.x today, decrypted
 * HTTP/2 later), so it sits after the HTTP analyzer instead of inside it.
 */
import type { EventSink } from './events.js';
import { classifyGoRequest } from './goproxy/index.js';

export function withGoRequests(sink: EventSink): EventSink {
  return (ev) => {
    sink(ev);
    if (ev.type !== 'http-request') return;
    const info = classifyGoRequest(ev.method, ev.target, ev.host);
    if (info) sink({ ...info, type: 'go-request', ts: ev.ts, packet: ev.packet, flowId: ev.flowId, requestPacket: ev.packet });
  };
}
