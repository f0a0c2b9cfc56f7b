import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { CapturedSegment } from '../../src/capture/decode.ts';
import { TCP_FLAGS } from '../../src/capture/packets.ts';
import { TcpStreams } from '../../src/capture/tcp-streams.ts';

const client = { address: '127.0.0.1', port: 40000 };
const server = { address: '127.0.0.1', port: 5068 };

/** `bytes` cut at `cuts`, as segments of one direction starting at sequence number `isn + 1`. */
function cut(bytes: Uint8Array, cuts: number[], isn: number): CapturedSegment[] {
  const points = [...new Set([0, ...cuts.map((c) => c % (bytes.length + 1)), bytes.length])].sort((a, b) => a - b);
  const out: CapturedSegment[] = [];
  for (let i = 0; i + 1 < points.length; i++)
    out.push({
      from: client,
      to: server,
      seq: (isn + 1 + points[i]!) >>> 0,
      flags: TCP_FLAGS.ACK,
      payload: bytes.subarray(points[i], points[i + 1]),
      microseconds: BigInt(i),
      offset: i,
    });
  return out;
}

function reassemble(segments: CapturedSegment[], isn: number) {
  const got: Uint8Array[] = [];
  const gaps: number[] = [];
  const streams = new TcpStreams({
    data: (_stream, dir, bytes) => (assert.equal(dir, 'client->server'), got.push(Uint8Array.from(bytes))),
    gap: (_stream, _dir, missing) => gaps.push(missing),
  });
  streams.add({
    from: client,
    to: server,
    seq: isn,
    flags: TCP_FLAGS.SYN,
    payload: new Uint8Array(0),
    microseconds: 0n,
    offset: 0,
  });
  for (const segment of segments) streams.add(segment);
  streams.finish();
  return { bytes: Buffer.concat(got), gaps };
}

describe('TCP reassembly', () => {
  it('reordered, retransmitted and overlapping segments give the stream once, in order (across the 2^32 wrap too)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 500 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.constantFrom(0, 0xffffff00, 12345),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.integer(),
        (bytes, cuts, isn, repeats, seed) => {
          const segments = cut(bytes, cuts, isn);
          // Retransmissions, and overlapping re-cuts of the same bytes.
          const extra = repeats.map((r) => segments[r % segments.length]!);
          const overlapping = cut(
            bytes,
            cuts.map((c) => c + 7),
            isn,
          );
          const all = [...segments, ...extra, ...overlapping];
          // A deterministic shuffle.
          let s = seed;
          for (let i = all.length - 1; i > 0; i--) {
            s = (s * 1103515245 + 12345) & 0x7fffffff;
            const j = s % (i + 1);
            [all[i], all[j]] = [all[j]!, all[i]!];
          }
          const { bytes: got, gaps } = reassemble(all, isn);
          assert.deepEqual(gaps, []);
          assert.deepEqual(got, Buffer.from(bytes));
        },
      ),
    );
  });

  it('a segment the capture missed is one gap of its size; the rest still arrives', () => {
    const bytes = Buffer.from('0123456789abcdefghij');
    const segments = cut(bytes, [5, 10, 15], 100);
    const { bytes: got, gaps } = reassemble([segments[0]!, segments[2]!, segments[3]!], 100);
    assert.deepEqual(gaps, [5]);
    assert.equal(got.toString(), '01234abcdefghij');
  });
});
