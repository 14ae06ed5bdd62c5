import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPolicyDetector } from '../../../src/detect/policy/policy-detector.js';
import { parseGoPolicy, type GoPolicy } from '../../../src/detect/policy/policy.js';
import type { Finding } from '../../../src/detect/types.js';
import { detectorRun } from '../harness.js';
import type { GotapEvent } from '../../../src/protocols/events.js';
import { repoRoot } from '../../corpus.js';
import { clientFatalAlert, flow, goRequestFor, httpRequest, httpResponse, tlsHello, tlsServerHello } from './events.js';
import { attribution, labCapture, runDetectors, summary, testCatalog } from './lab.js';

const catalog = testCatalog();

function run(policy: GoPolicy, events: GotapEvent[], ended: number[] = []): Finding[] {
  const r = detectorRun((scope) => createPolicyDetector({ catalog, policy }, scope));
  for (const ev of events) {
    const a = attribution({ flowId: ev.flowId });
    r.event(ev, a);
    // The pipeline emits the derived go-request right after its http-request.
    if (ev.type === 'http-request') {
      const go = goRequestFor(ev);
      if (go) r.event(go, a);
    }
  }
  for (const id of ended) r.flowEnded(flow(id, '192.0.2.1', 443, id), attribution({ flowId: id }));
  return r.finish();
}

function byId(findings: Finding[], id: string): Finding[] {
  return findings.filter((f) => f.id === id);
}

describe('policy detector on event sequences', () => {
  it('flags a proxy contact that GOPROXY=direct does not explain, with the frames', () => {
    const policy = parseGoPolicy({ env: { GOPROXY: 'direct' } });
    const f = run(policy, [tlsHello(41, 1, 'proxy.golang.org'), tlsHello(97, 2, 'proxy.golang.org'), tlsHello(160, 3, 'proxy.golang.org')]);
    const [v] = byId(f, 'policy-proxy-not-in-goproxy');
    expect(v).toMatchObject({ severity: 'warn', host: 'proxy.golang.org', title: 'GOPROXY=direct but proxy.golang.org was contacted' });
    expect(v!.detail).toContain('GOPROXY=direct but proxy.golang.org was contacted 3 times (frames 41, 97, 160)');
    expect(v!.fix).toContain('go env GOENV');
    expect(v!.fix).toContain('toolsEnvVars');
  });

  it('publishes a violation at once and a new version (coalesced until flushed) as contacts recur', () => {
    const r = detectorRun((scope) => createPolicyDetector({ catalog, policy: parseGoPolicy({ env: { GOPROXY: 'direct' } }) }, scope));
    r.event(tlsHello(41, 1, 'proxy.golang.org'), attribution({ flowId: 1 }));
    expect(r.published.map((f) => f.id)).toEqual(['policy-proxy-not-in-goproxy']);
    r.event(tlsHello(97, 2, 'proxy.golang.org'), attribution({ flowId: 2 }));
    expect(r.published).toHaveLength(1);
    r.flush();
    expect(r.published).toHaveLength(2);
    expect(r.published[1]!.key).toBe(r.published[0]!.key);
    expect(r.published[0]!.detail).toContain('contacted 1 time (frame 41)');
    expect(r.published[1]!.detail).toContain('contacted 2 times (frames 41, 97)');
  });

  it('counts each flow once however many flows are open at a time (no per-detector cap)', () => {
    const policy = parseGoPolicy({});
    const n = 5000;
    const events: GotapEvent[] = [];
    for (let id = 1; id <= n; id++) events.push(tlsHello(id, id, 'proxy.golang.org'));
    for (let id = 1; id <= n; id++) events.push(tlsHello(n + id, id, 'proxy.golang.org'));
    const [f] = run(policy, events);
    expect(f!.detail).toContain(`proxy.golang.org: GOPROXY entry #1, ${n} times`);
  });

  it('counts one contact per flow and explains GOPROXY and GOSUMDB contacts in one summary', () => {
    const policy = parseGoPolicy({});
    const f = run(policy, [tlsHello(10, 1, 'proxy.golang.org'), tlsHello(11, 1, 'proxy.golang.org'), tlsHello(20, 2, 'sum.golang.org')]);
    expect(summary(f)).toEqual(['info policy-contact-explained -']);
    expect(f[0]!.detail).toContain('proxy.golang.org: GOPROXY entry #1, 1 time; sum.golang.org: GOSUMDB (sum.golang.org), 1 time');
  });

  it('states an observed fallback after a 404, attached to the proxy that answered it', () => {
    const policy = parseGoPolicy({ env: { GOPROXY: 'https://goproxy.cn,https://proxy.golang.org,direct' } });
    const req1 = httpRequest(5, 1, 'GET', '/example.test/!corp/!tool/@v/v0.1.0.mod', 'goproxy.cn');
    const req2 = httpRequest(9, 2, 'GET', '/example.test/!corp/!tool/@v/v0.1.0.mod', 'proxy.golang.org');
    const f = run(policy, [req1, httpResponse(6, 1, 404, req1), req2, httpResponse(10, 2, 200, req2)]);
    const [fb] = byId(f, 'policy-fallback');
    expect(fb).toMatchObject({ severity: 'info', host: 'goproxy.cn', title: 'goproxy.cn could not serve some modules; fetched from proxy.golang.org instead' });
    expect(fb!.detail).toContain('answered 404/410 for example.test/Corp/Tool');
    expect(fb!.evidence.map((e) => e.packet)).toEqual([6, 9]);
  });

  it('does not call a 500 after "," a fallback, but does after "|"', () => {
    const seq = (sep: string) => {
      const policy = parseGoPolicy({ env: { GOPROXY: `https://goproxy.cn${sep}https://proxy.golang.org` } });
      const req1 = httpRequest(5, 1, 'GET', '/rsc.io/quote/@v/list', 'goproxy.cn');
      const req2 = httpRequest(9, 2, 'GET', '/rsc.io/quote/@v/list', 'proxy.golang.org');
      return byId(run(policy, [req1, httpResponse(6, 1, 500, req1), req2]), 'policy-fallback');
    };
    // With ',' the later contact is still listed as inferred (order alone), never as observed.
    expect(seq(',').map((f) => f.title)).toEqual(['proxy.golang.org contacted after goproxy.cn: fallback inferred']);
    expect(seq('|').map((f) => f.title)).toEqual(['goproxy.cn could not serve some modules; fetched from proxy.golang.org instead']);
  });

  it('infers a fallback from contact order over TLS and says it is inferred', () => {
    const policy = parseGoPolicy({ env: { GOPROXY: 'https://goproxy.cn,https://proxy.golang.org,direct' } });
    const [fb] = byId(run(policy, [tlsHello(11, 1, 'goproxy.cn'), tlsHello(48, 2, 'proxy.golang.org')]), 'policy-fallback');
    expect(fb).toMatchObject({ host: 'goproxy.cn', title: 'proxy.golang.org contacted after goproxy.cn: fallback inferred' });
    expect(fb!.detail).toContain('Inferred');
  });

  it('reports sumdb through a proxy as observed after /supported answered 200', () => {
    const policy = parseGoPolicy({ env: { GOPROXY: 'https://goproxy.cn,direct' } });
    const sup = httpRequest(5, 1, 'GET', '/sumdb/sum.golang.org/supported', 'goproxy.cn');
    const lookup = httpRequest(7, 1, 'GET', '/sumdb/sum.golang.org/lookup/rsc.io/quote@v1.5.2', 'goproxy.cn');
    const [s] = byId(run(policy, [sup, httpResponse(6, 1, 200, sup), lookup]), 'policy-sumdb-via-proxy');
    expect(s).toMatchObject({ severity: 'info', host: 'goproxy.cn', title: 'Checksum database sum.golang.org reached through goproxy.cn' });
    expect(s!.detail).toContain('after /sumdb/sum.golang.org/supported answered 200 (frame 6)');
  });

  it('infers sumdb through the proxy only when the proxy served and the database was never contacted', () => {
    const policy = parseGoPolicy({ env: { GOPROXY: 'https://goproxy.cn,direct' } });
    const served = run(policy, [tlsHello(11, 1, 'goproxy.cn'), tlsServerHello(12, 1)], [1]);
    expect(byId(served, 'policy-sumdb-via-proxy').map((f) => f.title)).toEqual(['Checksum database sum.golang.org apparently reached through goproxy.cn (inferred)']);
    const rejected = run(policy, [tlsHello(11, 1, 'goproxy.cn'), tlsServerHello(12, 1), clientFatalAlert(14, 1)], [1]);
    expect(byId(rejected, 'policy-sumdb-via-proxy')).toEqual([]);
    const direct = run(policy, [tlsHello(11, 1, 'goproxy.cn'), tlsServerHello(12, 1), tlsHello(20, 2, 'sum.golang.org')], [1]);
    expect(byId(direct, 'policy-sumdb-via-proxy')).toEqual([]);
  });

  it('flags private modules sent to a proxy or looked up in the checksum database', () => {
    const policy = parseGoPolicy({ env: { GOPRIVATE: 'example.test/private' } });
    const f = run(policy, [
      httpRequest(5, 1, 'GET', '/example.test/private/@v/list', 'proxy.golang.org'),
      httpRequest(9, 2, 'GET', '/lookup/example.test/private@v1.0.0', 'sum.golang.org'),
      httpRequest(11, 2, 'GET', '/lookup/example.test/public@v1.0.0', 'sum.golang.org'),
    ]);
    expect(summary(byId(f, 'policy-private-module-leaked'))).toEqual(['warn policy-private-module-leaked proxy.golang.org', 'warn policy-private-module-leaked sum.golang.org']);
    const lookup = byId(f, 'policy-private-module-leaked').find((x) => x.host === 'sum.golang.org')!;
    expect(lookup.title).toBe('Private module looked up in checksum database sum.golang.org');
    expect(lookup.detail).toContain('1 request for modules matching GONOSUMDB=example.test/private');
    expect(lookup.evidence.map((e) => e.packet)).toEqual([9]);
  });

  it('flags checksum databases the policy does not name', () => {
    const off = run(parseGoPolicy({ env: { GOSUMDB: 'off' } }), [tlsHello(3, 1, 'sum.golang.org')]);
    expect(summary(off)).toEqual(['warn policy-sumdb-contacted-while-off sum.golang.org']);
    const other = run(parseGoPolicy({ env: { GOSUMDB: 'sum.golang.google.cn' } }), [tlsHello(3, 1, 'sum.golang.org'), tlsHello(5, 2, 'sum.golang.google.cn')]);
    expect(summary(other)).toEqual(['info policy-contact-explained -', 'warn policy-unexpected-sumdb sum.golang.org']);
    const viaProxy = run(parseGoPolicy({}), [httpRequest(5, 1, 'GET', '/sumdb/sum.example.com/lookup/rsc.io/quote@v1.5.2', 'proxy.golang.org')]);
    expect(summary(viaProxy)).toContain('warn policy-unexpected-sumdb proxy.golang.org');
  });

  it('explains a CONNECT-tunnelled contact by GOPROXY and HTTPS_PROXY', () => {
    const f = run(parseGoPolicy({}), [httpRequest(7, 1, 'CONNECT', 'proxy.golang.org:443'), tlsHello(23, 1, 'proxy.golang.org')]);
    expect(summary(f)).toEqual(['info policy-contact-explained -']);
    expect(f[0]!.detail).toContain('proxy.golang.org: GOPROXY entry #1, 1 time, through HTTPS_PROXY 192.0.2.1:443');
  });

  it('ignores hosts the policy does not govern', () => {
    expect(run(parseGoPolicy({ env: { GOPROXY: 'off' } }), [tlsHello(1, 1, 'github.com'), tlsHello(2, 2, 'www.example.com')])).toEqual([]);
  });
});

function scenarioPolicy(scenario: string, run = 0): GoPolicy {
  const s = JSON.parse(readFileSync(resolve(repoRoot, 'captures/lab', scenario, 'scenario.json'), 'utf8')) as { runs: { env: NodeJS.ProcessEnv }[] };
  return parseGoPolicy({ env: s.runs[run]!.env });
}

async function lab(scenario: string): Promise<Finding[]> {
  const policy = scenarioPolicy(scenario);
  return runDetectors(labCapture(scenario), catalog, (scope) => [createPolicyDetector({ catalog, policy }, scope)]);
}

describe('policy detector on the lab captures', () => {
  it('goproxy-ignored: the editor run contacting proxy.golang.org despite GOPROXY=direct is flagged with its frame', async () => {
    const f = await lab('goproxy-ignored');
    expect(summary(f)).toEqual(['info policy-contact-explained -', 'warn policy-proxy-not-in-goproxy proxy.golang.org']);
    const v = byId(f, 'policy-proxy-not-in-goproxy')[0]!;
    expect(v.detail).toContain('GOPROXY=direct but proxy.golang.org was contacted 1 time (frame 46)');
    expect(v.detail).toContain('GOPRIVATE=example.test/private');
    expect(v.detail).toContain('sum.golang.org was contacted after it (frame 109); if that was the same process');
    expect(byId(f, 'policy-contact-explained')[0]!.detail).toContain('sum.golang.org: GOSUMDB (sum.golang.org), 1 time');
  });

  it('mirror-fallback: proxy.golang.org explained as fallback from goproxy.cn (inferred over TLS)', async () => {
    const f = await lab('mirror-fallback');
    expect(summary(f)).toEqual(['info policy-contact-explained -', 'info policy-fallback goproxy.cn']);
    expect(byId(f, 'policy-contact-explained')[0]!.detail).toContain('goproxy.cn: GOPROXY entry #1, 2 times; proxy.golang.org: GOPROXY entry #2, 2 times; sum.golang.org: GOSUMDB');
  });

  it('sumdb-via-mirror: sum.golang.org never contacted, sumdb through goproxy.cn inferred', async () => {
    const f = await lab('sumdb-via-mirror');
    expect(summary(f)).toEqual(['info policy-contact-explained -', 'info policy-sumdb-via-proxy goproxy.cn']);
  });

  it('sumdb-direct: goproxy.cn and sum.golang.org both explained, nothing inferred', async () => {
    const f = await lab('sumdb-direct');
    expect(summary(f)).toEqual(['info policy-contact-explained -']);
  });

  it('plaintext: /supported answered 404 is seen, so no sumdb-via-proxy; the go-requests are explained', async () => {
    const policy = scenarioPolicy('plaintext', 0);
    const f = await runDetectors(labCapture('plaintext'), catalog, (scope) => [createPolicyDetector({ catalog, policy }, scope)]);
    // Run 2 of the scenario used GOPROXY=https://goproxy.cn, which run 1's policy does not explain.
    expect(summary(f)).toEqual(['info policy-contact-explained -', 'warn policy-proxy-not-in-goproxy goproxy.cn']);
  });

  it('corp-proxy: contacts through the CONNECT proxy are explained by HTTPS_PROXY', async () => {
    const f = await lab('corp-proxy');
    expect(summary(f)).toEqual(['info policy-contact-explained -']);
    expect(f[0]!.detail).toContain('through HTTPS_PROXY 127.0.0.9:3128');
  });
});
