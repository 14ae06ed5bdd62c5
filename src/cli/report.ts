/**
 * `gotap report <capture|-> --format json|csv|md [-o FILE]`: run the full pipeline over a
 * saved capture and write one report. With --fail-on, the exit status says whether a
 * finding at or above that severity exists, for CI pipelines.
 */
import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import type { ModelSnapshot } from '../model/types.js';
import { analyzeCapture } from '../pipeline/analyze.js';
import { createInspector } from '../pipeline/inspect.js';
import { csvReport } from '../report/csv-report.js';
import { jsonReport } from '../report/json-report.js';
import { markdownReport } from '../report/markdown-report.js';
import { sanitizeTerminal } from '../util/sanitize.js';
import { InputError } from './input-error.js';
import { addInspectOptions, addKeylogOption, failOnCode, resolveInspectOptions, type InspectCliOptions } from './inspect-options.js';

export type ReportFormat = 'json' | 'csv' | 'md';

export interface ReportOptions extends InspectCliOptions {
  format: ReportFormat;
  output?: string;
  keylogFile?: string[];
}

const WRITERS: Record<ReportFormat, (m: ModelSnapshot) => string> = { json: jsonReport, csv: csvReport, md: markdownReport };

export async function runReport(capture: string, opts: ReportOptions): Promise<number> {
  const inspect = await resolveInspectOptions(opts);
  const inspector = createInspector(inspect);
  const summary = await analyzeCapture(capture, inspector.output, { keylogFiles: opts.keylogFile });
  const model = inspector.finish(summary);
  const text = WRITERS[opts.format](model);
  if (opts.output !== undefined) {
    try {
      await writeFile(opts.output, text);
    } catch (err) {
      throw new InputError(`cannot write ${opts.output}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  } else process.stdout.write(text);
  const truncated = summary.reader.truncated;
  if (truncated !== undefined) {
    const name = capture === '-' ? 'standard input' : sanitizeTerminal(capture);
    process.stderr.write(`gotap: warning: ${name}: ${sanitizeTerminal(truncated)}; the report covers the readable part\n`);
  }
  return failOnCode(model, opts.failOn);
}

export function registerReport(program: Command, result: { code: number }): void {
  const cmd = program
    .command('report')
    .description('analyse a saved capture and write an incident report: who Go talked to, and what is wrong (JSON, CSV or Markdown)')
    .argument('<capture>', 'capture file, or - for standard input')
    .addOption(new Option('--format <format>', 'report format').choices(['json', 'csv', 'md']).default('md'))
    .option('-o, --output <file>', 'write the report to a file instead of standard output');
  addInspectOptions(addKeylogOption(cmd)).action(async (capture: string, opts: ReportOptions) => {
    result.code = await runReport(capture, opts);
  });
}
