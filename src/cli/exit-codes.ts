/** Exit codes of every gotap command (documented in docs/cli.md). */
export const EXIT = {
  ok: 0,
  /** Input problem: file missing or unreadable, not a capture, unsupported format. */
  input: 2,
  /** --strict and the capture was truncated or had a corrupt record. */
  truncated: 3,
  /** Bad command line. */
  usage: 64,
  /** A bug in gotap. */
  internal: 70,
} as const;
