// The lab's scenarios: which hosts exist, what each answers, which go
// commands run, and which hosts gotap is expected to flag (and why). Each
// scenario is data plus small handler choices, so a new one is a few lines.
import { goproxyHandler, privateHostHandler, sumdbHandler } from './lib/handlers.mjs';
import { PSEUDO, escapeModulePath } from './lib/modtree.mjs';

/** Loopback addresses inside the namespace (the real hosts' stand-ins). */
export const ADDRESSES = {
  'proxy.golang.org': '127.0.0.2',
  'sum.golang.org': '127.0.0.3',
  'goproxy.cn': '127.0.0.4',
  'example.test': '127.0.0.5',
  corpProxy: '127.0.0.9',
  hijacker: '127.0.0.66',
};

export const CONSUMER_GO_MOD = `module lab.test/consumer

go 1.19

require example.test/alpha v1.1.0

require (
	example.test/Corp/Tool v0.1.0 // indirect
	example.test/beta v1.0.0 // indirect
	example.test/gamma ${PSEUDO} // indirect
)
`;

const PROXY = 'https://proxy.golang.org,direct';
const download = { cwd: 'consumer', args: ['mod', 'download', '-x'] };

/** The zone every scenario starts from. */
const zone = () => ({
  'proxy.golang.org': ADDRESSES['proxy.golang.org'],
  'sum.golang.org': ADDRESSES['sum.golang.org'],
  'goproxy.cn': ADDRESSES['goproxy.cn'],
  'example.test': ADDRESSES['example.test'],
});

/**
 * Sites are built from the run's context `lab`: { tree, sumdb, tls(host, kind) }.
 * kind 'lab' = leaf from the trusted lab CA; 'zscaler' = interception leaf.
 */
const proxySite = (lab, host, opts = {}) => ({
  name: host,
  address: opts.address ?? ADDRESSES[host],
  port: 443,
  tls: lab.tls(host, opts.ca ?? 'lab'),
  handler: goproxyHandler({ tree: lab.tree, sumdb: lab.sumdb, sumdbSupported: false, ...opts.proxy }),
});
const sumdbSite = (lab, opts = {}) => ({
  name: 'sum.golang.org',
  address: ADDRESSES['sum.golang.org'],
  port: 443,
  tls: lab.tls('sum.golang.org', opts.ca ?? 'lab'),
  handler: sumdbHandler(lab.sumdb),
});

/**
 * @typedef {{name: string, title: string, zone: () => Record<string, string>,
 *   injected?: Record<string, string>, sites: (lab: object) => object[], connectProxy?: boolean,
 *   caFile?: 'lab'|'zscaler', runs: (lab: object) => object[],
 *   flags: {host: string, why: string}[]}} Scenario
 * @type {Scenario[]}
 */
export const SCENARIOS = [
  {
    name: 'clean',
    title: 'go mod download, then go get …@latest (list, latest, info, mod, zip) through proxy.golang.org and sum.golang.org, TLS 1.3, nothing wrong',
    zone,
    sites: (lab) => [proxySite(lab, 'proxy.golang.org'), sumdbSite(lab)],
    runs: (lab) => [
      { label: 'shell', ...download, env: { GOPROXY: PROXY, GOSUMDB: lab.sumdb.vkey } },
      {
        label: 'go-get',
        cwd: 'consumer',
        args: ['get', '-x', 'example.test/alpha@latest', 'example.test/gamma@latest'],
        env: { GOPROXY: PROXY, GOSUMDB: lab.sumdb.vkey },
      },
    ],
    flags: [],
  },
  {
    name: 'mirror-fallback',
    title: 'goproxy.cn answers 404 for example.test/Corp/Tool; the go command falls back to proxy.golang.org for it',
    zone,
    sites: (lab) => [
      proxySite(lab, 'goproxy.cn', { proxy: { missing: (p) => p === escapeModulePath('example.test/Corp/Tool') } }),
      proxySite(lab, 'proxy.golang.org'),
      sumdbSite(lab),
    ],
    runs: (lab) => [{ label: 'shell', ...download, env: { GOPROXY: `https://goproxy.cn,${PROXY}`, GOSUMDB: lab.sumdb.vkey } }],
    flags: [{ host: 'goproxy.cn', why: 'info: mirror answered 404 for example.test/Corp/Tool, fetched from proxy.golang.org instead' }],
  },
  {
    name: 'sumdb-via-mirror',
    title: 'goproxy.cn answers 200 to /sumdb/sum.golang.org/supported and serves the checksum database itself',
    zone,
    sites: (lab) => [proxySite(lab, 'goproxy.cn', { proxy: { sumdbSupported: true } }), sumdbSite(lab)],
    runs: (lab) => [{ label: 'shell', ...download, env: { GOPROXY: 'https://goproxy.cn,direct', GOSUMDB: lab.sumdb.vkey } }],
    flags: [{ host: 'goproxy.cn', why: 'info: checksum database proxied by the mirror (sum.golang.org never contacted)' }],
  },
  {
    name: 'sumdb-direct',
    title: 'goproxy.cn answers 404 to /sumdb/sum.golang.org/supported, so the go command asks sum.golang.org directly',
    zone,
    sites: (lab) => [proxySite(lab, 'goproxy.cn'), sumdbSite(lab)],
    runs: (lab) => [{ label: 'shell', ...download, env: { GOPROXY: 'https://goproxy.cn,direct', GOSUMDB: lab.sumdb.vkey } }],
    flags: [],
  },
  {
    name: 'intercept',
    title: 'TLS 1.2 interception by a "Zscaler Root CA" (leaf reuses the CA key); the CA is trusted so the go command succeeds',
    zone,
    caFile: 'zscaler',
    sites: (lab) => [proxySite(lab, 'proxy.golang.org', { ca: 'zscaler' }), sumdbSite(lab, { ca: 'zscaler' })],
    runs: (lab) => [{ label: 'shell', ...download, env: { GOPROXY: PROXY, GOSUMDB: lab.sumdb.vkey } }],
    flags: [
      { host: 'proxy.golang.org', why: 'critical: certificate issued by Zscaler Root CA (O=Zscaler Inc.), TLS 1.2, leaf key equals issuer key' },
      { host: 'sum.golang.org', why: 'critical: certificate issued by Zscaler Root CA (O=Zscaler Inc.), TLS 1.2, leaf key equals issuer key' },
    ],
  },
  {
    name: 'intercept-rejected',
    title: 'the same interception with the CA not trusted: the go client sends a fatal bad_certificate alert after the Certificate',
    zone,
    sites: (lab) => [proxySite(lab, 'proxy.golang.org', { ca: 'zscaler' }), sumdbSite(lab, { ca: 'zscaler' })],
    runs: (lab) => [{ label: 'shell', ...download, env: { GOPROXY: PROXY, GOSUMDB: lab.sumdb.vkey } }],
    flags: [{ host: 'proxy.golang.org', why: 'critical: client rejected the Zscaler Root CA certificate (fatal alert after Certificate, x509: certificate signed by unknown authority)' }],
  },
  {
    name: 'dns-hijack',
    title: 'proxy.golang.org resolves to 127.0.0.66 (an injected first answer; the real 127.0.0.2 comes second) where an impostor serves it',
    zone,
    injected: { 'proxy.golang.org': ADDRESSES.hijacker },
    sites: (lab) => [
      proxySite(lab, 'proxy.golang.org'),
      { ...proxySite(lab, 'proxy.golang.org', { address: ADDRESSES.hijacker }), name: 'impostor', tls: lab.tls('proxy.golang.org', 'impostor') },
      sumdbSite(lab),
    ],
    runs: (lab) => [{ label: 'shell', ...download, env: { GOPROXY: PROXY, GOSUMDB: lab.sumdb.vkey } }],
    flags: [{ host: 'proxy.golang.org', why: 'critical: two different DNS answers to one query (127.0.0.66 then 127.0.0.2); connected to 127.0.0.66, not the expected address' }],
  },
  {
    name: 'plaintext',
    title: 'GOPROXY=http://proxy.golang.org (modules over plain HTTP), then https://goproxy.cn redirecting .zip requests to http:// (refused)',
    zone,
    sites: (lab) => [
      { ...proxySite(lab, 'proxy.golang.org'), port: 80, tls: undefined },
      sumdbSite(lab),
      proxySite(lab, 'goproxy.cn', { proxy: { redirect: (p) => (p.endsWith('.zip') ? `http://goproxy.cn${p}` : undefined) } }),
      { ...proxySite(lab, 'goproxy.cn'), port: 80, tls: undefined },
    ],
    runs: (lab) => [
      { label: 'http-proxy', ...download, env: { GOPROXY: 'http://proxy.golang.org', GOSUMDB: lab.sumdb.vkey } },
      { label: 'https-to-http-redirect', ...download, env: { GOPROXY: 'https://goproxy.cn', GOSUMDB: lab.sumdb.vkey } },
    ],
    flags: [
      { host: 'proxy.golang.org', why: 'critical: module proxy over plain HTTP (GOPROXY=http://…)' },
      { host: 'goproxy.cn', why: 'warn: https redirect to http:// (the go command refused it)' },
    ],
  },
  {
    name: 'corp-proxy',
    title: 'HTTPS_PROXY=http://127.0.0.9:3128: CONNECT proxy.golang.org:443 / sum.golang.org:443 in clear, TLS inside',
    zone,
    connectProxy: true,
    sites: (lab) => [proxySite(lab, 'proxy.golang.org'), sumdbSite(lab)],
    runs: (lab) => [{
      label: 'shell',
      ...download,
      env: { GOPROXY: PROXY, GOSUMDB: lab.sumdb.vkey, HTTPS_PROXY: `http://${ADDRESSES.corpProxy}:3128` },
    }],
    flags: [{ host: 'proxy.golang.org', why: 'info: reached through the HTTP CONNECT proxy 127.0.0.9:3128' }],
  },
  {
    name: 'goproxy-ignored',
    title: 'shell has GOPRIVATE/GONOSUMDB/GOPROXY=direct, yet a clean-environment process (an editor) asks proxy.golang.org for the private module',
    zone,
    sites: (lab) => [
      proxySite(lab, 'proxy.golang.org'),
      sumdbSite(lab),
      {
        name: 'example.test',
        address: ADDRESSES['example.test'],
        port: 443,
        tls: lab.tls('example.test', 'lab'),
        handler: privateHostHandler({ tree: lab.tree, host: 'example.test', privatePath: 'example.test/private' }),
      },
    ],
    runs: () => [
      {
        label: 'shell',
        cwd: 'empty',
        args: ['mod', 'download', '-x', 'example.test/private@v1.0.0'],
        env: { GOPRIVATE: 'example.test/private', GONOSUMDB: 'example.test/private', GOPROXY: 'direct' },
      },
      { label: 'editor', cwd: 'empty', cleanEnv: true, args: ['list', '-m', '-x', '-versions', 'example.test/private'] },
    ],
    flags: [
      { host: 'proxy.golang.org', why: 'warn: private module example.test/private requested from the public proxy (GOPROXY/GOPRIVATE not applied to every process)' },
      { host: 'sum.golang.org', why: 'warn: private module example.test/private looked up in the public checksum database (GONOSUMDB not applied to every process)' },
    ],
  },
];
