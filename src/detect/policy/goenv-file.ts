/**
 * `--go-env FILE` takes either `go env -json` output or the GOENV file itself (what
 * `go env -w` writes, by default os.UserConfigDir()/go/env). The GOENV file is read the
 * way cmd/go/internal/cfg readEnvFile reads it: one `KEY=value` per line, the value raw
 * up to the newline (no quoting, no trimming), lines without `=` or whose first byte is
 * not A–Z skipped (comments, blanks), a later line for the same key winning.
 */

/** A GOENV file's settings as `go env -json` would spell them (JSON text). */
export function goEnvFileAsJson(text: string): string {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    const first = line.charCodeAt(0);
    if (eq < 0 || !(first >= 0x41 && first <= 0x5a)) continue;
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return JSON.stringify(out);
}

/** The `--go-env` file as `go env -json` text: JSON as is, anything else read as a GOENV file. */
export function goEnvText(text: string): string {
  return text.trimStart().startsWith('{') ? text : goEnvFileAsJson(text);
}
