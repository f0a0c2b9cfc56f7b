// Exercise 8, the whole client, graded by `dhlab check client` against real servers that cheat once
// per case: the reference clients (TypeScript with node:crypto, Python with python3-cryptography,
// both written from the spec alone) pass; each skipped check is caught at the case made for it,
// with the hint that names it; a client that never exits is stopped.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  gradeClient,
  clientCases,
  shuffledOrder,
  type ClientCaseObserver,
} from '../../src/exercises/client-exercise.ts';
import { run } from '../support/cli-run.ts';

const REFERENCE = path.resolve(import.meta.dirname, 'reference');
const tsClient = [process.execPath, '--import', 'tsx', path.join(REFERENCE, 'client.ts')];
const pyClient = ['python3', path.join(REFERENCE, 'client.py')];

async function check(args: string[], mistake = '') {
  const saved = process.env.MISTAKE;
  process.env.MISTAKE = mistake;
  try {
    const running = run(['check', 'client', ...args]);
    const code = await running.exit;
    return { code, out: running.stdout.join('\n') };
  } finally {
    if (saved === undefined) delete process.env.MISTAKE;
    else process.env.MISTAKE = saved;
  }
}

const firstFailure = (out: string) => out.split('\n').find((line) => line.includes('✗')) ?? '';
const hintOf = (out: string) => /hint: +(.*)/.exec(out)?.[1] ?? '';
const gotOf = (out: string) => /got: +(.*)/.exec(out)?.[1] ?? '';

describe('dhlab check client: the whole client against servers that cheat', () => {
  for (const [language, command] of [
    ['TypeScript', tsClient],
    ['Python', pyClient],
  ] as const) {
    it(`the ${language} reference client passes all seven cases (exit 0)`, async () => {
      const result = await check(['--', ...command]);
      assert.equal(result.code, 0, result.out);
      assert.match(result.out, /dhlab check client \(seed 1\): 7 cases/);
      assert.match(result.out, /^7 of 7 passed: done$/m);
    });
  }

  const MISTAKES: Array<[mistake: string, caughtAt: RegExp, got: RegExp, hint: RegExp]> = [
    [
      'frame-seq',
      /✗ 3\. a replayed frame/,
      /bob: (.+) \| bob: (.+) \| bob: \1 \| bob: \2 \|/,
      /from your own counter, never from the frame's seq/,
    ],
    [
      'no-validation',
      /✗ 4\. an invalid public value: y_s = p - 1/,
      /ERROR ERR_BAD_SIGNATURE/,
      /check 2 <= y_s <= p-2 before you use it/,
    ],
    ['range-only', /✗ 5\. a public value outside the subgroup/, /ERROR ERR_BAD_SIGNATURE/, /y_s\^q mod p = 1/],
    [
      'no-signature-check',
      /✗ 6\. a bad host signature/,
      /^\+ bob \| .* \(exit 0\); but you sent a sealed frame after a server_auth that did not verify$/,
      /verify server_auth's Ed25519 signature/,
    ],
    [
      'no-fingerprint-check',
      /✗ 7\. a man in the middle/,
      /^\+ bob \| .* \(exit 0\); but you sent client_key after a server_key you had to refuse$/,
      /compare SHA256: \+ unpadded base64 .* with --fingerprint/,
    ],
    // The printed lines are right; only the wire shows the check came after client_key.
    [
      'late-fingerprint',
      /✗ 7\. a man in the middle/,
      /^ERROR ERR_HOST_KEY_CHANGED \(exit 1\); but you sent client_key/,
      /before sending client_key/,
    ],
    [
      'reuse-seq',
      /✗ 1\. the honest room/,
      /.*/,
      /the server opened your first frame and refused a later one with ERR_DECRYPT/,
    ],
    [
      'no-quit',
      /✗ 1\. the honest room/,
      /; but the server got no quit from you$/,
      /at the end of stdin send quit and exit 0/,
    ],
  ];
  for (const [mistake, caughtAt, got, hint] of MISTAKES) {
    it(`a client with the mistake "${mistake}" fails at the case that catches it, with its hint`, async () => {
      const result = await check(['--', ...tsClient], mistake);
      assert.equal(result.code, 1, result.out);
      assert.match(firstFailure(result.out), caughtAt, result.out);
      assert.match(gotOf(result.out), got, result.out);
      assert.match(hintOf(result.out), hint, result.out);
    });
  }

  const frameOf = (out: string) => /^ +frame: +(.*)$/m.exec(out)?.[1] ?? '';
  for (const [mistake, frame] of [
    [
      'no-validation',
      /^the cheat, as it reached you: \{"type":"server_key","group":"modp14","y":"ffffffff…fffffffe \(512 digits\)"/,
    ],
    ['reuse-seq', /^yours, refused with ERR_DECRYPT: data seq 0 \(\d+ base64 digits\)$/],
    [
      'no-signature-check',
      /^the cheat, as it reached you: \{"type":"server_auth","signature":"[0-9a-f]{8}…[0-9a-f]{8} \(128 digits\)"\}$/,
    ],
    ['no-batch', /^line 2 came from: data seq 2, opened: \{"type":"batch","events":\[/],
  ] as const) {
    it(`"${mistake}": the failure shows the frame it went wrong on, decoded`, async () => {
      const result = await check(['--time-limit', '3', '--', ...tsClient], mistake);
      assert.match(frameOf(result.out), frame, result.out);
    });
  }

  it('a program that prints the expected error without connecting fails: the wire shows it never came', async () => {
    const result = await check(['--json', '--', 'sh', '-c', 'echo ERROR ERR_BAD_PUBLIC_KEY; exit 1']);
    const cases = result.out
      .split('\n')
      .map((line) => JSON.parse(line) as { index?: number; ok?: boolean; got?: string });
    assert.equal(cases[3]?.ok, false);
    assert.match(cases[3]?.got ?? '', /; but you never connected/);
    assert.match(result.out.split('\n').at(-1) ?? '', /"passed":0/);
  });

  it('every case looks the same to the program: one --name, one --fingerprint, in a new order each run', async () => {
    const log = path.join(mkdtempSync(path.join(tmpdir(), 'dhlab-client-')), 'args');
    const record = ['sh', '-c', `echo "$*" | sed 's/--port [0-9]*//' >> ${log}; exit 1`, 'record'];
    await check(['--', ...record]);
    const seen = readFileSync(log, 'utf8').trim().split('\n');
    assert.equal(seen.length, 7);
    assert.equal(new Set(seen).size, 1, seen.join('\n'));
    // The order: a permutation each time, and not always the same one.
    const orders = Array.from({ length: 20 }, () => shuffledOrder(7).join(','));
    for (const order of orders) assert.deepEqual(order.split(',').map(Number).sort(), [0, 1, 2, 3, 4, 5, 6]);
    assert.ok(new Set(orders).size > 1);
  });

  it('a client that ignores batches waits for lines that never come: stopped at the case limit, with the batch hint', async () => {
    const result = await check(['--time-limit', '3', '--', ...tsClient], 'no-batch');
    assert.equal(result.code, 1);
    assert.match(firstFailure(result.out), /✗ 1\. the honest room/);
    assert.match(
      gotOf(result.out),
      /^\+ bob \(still running at the time limit \(3 s\): killed, with everything it started\)$/,
    );
    assert.match(hintOf(result.out), /\{"type":"batch","events":\[\.\.\.\]\}/);
  });

  it('a client that never exits fails every case, each stopped at its limit', async () => {
    const result = await check(['--time-limit', '2', '--', ...tsClient], 'hang');
    assert.equal(result.code, 1);
    assert.match(result.out, /^0 of 7 passed$/m);
    assert.match(result.out, /the program: case 1: still running at the time limit \(2 s\): killed/);
  });

  it('a client whose output never arrives (not flushed) gets the flush hint', async () => {
    const result = await check(['--time-limit', '2', '--', ...tsClient], 'silent');
    assert.equal(result.code, 1);
    assert.match(
      hintOf(result.out),
      /^your program printed nothing before it was stopped: flush stdout after each line/,
    );
  });

  it('a client that crashes: its exit status and the end of its stderr, through the sanitizer', async () => {
    const result = await check(['--time-limit', '5', '--', ...tsClient], 'crash');
    assert.equal(result.code, 1);
    assert.match(gotOf(result.out), /^\(nothing\) \(exit 3\)$/);
    assert.match(result.out, /the program: case 1: exited with status 3/);
    assert.match(result.out, /Traceback: the client broke/);
  });

  it("a client's escape sequences are shown escaped, never obeyed", async () => {
    const result = await check(['--', ...tsClient], 'hostile');
    assert.equal(result.code, 1);
    assert.doesNotMatch(result.out, /\x1b/); // eslint-disable-line no-control-regex -- the point
    assert.match(result.out, /\\x1b\]0;pwned\\x07/);
  });

  it("the honest room is what the sheet says: bob's two lines reach the student in one sealed batch, and the student's line reaches bob", async () => {
    const sealed: string[] = [];
    const observer: ClientCaseObserver = {
      caseStarted: () => {},
      serverTrace: (index, _connection, event, name) => {
        if (index === 0 && event.kind === 'seal' && name === clientCases('1')[0]?.name) sealed.push(event.plaintext);
      },
      wire: () => {},
      caseEnded: () => {},
    };
    const result = await gradeClient(tsClient, '1', undefined, observer);
    assert.equal(result.ok, true, JSON.stringify(result.cases));
    const [honest] = clientCases('1');
    const batch = sealed.find((text) => text.startsWith('{"type":"batch"'));
    assert.ok(batch, sealed.join('\n'));
    const events = (JSON.parse(batch) as { events: Array<{ type: string; text?: string }> }).events;
    assert.deepEqual(
      events.map((e) => e.text),
      honest?.bobSays,
    );
  });

  it('--json and --seed: one object per case and a summary; another seed, other names and lines', async () => {
    const a = await check(['--json', '--seed', '5', '--', ...tsClient]);
    const lines = a.out.split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(lines.length, 8);
    assert.deepEqual(lines.at(-1), { exercise: 'client', seed: '5', ok: true, passed: 7, total: 7, problem: null });
    const expectations = (seed: string) => clientCases(seed).map((c) => [c.name, c.story, ...c.expected]);
    assert.notDeepEqual(expectations('5'), expectations('6'));
    assert.deepEqual(expectations('5'), expectations('5'));
  });
});
