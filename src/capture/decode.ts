import type { CapturedPacket } from './capture-reader.ts';
import type { Endpoint } from './packets.ts';

/** A TCP segment read back from a capture. */
export interface CapturedSegment {
  from: Endpoint;
  to: Endpoint;
  seq: number;
  flags: number;
  payload: Uint8Array;
  microseconds: bigint;
  offset: number;
}

/** Link-layer header types (tcpdump.org's list) that `tcpdump -i lo`, `-i any` and Wireshark write. */
const LINK = { null: 0, ethernet: 1, raw: 101, loop: 108, linuxSll: 113, linuxSll2: 276 };
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;

/** Where the IP packet starts and which IP it is, or null for a link type or protocol not read. */
function network(packet: CapturedPacket): { at: number; version: 4 | 6 } | null {
  const d = packet.data;
  const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const byEthertype = (type: number, at: number) =>
    type === ETHERTYPE_IPV4
      ? { at, version: 4 as const }
      : type === ETHERTYPE_IPV6
        ? { at, version: 6 as const }
        : null;
  switch (packet.linkType) {
    case LINK.ethernet: {
      if (d.length < 14) return null;
      const type = view.getUint16(12);
      // One 802.1Q tag at most (a capture of loopback has none).
      if (type === ETHERTYPE_VLAN) return d.length < 18 ? null : byEthertype(view.getUint16(16), 18);
      return byEthertype(type, 14);
    }
    case LINK.raw:
      return d.length < 1
        ? null
        : d[0]! >> 4 === 4
          ? { at: 0, version: 4 }
          : d[0]! >> 4 === 6
            ? { at: 0, version: 6 }
            : null;
    case LINK.null:
    case LINK.loop: {
      if (d.length < 4) return null;
      // The address family, in the writer's byte order (NULL) or big-endian (LOOP): 2 is IPv4.
      const family =
        packet.linkType === LINK.loop ? view.getUint32(0) : Math.min(view.getUint32(0, true), view.getUint32(0));
      return family === 2 ? { at: 4, version: 4 } : [24, 28, 30].includes(family) ? { at: 4, version: 6 } : null;
    }
    case LINK.linuxSll:
      return d.length < 16 ? null : byEthertype(view.getUint16(14), 16);
    case LINK.linuxSll2:
      return d.length < 20 ? null : byEthertype(view.getUint16(0), 20);
    default:
      return null;
  }
}

function ipv4Text(d: Uint8Array, at: number): string {
  return `${d[at]}.${d[at + 1]}.${d[at + 2]}.${d[at + 3]}`;
}

function ipv6Text(d: Uint8Array, at: number): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((d[at + i]! << 8) | d[at + i + 1]!).toString(16));
  return groups.join(':');
}

/**
 * The TCP segment a packet carries, or null when it carries none this reader follows: another
 * protocol, a fragment (loopback captures have none), or headers cut short by the snap length.
 */
export function segmentOf(packet: CapturedPacket): CapturedSegment | null {
  const ip = network(packet);
  if (!ip) return null;
  const d = packet.data;
  const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
  let tcp: number;
  let end: number;
  let from: string;
  let to: string;
  if (ip.version === 4) {
    if (d.length < ip.at + 20) return null;
    const headerLength = (d[ip.at]! & 0x0f) * 4;
    const total = view.getUint16(ip.at + 2);
    const fragment = view.getUint16(ip.at + 6) & 0x3fff; // MF and the offset
    if (d[ip.at + 9] !== 6 || fragment !== 0 || headerLength < 20) return null;
    tcp = ip.at + headerLength;
    end = Math.min(d.length, ip.at + total);
    [from, to] = [ipv4Text(d, ip.at + 12), ipv4Text(d, ip.at + 16)];
  } else {
    // No extension headers: the next header must be TCP itself.
    if (d.length < ip.at + 40 || d[ip.at + 6] !== 6) return null;
    tcp = ip.at + 40;
    end = Math.min(d.length, tcp + view.getUint16(ip.at + 4));
    [from, to] = [ipv6Text(d, ip.at + 8), ipv6Text(d, ip.at + 24)];
  }
  if (end < tcp + 20) return null;
  const dataAt = tcp + (d[tcp + 12]! >> 4) * 4;
  if (dataAt > end || dataAt < tcp + 20) return null;
  return {
    from: { address: from, port: view.getUint16(tcp) },
    to: { address: to, port: view.getUint16(tcp + 2) },
    seq: view.getUint32(tcp + 4),
    flags: d[tcp + 13]!,
    payload: d.subarray(dataAt, end),
    microseconds: packet.microseconds,
    offset: packet.offset,
  };
}
