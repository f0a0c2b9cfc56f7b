import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { CaptureFile } from '../../src/capture/capture-file.ts';
import { readCapture } from '../../src/capture/capture-reader.ts';
import { enhancedPacketBlock, interfaceDescriptionBlock, sectionHeaderBlock } from '../../src/capture/pcapng.ts';
import { DhlabError } from '../../src/errors.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhlab-capture-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const packets = fc.array(
  fc.record({ at: fc.bigInt({ min: 0n, max: 2n ** 63n }), data: fc.uint8Array({ maxLength: 200 }) }),
  {
    maxLength: 20,
  },
);

function pcapng(list: { at: bigint; data: Uint8Array }[]): Buffer {
  return Buffer.concat([
    sectionHeaderBlock('test'),
    interfaceDescriptionBlock('lo'),
    ...list.map((p) => enhancedPacketBlock(p.at, p.data)),
  ]);
}

/** Classic pcap, as tcpdump writes it: a 24-byte header, then 16-byte record headers. */
function pcap(list: { at: bigint; data: Uint8Array }[], little: boolean, nano: boolean): Buffer {
  const head = Buffer.alloc(24);
  const u32 = (b: Buffer, v: number, at: number) => (little ? b.writeUInt32LE(v, at) : b.writeUInt32BE(v, at));
  u32(head, nano ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  (little ? head.writeUInt16LE.bind(head) : head.writeUInt16BE.bind(head))(2, 4);
  (little ? head.writeUInt16LE.bind(head) : head.writeUInt16BE.bind(head))(4, 6);
  u32(head, 262144, 16);
  u32(head, 1, 20);
  const records = list.map((p) => {
    const r = Buffer.alloc(16);
    const seconds = Number(p.at / 1_000_000n);
    const micro = Number(p.at % 1_000_000n);
    u32(r, seconds, 0);
    u32(r, nano ? micro * 1000 : micro, 4);
    u32(r, p.data.length, 8);
    u32(r, p.data.length, 12);
    return Buffer.concat([r, p.data]);
  });
  return Buffer.concat([head, ...records]);
}

const shape = (list: { at: bigint; data: Uint8Array }[]) =>
  list.map((p) => ({ at: p.at, data: Buffer.from(p.data).toString('hex') }));
const read = (bytes: Uint8Array) =>
  readCapture(bytes).map((p) => ({ at: p.microseconds, data: Buffer.from(p.data).toString('hex') }));

describe('capture files: pcapng written, pcap and pcapng read', () => {
  it('pcapng blocks read back as written, each padded to 32 bits', () => {
    fc.assert(
      fc.property(packets, (list) => {
        const bytes = pcapng(list);
        assert.equal(bytes.length % 4, 0);
        assert.deepEqual(read(bytes), shape(list));
      }),
    );
  });

  it("tcpdump's classic pcap, either byte order, micro- or nanosecond stamps", () => {
    fc.assert(
      fc.property(packets, fc.boolean(), fc.boolean(), (list, little, nano) => {
        const within = list.map((p) => ({ ...p, at: p.at % (2n ** 32n * 1_000_000n) }));
        assert.deepEqual(read(pcap(within, little, nano)), shape(within));
      }),
    );
  });

  it('a capture cut anywhere: ERR_CAPTURE with an offset, or the packets before the cut; never a crash', () => {
    const list = [0, 1, 2].map((i) => ({ at: BigInt(i), data: new Uint8Array(33 + i).fill(i) }));
    for (const whole of [pcapng(list), pcap(list, true, false)])
      for (let cut = 0; cut < whole.length; cut++) {
        try {
          const got = readCapture(whole.subarray(0, cut));
          assert.ok(got.length < list.length, `cut at ${cut}: fewer packets`);
        } catch (error) {
          assert.ok(error instanceof DhlabError && error.code === 'ERR_CAPTURE', String(error));
          assert.match(error.message, /^at byte \d+: /);
        }
      }
  });

  it('random bytes are ERR_CAPTURE, never a read past the end', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.constantFrom('pcapng', 'pcap', 'none'), (noise, head) => {
        const prefix =
          head === 'pcapng' ? sectionHeaderBlock('x') : head === 'pcap' ? pcap([], true, false) : Buffer.alloc(0);
        try {
          for (const p of readCapture(Buffer.concat([prefix, noise]))) assert.ok(p.data.length <= noise.length);
        } catch (error) {
          assert.ok(error instanceof DhlabError && error.code === 'ERR_CAPTURE', String(error));
        }
      }),
    );
  });

  it('--pcap: a file that is a symlink is refused, a full writer drops and counts', async () => {
    const target = path.join(dir, 'target');
    fs.writeFileSync(target, 'keep');
    fs.symlinkSync(target, path.join(dir, 'link.pcapng'));
    assert.throws(
      () => CaptureFile.create(path.join(dir, 'link.pcapng')),
      (e: unknown) => e instanceof DhlabError && e.code === 'ERR_FILE',
    );
    assert.equal(fs.readFileSync(target, 'utf8'), 'keep');
    const capture = CaptureFile.create(path.join(dir, 'small.pcapng'), 1000);
    const conversation = capture.conversation(
      { address: '127.0.0.1', port: 40000 },
      { address: '127.0.0.1', port: 5068 },
    );
    conversation.open();
    for (let i = 0; i < 200; i++) conversation.data('client', new Uint8Array(500));
    await capture.close();
    assert.ok(capture.dropped > 0, 'what the disk could not take yet was dropped');
    const written = readCapture(fs.readFileSync(path.join(dir, 'small.pcapng')));
    assert.equal(written.length, capture.packets);
  });

  it('an IPv6 peer is counted as not written, never thrown inside the relay', async () => {
    const capture = CaptureFile.create(path.join(dir, 'v6.pcapng'));
    const conversation = capture.conversation({ address: '::1', port: 40000 }, { address: '::1', port: 5068 });
    conversation.open();
    conversation.data('client', new Uint8Array(10));
    conversation.close();
    await capture.close();
    assert.equal(capture.skipped, 1);
    assert.equal(capture.packets, 0);
    assert.deepEqual(readCapture(fs.readFileSync(path.join(dir, 'v6.pcapng'))), []);
  });
});
