import { describe, expect, it } from 'vitest';
import { FindingBook, MAX_EVIDENCE, MAX_FINDINGS, type FindingDraft } from '../../../src/detect/tls/finding-book.js';
import type { Finding } from '../../../src/detect/types.js';

const draft = (host: string, severity: FindingDraft['severity'] = 'warn'): FindingDraft => ({ id: 'tls-x', severity, title: 't', detail: 'Something.', host, fix: 'f' });
const ev = (packet: number) => [{ packet, ts: packet, flowId: packet, what: `frame ${packet}` }];

describe('FindingBook', () => {
  it('keeps one finding per (id, host, severity) with bounded evidence and a count', () => {
    const seen: Finding[] = [];
    const book = new FindingBook((f) => seen.push(f));
    for (let i = 1; i <= 50; i++) book.report(draft('proxy.golang.org'), ev(i));
    book.report(draft('sum.golang.org'), ev(99));
    book.report(draft('proxy.golang.org', 'critical'), ev(100));
    expect(seen).toHaveLength(3);
    const first = seen[0]!;
    expect(first.evidence.map((e) => e.packet)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(first.evidence).toHaveLength(MAX_EVIDENCE);
    expect(first.detail).toBe('Something. Seen in 50 connections (evidence lists the first frames).');
    expect(seen[2]!.severity).toBe('critical');
  });

  it('caps the number of distinct findings (hosts come from packets)', () => {
    const book = new FindingBook(() => undefined);
    for (let i = 0; i < MAX_FINDINGS + 10; i++) book.report(draft(`h${i}.example`), ev(i));
    expect(book.findings()).toHaveLength(MAX_FINDINGS);
    expect(book.dropped).toBe(10);
  });
});
