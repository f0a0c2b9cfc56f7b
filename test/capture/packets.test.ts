import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ethernetTcpFrame, internetChecksum, TCP_FLAGS, type TcpSegment } from '../../src/capture/packets.ts';
import { segmentOf } from '../../src/capture/decode.ts';

/** The ones' complement sum of 16-bit words, written out again (RFC 1071 s.1): 0xffff when a checksum holds. */
function onesSum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) + (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum >>> 16) + (sum & 0xffff);
  return sum;
}

const loopback = fc.tuple(
  fc.integer({ min: 0, max: 255 }),
  fc.integer({ min: 0, max: 255 }),
  fc.integer({ min: 1, max: 254 }),
);
const endpoint = fc.record({
  address: loopback.map(([a, b, c]) => `127.${a}.${b}.${c}`),
  port: fc.integer({ min: 1, max: 65535 }),
});
const segments: fc.Arbitrary<TcpSegment> = fc.record({
  from: endpoint,
  to: endpoint,
  seq: fc.nat({ max: 0xffffffff }),
  ack: fc.nat({ max: 0xffffffff }),
  flags: fc.constantFrom(TCP_FLAGS.ACK, TCP_FLAGS.PSH | TCP_FLAGS.ACK, TCP_FLAGS.FIN | TCP_FLAGS.ACK, TCP_FLAGS.SYN),
  window: fc.nat({ max: 0xffff }),
  payload: fc.uint8Array({ maxLength: 300 }),
  ipId: fc.nat({ max: 0xffff }),
});

describe('synthetic packets: Ethernet, IPv4, TCP', () => {
  it("the Internet checksum of RFC 1071 s.3's example", () => {
    // 0001 f203 f4f5 f6f7 sums to 0xddf2; the checksum is its complement.
    assert.equal(internetChecksum(Uint8Array.from([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7])), 0x220d);
  });

  it('every IPv4 and TCP checksum holds, and the segment reads back as written', () => {
    fc.assert(
      fc.property(segments, (segment) => {
        const frame = ethernetTcpFrame(segment);
        const ip = frame.subarray(14, 34);
        assert.equal(onesSum(ip), 0xffff, 'IPv4 header checksum');
        const tcp = frame.subarray(34);
        const pseudo = Uint8Array.from([...ip.subarray(12, 20), 0, 6, tcp.length >> 8, tcp.length & 0xff]);
        assert.equal(onesSum(Uint8Array.from([...pseudo, ...tcp])), 0xffff, 'TCP checksum over the pseudo-header');
        const back = segmentOf({ linkType: 1, data: frame, microseconds: 5n, offset: 0 });
        assert.deepEqual(back && { ...back, payload: Buffer.from(back.payload) }, {
          from: { ...segment.from },
          to: { ...segment.to },
          seq: segment.seq,
          flags: segment.flags,
          payload: Buffer.from(segment.payload ?? []),
          microseconds: 5n,
          offset: 0,
        });
      }),
    );
  });

  it('refuses what does not fit: an IPv6 address, a payload over 65495 bytes', () => {
    const base = { from: { address: '::1', port: 1 }, to: { address: '127.0.0.1', port: 2 }, seq: 0, ack: 0 };
    assert.throws(() => ethernetTcpFrame({ ...base, flags: 0, window: 0, ipId: 0 }), RangeError);
    const from = { address: '127.0.0.1', port: 1 };
    assert.throws(
      () => ethernetTcpFrame({ ...base, from, flags: 0, window: 0, ipId: 0, payload: new Uint8Array(65496) }),
      RangeError,
    );
  });
});
