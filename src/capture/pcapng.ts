/**
 * pcapng blocks (draft-ietf-opsawg-pcapng s.4): each is its type, its total length, a body
 * padded to 32 bits, and the total length again. Written little-endian; the Section Header's
 * byte-order magic tells readers so.
 */

export const BLOCK = { sectionHeader: 0x0a0d0d0a, interfaceDescription: 0x00000001, enhancedPacket: 0x00000006 };
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** LINKTYPE_ETHERNET (tcpdump.org link-layer header types). */
export const LINKTYPE_ETHERNET = 1;

const pad4 = (n: number) => (4 - (n % 4)) % 4;

/** One option (s.3.5): code, length, value padded to 32 bits. */
function option(code: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + value.length + pad4(value.length));
  const view = new DataView(out.buffer);
  view.setUint16(0, code, true);
  view.setUint16(2, value.length, true);
  out.set(value, 4);
  return out;
}

/** The options and opt_endofopt, or nothing at all when there are none. */
function options(list: [number, Uint8Array][]): Uint8Array {
  if (list.length === 0) return new Uint8Array(0);
  return Buffer.concat([...list.map(([code, value]) => option(code, value)), new Uint8Array(4)]);
}

function block(type: number, body: Uint8Array): Uint8Array {
  const total = 12 + body.length + pad4(body.length);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, type, true);
  view.setUint32(4, total, true);
  out.set(body, 8);
  view.setUint32(total - 4, total, true);
  return out;
}

/** The Section Header Block (s.4.1): version 1.0, section length unknown (-1), the writing app. */
export function sectionHeaderBlock(application: string): Uint8Array {
  const head = new Uint8Array(16);
  const view = new DataView(head.buffer);
  view.setUint32(0, BYTE_ORDER_MAGIC, true);
  view.setUint16(4, 1, true);
  view.setUint16(6, 0, true);
  view.setBigInt64(8, -1n, true);
  return block(BLOCK.sectionHeader, Buffer.concat([head, options([[4, Buffer.from(application, 'utf8')]])]));
}

/** An Interface Description Block (s.4.2): Ethernet, timestamps in microseconds (the default). */
export function interfaceDescriptionBlock(name: string, snapLength = 262_144): Uint8Array {
  const head = new Uint8Array(8);
  const view = new DataView(head.buffer);
  view.setUint16(0, LINKTYPE_ETHERNET, true);
  view.setUint32(4, snapLength, true);
  return block(BLOCK.interfaceDescription, Buffer.concat([head, options([[2, Buffer.from(name, 'utf8')]])]));
}

/** An Enhanced Packet Block (s.4.3) for interface 0: the whole packet, at `microseconds` since 1970. */
export function enhancedPacketBlock(microseconds: bigint, packet: Uint8Array): Uint8Array {
  const head = new Uint8Array(20);
  const view = new DataView(head.buffer);
  view.setUint32(0, 0, true);
  view.setUint32(4, Number(microseconds >> 32n), true);
  view.setUint32(8, Number(microseconds & 0xffffffffn), true);
  view.setUint32(12, packet.length, true);
  view.setUint32(16, packet.length, true);
  return block(BLOCK.enhancedPacket, Buffer.concat([head, packet]));
}
