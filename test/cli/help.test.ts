import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { closest, editDistance, parseCommandLine, type Verb } from '../../src/cli/verb.ts';
import { VERBS } from '../../src/cli/verbs.ts';
import { run } from '../support/cli-run.ts';

const VERSION = (
  JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

async function dhlab(...args: string[]) {
  const cli = run(args);
  cli.proc.stdin?.end();
  return { exit: await cli.exit, out: cli.stdout.join('\n'), err: cli.stderr };
}

describe('usage errors say what is wrong in at most five lines, as git does', () => {
  for (const [args, message] of [
    [['client'], /^dhlab: ERR_USAGE: --name is required$/],
    [['client', '--name', 'a', '--port', '99999'], /--port must be a whole number from 1 to 65535, got "99999"/],
    [['client', '--name', 'a', '--prot', '5'], /unknown option --prot \(did you mean --port\?\)/],
    [['client', '--name', 'a', '--port'], /^dhlab: ERR_USAGE: --port needs a port number from 1 to 65535$/],
    [['server', '--port', '--trace'], /--port needs a port number from 0 to 65535/],
    [['client', '--name', 'a', '--port', '-1'], /--port must be a whole number from 1 to 65535, got "-1"/],
    [['client', '--json=yes', '--name', 'a'], /--json takes no value, got "yes"/],
    [['aes'], /--key is required: 32 bytes as 64 hex digits/],
    [['scenario', '01-handshake', '--export', 'handout.pdf'], /--export needs a file name ending in \.md or \.html/],
    [['demo', 'now'], /unexpected argument "now"/],
  ] as const) {
    it(args.join(' '), async () => {
      const { exit, err } = await dhlab(...args);
      assert.equal(exit, 2);
      assert.ok(err.length <= 5, err.join('\n'));
      assert.match(err[0] ?? '', message);
      assert.equal(err.at(-1), `see 'dhlab ${args[0]} --help'`);
      assert.match(err.at(-2) ?? '', new RegExp(`^usage: dhlab ${args[0]} `));
      // Node's parser never speaks for dhlab.
      assert.doesNotMatch(err.join('\n'), /Option '|ambiguous|argument missing/);
    });
  }

  it('a mistyped verb gets a suggestion; an unknown one the pointer to --help', async () => {
    const typo = await dhlab('sever');
    assert.equal(typo.exit, 2);
    assert.deepEqual(typo.err, [
      "dhlab: ERR_USAGE: 'sever' is not a dhlab verb",
      "did you mean 'dhlab server'?",
      "see 'dhlab --help'",
    ]);
    const unknown = await dhlab('frobnicate');
    assert.deepEqual(unknown.err, ["dhlab: ERR_USAGE: 'frobnicate' is not a dhlab verb", "see 'dhlab --help'"]);
  });
});

describe('help', () => {
  it('dhlab --help lists every verb with one line; no verb is loaded to print it', async () => {
    const { exit, out } = await dhlab('--help');
    assert.equal(exit, 0);
    for (const verb of VERBS)
      assert.match(out, new RegExp(`^  ${verb.name} +${verb.summary.replace(/[()]/g, '\\$&')}$`, 'm'));
    assert.ok(out.split('\n').length <= 24, 'the overview fits a 24-line terminal');
  });

  for (const entry of VERBS)
    it(`dhlab ${entry.name} --help: its own page, flags with defaults, examples, 80 columns`, async () => {
      const { exit, out } = await dhlab(entry.name, '--help');
      assert.equal(exit, 0);
      assert.ok(out.startsWith(`dhlab ${entry.name}: ${entry.summary}\n\nusage: dhlab `), out.slice(0, 200));
      const verb = await entry.load();
      for (const name of Object.keys(verb.flags)) assert.match(out, new RegExp(`--${name}\\b`));
      assert.match(out, /\nexamples:\n {2}\S/);
      const long = out.split('\n').filter((line) => [...line].length > 80 && !line.startsWith('  dhlab '));
      assert.deepEqual(long, []);
    });

  it('check --help needs no program after --; help VERB is VERB --help', async () => {
    assert.equal((await dhlab('check', '--help')).exit, 0);
    const viaHelp = await dhlab('help', 'eve');
    assert.equal(viaHelp.out, (await dhlab('eve', '--help')).out);
  });

  it('--version and -V print the version in package.json', async () => {
    for (const flag of ['--version', '-V'])
      assert.deepEqual(await dhlab(flag), { exit: 0, out: `dhlab ${VERSION}`, err: [] });
  });
});

describe('the flag parser', () => {
  const verb: Verb = {
    name: 'try',
    summary: '',
    synopsis: [],
    description: [],
    examples: [],
    flags: { port: { type: 'string', default: '5068', help: '' }, json: { type: 'boolean', help: '' } },
    command: true,
    run: () => 0,
  };

  it('takes defaults, values and the command after --, which it never reads as flags', () => {
    const parsed = parseCommandLine(verb, ['--port=7', '--json', '--', 'python3', '--port', 'x']);
    assert.equal(parsed.values.port, '7');
    assert.equal(parsed.values.json, true);
    assert.equal(parsed.values.crypto, 'native');
    assert.deepEqual(parsed.command, ['python3', '--port', 'x']);
    assert.equal(parseCommandLine(verb, []).values.port, '5068');
  });

  it('suggests only a close, unambiguous name', () => {
    assert.equal(editDistance('sever', 'server'), 1);
    assert.equal(editDistance('sevrer', 'server'), 1); // a swap is one edit
    assert.equal(closest('sever', ['server', 'scenario']), 'server');
    assert.equal(closest('chekc', ['check', 'client']), 'check');
    assert.equal(closest('xyz', ['server', 'lab']), undefined);
    assert.equal(closest('la', ['lab', 'aes']), 'lab');
  });
});
