/** Exit codes of every gotap command (documented in docs/cli.md). */
export const EXIT = {
  ok: 0,
  /** --fail-on: a finding at or above the given severity was reported. */
  findings: 1,
  /** Input problem: file missing or unreadable, not a capture, unsupported format, bad --config/--ca-file/--go-env file. */
  input: 2,
  /** --strict and the capture was truncated or had a corrupt record. */
  truncated: 3,
  /** Live capture: tcpdump is not installed. */
  noTcpdump: 4,
  /** Live capture: no permission to capture (not root, no CAP_NET_RAW). */
  noPermission: 5,
  /** Live capture: the interface does not exist. */
  noInterface: 6,
  /** Live capture: tcpdump exited unexpectedly. */
  tcpdumpDied: 7,
  /** Bad command line. */
  usage: 64,
  /** A bug in gotap. */
  internal: 70,
} as const;
