/**
 * Test PKI made with the real openssl CLI in a temp dir (ECDSA P-256, as Google serves):
 * a lab root → intermediate → leaf chain, a self-signed leaf, a "Zscaler Root CA" whose
 * leaves reuse its own key (as the lab's intercept scenario), a leaf that expired in 2020
 * (`openssl ca` sets explicit dates, which `openssl x509` 3.0 cannot), a leaf signed with the
 * lab root's own key, and a forged CA that carries a public root's name.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pemBlocks } from '../../../src/x509/certificate.js';

export interface TestPki {
  dir: string;
  /** PEM file paths. */
  files: { root: string; zscaler: string };
  /** DER of each certificate. */
  der: Record<'root' | 'inter' | 'leaf' | 'selfSigned' | 'zscaler' | 'zscalerLeaf' | 'zscalerLeafSum' | 'expired' | 'forgedLeaf' | 'rootKeyLeaf', Uint8Array>;
  /** PEM text + key for TLS servers. */
  pem: Record<'leaf' | 'inter' | 'root' | 'zscalerLeaf' | 'zscaler' | 'expired', string>;
  keys: Record<'leaf' | 'zscaler' | 'expired', string>;
  cleanup(): void;
}

const EXT = `
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[inter]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:proxy.golang.org, DNS:sum.golang.org
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[proxyonly]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:proxy.golang.org
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[sumonly]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:sum.golang.org
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

const CA_CONF = (dir: string): string => `
[ca]
default_ca = lab
[lab]
dir = ${dir}/ca
database = ${dir}/ca/index.txt
new_certs_dir = ${dir}/ca
serial = ${dir}/ca/serial
default_md = sha256
policy = any
copy_extensions = none
unique_subject = no
[any]
commonName = supplied
`;

export function makePki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'gotap-pki-'));
  const p = (n: string): string => join(dir, n);
  const ssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const key = (name: string): void => ssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p(`${name}.key`));
  const selfSign = (name: string, subj: string, ext: string, keyName = name): void =>
    ssl('req', '-x509', '-new', '-key', p(`${keyName}.key`), '-subj', subj, '-days', '3650', '-out', p(`${name}.pem`), '-extensions', ext, '-config', p('ext.cnf'));
  const sign = (name: string, subj: string, caName: string, ext: string, keyName = name): void => {
    ssl('req', '-new', '-key', p(`${keyName}.key`), '-subj', subj, '-out', p(`${name}.csr`), '-config', p('ext.cnf'));
    ssl('x509', '-req', '-in', p(`${name}.csr`), '-CA', p(`${caName}.pem`), '-CAkey', p(`${caName}.key`), '-CAcreateserial', '-days', '365', '-extfile', p('ext.cnf'), '-extensions', ext, '-out', p(`${name}.pem`));
  };
  // req needs a [req] section when -config is given.
  writeFileSync(p('ext.cnf'), `[req]\ndistinguished_name = dn\n[dn]\n${EXT}`);

  key('root');
  selfSign('root', '/O=gotap test/CN=gotap test Root CA', 'ca');
  key('inter');
  sign('inter', '/O=gotap test/CN=gotap test Intermediate CA', 'root', 'inter');
  key('leaf');
  sign('leaf', '/CN=proxy.golang.org', 'inter', 'leaf');
  key('selfSigned');
  selfSign('selfSigned', '/CN=proxy.golang.org', 'leaf');

  key('zscaler');
  selfSign('zscaler', '/C=US/O=Zscaler Inc./OU=Zscaler Inc./CN=Zscaler Root CA', 'ca');
  sign('zscalerLeaf', '/CN=proxy.golang.org', 'zscaler', 'proxyonly', 'zscaler');
  sign('zscalerLeafSum', '/CN=sum.golang.org', 'zscaler', 'sumonly', 'zscaler');

  sign('rootKeyLeaf', '/CN=proxy.golang.org', 'root', 'proxyonly', 'root');

  key('forged');
  selfSign('forged', '/C=US/O=Internet Security Research Group/CN=ISRG Root X1', 'ca');
  key('forgedLeaf');
  sign('forgedLeaf', '/CN=proxy.golang.org', 'forged', 'proxyonly');

  // The expired leaf: explicit 2020 dates through `openssl ca`, signed by the lab root.
  execFileSync('mkdir', ['-p', p('ca')]);
  writeFileSync(p('ca/index.txt'), '');
  writeFileSync(p('ca/serial'), '1000\n');
  writeFileSync(p('ca.cnf'), CA_CONF(dir));
  key('expired');
  ssl('req', '-new', '-key', p('expired.key'), '-subj', '/CN=proxy.golang.org', '-out', p('expired.csr'), '-config', p('ext.cnf'));
  ssl('ca', '-batch', '-config', p('ca.cnf'), '-cert', p('root.pem'), '-keyfile', p('root.key'), '-in', p('expired.csr'), '-out', p('expired.pem'),
    '-startdate', '20200101000000Z', '-enddate', '20200201000000Z', '-extfile', p('ext.cnf'), '-extensions', 'proxyonly', '-notext');

  const text = (n: string): string => readFileSync(p(n), 'utf8');
  const der = (n: string): Uint8Array => pemBlocks(text(`${n}.pem`))[0] as Uint8Array;
  return {
    dir,
    files: { root: p('root.pem'), zscaler: p('zscaler.pem') },
    der: {
      root: der('root'),
      inter: der('inter'),
      leaf: der('leaf'),
      selfSigned: der('selfSigned'),
      zscaler: der('zscaler'),
      zscalerLeaf: der('zscalerLeaf'),
      zscalerLeafSum: der('zscalerLeafSum'),
      expired: der('expired'),
      forgedLeaf: der('forgedLeaf'),
      rootKeyLeaf: der('rootKeyLeaf'),
    },
    pem: {
      leaf: text('leaf.pem'),
      inter: text('inter.pem'),
      root: text('root.pem'),
      zscalerLeaf: text('zscalerLeaf.pem'),
      zscaler: text('zscaler.pem'),
      expired: text('expired.pem'),
    },
    keys: { leaf: text('leaf.key'), zscaler: text('zscaler.key'), expired: text('expired.key') },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
