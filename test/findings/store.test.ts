import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { msg, plainText, runs } from '../../src/findings/message.js';
import { FindingStore, MAX_EVIDENCE, MAX_GROUPS } from '../../src/findings/store.js';
import type { Finding, FindingDraft } from '../../src/findings/types.js';
import { markdownCode } from '../../src/util/sanitize.js';

const draft = (host: string, severity: FindingDraft['severity'] = 'warn'): FindingDraft => ({
  id: 'tls-interception',
  severity,
  title: msg`t`,
  detail: msg`Something.`,
  host,
  fix: msg`f`,
});
const ev = (packet: number) => [{ packet, ts: packet, flowId: packet, what: `frame ${packet}` }];

describe('FindingScope.report', () => {
  it('keeps one finding per (id, host, severity) with bounded evidence and a count', () => {
    const seen: Finding[] = [];
    const store = new FindingStore((f) => seen.push(f));
    const scope = store.scope('TLS');
    for (let i = 1; i <= 50; i++) scope.report(draft('proxy.golang.org'), ev(i));
    scope.report(draft('sum.golang.org'), ev(99));
    scope.report(draft('proxy.golang.org', 'critical'), ev(100));
    const latest = store.findings();
    expect(latest).toHaveLength(3);
    const first = latest[0]!;
    expect(first.evidence.map((e) => e.packet)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(first.evidence).toHaveLength(MAX_EVIDENCE);
    expect(first.detail).toBe('Something. Seen in 50 connections (evidence lists the first frames).');
    expect(first.values.count).toBe(50);
    expect(latest[2]!.severity).toBe('critical');
  });

  it('never mutates a published finding: an update is a new frozen version with the same key', () => {
    const seen: Finding[] = [];
    const store = new FindingStore((f) => seen.push(f));
    const scope = store.scope('TLS');
    scope.report(draft('proxy.golang.org'), ev(1));
    const v1 = seen[0]!;
    const snapshot = JSON.stringify(v1);
    scope.report(draft('proxy.golang.org'), ev(2));
    expect(seen).toHaveLength(1);
    store.flush();
    expect(seen).toHaveLength(2);
    const v2 = seen[1]!;
    expect(Object.isFrozen(v1)).toBe(true);
    expect(Object.isFrozen(v1.evidence)).toBe(true);
    expect(JSON.stringify(v1)).toBe(snapshot);
    expect(v2.key).toBe(v1.key);
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(v2.detail).toBe('Something. Seen in 2 connections.');
  });

  it('publishes nothing new when an occurrence changes nothing visible', () => {
    const seen: Finding[] = [];
    const store = new FindingStore((f) => seen.push(f));
    const scope = store.scope('x');
    const g = scope.aggregator<{ n: number }>();
    const publish = scope.publisher<{ n: number }>(() => draft('h'));
    const group = g.add('k', ev(1)[0], () => ({ n: 0 }))!;
    publish(group);
    publish(group);
    expect(seen).toHaveLength(1);
  });

  it('caps distinct findings per scope and reports the drop once at the end', () => {
    const store = new FindingStore(() => undefined);
    const scope = store.scope('TLS certificate');
    for (let i = 0; i < MAX_GROUPS + 10; i++) scope.report(draft(`h${i}.example`), ev(i));
    expect(store.findings()).toHaveLength(MAX_GROUPS);
    store.finish();
    const capped = store.findings().filter((f) => f.id === 'findings-capped');
    expect(capped).toHaveLength(1);
    expect(capped[0]!.title).toBe('TLS certificate: 10 further occurrences not itemised');
  });
});

describe('messages', () => {
  it('keeps wording and values apart, and renders code spans as backticks in plain text', () => {
    const issuer = 'Zscaler Root CA';
    const m = msg`your network re-signs TLS with \`${issuer}\`; ask IT to exempt ${'proxy.golang.org'}`;
    expect(plainText(m)).toBe('your network re-signs TLS with `Zscaler Root CA`; ask IT to exempt proxy.golang.org');
    expect(m.filter((s) => s.value).map((s) => s.text)).toEqual(['Zscaler Root CA', 'proxy.golang.org']);
    expect(runs(m).filter((r) => r.code).map((r) => r.text)).toEqual(['Zscaler Root CA']);
  });

  it('splices nested messages, which become code inside a code span', () => {
    const inner = msg`go env -w ${'GOPROXY'}=x`;
    expect(plainText(msg`run \`${inner}\` now`)).toBe('run `go env -w GOPROXY=x` now');
    expect(runs(msg`run \`${inner}\` now`).map((r) => r.code)).toEqual([false, true, false]);
  });

  it('never parses a value: backticks inside data stay data', () => {
    fc.assert(
      fc.property(fc.string(), (v) => {
        const m = msg`a ${v} b`;
        expect(plainText(m)).toBe(`a ${v} b`);
        expect(runs(m).every((r) => !r.code)).toBe(true);
      }),
    );
  });

  it('Markdown code spans hold any value literally (fence longer than any backtick run)', () => {
    expect(markdownCode('Zscaler Root CA')).toBe('`Zscaler Root CA`');
    expect(markdownCode('a`b')).toBe('``a`b``');
    expect(markdownCode('`x')).toBe('`` `x ``');
    expect(markdownCode('\u001b[31mred')).toBe('`\\x1b[31mred`');
  });
});
