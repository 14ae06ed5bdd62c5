/** TLS record decryption with key-log secrets: see session.ts for how an analyzer drives it. */
export {
  createTlsDecryptSession,
  helloRandom,
  CONTENT_TYPE,
  EXT_EARLY_DATA,
  EXT_ENCRYPT_THEN_MAC,
  MAX_EARLY_DATA_SKIP,
  type DecryptDirection,
  type DecryptFailureReason,
  type DecryptResult,
  type DirectionStats,
  type TlsDecryptParams,
  type TlsDecryptSession,
} from './session.js';
export { HeldRecords, HoldBudget, DEFAULT_FLOW_HOLD_BYTES, DEFAULT_TOTAL_HOLD_BYTES, type HeldRecord, type HoldOutcome } from './held-records.js';
export { cipherSuite, cipherSuiteName, supportedSuites, type CipherSuite } from './suites.js';
export { FlowDecryptor, type FlowDecryptorOptions, type FlowDecryptorSummary, type FlowRecordResult, type RecordResultSink } from './flow-decryptor.js';
export { parseEncryptedExtensions, parseTls13Certificate, type EncryptedExtensions, type Tls13Certificate } from './handshake13.js';
