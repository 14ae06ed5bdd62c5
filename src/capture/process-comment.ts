/**
 * ptcpdump's per-packet process metadata. ptcpdump (an eBPF tcpdump) writes who sent or
 * received each packet as pcapng opt_comments on the Enhanced Packet Block, one comment
 * per group of `Key: value` lines (internal/writer/pcapng.go):
 *   "PID: n\nCmd: …\nArgs: …", "ThreadId: n\nThreadName: …", "UserId: n\nGroupId: n",
 *   "ParentPID: n\nParentCmd: …\nParentArgs: …",
 *   "ContainerName: …\nContainerId: …\nContainerImage: …\nContainerLabels: …",
 *   "PodName: …\nPodNamespace: …\nPodUID: …\nPodLabels: …\nPodAnnotations: …".
 * A comment is taken as metadata only when every line is one of these keys; anything else
 * stays an ordinary comment. Values are packet bytes: kept exact (renderers escape) but
 * truncated, so a hostile file cannot make a label grow without bound.
 */
import { goCommand, processLabel } from '../live/process-map.js';

export interface PacketProcess {
  pid: number;
  /** Executable (ptcpdump's Cmd, a path) and its command line as ptcpdump joined it. */
  cmd: string;
  args: string;
  container?: string;
  pod?: string;
  /** As live mode shows a process: "go mod download (pid 4711)", plus container/pod when known. */
  label: string;
}

const KEYS = new Set([
  'PID', 'Cmd', 'Args', 'ThreadId', 'ThreadName', 'UserId', 'GroupId', 'ParentPID', 'ParentCmd', 'ParentArgs',
  'ContainerName', 'ContainerId', 'ContainerImage', 'ContainerLabels',
  'PodName', 'PodNamespace', 'PodUID', 'PodLabels', 'PodAnnotations',
]);
const MAX_VALUE = 256;
const MAX_COMMENT = 64 * 1024;
const MAX_LINES = 16;

/** Key → value of one comment, or undefined when it is not ptcpdump metadata. */
function fields(comment: string): Map<string, string> | undefined {
  if (comment.length > MAX_COMMENT) return undefined;
  const lines = comment.split('\n', MAX_LINES + 1);
  if (lines.length > MAX_LINES) return undefined;
  const out = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(': ');
    const key = colon < 0 ? (line.endsWith(':') ? line.slice(0, -1) : line) : line.slice(0, colon);
    if (!KEYS.has(key)) return undefined;
    out.set(key, colon < 0 ? '' : line.slice(colon + 2, colon + 2 + MAX_VALUE));
  }
  return out;
}

/** The process of a packet from its comments, or undefined when none carries a valid PID. */
export function packetProcess(comments: readonly string[]): PacketProcess | undefined {
  const all = new Map<string, string>();
  for (const c of comments) for (const [k, v] of fields(c) ?? []) if (!all.has(k)) all.set(k, v);
  const pidText = all.get('PID');
  if (pidText === undefined || !/^[1-9][0-9]{0,9}$/.test(pidText)) return undefined;
  const pid = Number(pidText);
  const cmd = all.get('Cmd') ?? '';
  const args = all.get('Args') ?? '';
  const argv = args.split(' ').filter((a) => a !== '');
  const name = (argv[0] ?? cmd).split('/').pop() || cmd.split('/').pop() || '?';
  const command = goCommand([name, ...argv.slice(1)]);
  const container = all.get('ContainerName') || all.get('ContainerId') || undefined;
  const podName = all.get('PodName');
  const pod = podName ? (all.get('PodNamespace') ? `${all.get('PodNamespace')}/${podName}` : podName) : undefined;
  let label = processLabel({ pid, name, ...(command ? { command } : {}) });
  if (pod) label += `, pod ${pod}`;
  if (container) label += `, container ${container}`;
  return { pid, cmd, args, ...(container ? { container } : {}), ...(pod ? { pod } : {}), label };
}
