/**
 * Files gotap writes (`report -o`, `live`/`watch --report`): checked before the command
 * runs — a capture of a whole `go mod download` should not be lost to a typo in the report
 * path at the end — and written with the same one-line error.
 */
import { constants } from 'node:fs';
import { access, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InputError } from './input-error.js';

const TODO = 'give a path in a directory you can write to';

function code(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
}

/** Throws InputError unless `file` can be created or overwritten. Creates nothing. */
export async function checkOutputFile(file: string): Promise<void> {
  const st = await stat(file).catch(() => undefined);
  if (st?.isDirectory()) throw new InputError('is a directory', TODO, file);
  try {
    await access(st ? file : dirname(file), constants.W_OK);
  } catch (err) {
    const what = code(err) === 'ENOENT' ? `no such directory: ${dirname(file)}` : `cannot write: ${code(err)}`;
    throw new InputError(what, TODO, file);
  }
}

export async function writeOutputFile(file: string, text: string): Promise<void> {
  try {
    await writeFile(file, text);
  } catch (err) {
    throw new InputError(`cannot write: ${code(err)}`, TODO, file);
  }
}
