// Certificates for the lab, made per run with the openssl CLI (Node can sign
// but not build X.509). `openssl ca` rather than `x509 -req` because only it
// can backdate notBefore: a "genuine" lab leaf should look weeks old like a
// Google one, while an interceptor's leaf is minted just before use.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const openssl = (args, cwd) => execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });

const asn1Time = (d) => d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';

function caConfig(dir) {
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'ca.cnf'), `[ca]
default_ca = lab
[lab]
dir = ${dir}
database = $dir/index.txt
new_certs_dir = $dir
rand_serial = yes
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
[anything]
commonName = supplied
organizationName = optional
organizationalUnitName = optional
countryName = optional
stateOrProvinceName = optional
localityName = optional
`);
  return join(dir, 'ca.cnf');
}

/**
 * A certificate authority.
 * @param {string} dir working directory (created)
 * @param {{subject: string, keyType: 'ec'|'rsa', daysBack: number}} opts
 *   subject in openssl "/O=…/CN=…" form
 */
export function createCa(dir, { subject, keyType, daysBack }) {
  mkdirSync(dir, { recursive: true });
  const cnf = caConfig(dir);
  const keyArgs = keyType === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];
  openssl(['req', '-new', ...keyArgs, '-nodes', '-keyout', 'ca.key', '-subj', subject, '-out', 'ca.csr'], dir);
  writeFileSync(join(dir, 'ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n');
  const now = Date.now();
  openssl(['ca', '-batch', '-preserveDN', '-config', cnf, '-selfsign', '-keyfile', 'ca.key', '-in', 'ca.csr', '-out', 'ca.pem', '-notext',
    '-startdate', asn1Time(new Date(now - daysBack * 86400e3)), '-enddate', asn1Time(new Date(now + 3650 * 86400e3)),
    '-extfile', 'ca.ext'], dir);
  return { dir, cnf, keyFile: join(dir, 'ca.key'), certFile: join(dir, 'ca.pem'), pem: readFileSync(join(dir, 'ca.pem'), 'utf8') };
}

/**
 * A server leaf for `host` signed by `ca`.
 * @param {{reuseCaKey?: boolean, keyType?: 'ec'|'rsa', minutesBack: number, days: number}} opts
 *   reuseCaKey: the leaf carries the CA's own public key (mitmproxy style)
 */
export function issueLeaf(ca, host, { reuseCaKey = false, keyType = 'ec', minutesBack, days }) {
  const base = join(ca.dir, host);
  const keyFile = reuseCaKey ? ca.keyFile : `${base}.key`;
  const keyArgs = reuseCaKey ? ['-key', ca.keyFile]
    : keyType === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile]
      : ['-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile];
  openssl(['req', '-new', ...keyArgs, '-subj', `/CN=${host}`, '-out', `${base}.csr`], ca.dir);
  writeFileSync(`${base}.ext`, `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature${keyType === 'rsa' || reuseCaKey ? ',keyEncipherment' : ''}\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:${host}\nauthorityKeyIdentifier=keyid\n`);
  const now = Date.now();
  openssl(['ca', '-batch', '-preserveDN', '-config', ca.cnf, '-cert', ca.certFile, '-keyfile', ca.keyFile, '-in', `${base}.csr`,
    '-out', `${base}.pem`, '-notext', '-startdate', asn1Time(new Date(now - minutesBack * 60e3)),
    '-enddate', asn1Time(new Date(now + days * 86400e3)), '-extfile', `${base}.ext`], ca.dir);
  return { key: readFileSync(keyFile), cert: readFileSync(`${base}.pem`, 'utf8') };
}
