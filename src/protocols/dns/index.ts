/**
 * The DNS analyzer's public surface: UDP and TCP analyzers, content checks for
 * non-standard ports, and the message parser.
 */
export { createDnsUdpAnalyzer, type DnsUdpAnalyzer } from './udp.js';
export { createDnsTcpAnalyzer } from './tcp.js';
export { isDnsPort, looksLikeDnsMessage, looksLikeDnsOverTcp } from './detect.js';
export { parseDnsMessage, type DnsMessage, type ParseResult } from './message.js';
export type { DnsAnalyzerOptions } from './session.js';
