import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { BIN } from '../support/cli-run.ts';
import { unlessInstalled } from '../support/helpers.ts';

/**
 * Lesson 12 says what the server's socket read. The kernel is the witness: strace records every
 * read(2) the process made, and the sizes the narration gives must be real reads, in that order,
 * on one socket.
 */
const STRACE = spawnSync('strace', ['-V']).status === 0;

describe(
  '12-tcp-framing: the reads narrated are the reads the kernel saw',
  { skip: unlessInstalled(STRACE, 'strace is not installed') },
  () => {
    it('step 1 and step 4 name reads that strace recorded, and the long frame never fits in one', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhlab-strace-'));
      const log = path.join(dir, 'reads');
      try {
        const proc = spawn(
          'strace',
          ['-f', '-e', 'trace=read', '-o', log, process.execPath, BIN, 'scenario', '12-tcp-framing', '--headless'],
          {
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        let out = '';
        proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
        proc.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
        const code = await new Promise<number | null>((resolve) => proc.on('close', resolve));
        assert.equal(code, 0, out);
        const text = out.replace(/\n\s+/g, ' ');

        // Every successful read, by process and file descriptor.
        const readsByFd = new Map<string, number[]>();
        for (const line of fs.readFileSync(log, 'utf8').split('\n')) {
          const hit = /^(\d+)\s+read\((\d+),.*\)\s+=\s+(\d+)$/.exec(line);
          if (!hit || hit[3] === '0') continue;
          const key = `${hit[1]}:${hit[2]}`;
          readsByFd.set(key, [...(readsByFd.get(key) ?? []), Number(hit[3])]);
        }
        const seenInOrder = (sizes: number[]) =>
          [...readsByFd.values()].some((reads) =>
            reads.some((_, at) => sizes.every((size, i) => reads[at + i] === size)),
          );

        const waiting = /the reader's socket had ([\d, then]+) bytes waiting/.exec(text);
        assert.ok(waiting, text);
        const readerSizes = (waiting[1] ?? '').split(', then ').map(Number);
        assert.deepEqual(readerSizes, [16, 3000], 'two writes merged in one segment, then the long message');
        assert.ok(seenInOrder(readerSizes), `strace saw no socket read ${readerSizes.join(', ')}`);

        const server = /the server's socket gave it (\d+) reads \(([\d, ]+) bytes\), one per segment/.exec(text);
        assert.ok(server, text);
        const serverSizes = (server[2] ?? '').split(', ').map(Number);
        assert.equal(serverSizes.length, Number(server[1]));
        assert.ok(serverSizes.length > 3, 'three frames arrive in more reads than frames');
        assert.ok(seenInOrder(serverSizes), `strace saw no socket read ${serverSizes.join(', ')} in that order`);
        // The 1200-byte line's frame is larger than any single read: the server reassembled it.
        assert.ok(Math.max(...serverSizes) < 1200, serverSizes.join(', '));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
