/**
 * Typed events emitted by the protocol analyzers (the contract with attribution,
 * detectors and outputs). Every event carries capture time, the frame number a user
 * can look up in Wireshark, and the flow it belongs to. Strings are exact packet
 * data: sanitising happens at the view/report boundary, never here.
 */
import type { AmbiguityKind, AmbiguityVersion, Direction, Endpoint } from '../flow/types.js';

export interface EventBase {
  /** Capture time, seconds since the epoch. */
  ts: number;
  /** 1-based frame number carrying the (last byte of the) message. */
  packet: number;
  flowId: number;
  /** Present only on events parsed from decrypted bytes (a child analyzer of a decrypted TLS stream). */
  decrypted?: true;
}

// ---------------------------------------------------------------- DNS

export interface DnsFlags {
  qr: boolean;
  opcode: string;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  ad: boolean;
  cd: boolean;
}

export interface SvcParams {
  /** Key names as in RFC 9460 ("alpn", "port", "ipv4hint", "ech", "ipv6hint", "mandatory", "no-default-alpn", "keyNNNNN"). */
  mandatory?: string[];
  alpn?: string[];
  noDefaultAlpn?: boolean;
  port?: number;
  ipv4hint?: string[];
  ipv6hint?: string[];
  /** ECHConfigList present (its length in bytes). */
  echBytes?: number;
  /** Other keys: number → hex of the value. */
  other?: Record<string, string>;
}

export interface DnsRecord {
  name: string;
  /** Type mnemonic ("A", "AAAA", "CNAME", "HTTPS", "TYPE65534" ...). */
  type: string;
  class: string;
  ttl: number;
  /** Presentation form of the data: an address, a name, "10 mail.example.", TXT joined ... */
  data: string;
  /** HTTPS/SVCB (65/64) records: priority, target and parsed SvcParams. */
  svcb?: { priority: number; target: string; params: SvcParams };
}

export interface DnsEdns {
  udpPayloadSize: number;
  extendedRcode: number;
  version: number;
  do: boolean;
  options: { code: number; name: string; hex: string }[];
}

export interface DnsQuestion {
  name: string;
  type: string;
  class: string;
}

export interface DnsQueryEvent extends EventBase {
  type: 'dns-query';
  transport: 'udp' | 'tcp';
  client: Endpoint;
  server: Endpoint;
  id: number;
  flags: DnsFlags;
  questions: DnsQuestion[];
  edns?: DnsEdns;
}

export interface DnsResponseEvent extends EventBase {
  type: 'dns-response';
  transport: 'udp' | 'tcp';
  client: Endpoint;
  /** The resolver that answered. */
  server: Endpoint;
  id: number;
  flags: DnsFlags;
  rcode: string;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authorities: DnsRecord[];
  additionals: DnsRecord[];
  edns?: DnsEdns;
  /** Frame of the matching query, when seen. */
  queryPacket?: number;
  /** Seconds between query and response, when the query was seen. */
  rtt?: number;
  /** CNAME chain from the first question's name (excluding it), in order. */
  cnameChain: string[];
  /** Final A/AAAA addresses reached through the CNAME chain. */
  addresses: string[];
}

export interface DnsUnansweredEvent extends EventBase {
  type: 'dns-unanswered';
  transport: 'udp' | 'tcp';
  client: Endpoint;
  server: Endpoint;
  id: number;
  questions: DnsQuestion[];
}

/** Two or more responses with different content to one query: the signature of on-path injection. */
export interface DnsConflictEvent extends EventBase {
  type: 'dns-conflict';
  client: Endpoint;
  server: Endpoint;
  id: number;
  questions: DnsQuestion[];
  responses: { packet: number; ts: number; rcode: string; addresses: string[]; answers: string[]; ttl: number[] }[];
}

// ---------------------------------------------------------------- HTTP/1.x and HTTP/2

export interface HttpRequestEvent extends EventBase {
  type: 'http-request';
  method: string;
  /** Request target exactly as sent (origin-form, absolute-form, authority-form for CONNECT). */
  target: string;
  /** "HTTP/1.1", "HTTP/1.0", "HTTP/0.9" or "HTTP/2". */
  version: string;
  host?: string;
  userAgent?: string;
  contentType?: string;
  /** Body bytes seen (Content-Length or chunked payload); 0 when there is no body. */
  bodyBytes: number;
  /** For CONNECT: the tunnel target "host:port". */
  connectTarget?: string;
  /** Header (name, value) pairs as sent, bounded in count and size. */
  headers: [string, string][];
  /** HTTP/2: the stream that carried the request. */
  streamId?: number;
}

export interface HttpResponseEvent extends EventBase {
  type: 'http-response';
  version: string;
  status: number;
  reason: string;
  location?: string;
  contentType?: string;
  contentLength?: number;
  bodyBytes: number;
  server?: string;
  /** Frame and method/target of the request this answers (pipelining-aware), when seen. */
  requestPacket?: number;
  method?: string;
  target?: string;
  headers: [string, string][];
  /** HTTP/2: the stream that carried the response. */
  streamId?: number;
}

/** A stream that stopped parsing as HTTP: the reason, and the direction. */
export interface HttpErrorEvent extends EventBase {
  type: 'http-error';
  dir: Direction;
  reason: string;
}

// ---------------------------------------------------------------- TLS

export interface TlsClientHelloEvent extends EventBase {
  type: 'tls-client-hello';
  /** Record-layer version and ClientHello legacy_version, e.g. 0x0301 / 0x0303. */
  recordVersion: number;
  legacyVersion: number;
  /** SSLv2-compatible ClientHello format. */
  sslv2: boolean;
  sni?: string;
  alpn: string[];
  /** supported_versions extension (GREASE removed), e.g. [0x0304, 0x0303]. */
  supportedVersions: number[];
  ciphers: number[];
  /** Extension types in order, GREASE removed. */
  extensions: number[];
  groups: number[];
  ecPointFormats: number[];
  signatureAlgorithms: number[];
  keyShareGroups: number[];
  ech: boolean;
  esni: boolean;
  /** GREASE values were present. */
  grease: boolean;
  sessionIdLength: number;
  ja3: string;
  ja3Hash: string;
  ja4: string;
  /** JA4_r: the raw (unhashed) form. */
  ja4r: string;
}

export interface TlsServerHelloEvent extends EventBase {
  type: 'tls-server-hello';
  helloRetryRequest: boolean;
  recordVersion: number;
  legacyVersion: number;
  /** Negotiated version: supported_versions if present, else legacy_version. */
  version: number;
  cipher: number;
  extensions: number[];
  alpn?: string;
  ja3s: string;
  ja3sHash: string;
}

/** TLS 1.3 EncryptedExtensions (RFC 8446 §4.3.1), visible only decrypted: where the server's ALPN choice lives. */
export interface TlsEncryptedExtensionsEvent extends EventBase {
  type: 'tls-encrypted-extensions';
  extensions: number[];
  alpn?: string;
}

export interface TlsCertificatesEvent extends EventBase {
  type: 'tls-certificates';
  /** 1: server's chain (normal), 0: client certificate. */
  dir: Direction;
  /** DER certificates in the order sent (leaf first). */
  certs: Uint8Array[];
}

export interface TlsCertificateStatusEvent extends EventBase {
  type: 'tls-certificate-status';
  statusType: number;
  /** DER OCSP response length. */
  bytes: number;
}

/** TLS 1.3: the certificate travels encrypted. Its approximate size, never a guess of its content. */
export interface TlsEncryptedCertificateEvent extends EventBase {
  type: 'tls-encrypted-handshake';
  /** Bytes of encrypted handshake records the server sent after ServerHello (≈ EncryptedExtensions + Certificate + CertificateVerify + Finished). */
  approxBytes: number;
}

export interface TlsAlertEvent extends EventBase {
  type: 'tls-alert';
  /** Who sent it. */
  dir: Direction;
  /** Plaintext alerts only carry level/description; encrypted alerts are reported with encrypted = true. */
  encrypted: boolean;
  level?: number;
  description?: number;
  /** "fatal" / "warning" */
  levelName?: string;
  /** "unknown_ca", "bad_certificate" ... */
  descriptionName?: string;
}

/** A stream that stopped parsing as TLS. */
export interface TlsErrorEvent extends EventBase {
  type: 'tls-error';
  dir: Direction;
  reason: string;
}

// ---------------------------------------------------------------- Go module protocol

export type GoRequestKind =
  | 'list'
  | 'info'
  | 'mod'
  | 'zip'
  | 'latest'
  | 'sumdb-supported'
  | 'lookup'
  | 'tile'
  | 'sumdb-latest'
  | 'go-get'
  | 'toolchain'
  | 'telemetry'
  | 'vulndb';

export interface GoRequestEvent extends EventBase {
  type: 'go-request';
  kind: GoRequestKind;
  host?: string;
  /** Module path, case-decoded ("github.com/Azure/azure-sdk-for-go"). */
  module?: string;
  /** Version, case-decoded. */
  version?: string;
  /** For requests under <proxy>/sumdb/<name>/...: the checksum database name. */
  sumdb?: string;
  /** Path prefix before the module path (e.g. "/artifactory/api/go/golang-remote"). */
  prefix?: string;
  /** Tile coordinates for kind 'tile'. */
  tile?: { height: number; level: number | 'data'; index: number; width?: number };
  method: string;
  target: string;
  /** Frame of the HTTP request. */
  requestPacket: number;
}

// ---------------------------------------------------------------- flow lifecycle

// ---------------------------------------------------------------- streams

/**
 * Bytes of one TCP direction had two different versions on the wire (a decoy the receiver
 * drops, conflicting retransmissions, an urgent byte): both versions, their frames, and
 * which one a Linux receiver keeps (docs/reassembly.md). Emitted by the flow layer.
 */
export interface StreamAmbiguityEvent extends EventBase {
  type: 'stream-ambiguity';
  dir: Direction;
  client: Endpoint;
  server: Endpoint;
  kind: AmbiguityKind;
  offset: number;
  length: number;
  versions: AmbiguityVersion[];
  /** Index into versions of the one a Linux receiver keeps; 'unknown' when the capture cannot tell. */
  receiverChoice: 0 | 1 | 'unknown';
}

export type GotapEvent =
  | DnsQueryEvent
  | DnsResponseEvent
  | DnsUnansweredEvent
  | DnsConflictEvent
  | HttpRequestEvent
  | HttpResponseEvent
  | HttpErrorEvent
  | TlsClientHelloEvent
  | TlsServerHelloEvent
  | TlsCertificatesEvent
  | TlsEncryptedExtensionsEvent
  | TlsCertificateStatusEvent
  | TlsEncryptedCertificateEvent
  | TlsAlertEvent
  | TlsErrorEvent
  | GoRequestEvent
  | StreamAmbiguityEvent;

export type EventSink = (ev: GotapEvent) => void;
