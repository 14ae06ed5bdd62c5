/**
 * The order of certificate verdicts (severities and findings are ordered in
 * src/findings/severity.ts), so the model keeps the worst chain per host.
 */
import type { CertificateVerdict } from './types.js';

// A chain nobody trusts is worse than an incomplete one, which is worse than one only
// the user's own CA vouches for; "not visible" says nothing and loses to anything seen.
const VERDICT_RANK: Record<CertificateVerdict, number> = {
  'not-visible': 0,
  trusted: 1,
  'trusted-by-user-ca': 2,
  incomplete: 3,
  untrusted: 4,
};

export function verdictRank(v: CertificateVerdict): number {
  return VERDICT_RANK[v];
}
