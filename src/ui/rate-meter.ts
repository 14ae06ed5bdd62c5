/**
 * Packet and byte rates in capture time over a sliding window, from the counters of
 * successive snapshots (the model keeps totals, not rates). Capture time, not wall time,
 * so a paced replay shows the rate the traffic had and a live capture shows the current
 * one; before the window fills, the average since the first packet.
 */
import type { CaptureInfo } from '../model/types.js';

const WINDOW_SEC = 5;
const MAX_SAMPLES = 64;

interface Sample {
  ts: number;
  packets: number;
  bytes: number;
}

export interface Rates {
  packetsPerSec: number;
  bytesPerSec: number;
}

export class RateMeter {
  private samples: Sample[] = [];

  update(c: CaptureInfo): Rates {
    if (c.lastTs === null || c.firstTs === null) return { packetsPerSec: 0, bytesPerSec: 0 };
    let last = this.samples[this.samples.length - 1];
    // Timestamps that go backwards (a concatenated file) restart the window.
    if (last && (c.lastTs < last.ts || c.packets < last.packets)) {
      this.samples = [];
      last = undefined;
    }
    if (!last || c.lastTs > last.ts) this.samples.push({ ts: c.lastTs, packets: c.packets, bytes: c.bytes });
    while (this.samples.length > MAX_SAMPLES || (this.samples.length > 2 && this.samples[1]!.ts <= c.lastTs - WINDOW_SEC)) this.samples.shift();
    const first = this.samples[0]!;
    const span = c.lastTs - first.ts;
    if (span >= WINDOW_SEC / 2) return { packetsPerSec: (c.packets - first.packets) / span, bytesPerSec: (c.bytes - first.bytes) / span };
    const whole = c.lastTs - c.firstTs;
    if (whole <= 0) return { packetsPerSec: 0, bytesPerSec: 0 };
    return { packetsPerSec: c.packets / whole, bytesPerSec: c.bytes / whole };
  }
}
