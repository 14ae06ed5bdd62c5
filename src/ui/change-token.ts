/**
 * Tells whether a new snapshot differs from the one on screen, so an idle or paused
 * dashboard does not re-render. What it relies on: `snapshot()` returning the very same
 * object means nothing changed (checked first, free); otherwise every model change is
 * caused by input, which advances the capture counters (packets, bytes, last timestamp,
 * problems, drops, ended), or adds hosts/findings/timeline entries, or (live mode) adds a
 * process to a host — all of which the token covers. Cost: O(hosts), no allocation per host.
 */
import type { ModelSnapshot } from '../model/types.js';

export function snapshotToken(s: ModelSnapshot): string {
  const c = s.capture;
  let problems = 0;
  for (const k in c.problems) problems += c.problems[k] ?? 0;
  let hostSum = 0;
  for (const h of s.hosts) hostSum += h.flows + h.processes.length + h.findings.length + h.dns.length + (h.certificate ? 1 : 0);
  return [
    c.packets,
    c.bytes,
    c.lastTs ?? '',
    c.ended ? 1 : 0,
    c.drops ?? '',
    problems,
    c.truncated === null ? '' : c.truncated.length,
    s.hosts.length,
    hostSum,
    s.findings.length,
    s.timeline.length + s.timelineDropped,
    s.counts.flows,
  ].join(':');
}
