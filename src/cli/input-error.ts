/**
 * A problem with an input file other than the capture (--config, --ca-file, --go-env), an
 * output file, or a Go setting: one line on stderr (`gotap: <file>: <what> — <todo>`) and
 * exit code 2 (EXIT.input), like a bad capture.
 */
export class InputError extends Error {
  override readonly name = 'InputError';

  constructor(
    message: string,
    /** What to do about it. */
    readonly todo?: string,
    /** The file it is about, when the message does not already name it. */
    readonly file?: string,
  ) {
    super(message);
  }
}
