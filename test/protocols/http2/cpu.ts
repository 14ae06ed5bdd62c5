/** CPU milliseconds a synchronous call takes (process CPU time: steadier than wall time on a loaded machine). */
export function cpuMs(fn: () => void): number {
  const t0 = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}
