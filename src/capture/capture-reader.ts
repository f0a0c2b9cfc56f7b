import { DhlabError } from '../errors.ts';
import { BLOCK, BYTE_ORDER_MAGIC } from './pcapng.ts';

/** One packet of a capture: its link type, its bytes, when, and where in the file it starts. */
export interface CapturedPacket {
  linkType: number;
  data: Uint8Array;
  microseconds: bigint;
  /** The byte offset of its record or block in the file. */
  offset: number;
}

/** The magic numbers of classic pcap (tcpdump's own format): microsecond or nanosecond stamps. */
const PCAP_MICRO = 0xa1b2c3d4;
const PCAP_NANO = 0xa1b23c4d;
const SIMPLE_PACKET_BLOCK = 0x00000003;

function captureError(offset: number, what: string): DhlabError {
  return new DhlabError('ERR_CAPTURE', `at byte ${offset}: ${what}`);
}

/**
 * The packets of a pcap or pcapng file (tcpdump's, Wireshark's or dhlab's), in file order. Every
 * length is checked against what is left before anything is read: a truncated or hostile file
 * ends with ERR_CAPTURE and its offset, never with a read past the end.
 * @throws DhlabError ERR_CAPTURE
 */
export function readCapture(bytes: Uint8Array): CapturedPacket[] {
  if (bytes.length < 4) throw captureError(0, 'too short to be a capture (no magic number)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) === BLOCK.sectionHeader) return readPcapng(bytes, view);
  const magic = view.getUint32(0, true);
  const swapped = view.getUint32(0, false);
  if ([magic, swapped].some((m) => m === PCAP_MICRO || m === PCAP_NANO)) return readPcap(bytes, view);
  throw captureError(0, 'not a pcap or pcapng file (unknown magic number)');
}

function readPcap(bytes: Uint8Array, view: DataView): CapturedPacket[] {
  if (bytes.length < 24) throw captureError(0, 'the pcap file header is cut short');
  const little = view.getUint32(0, true) === PCAP_MICRO || view.getUint32(0, true) === PCAP_NANO;
  const nano = view.getUint32(0, little) === PCAP_NANO;
  // The link type's low 16 bits (the rest may hold an FCS length, pcap-linktype s.3).
  const linkType = view.getUint32(20, little) & 0xffff;
  const packets: CapturedPacket[] = [];
  for (let at = 24; at < bytes.length;) {
    if (bytes.length - at < 16) throw captureError(at, 'a packet record header is cut short');
    const seconds = BigInt(view.getUint32(at, little));
    const fraction = BigInt(view.getUint32(at + 4, little));
    const length = view.getUint32(at + 8, little);
    if (length > bytes.length - at - 16) throw captureError(at, `a packet of ${length} bytes runs past the end`);
    packets.push({
      linkType,
      data: bytes.subarray(at + 16, at + 16 + length),
      microseconds: seconds * 1_000_000n + (nano ? fraction / 1000n : fraction),
      offset: at,
    });
    at += 16 + length;
  }
  return packets;
}

interface Interface {
  linkType: number;
  /** Ticks per second of its timestamps (if_tsresol; 10^6 by default). */
  ticksPerSecond: bigint;
}

function readPcapng(bytes: Uint8Array, view: DataView): CapturedPacket[] {
  const packets: CapturedPacket[] = [];
  let little = true;
  let interfaces: Interface[] = [];
  for (let at = 0; at < bytes.length;) {
    if (bytes.length - at < 12) throw captureError(at, 'a block header is cut short');
    if (view.getUint32(at, true) === BLOCK.sectionHeader) {
      // A new section: its byte-order magic says how to read everything up to the next one.
      if (bytes.length - at < 28) throw captureError(at, 'a section header block is cut short');
      const magic = view.getUint32(at + 8, true);
      if (magic !== BYTE_ORDER_MAGIC && view.getUint32(at + 8, false) !== BYTE_ORDER_MAGIC)
        throw captureError(at + 8, 'a section header with an unknown byte-order magic');
      little = magic === BYTE_ORDER_MAGIC;
      interfaces = [];
    }
    const type = view.getUint32(at, little);
    const total = view.getUint32(at + 4, little);
    if (total < 12 || total % 4 !== 0 || total > bytes.length - at)
      throw captureError(at, `a block of ${total} bytes does not fit (${bytes.length - at} left)`);
    if (view.getUint32(at + total - 4, little) !== total) throw captureError(at, 'a block whose two lengths differ');
    const body = new DataView(bytes.buffer, bytes.byteOffset + at + 8, total - 12);
    if (type === BLOCK.interfaceDescription) interfaces.push(interfaceOf(body, little, at));
    else if (type === BLOCK.enhancedPacket || type === SIMPLE_PACKET_BLOCK)
      packets.push(packetOf(type, body, little, interfaces, bytes, at));
    at += total;
  }
  return packets;
}

function interfaceOf(body: DataView, little: boolean, at: number): Interface {
  if (body.byteLength < 8) throw captureError(at, 'an interface description block is cut short');
  let ticksPerSecond = 1_000_000n;
  // Options after the 8 fixed bytes: code, length, value padded to 4 (if_tsresol is code 9).
  for (let o = 8; o + 4 <= body.byteLength;) {
    const code = body.getUint16(o, little);
    const length = body.getUint16(o + 2, little);
    if (code === 0) break;
    if (o + 4 + length > body.byteLength) throw captureError(at + 8 + o, 'an option runs past its block');
    if (code === 9 && length >= 1) {
      const resolution = body.getUint8(o + 4);
      const exponent = BigInt(resolution & 0x7f);
      ticksPerSecond = resolution & 0x80 ? 2n ** exponent : 10n ** exponent;
      if (exponent > 30n) throw captureError(at + 8 + o, 'a timestamp resolution beyond 10^30');
    }
    o += 4 + length + ((4 - (length % 4)) % 4);
  }
  return { linkType: body.getUint16(0, little), ticksPerSecond };
}

function packetOf(
  type: number,
  body: DataView,
  little: boolean,
  interfaces: Interface[],
  bytes: Uint8Array,
  at: number,
): CapturedPacket {
  const simple = type === SIMPLE_PACKET_BLOCK;
  const head = simple ? 4 : 20;
  if (body.byteLength < head) throw captureError(at, 'a packet block is cut short');
  const id = simple ? 0 : body.getUint32(0, little);
  const iface = interfaces[id];
  if (!iface) throw captureError(at, `a packet on interface ${id}, which no interface block described`);
  const length = simple ? Math.min(body.getUint32(0, little), body.byteLength - 4) : body.getUint32(12, little);
  if (length > body.byteLength - head) throw captureError(at, `a packet of ${length} bytes runs past its block`);
  const ticks = simple ? 0n : (BigInt(body.getUint32(4, little)) << 32n) | BigInt(body.getUint32(8, little));
  const start = at + 8 + head;
  return {
    linkType: iface.linkType,
    data: bytes.subarray(start, start + length),
    microseconds: (ticks * 1_000_000n) / iface.ticksPerSecond,
    offset: at,
  };
}
