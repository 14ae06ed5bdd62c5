/**
 * The report writers on a model fixture: exact expected outputs (test/report/expected/,
 * reviewed by hand), plus the rules each format promises — JSON exact and versioned, CSV
 * RFC 4180 with formula neutralisation, Markdown verdict first and escaped.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelBuilder } from '../../src/model/model-builder.js';
import { csvReport } from '../../src/report/csv-report.js';
import { jsonReport, REPORT_SCHEMA } from '../../src/report/json-report.js';
import { findingFields } from '../../src/report/records.js';
import { markdownReport } from '../../src/report/markdown-report.js';
import { repoRoot } from '../corpus.js';
import { attribution, ctx, clientHello, flow } from '../model/events.js';
import { fixtureModel } from './fixture.js';

const expected = (name: string) => readFileSync(resolve(repoRoot, 'test/report/expected', name), 'utf8');

describe('on the fixture model', () => {
  const m = fixtureModel();

  it('Markdown is the expected incident report', () => {
    expect(markdownReport(m)).toBe(expected('fixture.md'));
  });

  it('CSV is the expected table', () => {
    expect(csvReport(m)).toBe(expected('fixture.csv'));
  });

  it('JSON is the expected document', () => {
    expect(jsonReport(m)).toBe(expected('fixture.json'));
  });

  it('Markdown leads with the verdict, then findings by severity, hosts, timeline', () => {
    const md = markdownReport(m);
    expect(md.split('\n')[2]).toBe('**Verdict:** Module content fetched over plain HTTP from mirror.example; 1 critical, 1 warning, 1 note');
    const order = ['## Findings', '### Critical', '### Warnings', '### Informational', '## Hosts', '## Timeline'].map((h) => md.indexOf(h));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order.every((i) => i > 0)).toBe(true);
  });

  it('JSON is versioned and carries the model unchanged', () => {
    const doc = JSON.parse(jsonReport(m)) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(['schema', 'generator', 'capture', 'verdict', 'hosts', 'findings', 'timeline', 'overflow']);
    expect(doc.schema).toBe(REPORT_SCHEMA);
    expect(doc.findings).toEqual(JSON.parse(JSON.stringify(m.findings.map(findingFields))));
  });
});

function modelWithHost(name: string) {
  const b = new ModelBuilder();
  const a = attribution(1, name);
  b.event(clientHello(1, 3, name), ctx(a));
  b.flowEnded(flow(1), ctx(a));
  return b.snapshot();
}

describe('format rules', () => {
  it('CSV neutralises formulas and quotes separators in packet strings', () => {
    const csv = csvReport(modelWithHost('=hyperlink("http://evil","x"),@sum'));
    const row = csv.split('\r\n')[1]!;
    expect(row.startsWith(`"'=hyperlink(""http://evil"",""x""),@sum",other,`)).toBe(true);
  });

  it('JSON keeps packet strings exact', () => {
    const name = 'a\x1b[2J\u202eb|`*';
    const doc = JSON.parse(jsonReport(modelWithHost(name))) as { hosts: { key: string; tls: { sni: string[] } }[] };
    expect(doc.hosts[0]?.key).toBe(name);
    expect(doc.hosts[0]?.tls.sni).toEqual([name]);
  });

  it('Markdown cannot be broken out of a table cell or turned into a link', () => {
    const md = markdownReport(modelWithHost('x|y\n## [click](http://evil) <img>'));
    const row = md.split('\n').find((l) => l.startsWith('| x'))!;
    expect(row).toBe('| x\\|y\\\\x0a\\#\\# \\[click\\](http://evil) \\<img\\> | other | 127.0.0.2 | 1 | 100 B / 1.0 kB | – | – | – | – | – |');
  });

  it('a capture without findings says so in the verdict', () => {
    const b = new ModelBuilder();
    const a = attribution(1, 'proxy.golang.org');
    b.event(clientHello(1, 3, 'proxy.golang.org'), ctx(a));
    b.flowEnded(flow(1), ctx(a));
    expect(markdownReport(b.snapshot()).split('\n')[2]).toBe('**Verdict:** No problems found: 1 flow to 1 host, Go hosts proxy.golang.org');
  });
});
