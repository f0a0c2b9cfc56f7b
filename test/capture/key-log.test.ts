import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { keyLogFromFlags } from '../../src/cli/key-log-option.ts';
import { DhlabError } from '../../src/errors.ts';
import { keyLogId, keyLogLines, parseKeyLog } from '../../src/protocol/key-log.ts';
import { run } from '../support/cli-run.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhlab-keylog-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const entries = fc.record({
  clientPublic: fc.uint8Array({ minLength: 1, maxLength: 300 }),
  clientToServer: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  serverToClient: fc.uint8Array({ minLength: 32, maxLength: 32 }),
});

describe('the key log', () => {
  it('lines read back: each connection named by the first 16 bytes of y_c, a key per direction', () => {
    fc.assert(
      fc.property(fc.array(entries, { maxLength: 5 }), (list) => {
        const text = `# a comment\n\n${list.flatMap((e) => keyLogLines(e)).join('\n')}\n`;
        const parsed = parseKeyLog(text);
        for (const e of list) {
          const id = keyLogId(e.clientPublic);
          assert.equal(id, Buffer.from(e.clientPublic.subarray(0, 16)).toString('hex'));
          const keys = parsed.get(id);
          // Two entries with one id: the later one's keys (as Wireshark takes an SSLKEYLOGFILE).
          const last = list.filter((x) => keyLogId(x.clientPublic) === id).at(-1)!;
          assert.deepEqual(keys && Buffer.from(keys.clientToServer!), Buffer.from(last.clientToServer));
          assert.deepEqual(keys && Buffer.from(keys.serverToClient!), Buffer.from(last.serverToClient));
        }
      }),
    );
  });

  it('a malformed line is ERR_KEY_LOG naming its line, never a key in the message', () => {
    const good = keyLogLines({
      clientPublic: new Uint8Array(16),
      clientToServer: new Uint8Array(32),
      serverToClient: new Uint8Array(32).fill(7),
    });
    const bad = `${good[1].slice(0, -2)}`;
    assert.throws(
      () => parseKeyLog(`${good[0]}\n${bad}\n`),
      (e: unknown) =>
        e instanceof DhlabError && e.code === 'ERR_KEY_LOG' && e.message === 'line 2 is not a dhlab key log line',
    );
  });

  it('--keylog: created 0600, appended, each connection once, never through a symlink', () => {
    const file = path.join(dir, 'keys.log');
    const entry = {
      clientPublic: new Uint8Array(20).fill(1),
      clientToServer: new Uint8Array(32).fill(2),
      serverToClient: new Uint8Array(32).fill(3),
    };
    const log = keyLogFromFlags({ keylog: file }, {});
    assert.ok(log);
    log(entry);
    log(entry); // the lab's server and client both log one connection
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    keyLogFromFlags({ keylog: file }, {})?.({ ...entry, clientPublic: new Uint8Array(20).fill(9) });
    assert.equal(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length, 4, 'appended, not replaced');
    fs.symlinkSync(file, path.join(dir, 'link.log'));
    assert.throws(
      () => keyLogFromFlags({}, { DHLAB_KEYLOGFILE: path.join(dir, 'link.log') }),
      (e: unknown) => e instanceof DhlabError && e.code === 'ERR_FILE',
    );
    assert.equal(keyLogFromFlags({}, {}), undefined, 'no flag and no DHLAB_KEYLOGFILE: no key log');
  });
});

describe('eve --read --keylog on a CBC lesson', () => {
  it("opens lesson 08's CBC frames as CBC, labelled, the tampered one as the server read it; GCM's flip fails its tag", async () => {
    const capture = path.join(dir, 'tampering.pcapng');
    const keys = path.join(dir, 'tampering.keys');
    const lesson = run(['scenario', '08-tampering', '--headless', '--pcap', capture, '--keylog', keys]);
    assert.equal(await lesson.exit, 0, lesson.stderr.join('\n'));
    const read = run(['eve', '--read', capture, '--keylog', keys, '--json']);
    assert.equal(await read.exit, 0, read.stderr.join('\n'));
    const data = read.json().filter((o) => o.type === 'data');
    const cbc = data.filter((o) => o.record === 'AES-256-CBC without a MAC: nothing proves who sealed it');
    const gcm = data.filter((o) => o.record === undefined);
    assert.ok(cbc.length >= 4 && gcm.length >= 4, JSON.stringify(data.map((o) => [o.connection, o.record])));
    assert.ok(
      cbc.every((o) => typeof o.plaintext === 'string'),
      'every CBC frame opens',
    );
    // Mallory's flip turned alice's chat into a quit; the server read it so, and so does Eve.
    assert.ok(cbc.some((o) => o.plaintext === '{"type":"quit","text":"pay 10 euros to bob"}'));
    // The same flip against GCM: the tag fails under the logged key, and nothing is shown.
    const refused = gcm.filter((o) => o.open !== undefined);
    assert.deepEqual(
      refused.map((o) => [o.dir, o.open, o.plaintext]),
      [['client->server', 'the tag does not verify under the logged key', undefined]],
    );
  });
});
