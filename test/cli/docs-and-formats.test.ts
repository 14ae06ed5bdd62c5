/**
 * docs/cli.md and the --help text against the code they describe: every exit code in
 * src/cli/exit-codes.ts is a well-formed row of the exit-code table (and nothing else is),
 * and the list of output formats everywhere is the registry's (src/report/formats.ts).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { buildProgram } from '../../src/cli/main.js';
import { FORMATS, findFormat, formatChoices, formatForFile, formatsFor, formatsMarkdown } from '../../src/report/formats.js';
import { repoRoot } from '../corpus.js';

const doc = readFileSync(resolve(repoRoot, 'docs/cli.md'), 'utf8');

/** The rows of the table right after `heading`: consecutive lines starting with "|", header and separator dropped. */
function tableAfter(heading: string): string[][] {
  const lines = doc.slice(doc.indexOf(heading) + heading.length).split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[] = [];
  for (const l of lines.slice(start)) {
    if (!l.startsWith('|')) break;
    rows.push(l);
  }
  return rows.slice(2).map((r) => r.replace(/\\\|/g, '/').split('|').slice(1, -1).map((c) => c.trim()));
}

describe('docs/cli.md', () => {
  test('the exit-code table lists every exit code once, each a whole row of three cells', () => {
    expect(doc).toContain('\n## Exit codes\n');
    const rows = tableAfter('## Exit codes\n');
    for (const row of rows) expect(row, JSON.stringify(row)).toHaveLength(3);
    const codes = rows.map((r) => Number(r[0]));
    expect(codes).toEqual([...new Set(Object.values(EXIT))].sort((a, b) => a - b));
    // The row after the table is not table debris (the corruption this guards against).
    expect(doc.match(/^\| \d+ \|/gm)).toHaveLength(codes.length);
  });

  test('the formats table is the registry, and the report format lists are its choices', () => {
    expect(doc).toContain(`\n${formatsMarkdown()}\n`);
    expect(doc.split(`\`${formatChoices('report')}\``)).toHaveLength(3);
    for (const f of formatsFor('replay')) expect(doc).toContain(`| \`--format ${f.name}\``);
  });
});

describe('--format', () => {
  test('every command that takes it lists the registry’s formats in --help', () => {
    const program = buildProgram({ code: 0 });
    for (const [name, use] of [['replay', 'replay'], ['report', 'report'], ['live', 'report'], ['watch', 'report']] as const) {
      const help = program.commands.find((c) => c.name() === name)!.helpInformation({ error: false }).replace(/\s+/g, ' ');
      expect(help, name).toContain(formatChoices(use));
    }
  });

  test('names and aliases are unique per command and match whatever their case', () => {
    for (const use of ['replay', 'report'] as const) {
      const names = formatsFor(use).flatMap((f) => [f.name, ...f.aliases]);
      expect(new Set(names).size).toBe(names.length);
      for (const f of formatsFor(use)) {
        for (const n of [f.name, ...f.aliases]) {
          expect(findFormat(use, n)).toBe(f);
          expect(findFormat(use, n.toUpperCase())).toBe(f);
        }
      }
    }
    expect(findFormat('report', 'ndjson')).toBeUndefined();
    expect(findFormat('replay', 'md')).toBeUndefined();
    expect(FORMATS.map((f) => f.name)).toEqual(['text', 'ndjson', 'md', 'json', 'csv']);
  });

  test('--report FILE: --format wins, else the extension (any case), else Markdown', () => {
    expect(formatForFile('r.json', undefined).name).toBe('json');
    expect(formatForFile('R.CSV', undefined).name).toBe('csv');
    expect(formatForFile('r.markdown', undefined).name).toBe('md');
    expect(formatForFile('report', undefined).name).toBe('md');
    expect(formatForFile('r.json', 'csv').name).toBe('csv');
  });
});
