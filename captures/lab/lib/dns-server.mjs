// The lab's resolver on 127.0.0.53 (what /etc/netns/<ns>/resolv.conf names).
// A small dns-packet server instead of dnsmasq because the dns-hijack
// scenario needs what dnsmasq cannot do: two different answers to one query,
// the first wrong, as an on-path injector produces.
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';

const RCODE_NXDOMAIN = 3; // low 4 bits of the flags word

/**
 * @param {{address: string, zone: Record<string, string>,
 *   injected?: Record<string, string>, log: (e: object) => void}} opts
 *   zone: name → IPv4 address (A only; AAAA gets an empty NOERROR answer);
 *   injected: name → address sent first, before the zone's answer
 */
export async function startDnsServer({ address, zone, injected = {}, log }) {
  const socket = dgram.createSocket('udp4');
  const answer = (query, name, ip) => dnsPacket.encode({
    type: 'response',
    id: query.id,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
    questions: query.questions,
    answers: ip ? [{ type: 'A', class: 'IN', name, ttl: 300, data: ip }] : [],
  });
  socket.on('message', (msg, rinfo) => {
    let query;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return;
    }
    const q = query.questions?.[0];
    if (!q) return;
    const name = q.name.toLowerCase().replace(/\.$/, '');
    const reply = (buf) => socket.send(buf, rinfo.port, rinfo.address);
    if (!(name in zone)) {
      log({ dns: name, type: q.type, rcode: 'NXDOMAIN' });
      reply(dnsPacket.encode({ type: 'response', id: query.id, flags: dnsPacket.RECURSION_AVAILABLE | RCODE_NXDOMAIN, questions: query.questions }));
      return;
    }
    if (q.type !== 'A') {
      log({ dns: name, type: q.type, answers: [] });
      reply(answer(query, q.name, undefined));
      return;
    }
    if (name in injected) {
      log({ dns: name, type: 'A', answers: [injected[name]], injected: true });
      reply(answer(query, q.name, injected[name]));
      setTimeout(() => reply(answer(query, q.name, zone[name])), 15);
    } else {
      reply(answer(query, q.name, zone[name]));
    }
    log({ dns: name, type: 'A', answers: [zone[name]] });
  });
  await new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(53, address, resolve);
  });
  return { close: () => new Promise((resolve) => socket.close(resolve)) };
}
