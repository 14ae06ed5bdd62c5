/**
 * The options every command that runs detectors shares (report, and later live and
 * probe): the user's config, extra CAs, the Go settings to explain contacts against, and
 * --fail-on. `resolveInspectOptions` turns them into InspectOptions, reading the files;
 * any unreadable or invalid file becomes an InputError with one line naming it.
 */
import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { ConfigError, loadConfig, type GotapConfig } from '../attribution/config.js';
import { PolicyError, parseGoPolicy, type PolicyVar } from '../detect/policy/index.js';
import { goEnvText } from '../detect/policy/goenv-file.js';
import { TrustStore } from '../x509/trust-store.js';
import type { Severity } from '../findings/types.js';
import { severityRank } from '../findings/severity.js';
import type { ModelSnapshot } from '../model/types.js';
import type { InspectOptions } from '../pipeline/inspect.js';
import { EXIT } from './exit-codes.js';
import { InputError } from './input-error.js';

export interface InspectCliOptions {
  config?: string;
  caFile?: string[];
  goproxy?: string;
  gosumdb?: string;
  gonosumdb?: string;
  goprivate?: string;
  gonoproxy?: string;
  goinsecure?: string;
  goEnv?: string;
  /** false with --no-env-policy. */
  envPolicy?: boolean;
  failOn?: Severity;
}

const POLICY_FLAGS: [keyof InspectCliOptions, PolicyVar][] = [
  ['goproxy', 'GOPROXY'],
  ['gosumdb', 'GOSUMDB'],
  ['gonosumdb', 'GONOSUMDB'],
  ['goprivate', 'GOPRIVATE'],
  ['gonoproxy', 'GONOPROXY'],
  ['goinsecure', 'GOINSECURE'],
];

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** --keylog-file (replay and report): NSS key logs whose secrets the analyzers may use. */
export function addKeylogOption(cmd: Command): Command {
  return cmd.option('--keylog-file <file>', 'TLS key log (SSLKEYLOGFILE format) with the secrets of the captured connections (repeatable)', collect);
}

export function addInspectOptions(cmd: Command): Command {
  cmd
    .option('--config <file>', 'gotap.json: your mirrors and their roles, expected address ranges, extra CAs, accepted interception (docs/config.md)')
    .option('--ca-file <file>', 'PEM bundle of extra trusted CAs, e.g. your corporate root (repeatable)', collect);
  for (const [key, name] of POLICY_FLAGS) cmd.option(`--${key} <value>`, `${name} the go command used (overrides the environment and --go-env)`);
  return cmd
    .option('--go-env <file>', 'output of `go env -json`, or the GOENV file (`go env -w`), from the machine that made the capture')
    .option('--no-env-policy', "ignore the GO* variables of gotap's own environment")
    .addOption(new Option('--fail-on <severity>', 'exit with status 1 when a finding at or above this severity is reported').choices(['info', 'warn', 'critical']));
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function resolveInspectOptions(opts: InspectCliOptions): Promise<InspectOptions> {
  let config: GotapConfig | undefined;
  if (opts.config !== undefined) {
    try {
      config = await loadConfig(opts.config);
    } catch (err) {
      if (err instanceof ConfigError) throw new InputError(err.message, 'fix the file (docs/config.md describes it)');
      throw err;
    }
  }
  let trust: TrustStore;
  try {
    trust = await TrustStore.create({ caFiles: [...(config?.caFiles ?? []), ...(opts.caFile ?? [])], extraPems: config?.trustedCaPems ?? [] });
  } catch (err) {
    throw new InputError(message(err), 'check the path, and that the file holds PEM certificates (-----BEGIN CERTIFICATE-----)');
  }
  let goEnvJson: string | undefined;
  if (opts.goEnv !== undefined) {
    try {
      goEnvJson = goEnvText(await readFile(opts.goEnv, 'utf8'));
    } catch (err) {
      throw new InputError(`cannot read --go-env file: ${(err as NodeJS.ErrnoException).code ?? message(err)}`, 'save it with `go env -json > FILE`', opts.goEnv);
    }
  }
  const flags: Partial<Record<PolicyVar, string>> = {};
  for (const [key, name] of POLICY_FLAGS) {
    const v = opts[key];
    if (typeof v === 'string') flags[name] = v;
  }
  try {
    const policy = parseGoPolicy({ flags, ...(opts.envPolicy === false ? {} : { env: process.env }), ...(goEnvJson !== undefined ? { goEnvJson } : {}) });
    return { trust, policy, ...(config ? { config } : {}) };
  } catch (err) {
    if (err instanceof PolicyError) {
      const fromFile = opts.goEnv !== undefined && err.message.startsWith('go env -json');
      throw new InputError(err.message, fromFile ? 'save it with `go env -json > FILE`' : 'check the value (go help environment)', fromFile ? opts.goEnv : undefined);
    }
    throw err;
  }
}

/** EXIT.findings when --fail-on is set and a finding at or above it was reported (kept or not), else EXIT.ok. */
export function failOnCode(model: ModelSnapshot, failOn: Severity | undefined): number {
  if (failOn === undefined) return EXIT.ok;
  const c = model.counts.findingsBySeverity;
  const hit = (Object.keys(c) as Severity[]).some((s) => c[s] > 0 && severityRank(s) >= severityRank(failOn));
  return hit ? EXIT.findings : EXIT.ok;
}
