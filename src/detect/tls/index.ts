/** The TLS detectors and the trust store behind them, for the pipeline and `gotap probe`. */
export { createCertificateChainDetector, certificateSummary, chainDrafts } from './certificate-chain.js';
export { createDowngradeDetector, downgradeDraft } from './downgrade.js';
export { createInterceptionDetector, InterceptionJudge } from './interception.js';
export { matchInterceptionProduct } from '../../x509/interception-products.js';
export { CaFileError, TrustStore, type ChainAssessment, type ChainProblem, type ChainProblemCode, type CertInfo } from '../../x509/trust-store.js';
export type { TlsDetectorOptions, AcceptedInterceptionRule } from './context.js';
