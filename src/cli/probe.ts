/**
 * `gotap probe [host…]`: connect to the Go hosts (or the ones named) the way the go command
 * would and judge the certificate chain the network presents now — the answer for TLS 1.3
 * traffic whose certificates a capture cannot show. Bad --ca-file/--config is one line on
 * stderr and exit 2; unreachable hosts are per-host results.
 */
import { Option, type Command, InvalidArgumentError } from 'commander';
import { HostCatalog } from '../attribution/catalog.js';
import { ConfigError, configEntries, loadConfig, type GotapConfig } from '../attribution/config.js';
import { severityAtLeast } from '../findings/severity.js';
import { InterceptionJudge } from '../detect/tls/interception.js';
import { CaFileError, TrustStore } from '../x509/trust-store.js';
import type { Severity } from '../findings/types.js';
import { probeHost, type ProbeResult } from '../probe/probe.js';
import { sanitizeTerminal } from '../util/sanitize.js';
import { EXIT } from './exit-codes.js';

interface ProbeCliOptions {
  resolver: string[];
  port: number;
  connect?: string;
  caFile: string[];
  config?: string;
  format: 'text' | 'json';
  failOn?: Severity;
  timeout: number;
}

/** Version of the `--format json` document. */
const PROBE_JSON_VERSION = 1;

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

function port(value: string): number {
  const n = positiveInt(value);
  if (n > 65535) throw new InvalidArgumentError('expected a port number (1-65535)');
  return n;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

const s = sanitizeTerminal;

function renderText(results: ProbeResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${s(r.host)}:${r.port} (${r.role})`);
    for (const res of r.resolutions) {
      lines.push(`  resolver ${s(res.resolver)}: ${res.error ? `error ${s(res.error)}` : res.addresses.map(s).join(', ') || '(no addresses)'}`);
    }
    for (const c of r.connections) {
      if (c.error) {
        lines.push(`  ${s(c.address)}: ${s(c.error)}`);
        continue;
      }
      const cert = c.certificate;
      lines.push(
        `  ${s(c.address)}: ${s(c.tlsVersion ?? '?')}, ALPN ${s(c.alpn ?? 'none')}, issuer ${s(cert?.issuer ?? '?')}, verdict ${cert?.verdict ?? '?'}` +
          (cert?.interceptionProduct ? ` (${s(cert.interceptionProduct)})` : ''),
      );
    }
    if (r.findings.length === 0 && r.connections.some((c) => !c.error)) lines.push('  no findings');
    for (const f of r.findings) {
      lines.push(`  [${f.severity}] ${f.id}: ${s(f.title)}`);
      lines.push(`      ${s(f.detail)}`);
      lines.push(`      fix: ${s(f.fix)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

async function runProbe(hosts: string[], opts: ProbeCliOptions): Promise<number> {
  let config: GotapConfig = {};
  let trust: TrustStore;
  try {
    if (opts.config !== undefined) config = await loadConfig(opts.config);
    trust = await TrustStore.create({ caFiles: [...(config.caFiles ?? []), ...opts.caFile], extraPems: config.trustedCaPems });
  } catch (err) {
    if (err instanceof ConfigError || err instanceof CaFileError) {
      process.stderr.write(`gotap: ${s(err.message)}\n`);
      return EXIT.input;
    }
    throw err;
  }
  const catalog = new HostCatalog(configEntries(config));
  const targets = hosts.length > 0 ? hosts : catalog.goHosts();
  const judge = new InterceptionJudge();
  const results: ProbeResult[] = [];
  for (const host of targets) {
    results.push(
      await probeHost(host, {
        port: opts.port,
        address: opts.connect,
        resolvers: opts.resolver,
        timeoutMs: opts.timeout,
        trust,
        catalog,
        acceptedInterception: config.acceptedInterception,
        judge,
      }),
    );
  }
  if (opts.format === 'json') {
    const doc = {
      version: PROBE_JSON_VERSION,
      probedAt: new Date().toISOString(),
      hosts: results.map((r) => ({ ...r, connections: r.connections.map(({ assessment, ...c }) => ({ ...c, problems: assessment?.problems ?? [] })) })),
    };
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    process.stdout.write(renderText(results));
  }
  const failOn = opts.failOn;
  if (failOn && results.some((r) => r.findings.some((f) => severityAtLeast(f.severity, failOn)))) return EXIT.findings;
  return EXIT.ok;
}

export function registerProbe(program: Command, result: { code: number }): void {
  program
    .command('probe')
    .description('connect to Go hosts now and check the certificate chain the network presents (default: the Go hosts of the catalog and config)')
    .argument('[host...]', 'host names to probe (default: proxy.golang.org, sum.golang.org and the other Go hosts)')
    .option('--resolver <addr>', 'also resolve through this DNS server (repeatable)', collect, [])
    .option('--port <n>', 'TCP port', port, 443)
    .option('--connect <addr>', 'skip name resolution and connect to this address (SNI stays the host name)')
    .option('--ca-file <file>', 'PEM file of CAs you trust, e.g. a corporate bundle (repeatable)', collect, [])
    .option('--config <file>', 'gotap.json with your mirrors, trusted CAs and accepted interception (docs/config.md)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(new Option('--fail-on <severity>', 'exit with status 1 when a finding at or above this severity is reported').choices(['info', 'warn', 'critical']))
    .option('--timeout <ms>', 'per connection and DNS query', positiveInt, 5000)
    .action(async (hosts: string[], opts: ProbeCliOptions) => {
      result.code = await runProbe(hosts, opts);
    });
}
