// The bridge to the tools a course uses: captures tshark reads as clean TCP, a key log that
// opens every chat, and Eve reading what tcpdump captured of a live room.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readCapture } from '../../src/capture/capture-reader.ts';
import { segmentOf } from '../../src/capture/decode.ts';
import { TCP_FLAGS } from '../../src/capture/packets.ts';
import { loadScenario } from '../../src/scenario/parse/file.ts';
import { resolveScenario } from '../../src/scenario/catalog.ts';
import { run } from '../support/cli-run.ts';
import { join, startServer, unlessInstalled, waitFor } from '../support/helpers.ts';

/** Whether the capture (maybe mid-write) holds a reset: the refused marker's, the room ends with none. */
function capturedReset(file: string): boolean {
  try {
    return readCapture(fs.readFileSync(file)).some((p) => ((segmentOf(p)?.flags ?? 0) & TCP_FLAGS.RST) !== 0);
  } catch {
    return false;
  }
}

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhlab-wireshark-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function tshark(args: string[]): string[] {
  return execFileSync('tshark', ['-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  })
    .split('\n')
    .filter(Boolean);
}

describe('captures and key logs', { skip: unlessInstalled(has('tshark'), 'no tshark') }, () => {
  const capture = path.join(dir, 'eve-passive.pcapng');
  const keys = path.join(dir, 'keys.log');
  let said: string[];

  before(async () => {
    const lesson = run(['scenario', '03-eve-passive', '--headless', '--pcap', capture, '--keylog', keys]);
    assert.equal(await lesson.exit, 0, lesson.stderr.join('\n'));
    assert.match(lesson.stderr.join('\n'), /wrote \d+ packets to .*eve-passive\.pcapng/);
    said = loadScenario(resolveScenario('03-eve-passive').file).steps.flatMap((s) =>
      s.action.kind === 'say' ? [s.action.text] : [],
    );
    assert.ok(said.length >= 2);
  });

  it('tshark reads clean TCP: every checksum good, no analysis flag, each stream opened and closed', () => {
    const rows = tshark(['-r', capture, '-T', 'fields', '-e', 'tcp.checksum.status', '-e', 'ip.checksum.status']);
    assert.ok(rows.length > 20);
    assert.deepEqual(new Set(rows), new Set(['1\t1']), 'tcp and ip checksums: Good');
    assert.deepEqual(tshark(['-r', capture, '-Y', 'tcp.analysis.flags || _ws.expert.severity >= warning']), []);
    const syns = tshark(['-r', capture, '-Y', 'tcp.flags.syn == 1 && tcp.flags.ack == 0']).length;
    const fins = tshark(['-r', capture, '-Y', 'tcp.flags.fin == 1']).length;
    assert.equal(fins, syns * 2, 'a FIN each way for every connection');
  });

  it('eve --read with the key log: every chat exactly as said; without it, none', async () => {
    const opened = run(['eve', '--read', capture, '--keylog', keys, '--json']);
    assert.equal(await opened.exit, 0, opened.stderr.join('\n'));
    const chats = opened
      .json()
      .flatMap((o) => (typeof o.plaintext === 'string' ? [JSON.parse(o.plaintext) as Record<string, unknown>] : []))
      .flatMap((p) => (p.type === 'chat' ? [p.text] : []));
    assert.deepEqual(chats, said);
    const sealed = run(['eve', '--read', capture, '--json']);
    assert.equal(await sealed.exit, 0);
    const text = sealed.stdout.join('\n');
    assert.ok(sealed.json().some((o) => o.type === 'data'));
    assert.ok(!text.includes('plaintext'));
    for (const line of said) assert.ok(!text.includes(line), `"${line}" is not on the wire in clear`);
  });

  it('a truncated capture and random bytes: ERR_CAPTURE with the offset', async () => {
    const whole = fs.readFileSync(capture);
    fs.writeFileSync(path.join(dir, 'cut.pcapng'), whole.subarray(0, whole.length - 7));
    fs.writeFileSync(path.join(dir, 'noise.pcap'), Buffer.from(Array.from({ length: 999 }, (_, i) => (i * 73) & 0xff)));
    for (const file of ['cut.pcapng', 'noise.pcap']) {
      const bad = run(['eve', '--read', path.join(dir, file), '--json']);
      assert.equal(await bad.exit, 1);
      assert.match(bad.stderr.join('\n'), /dhlab: ERR_CAPTURE: at byte \d+: /);
    }
  });
});

describe('Eve reads what tcpdump captured', { skip: unlessInstalled(has('tcpdump'), 'no tcpdump') }, () => {
  it('`tcpdump -i lo` of a live room read by eve --read --json: the same frames as the live eve --json', async (t) => {
    const { server, port } = await startServer();
    const file = path.join(dir, 'live.pcap');
    const dump = spawn(
      'tcpdump',
      ['-i', 'lo', '--immediate-mode', '-U', '-n', '-Z', 'root', '-w', file, `tcp port ${port}`],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    t.after(() => dump.kill('SIGKILL'));
    let dumpSaid = '';
    dump.stderr.on('data', (chunk: Buffer) => (dumpSaid += chunk.toString()));
    await waitFor(() => /listening on lo/.test(dumpSaid), 'tcpdump to listen');
    const eve = run(['eve', '--listen', '127.0.0.1:0', '--forward', `127.0.0.1:${port}`, '--json']);
    t.after(() => eve.proc.kill('SIGKILL'));
    await waitFor(() => eve.stderr.some((l) => /listening on 127\.0\.0\.1:\d+/.test(l)), 'eve to listen');
    const evePort = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(eve.stderr.join('\n'))?.[1]);
    const alice = await join(evePort, 'alice');
    const bob = await join(evePort, 'bob');
    alice.client.say('meet at 10');
    await waitFor(() => bob.messages().length === 1, 'bob to hear alice');
    await alice.client.quit();
    await bob.client.quit();
    await waitFor(() => eve.stdout.length >= 14, 'eve to see both sessions end');
    eve.proc.kill('SIGTERM');
    await eve.exit;
    await server.close();
    // tcpdump writes each packet as it reads it (-U, --immediate-mode) but may still hold the
    // last ones: the reset a connection to the closed port gets, once in the file, says everything before is.
    const marker = net.connect({ host: '127.0.0.1', port });
    marker.on('error', () => {});
    await new Promise((resolve) => marker.once('close', resolve));
    await waitFor(() => capturedReset(file), 'the marker in the capture');
    dump.kill('SIGINT');
    await new Promise((resolve) => dump.once('close', resolve));
    const read = run(['eve', '--read', file, '--json']);
    // The marker's two packets are a stream with no bytes: not dhlab, and not a frame.
    assert.equal(await read.exit, 0, read.stderr.join('\n'));
    const frames = (lines: Array<Record<string, unknown>>) =>
      lines.map((o) => JSON.stringify([o.connection, o.dir, o.frame]));
    assert.deepEqual(frames(read.json()), frames(eve.json()));
  });
});

const DISSECTOR = path.resolve(import.meta.dirname, '../../wireshark/dhlab.lua');

/** tshark with wireshark/dhlab.lua, and the key log when given. */
function dissect(capture: string, keyLog: string | undefined, args: string[]): string[] {
  return tshark([
    '-X',
    `lua_script:${DISSECTOR}`,
    ...(keyLog ? ['-o', `dhlab.keylog_file:${keyLog}`] : []),
    '-r',
    capture,
    ...args,
  ]);
}

describe('wireshark/dhlab.lua in tshark', { skip: unlessInstalled(has('tshark'), 'no tshark') }, () => {
  const lesson = async (name: string) => {
    const capture = path.join(dir, `${name}.pcapng`);
    const keys = path.join(dir, `${name}.keys`);
    const ran = run(['scenario', name, '--headless', '--pcap', capture, '--keylog', keys]);
    assert.equal(await ran.exit, 0, ran.stderr.join('\n'));
    return { capture, keys };
  };

  it('its AES-256, inverse cipher, CBC and GCM match FIPS-197, SP 800-38A and the GCM test cases', () => {
    const lines = tshark([
      '-X',
      `lua_script:${DISSECTOR}`,
      '-X',
      'lua_script1:selftest',
      '-r',
      path.join(dir, 'eve-passive.pcapng'),
      '-q',
    ]);
    const results = lines.filter((l) => l.startsWith('dhlab selftest: '));
    assert.equal(results.length, 10, lines.join('\n'));
    assert.deepEqual(
      results.filter((l) => !l.startsWith('dhlab selftest: ok ')),
      [],
    );
  });

  it('lesson 03: with the key log every chat text as said, without it none; no frame malformed', async () => {
    const { capture, keys } = await lesson('03-eve-passive');
    const said = loadScenario(resolveScenario('03-eve-passive').file).steps.flatMap((s) =>
      s.action.kind === 'say' ? [s.action.text] : [],
    );
    assert.deepEqual(
      dissect(capture, keys, ['-Y', 'dhlab.inner_type == "chat"', '-T', 'fields', '-e', 'dhlab.text']),
      said,
    );
    assert.deepEqual(dissect(capture, undefined, ['-Y', 'dhlab.plaintext || dhlab.text']), []);
    assert.deepEqual(
      dissect(capture, keys, ['-Y', 'dhlab.malformed || dhlab.tag_failed || dhlab.seq_out_of_order']),
      [],
    );
    const frames = dissect(capture, keys, ['-T', 'fields', '-e', 'dhlab.type']).flatMap((row) => row.split(','));
    const read = run(['eve', '--read', capture, '--json']);
    assert.equal(await read.exit, 0);
    assert.deepEqual(
      frames,
      read.json().map((o) => o.type),
      'tshark and eve --read see the same frames',
    );
    const info = dissect(capture, keys, ['-Y', 'dhlab', '-T', 'fields', '-e', '_ws.col.Info']).join('\n');
    assert.match(info, new RegExp(`data #\\d+ message #\\d+ alice: "${said[0]}"`), 'Info reads like the lab');
  });

  it('lesson 08: the flipped GCM frame is expert info; the CBC quit shows as the server read it', async () => {
    const { capture, keys } = await lesson('08-tampering');
    assert.equal(dissect(capture, keys, ['-Y', 'dhlab.tag_failed']).length, 1);
    const cbc = dissect(capture, keys, [
      '-Y',
      'dhlab.cbc && dhlab.inner_type == "quit"',
      '-T',
      'fields',
      '-e',
      'dhlab.plaintext',
    ]);
    // A failure shows every dhlab frame tshark saw, with its stream: what was opened, and how.
    const frames = () =>
      dissect(capture, keys, ['-Y', 'dhlab', '-T', 'fields', '-e', 'tcp.stream', '-e', '_ws.col.Info']).join('\n');
    assert.deepEqual(cbc, ['{"type":"quit","text":"pay 10 euros to bob"}'], cbc.length === 1 ? '' : frames());
  });

  it('lesson 09: the replayed frame is a sequence number out of order', async () => {
    const { capture, keys } = await lesson('09-replay');
    const replays = dissect(capture, keys, ['-Y', 'dhlab.seq_out_of_order', '-T', 'fields', '-e', 'dhlab.seq']);
    assert.deepEqual(replays, ['0']);
    // Wireshark dissects a packet again when it is clicked: a second pass decides the same.
    const twoPass = dissect(capture, keys, ['-2', '-Y', 'dhlab.seq_out_of_order', '-T', 'fields', '-e', 'dhlab.seq']);
    assert.deepEqual(twoPass, ['0']);
    const info = dissect(capture, keys, ['-2', '-Y', 'dhlab', '-T', 'fields', '-e', '_ws.col.Info']);
    assert.ok(
      info.some((line) => /^server_auth \| data #0 welcome$/.test(line)),
      'two frames in one segment, both named',
    );
  });
});
