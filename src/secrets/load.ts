/**
 * Preloading key-log files (`--keylog-file`, repeatable) into the store before the capture
 * is read. A missing or unreadable file is a KeyLogError: one line naming the file, what
 * is wrong and what to do (the CLI turns it into exit status 2, like a bad capture).
 */
import { createReadStream } from 'node:fs';
import type { SecretsStore } from './store.js';

export class KeyLogError extends Error {
  override readonly name = 'KeyLogError';
}

const HINT = '--keylog-file takes the file a TLS client wrote to SSLKEYLOGFILE';

function describe(file: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `${file}: no such file — ${HINT}`;
  if (code === 'EACCES' || code === 'EPERM') return `${file}: permission denied — make the key log readable by this user`;
  if (code === 'EISDIR') return `${file}: is a directory — ${HINT}`;
  return `${file}: cannot read the key log (${code ?? (e as Error).message}) — ${HINT}`;
}

export async function loadKeyLogFile(store: SecretsStore, file: string): Promise<void> {
  const log = store.keyLog();
  try {
    for await (const chunk of createReadStream(file)) log.push(chunk as Buffer);
  } catch (e) {
    throw new KeyLogError(describe(file, e));
  }
  log.end();
}
