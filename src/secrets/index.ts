/** The key-log secrets store: NSS key log parsing, the bounded store, file preloading. */
export type { SecretsListener, SecretsLookup, TlsSecrets } from './types.js';
export { formatKeyLogLine, LineSplitter, MAX_LINE, parseKeyLogLine, SECRET_LABELS, type KeyLogLine, type KeyLogSecret, type SecretLabel } from './keylog.js';
export { DSB_TLS_KEY_LOG, randomKey, SecretsStore, type SecretsCounters, type SecretsLimits } from './store.js';
export { KeyLogError, loadKeyLogFile } from './load.js';
