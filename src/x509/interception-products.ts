/**
 * TLS interception products, recognised by the issuer names their on-the-fly CAs put in
 * the certificates they mint (from Chromium's MITM-software list and public Go issues,
 * ../shared/GO-FACTS.md). A match names the product in findings so the user knows whom to
 * ask; patterns stay specific enough not to match public CAs of the same vendors
 * (e.g. Cloudflare's public "Cloudflare Inc ECC CA-3" is not Cloudflare Gateway).
 */

interface ProductPattern {
  product: string;
  cn?: RegExp;
  org?: RegExp;
}

const PRODUCTS: ProductPattern[] = [
  { product: 'Zscaler', cn: /zscaler/i, org: /zscaler/i },
  { product: 'Cisco Umbrella', cn: /^Cisco Umbrella (Root CA|Primary SubCA|Secondary SubCA)/i, org: /Cisco Umbrella/i },
  { product: 'Netskope', cn: /netskope|\.goskope\.com$/i, org: /netskope/i },
  { product: 'Fortinet FortiGate', cn: /FortiGate CA|Fortinet/i, org: /Fortinet/i },
  { product: 'Palo Alto Networks', cn: /Forward[- ]?Trust/i, org: /Palo Alto Networks/i },
  { product: 'Sophos', cn: /Sophos SSL CA|sophosutm Proxy CA/i, org: /Sophos/i },
  { product: 'Blue Coat', cn: /Blue ?Coat/i, org: /^Blue ?Coat/i },
  { product: 'Forcepoint', cn: /Forcepoint|Websense/i, org: /Forcepoint|Websense/i },
  { product: 'McAfee Web Gateway', cn: /McAfee Web Gateway/i, org: /McAfee Web Gateway/i },
  { product: 'Kaspersky', cn: /Kaspersky/i, org: /Kaspersky/i },
  { product: 'Avast/AVG/Norton', cn: /(Web|Mail)(\/Mail)? Shield Root|\b(avast|AVG|Norton)\b.*\bShield\b/i },
  { product: 'ESET', cn: /ESET SSL Filter/i, org: /^ESET\b/i },
  { product: 'Bitdefender', cn: /Bitdefender/i, org: /Bitdefender/i },
  { product: 'Trend Micro', cn: /IWSS\.TREND|Trend ?Micro/i, org: /Trend ?Micro/i },
  { product: 'SonicWall', cn: /SonicWall/i, org: /SonicWall/i },
  { product: 'Cyberoam', cn: /Cyberoam/i, org: /Cyberoam/i },
  { product: 'Smoothwall', cn: /Smoothwall/i, org: /Smoothwall/i },
  { product: 'ContentKeeper', cn: /ContentKeeper/i, org: /ContentKeeper/i },
  { product: 'Cloudflare Gateway', cn: /Cloudflare for Teams|Cloudflare Gateway/i },
  { product: 'mitmproxy', cn: /\bmitmproxy\b/i, org: /\bmitmproxy\b/i },
  { product: 'Charles Proxy', cn: /Charles Proxy/i, org: /XK72/i },
  { product: 'Fiddler', cn: /Fiddler/i, org: /Fiddler/i },
  { product: 'Burp Suite', cn: /PortSwigger/i, org: /PortSwigger/i },
];

/** The interception product an issuer (CN, O) belongs to, if it is a known one. */
export function matchInterceptionProduct(issuerCn: string | undefined, issuerOrg: string | undefined): string | undefined {
  for (const p of PRODUCTS) {
    if (issuerCn !== undefined && p.cn?.test(issuerCn)) return p.product;
    if (issuerOrg !== undefined && p.org?.test(issuerOrg)) return p.product;
  }
  return undefined;
}
