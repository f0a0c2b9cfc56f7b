/**
 * Ethernet II, IPv4 (RFC 791) and TCP (RFC 9293) headers around a payload, with real checksums,
 * so that a capture of dhlab's relay reads in Wireshark as the loopback traffic it was.
 */

export interface Endpoint {
  /** Dotted IPv4 (loopback here: 127.x). */
  address: string;
  port: number;
}

export const TCP_FLAGS = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

export interface TcpSegment {
  from: Endpoint;
  to: Endpoint;
  seq: number;
  ack: number;
  flags: number;
  /** The raw 16-bit window field (the SYN's window scale option multiplies it, RFC 7323 s.2). */
  window: number;
  /** TCP options, a multiple of 4 bytes. */
  options?: Uint8Array;
  payload?: Uint8Array;
  /** IPv4 identification (RFC 6864: any value when DF is set; counted per direction here). */
  ipId: number;
}

const ETHERNET_HEADER = 14;
const IPV4_HEADER = 20;
const TCP_HEADER = 20;
/** The largest TCP payload an IPv4 packet carries (65535 - 20 - 20). */
export const MAX_TCP_PAYLOAD = 65535 - IPV4_HEADER - TCP_HEADER;

/** Parses a dotted IPv4 address. @throws RangeError for anything else (an IPv6 peer, a name) */
export function ipv4Bytes(address: string): Uint8Array {
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  const parts = plain.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255))
    throw new RangeError(`not an IPv4 address: ${address}`);
  return Uint8Array.from(parts.map(Number));
}

/** The Internet checksum (RFC 1071): ones' complement of the ones' complement sum of 16-bit words. */
export function internetChecksum(...chunks: Uint8Array[]): number {
  let sum = 0;
  let odd: number | null = null;
  for (const chunk of chunks)
    for (const byte of chunk) {
      if (odd === null) odd = byte;
      else {
        sum += (odd << 8) | byte;
        odd = null;
      }
    }
  if (odd !== null) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** One Ethernet frame holding one IPv4 packet holding one TCP segment. */
export function ethernetTcpFrame(segment: TcpSegment): Uint8Array {
  const options = segment.options ?? new Uint8Array(0);
  const payload = segment.payload ?? new Uint8Array(0);
  if (options.length % 4 !== 0 || options.length > 40) throw new RangeError('TCP options: a multiple of 4, at most 40');
  if (payload.length > MAX_TCP_PAYLOAD) throw new RangeError(`a TCP payload of ${payload.length} bytes does not fit`);
  const tcpLength = TCP_HEADER + options.length + payload.length;
  const frame = new Uint8Array(ETHERNET_HEADER + IPV4_HEADER + tcpLength);
  const view = new DataView(frame.buffer);
  // Ethernet: Linux's loopback has all-zero addresses; type IPv4.
  view.setUint16(12, 0x0800);
  const ip = ETHERNET_HEADER;
  const src = ipv4Bytes(segment.from.address);
  const dst = ipv4Bytes(segment.to.address);
  view.setUint8(ip, 0x45);
  view.setUint16(ip + 2, IPV4_HEADER + tcpLength);
  view.setUint16(ip + 4, segment.ipId & 0xffff);
  view.setUint16(ip + 6, 0x4000); // DF
  view.setUint8(ip + 8, 64);
  view.setUint8(ip + 9, 6);
  frame.set(src, ip + 12);
  frame.set(dst, ip + 16);
  view.setUint16(ip + 10, internetChecksum(frame.subarray(ip, ip + IPV4_HEADER)));
  const tcp = ip + IPV4_HEADER;
  view.setUint16(tcp, segment.from.port);
  view.setUint16(tcp + 2, segment.to.port);
  view.setUint32(tcp + 4, segment.seq >>> 0);
  view.setUint32(tcp + 8, segment.ack >>> 0);
  view.setUint8(tcp + 12, ((TCP_HEADER + options.length) / 4) << 4);
  view.setUint8(tcp + 13, segment.flags);
  view.setUint16(tcp + 14, segment.window);
  frame.set(options, tcp + TCP_HEADER);
  frame.set(payload, tcp + TCP_HEADER + options.length);
  // The pseudo-header of RFC 9293 s.3.1: addresses, zero, protocol, TCP length.
  const pseudo = new Uint8Array(12);
  pseudo.set(src, 0);
  pseudo.set(dst, 4);
  pseudo[9] = 6;
  new DataView(pseudo.buffer).setUint16(10, tcpLength);
  view.setUint16(tcp + 16, internetChecksum(pseudo, frame.subarray(tcp)));
  return frame;
}
