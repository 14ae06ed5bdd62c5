/** CPU milliseconds a synchronous call takes (process CPU time: steadier than wall time on a loaded machine). */
export function cpuMs(fn: () => void): number {
  return timed(fn).ms;
}

export function timed<T>(fn: () => T): { value: T; ms: number } {
  const t0 = process.cpuUsage();
  const value = fn();
  const d = process.cpuUsage(t0);
  return { value, ms: (d.user + d.system) / 1000 };
}
