/**
 * Which flows carry TLS, so an HTTP detector can tell a plaintext request from one read
 * inside TLS (a CONNECT tunnel's TLS, or decrypted traffic once gotap decrypts). A flow
 * becomes TLS at its first ClientHello; anything HTTP seen on it before that (the
 * CONNECT itself) was in the clear. Bounded: flows are forgotten when they end, and the
 * oldest are dropped beyond the cap.
 */
import type { GotapEvent } from '../../protocols/events.js';

const MAX_FLOWS = 65_536;

export class TlsFlows {
  private readonly flows = new Set<number>();

  observe(ev: GotapEvent): void {
    if (ev.type !== 'tls-client-hello' && ev.type !== 'tls-server-hello') return;
    if (this.flows.has(ev.flowId)) return;
    if (this.flows.size >= MAX_FLOWS) {
      const oldest = this.flows.values().next().value;
      if (oldest !== undefined) this.flows.delete(oldest);
    }
    this.flows.add(ev.flowId);
  }

  isTls(flowId: number): boolean {
    return this.flows.has(flowId);
  }

  ended(flowId: number): void {
    this.flows.delete(flowId);
  }
}
