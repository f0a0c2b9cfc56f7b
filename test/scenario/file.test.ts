import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DhlabError } from '../../src/errors.ts';
import { parseScenario } from '../../src/scenario/parse/file.ts';
import { reflow } from '../../src/scenario/runtime/runner.ts';
import { run } from '../support/cli-run.ts';

const GOOD = `title: t
summary: s
actors:
  server: { group: toy23 }
  clients: [alice, bob]
steps:
  - title: one
    narration: hello
    action: { connect: alice }
    expect:
      - value: { of: alice.y, is: "16" }
`;

function problem(text: string): string {
  try {
    parseScenario(text, 'lesson.yaml');
  } catch (error) {
    assert.ok(error instanceof DhlabError);
    assert.equal(error.code, 'ERR_SCENARIO');
    return error.message;
  }
  assert.fail('the file was accepted');
}

describe('scenario files', () => {
  it('parses a small valid file', () => {
    const s = parseScenario(GOOD, 'lesson.yaml');
    assert.equal(s.name, 'lesson');
    assert.equal(s.server.group, 'toy23');
    assert.deepEqual(
      s.clients.map((c) => c.name),
      ['alice', 'bob'],
    );
    assert.deepEqual(s.steps[0]?.action, { kind: 'connect', name: 'alice' });
    assert.equal(s.steps[0]?.line, 7);
  });

  const cases: [string, string, RegExp][] = [
    [
      'an unknown field',
      GOOD.replace('    narration: hello', '    narration: hello\n    narrative: typo'),
      /^lesson\.yaml:9: steps\[0\]\.narrative: unknown field/,
    ],
    [
      'an unknown group',
      GOOD.replace('group: toy23', 'group: toy99'),
      /^lesson\.yaml:4: actors\.server\.group: unknown group "toy99"/,
    ],
    [
      'an action naming a client that does not exist',
      GOOD.replace('connect: alice', 'connect: mallory'),
      /^lesson\.yaml:9: steps\[0\]\.action\.connect: "mallory" is not one of the clients/,
    ],
    [
      'two actions in one step',
      GOOD.replace('{ connect: alice }', '{ connect: alice, leave: bob }'),
      /one action per step \(found 2\)/,
    ],
    [
      'an error code that does not exist',
      GOOD.replace('value: { of: alice.y, is: "16" }', 'error: { who: alice, code: ERR_OOPS }'),
      /^lesson\.yaml:11: steps\[0\]\.expect\[0\]\.error\.code: "ERR_OOPS" is not an error code/,
    ],
    ['a missing title', GOOD.replace('title: t\n', ''), /^lesson\.yaml:1: title: must be a non-empty string/],
    ['no steps', GOOD.replace(/steps:[\s\S]*/, 'steps: []\n'), /steps: needs at least one step/],
    ['broken YAML', GOOD.replace('clients: [alice, bob]', 'clients: [alice, bob'), /^lesson\.yaml:\d+: not valid YAML/],
    [
      'an exponent that is not a number',
      GOOD.replace('{ group: toy23 }', '{ group: toy23, exponent: six }'),
      /actors\.server\.exponent: must be a positive whole number/,
    ],
    ['a duplicate client', GOOD.replace('[alice, bob]', '[alice, alice]'), /actors\.clients: client names must differ/],
    [
      'a bad Mallory mode',
      GOOD.replace('  clients:', '  mallory: { mode: evil }\n  clients:'),
      /actors\.mallory\.mode: must be relay, mitm or fix-key/,
    ],
    [
      'a bit position that is negative',
      GOOD.replace('{ connect: alice }', '{ flip: { connection: alice, bit: -1 } }'),
      /steps\[0\]\.action\.flip\.bit: must be an integer/,
    ],
  ];
  for (const [what, text, expected] of cases) {
    it(`names the file, line and field for ${what}`, () => assert.match(problem(text), expected));
  }

  it('reflows prose and keeps indented lines', () => {
    assert.equal(reflow('one\ntwo\n\n  x = 1\n  y = 2\nthree'), 'one two\n\n  x = 1\n  y = 2\nthree');
  });
});

describe('dhlab scenario, as a process', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhlab-scenario-test-'));

  it('--list names every shipped scenario, one per line', async () => {
    const p = run(['scenario', '--list']);
    assert.equal(await p.exit, 0);
    assert.ok(p.stdout.some((l) => l.startsWith('01-handshake ')));
    assert.ok(p.stdout.some((l) => l.startsWith('09-replay ')));
  });

  it('exits 1 naming the file, line and step of the first expectation that fails', async () => {
    const file = path.join(dir, 'wrong.yaml');
    fs.writeFileSync(file, GOOD.replace('is: "16"', 'is: "17"'));
    const p = run(['scenario', file, '--headless']);
    assert.equal(await p.exit, 1);
    assert.match(
      p.stderr.join('\n'),
      new RegExp(
        `ERR_EXPECTATION: ${file.replace(/[.]/g, '\\.')}:7: step 1 "one": expected alice\\.y = 17 \\(alice\\.y = \\d+\\)`,
      ),
    );
    assert.ok(
      p.stdout.some((l) => l.includes('✗ alice.y = 17')),
      'the transcript marks the failed check',
    );
  });

  it('a malformed file exits 1 with ERR_SCENARIO', async () => {
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(file, GOOD.replace('group: toy23', 'group: nope'));
    const p = run(['scenario', file, '--headless']);
    assert.equal(await p.exit, 1);
    assert.match(p.stderr.join('\n'), /ERR_SCENARIO: .*bad\.yaml:4: actors\.server\.group: unknown group "nope"/);
  });

  it('--export writes a handout and --seed changes the run', async () => {
    const out = path.join(dir, 'handout.html');
    const p = run(['scenario', '05-toy-discrete-log', '--export', out, '--seed', '42']);
    assert.equal(await p.exit, 0, p.stderr.join('\n'));
    const html = fs.readFileSync(out, 'utf8');
    assert.match(html, /--seed 42/);
    assert.match(html, /<b>server_key<\/b>/);
  });

  it('an unknown name is a usage error', async () => {
    const p = run(['scenario', 'no-such-lesson']);
    assert.equal(await p.exit, 2);
    assert.match(p.stderr.join('\n'), /ERR_USAGE: no scenario named "no-such-lesson"/);
  });
});

describe('scenario files: what a step can only get wrong against the rest of the file (fidelity 5)', () => {
  it('a placeholder no run records is ERR_SCENARIO at load, with line and field', () => {
    assert.equal(
      problem(GOOD.replace('narration: hello', 'narration: "y is {alice.yy}"')),
      'lesson.yaml:8: steps[0].narration: "alice.yy" is not a value a run records (docs/TEACHING.md lists the value names)',
    );
    assert.match(problem(GOOD.replace('narration: hello', 'narration: "{carol.y}"')), /"carol\.y" is not a value/);
    assert.match(
      problem(GOOD.replace('of: alice.y,', 'of: alice.why,')),
      /steps\[0\]\.expect\[0\]\.value\.of: "alice\.why"/,
    );
  });

  it('every value name the shipped lessons use is accepted', () => {
    const names = [
      'alice.x',
      'server/alice.y_c',
      'eve/bob.y_s',
      'mallory/alice-client.K',
      'group.q',
      'cbc.tampered',
      'cost.toy-32.secret',
      'gcm.flips_accepted',
    ];
    const text = GOOD.replace(
      'clients: [alice, bob]',
      'clients: [alice, bob]\n  eve: true\n  mallory: { mode: mitm }',
    ).replace('narration: hello', `narration: "${names.map((n) => `{${n}}`).join(' ')}"`);
    assert.equal(parseScenario(text, 'lesson.yaml').steps.length, 1);
  });

  it('Eve and Mallory are needed by what uses them', () => {
    assert.equal(
      problem(GOOD.replace('narration: hello', 'narration: hello\n    view: eve')),
      'lesson.yaml:9: steps[0].view: eve needs actors.eve: true',
    );
    assert.match(
      problem(GOOD.replace('      - value: { of: alice.y, is: "16" }', '      - eve_cannot_read: hello')),
      /steps\[0\]\.expect\[0\]\.eve_cannot_read: eve_cannot_read needs actors\.eve: true/,
    );
    assert.match(
      problem(GOOD.replace('action: { connect: alice }', 'action: { discrete_log: { of: eve/alice.y_s, as: x } }')),
      /discrete_log needs actors\.eve: true/,
    );
    assert.match(
      problem(GOOD.replace('action: { connect: alice }', 'action: { replay: alice }')),
      /replay needs actors\.mallory/,
    );
    assert.match(
      problem(GOOD.replace('narration: hello', 'narration: "{eve/alice.y_s}"')),
      /is Eve's, but actors\.eve is not true/,
    );
  });

  it('seed: 42 is the seed "42"', () => {
    assert.equal(parseScenario(`seed: 42\n${GOOD}`, 'lesson.yaml').seed, '42');
    assert.equal(parseScenario(`seed: "42"\n${GOOD}`, 'lesson.yaml').seed, '42');
  });

  it('replay: { connection, seq: next } rewrites the seq; anything else for seq is refused', () => {
    const withMallory = GOOD.replace('clients: [alice, bob]', 'clients: [alice, bob]\n  mallory: { mode: relay }');
    const replay = (spec: string) => withMallory.replace('action: { connect: alice }', `action: { replay: ${spec} }`);
    assert.deepEqual(parseScenario(replay('{ connection: alice, seq: next }'), 'l.yaml').steps[0]?.action, {
      kind: 'replay',
      connection: 'alice',
      rewriteSeq: true,
    });
    assert.deepEqual(parseScenario(replay('alice'), 'l.yaml').steps[0]?.action, {
      kind: 'replay',
      connection: 'alice',
      rewriteSeq: false,
    });
    assert.match(problem(replay('{ connection: alice, seq: 7 }')), /seq: must be as_sent or next/);
  });
});
