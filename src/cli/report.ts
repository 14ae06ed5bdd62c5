/**
 * `gotap report <capture|-> --format json|csv|md [-o FILE]`: run the full pipeline over a
 * saved capture and write one report. With --fail-on, the exit status says whether a
 * finding at or above that severity exists, for CI pipelines.
 */
import type { Command } from 'commander';
import { inspectCapture } from '../pipeline/inspect.js';
import { documentFormat, formatOption, type DocumentFormatName } from '../report/formats.js';
import { sanitizeTerminal } from '../util/sanitize.js';
import { requireCaptureHeader } from './error-lines.js';
import { addInspectOptions, addKeylogOption, failOnCode, resolveInspectOptions, type InspectCliOptions } from './inspect-options.js';
import type { CommandResult } from './main.js';
import { checkOutputFile, writeOutputFile } from './output-file.js';

export interface ReportOptions extends InspectCliOptions {
  format: DocumentFormatName;
  output?: string;
  keylogFile?: string[];
}

export async function runReport(capture: string, opts: ReportOptions): Promise<number> {
  const inspect = await resolveInspectOptions(opts);
  if (opts.output !== undefined) await checkOutputFile(opts.output);
  const { model, summary } = await inspectCapture(capture, { ...inspect, ...(opts.keylogFile ? { keylogFiles: opts.keylogFile } : {}) });
  requireCaptureHeader(summary);
  const text = documentFormat(opts.format).render(model);
  if (opts.output !== undefined) await writeOutputFile(opts.output, text);
  else process.stdout.write(text);
  const truncated = summary.reader.truncated;
  if (truncated !== undefined) {
    const name = capture === '-' ? 'standard input' : sanitizeTerminal(capture);
    process.stderr.write(`gotap: warning: ${name}: ${sanitizeTerminal(truncated)}; the report covers the readable part\n`);
  }
  return failOnCode(model, opts.failOn);
}

export function registerReport(program: Command, result: CommandResult): void {
  const cmd = program
    .command('report')
    .description('analyse a saved capture and write an incident report: who Go talked to, and what is wrong (JSON, CSV or Markdown)')
    .argument('<capture>', 'capture file, or - for standard input')
    .addOption(formatOption('report', 'report format', 'md'))
    .option('-o, --output <file>', 'write the report to a file instead of standard output');
  addInspectOptions(addKeylogOption(cmd)).action(async (capture: string, opts: ReportOptions) => {
    result.input = capture;
    result.code = await runReport(capture, opts);
  });
}
