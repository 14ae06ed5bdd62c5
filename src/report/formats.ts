/**
 * Every output format gotap writes, in one table: its name and aliases, which commands
 * accept it, and its writer. The `--format` options and their help, `report`,
 * `live`/`watch --report` (including the guess from the file's extension) and docs/cli.md
 * (checked by a test) all take the list from here, as vitest's ReportersMap does for its
 * reporters: a new format is its writer file plus one entry below.
 *
 * Two kinds: a *stream* format follows the pipeline as it runs (`replay`: events, flows,
 * then the final summary); a *document* format renders the finished model once (`report`,
 * `--report FILE`).
 */
import { extname } from 'node:path';
import type { Writable } from 'node:stream';
import { InvalidArgumentError, Option } from 'commander';
import { summaryText } from '../live/plain-output.js';
import type { ModelSnapshot } from '../model/types.js';
import type { AnalysisOutput, AnalysisSummary } from '../pipeline/analyze.js';
import { csvReport } from './csv-report.js';
import { jsonReport } from './json-report.js';
import { markdownReport } from './markdown-report.js';
import { NdjsonWriter } from './ndjson-writer.js';
import { TextWriter } from './text-writer.js';

/** A writer that follows the pipeline, then ends with the finished model. */
export interface StreamWriter extends AnalysisOutput {
  finish(summary: AnalysisSummary, model: ModelSnapshot): void;
}

export interface StreamWriterOptions {
  /** Only the final summary: no per-event or per-flow output. */
  quiet?: boolean;
}

interface FormatBase<Name extends string> {
  name: Name;
  /** Other names accepted for it (matched case-insensitively, like the name). */
  aliases: readonly string[];
  /** What it is, for --help and docs/cli.md. */
  description: string;
}

export interface StreamFormat extends FormatBase<'text' | 'ndjson'> {
  kind: 'stream';
  create(out: Writable, opts: StreamWriterOptions): StreamWriter;
}

export interface DocumentFormat extends FormatBase<'md' | 'json' | 'csv'> {
  kind: 'document';
  /** File name extensions that select it for `--report FILE` without --format. */
  extensions: readonly string[];
  render(model: ModelSnapshot): string;
}

export type OutputFormat = StreamFormat | DocumentFormat;
/** Which commands accept a kind: `replay` takes stream formats; `report` and `live`/`watch --report` documents. */
export type FormatUse = 'replay' | 'report';
export type StreamFormatName = StreamFormat['name'];
export type DocumentFormatName = DocumentFormat['name'];

export const FORMATS: readonly OutputFormat[] = [
  {
    kind: 'stream',
    name: 'text',
    aliases: [],
    description: 'each flow as it ends with its DNS/HTTP/TLS/Go events, the capture summary, then the verdict, hosts and findings',
    create: (out, opts) => new TextWriter(out, { ...opts, summary: summaryText }),
  },
  {
    kind: 'stream',
    name: 'ndjson',
    aliases: [],
    description: 'one JSON object per line: events, `flow` and `capture` records, then `finding` records and a `summary` record (docs/events.md)',
    create: (out, opts) => new NdjsonWriter(out, opts),
  },
  { kind: 'document', name: 'md', aliases: ['markdown'], extensions: ['.md', '.markdown'], description: 'Markdown incident report', render: markdownReport },
  { kind: 'document', name: 'json', aliases: [], extensions: ['.json'], description: 'versioned JSON (docs/report-schema.md)', render: jsonReport },
  { kind: 'document', name: 'csv', aliases: [], extensions: ['.csv'], description: 'one row per host', render: csvReport },
];

const KIND: Record<FormatUse, OutputFormat['kind']> = { replay: 'stream', report: 'document' };

export function formatsFor(use: 'replay'): StreamFormat[];
export function formatsFor(use: 'report'): DocumentFormat[];
export function formatsFor(use: FormatUse): OutputFormat[];
export function formatsFor(use: FormatUse): OutputFormat[] {
  return FORMATS.filter((f) => f.kind === KIND[use]);
}

/** "md (or markdown), json, csv" */
export function formatChoices(use: FormatUse): string {
  return formatsFor(use)
    .map((f) => (f.aliases.length > 0 ? `${f.name} (or ${f.aliases.join(', ')})` : f.name))
    .join(', ');
}

/** The format a --format value names (case-insensitive, aliases allowed), or undefined. */
export function findFormat(use: FormatUse, value: string): OutputFormat | undefined {
  const v = value.toLowerCase();
  return formatsFor(use).find((f) => f.name === v || f.aliases.includes(v));
}

/** A `--format` option for a command: its choices and help come from the table above. */
export function formatOption(use: FormatUse, what: string, defaultName?: string): Option {
  const option = new Option('--format <format>', `${what}: ${formatChoices(use)}`).argParser((value: string) => {
    const f = findFormat(use, value);
    if (!f) throw new InvalidArgumentError(`expected ${formatChoices(use)}`);
    return f.name;
  });
  return defaultName === undefined ? option : option.default(defaultName);
}

export function streamFormat(name: StreamFormatName): StreamFormat {
  return formatsFor('replay').find((f) => f.name === name)!;
}

export function documentFormat(name: DocumentFormatName): DocumentFormat {
  return formatsFor('report').find((f) => f.name === name)!;
}

/** The document format for `--report FILE`: --format if given, else the file's extension, else Markdown. */
export function formatForFile(file: string, given: DocumentFormatName | undefined): DocumentFormat {
  if (given !== undefined) return documentFormat(given);
  const ext = extname(file).toLowerCase();
  return formatsFor('report').find((f) => f.extensions.includes(ext)) ?? documentFormat('md');
}

const USED_BY: Record<OutputFormat['kind'], string> = { stream: '`replay`', document: '`report`, `live`/`watch --report`' };

/** The table of formats in docs/cli.md (a test keeps the two identical). */
export function formatsMarkdown(): string {
  const rows = FORMATS.map((f) => `| \`${f.name}\` | ${f.aliases.map((a) => `\`${a}\``).join(', ')} | ${USED_BY[f.kind]} | ${f.description} |`);
  return ['| format | also | commands | what |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
