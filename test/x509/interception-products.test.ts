import { describe, expect, it } from 'vitest';
import { matchInterceptionProduct } from '../../src/x509/interception-products.js';

describe('matchInterceptionProduct', () => {
  it.each([
    ['Zscaler Root CA', 'Zscaler Inc.', 'Zscaler'],
    ['Zscaler Intermediate Root CA (zscaler.net) (t) ', undefined, 'Zscaler'],
    ['Cisco Umbrella Primary SubCA', 'Cisco', 'Cisco Umbrella'],
    ['Cisco Umbrella Secondary SubCA sea-SG', undefined, 'Cisco Umbrella'],
    ['mitmproxy', 'mitmproxy', 'mitmproxy'],
    ['caadmin.netskope.com', 'netSkope Inc', 'Netskope'],
    ['ca.acme.goskope.com', undefined, 'Netskope'],
    ['FortiGate CA', 'Fortinet', 'Fortinet FortiGate'],
    ['Acme-Forward-Trust-CA', 'Acme', 'Palo Alto Networks'],
    ['Kaspersky Anti-Virus Personal Root Certificate', undefined, 'Kaspersky'],
    ['Avast Web/Mail Shield Root', undefined, 'Avast/AVG/Norton'],
    ['ESET SSL Filter CA', 'ESET spol. s r. o.', 'ESET'],
    ['Cloudflare for Teams ECC Certificate Authority', 'Cloudflare, Inc.', 'Cloudflare Gateway'],
    ['Charles Proxy CA (7 Jan 2024, host)', 'XK72 Ltd', 'Charles Proxy'],
    ['DO_NOT_TRUST_FiddlerRoot', 'DO_NOT_TRUST', 'Fiddler'],
    ['PortSwigger CA', 'PortSwigger', 'Burp Suite'],
  ])('%s / %s → %s', (cn, org, product) => {
    expect(matchInterceptionProduct(cn, org)).toBe(product);
  });

  it.each([
    ['GTS CA 1C3', 'Google Trust Services LLC'],
    ['WE2', 'Google Trust Services'],
    ['R3', "Let's Encrypt"],
    ['Cloudflare Inc ECC CA-3', 'Cloudflare, Inc.'],
    ['DigiCert Global G2 TLS RSA SHA256 2020 CA1', 'DigiCert Inc'],
    ['gotap lab Root CA', 'gotap lab'],
    [undefined, undefined],
  ])('public or lab issuer %s / %s is no product', (cn, org) => {
    expect(matchInterceptionProduct(cn, org)).toBeUndefined();
  });
});
