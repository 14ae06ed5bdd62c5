/**
 * The contract of the key-log secrets store: TLS secrets keyed by the 32-byte client
 * random, as the NSS key log format (and pcapng Decryption Secrets Blocks of type TLSK,
 * which carry the same text) identifies them. Analyzers look secrets up through their
 * context; a flow whose secrets arrive later (a DSB written after the ServerHello, a
 * key-log file still being appended to) subscribes and is called when they do.
 */

/** Secrets for one TLS connection; each field is the raw secret bytes. */
export interface TlsSecrets {
  /** TLS ≤ 1.2: CLIENT_RANDOM → the 48-byte master secret. */
  masterSecret?: Uint8Array;
  /** TLS 1.3 (RFC 8446 §7.1). */
  clientHandshakeTrafficSecret?: Uint8Array;
  serverHandshakeTrafficSecret?: Uint8Array;
  clientTrafficSecret0?: Uint8Array;
  serverTrafficSecret0?: Uint8Array;
}

export type SecretsListener = (secrets: TlsSecrets) => void;

export interface SecretsLookup {
  /** Secrets known now for this client random (32 bytes), or undefined. */
  get(clientRandom: Uint8Array): TlsSecrets | undefined;
  /**
   * Calls `listener` whenever new secrets for this client random arrive (bounded: the
   * store keeps a capped number of waiters and drops the oldest, counted). Returns a
   * function that cancels the subscription (call it when the flow ends).
   */
  subscribe(clientRandom: Uint8Array, listener: SecretsListener): () => void;
  /**
   * False when the store holds no secrets and none are expected (no key log given, no
   * DSB seen): analyzers then skip the work of gathering protected records. Absent means
   * "may supply".
   */
  maySupply?(): boolean;
}
