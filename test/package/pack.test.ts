import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Tmux } from '../tui/tmux.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('npm pack makes a package that installs and runs from any folder', () => {
  it('packs, installs into a temporary prefix, and runs --version, scenario --list, demo and the lab', async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dhlab-pack-'));
    const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], {
      cwd: ROOT,
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .at(-1) as string;
    const listed = execFileSync('tar', ['-tzf', path.join(work, tarball)], { encoding: 'utf8' }).split('\n');
    assert.ok(
      listed.includes('package/dist/src/cli/main.js') &&
        listed.includes('package/scenarios/01-handshake.yaml') &&
        listed.includes('package/wireshark/dhlab.lua'),
      'compiled code, lessons and the Wireshark dissector ship',
    );
    assert.deepEqual(
      listed.filter((f) => /^package\/(test|bench|src|lab)\//.test(f)),
      [],
      'no tests, bench or TypeScript sources',
    );
    const prefix = path.join(work, 'prefix');
    execFileSync('npm', ['install', '-g', '--no-audit', '--no-fund', '--prefix', prefix, path.join(work, tarball)], {
      stdio: 'ignore',
    });
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'dhlab-cwd-'));
    const dhlab = (...args: string[]) =>
      spawnSync(path.join(prefix, 'bin', 'dhlab'), args, { cwd: elsewhere, encoding: 'utf8', timeout: 60_000 });
    const version = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string })
      .version;
    assert.equal(dhlab('--version').stdout.trim(), `dhlab ${version}`);
    const lessons = fs.readdirSync(path.join(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml')).length;
    const list = dhlab('scenario', '--list');
    assert.equal(list.status, 0, list.stderr);
    assert.equal(list.stdout.split('\n').filter((line) => /^\d\d-/.test(line)).length, lessons);
    const demo = dhlab('demo');
    assert.equal(demo.status, 0, demo.stderr);
    assert.match(demo.stdout, /every message\s+stayed private/);
    if (!Tmux.available() && process.env.CI !== 'true') return;
    // The lab on a real terminal, from the installed package, in a folder of no checkout.
    const term = Tmux.start(
      `sh -c 'cd ${elsewhere} && ${path.join(prefix, 'bin', 'dhlab')} lab; echo "exit status $?"'`,
      { width: 100, height: 30 },
    );
    try {
      await term.waitForScreen(
        (s) => s.includes('dhlab lab · view: alice') && s.includes('established'),
        'the lab from the package',
        60_000,
      );
      await term.waitForInput();
      term.keys('q');
      await term.waitForScreen((s) => s.includes('exit status 0'), 'q quits the lab');
    } finally {
      term.kill();
    }
  });
});
