/**
 * A problem with an input file other than the capture (--config, --ca-file, --go-env) or
 * with a Go setting: one line on stderr and exit code 2 (EXIT.input), like a bad capture.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
}
