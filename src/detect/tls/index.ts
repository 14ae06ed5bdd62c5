/** The TLS detectors' pieces shared with `gotap probe`. */
export { chainDrafts, createCertificateChainDetector } from './certificate-chain.js';
export { createDowngradeDetector, downgradeDraft } from './downgrade.js';
export { createInterceptionDetector, InterceptionJudge, judgeChain } from './interception.js';
