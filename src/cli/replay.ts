/** `gotap replay <capture>`: run the pipeline over a saved capture and print it as text or ndjson. */
import { analyzeCapture } from '../pipeline/analyze.js';
import { NdjsonWriter } from '../report/ndjson-writer.js';
import { TextWriter } from '../report/text-writer.js';
import { sanitizeTerminal } from '../util/sanitize.js';
import { EXIT } from './exit-codes.js';

export interface ReplayOptions {
  format: 'text' | 'ndjson';
  strict?: boolean;
  maxFlows?: number;
}

export async function runReplay(capture: string, opts: ReplayOptions): Promise<number> {
  const writer = opts.format === 'ndjson' ? new NdjsonWriter(process.stdout) : new TextWriter(process.stdout);
  const summary = await analyzeCapture(capture, writer, { limits: opts.maxFlows ? { maxFlows: opts.maxFlows } : undefined });
  writer.finish(summary);
  const truncated = summary.reader.truncated;
  if (truncated !== undefined) {
    const name = capture === '-' ? 'standard input' : sanitizeTerminal(capture);
    process.stderr.write(
      `gotap: warning: ${name}: ${sanitizeTerminal(truncated)}; results cover the readable part${opts.strict ? '' : ' (--strict makes this an error)'}\n`,
    );
    if (opts.strict) return EXIT.truncated;
  }
  return EXIT.ok;
}
