// The server's defaults are the numbers docs/PROTOCOL.md s.6 promises a teacher: a change to one
// must change the spec too.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULTS } from '../src/server/chat-server.ts';

const spec = fs.readFileSync(path.resolve(import.meta.dirname, '../docs/PROTOCOL.md'), 'utf8');

describe('server defaults (docs/PROTOCOL.md s.6)', () => {
  it('are the documented numbers', () => {
    assert.deepEqual(
      { ...DEFAULTS },
      {
        host: '127.0.0.1',
        port: 5068,
        maxClients: 1000,
        handshakeTimeoutMs: 10_000,
        frameTimeoutMs: 30_000,
        maxQueueBytes: 4 * 1024 * 1024,
        slowConsumerMs: 5000,
        maxTotalQueueBytes: 128 * 1024 * 1024,
        rateLimit: 200,
        fanoutLimit: 512 * 1024,
        maxPerAddress: 16,
        maxHandshakesPerAddress: 4,
        connectRatePerAddress: 10,
      },
    );
  });

  it('and the spec says them', () => {
    const expected = [
      `handshake timeout (${DEFAULTS.handshakeTimeoutMs / 1000} s by default)`,
      `frame timeout (${DEFAULTS.frameTimeoutMs / 1000} s by`,
      `at most ${DEFAULTS.maxPerAddress} open`,
      `${DEFAULTS.maxHandshakesPerAddress} unfinished handshakes, and ${DEFAULTS.connectRatePerAddress} new connections a second (bursts of ${DEFAULTS.connectRatePerAddress * 2})`,
      `passes ${DEFAULTS.maxQueueBytes / 2 ** 20} MiB, or has not once been empty for ${DEFAULTS.slowConsumerMs / 1000} s`,
      `pass ${DEFAULTS.maxTotalQueueBytes / 2 ** 20} MiB`,
      `(default ${DEFAULTS.rateLimit})`,
      `--fanout-limit\` such bytes a second (default ${DEFAULTS.fanoutLimit}, ${DEFAULTS.fanoutLimit / 1024} KiB;`,
    ];
    const flat = spec.replace(/\s+/g, ' ');
    for (const phrase of expected) assert.ok(flat.includes(phrase), `PROTOCOL.md says "${phrase}"`);
  });
});
