/**
 * Contracts of the attribution stage: which Go role a host plays, and how gotap knows
 * the name of the host behind each flow (SNI, Host header, CONNECT target, or the DNS
 * answer that resolved to the flow's server address).
 */

export type GoRole =
  /** proxy.golang.org */
  | 'module-proxy'
  /** sum.golang.org, sum.golang.google.cn */
  | 'checksum-db'
  /** a known public mirror or a configured private one (goproxy.cn, Athens, Artifactory ...) */
  | 'mirror'
  /** go.dev/dl, dl.google.com, golang.org/toolchain */
  | 'toolchain'
  | 'telemetry'
  | 'vulndb'
  /** direct-mode VCS / go-get hosts (github.com, gitlab.com, go.googlesource.com, gopkg.in ...) */
  | 'vcs'
  /** an HTTP(S) proxy the client sent CONNECT to */
  | 'http-proxy'
  /** a DNS resolver */
  | 'resolver'
  /** no Go role */
  | 'other';

export interface CatalogEntry {
  /** Host name ("proxy.golang.org"), a wildcard ("*.goskope.com") or host + path prefix ("mirrors.aliyun.com/goproxy"). */
  pattern: string;
  role: GoRole;
  /** Human label: "Go module proxy (Google)". */
  label: string;
  /** Operated by Google: its certificates must come from Google Trust Services. */
  google?: boolean;
  /** Issuer organisations this host's certificates are expected from (e.g. ["Google Trust Services"]). */
  expectedIssuerOrgs?: string[];
  /** CIDR ranges DNS answers for this host are expected in (config only). */
  addressRanges?: string[];
  /** From the user's --config rather than built in. */
  configured?: boolean;
  /**
   * A host whose Go role lives only under a path (mirrors.aliyun.com/goproxy) looked up
   * without a visible path (HTTPS): role is 'other' and the label says which path would
   * make it Go. Set only on the entries `HostCatalog.lookup` synthesises for such hosts.
   */
  shared?: boolean;
}

/** The HTTP proxy a flow went through (the flow's server side is the proxy). */
export interface ProxyHop {
  address: string;
  port: number;
  /** The proxy's name, when a DNS answer named its address. */
  name?: string;
  /** 'connect': a CONNECT tunnel; 'absolute-form': plain HTTP forwarded ("GET http://host/path"). */
  how: 'connect' | 'absolute-form';
  /** Frame of the CONNECT or absolute-form request. */
  packet: number;
}

export type NameSource = 'sni' | 'http-host' | 'connect' | 'dns' | 'none';

/** How a flow got its host name, with the frame that proves it. */
export interface FlowAttribution {
  flowId: number;
  /**
   * Best name for the server side (ASCII lower-case, no trailing dot, no port), if any; for
   * a flow through an HTTP proxy, the host behind the proxy (see `via`); for a DNS flow, the
   * resolver's address.
   */
  host: string | undefined;
  /** Where the name came from; 'dns' means the server address was in a DNS answer for it. */
  nameSource: NameSource;
  /** Frame of the SNI/Host/CONNECT/DNS response that named it. */
  namePacket?: number;
  /** The CNAME chain when the name came from DNS (query name first). */
  dnsChain?: string[];
  /** Server address and port of the flow. */
  address: string;
  port: number;
  /** Role of `host`; 'http-proxy' while a CONNECT tunnel's content has not shown which host it reaches. */
  role: GoRole;
  label: string;
  entry?: CatalogEntry;
  /** The flow went through an HTTP CONNECT tunnel to this target ("host:port"). */
  tunnelTarget?: string;
  /**
   * The flow's server is an HTTP proxy and `host` is the host behind it (CONNECT target or
   * inner SNI, or an absolute-form request's authority). `address`/`port` stay the proxy's.
   */
  via?: ProxyHop;
  /** The resolver that gave the DNS answer naming the flow (nameSource 'dns'). */
  dnsResolver?: string;
}
