/** The go env policy: parsing with Go's semantics, prefix-glob matching, and the policy detector. */
export { createPolicyDetector, type PolicyDetectorOptions } from './policy-detector.js';
export { isValidGlob, matchPrefixPatterns, pathMatch } from './match-prefix.js';
export {
  bypassesProxy,
  bypassesSumdb,
  parseGoPolicy,
  parseGoProxy,
  parseGoSumdb,
  PolicyError,
  type GoPolicy,
  type GoPolicyInput,
  type PolicySource,
  type PolicyVar,
  type ProxyEntry,
  type SumdbPolicy,
} from './policy.js';
export type { HostLookup } from './go-hosts.js';
