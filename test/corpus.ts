/**
 * The shared robustness corpus (../shared/corpus/robustness: real malformed captures from
 * tcpdump, libpcap, Zeek, nDPI, Suricata and Arkime test suites). A user's fresh clone has
 * no ../shared, so every test using it skips when `corpusAvailable` is false.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CaptureReader } from '../src/capture/reader.js';
import type { PacketRecord } from '../src/capture/types.js';

export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
export const corpusDir = resolve(repoRoot, '../shared/corpus/robustness');
export const corpusAvailable = existsSync(corpusDir);

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** Corpus files relative to corpusDir, sorted; empty when the corpus is absent. */
export function corpusFiles(): string[] {
  return corpusAvailable ? walk(corpusDir).map((f) => relative(corpusDir, f)).sort() : [];
}

/** Every record of a corpus file, copied (for tests that keep them), read by the real reader. */
export function corpusRecords(rel: string): PacketRecord[] {
  const records: PacketRecord[] = [];
  const reader = new CaptureReader({ packet: (r) => records.push({ ...r, data: r.data.slice() }) });
  reader.feed(new Uint8Array(readFileSync(join(corpusDir, rel))));
  reader.end();
  return records;
}

/**
 * Packet counts from tshark 4.0.17:
 *   tshark -r F -T fields -e frame.number 2>/dev/null | wc -l
 * 'rejected' marks files tshark refuses outright (its reason in the comment). Where our count
 * differs the entry says ours and why.
 */
export const expectedPacketCounts: Record<string, number | { tshark: number | 'rejected'; ours: number | 'unsupported'; why: string }> = {
  'arkime/bigendian.pcap': 2,
  // tshark: "pcap: network type reserved field not zero (0x00300000)". We mask the bits and count a problem; the file has no packets.
  'libpcap/linktype-reserved-field-not-zero.pcap': { tshark: 'rejected', ours: 0, why: 'reserved link-type bits are counted, not fatal' },
  // tshark: "pcap: major version 1 unsupported".
  'libpcap/pcap-invalid-version-1.pcap': { tshark: 'rejected', ours: 'unsupported', why: 'same verdict' },
  // tshark: "pcapng: unknown SHB version 0.1".
  'libpcap/pcapng-invalid-vers-1.pcapng': { tshark: 'rejected', ours: 'unsupported', why: 'same verdict' },
  // tshark: "pcapng: Not enough data to handle option of length 12336". The SHB's trailing length is also wrong: we stop there.
  'libpcap/shb-option-too-long.pcapng': { tshark: 'rejected', ours: 0, why: 'corrupt first block sets truncated' },
  'ndpi/fuzz-2006-06-26-2594.pcap': 691,
  'ndpi/malformed_dns.pcap': 6,
  'ndpi/reasm_crash_anon.pcapng': 209,
  'ndpi/tls-esni-fuzzed.pcap': 3,
  'ndpi/tls_invalid_reads.pcap': 12,
  // tshark stops with "File has 4325376-byte packet, bigger than maximum of 262144" after 6 packets, as we do.
  'suricata-verify/bug-1450-04/tls_DER-incomplete-header.pcap': 6,
  // tshark reports 2: its heuristic for 1999 "modified pcap" variants (24-byte record headers, same magic)
  // picks that framing because the standard one hits a bad caplen in record 2. Packet 1 is a valid
  // Ethernet frame only under standard framing (tshark's starts 8 bytes into it), so we keep the
  // standard format and stop at record 2 ("captured length 1409179648 exceeds 262144").
  'suricata-verify/bug-6875-01/fuzz.pcap': { tshark: 2, ours: 1, why: 'tshark guesses a modified-pcap variant' },
  'tcpdump/LINKTYPE_IPV4_invalid.pcap': 1,
  'tcpdump/dns-badlabel.pcap': 1,
  'tcpdump/dns-zlip-1.pcap': 1,
  'tcpdump/dns_fwdptr.pcap': 1,
  'tcpdump/empty.pcapng': 0,
  'tcpdump/heapoverflow-tcp_print.pcap': 1,
  'tcpdump/nflog.pcap': 4,
  'tcpdump/ppp_ip_udp_dns.pcap': 1,
  'tcpdump/tcp-handshake-nano.pcap': 3,
  'tcpdump/tcp_rst_data-trunc.pcap': 1,
  'tcpdump/time_2106_overflow.pcapng': 1,
  'tcpdump/timestamp_invalid_micro.pcap': 3,
  'zeek/dns/dns-corrupt.pcap': 2,
  'zeek/dns/dns-invalid-names.pcap': 3,
  'zeek/empty.pcap': 0,
  'zeek/http/261/variant-01-chunk_2pow64_overflow.pcap': 8,
  'zeek/http/content-length-overflow.pcap': 10,
  'zeek/http/http-11-request-then-cruft.pcap': 20,
  'zeek/ip-bogus-header-len.pcap': 1,
  'zeek/ldap/gap-data-missing.pcapng': 18,
  'zeek/tcp/truncated-header.pcap': 24,
  'zeek/tls/CVE-2015-3194.pcap': 15,
  'zeek/trunc/ip-discarder-truncated-tcp-oob.pcapng': 1,
  'zeek/trunc/ip4-trunc.pcap': 1,
  'zeek/trunc/ip6-ext-trunc.pcap': 1,
  // Its one record's caplen exceeds the header snaplen: delivered (tshark shows it too) and counted.
  'zeek/trunc/trunc-hdr.pcap': 1,
};
