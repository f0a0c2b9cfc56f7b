// Second review, item 7: `s` saves a value (maybe a secret) to a new 0600 file, never through a
// planted symlink, and reports a failure in the lab instead of crashing it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ENGINES } from '../../src/crypto/engines.ts';
import { GROUPS } from '../../src/crypto/groups.ts';
import { LabWorld } from '../../lab/apps/room-world.ts';
import { waitFor } from '../support/helpers.ts';
import { openLabScreen } from '../support/lab-screen.ts';

describe('saving a value from the lab', () => {
  let lab: LabWorld;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhlab-save-'));
  before(async () => {
    lab = await LabWorld.start({ engine: ENGINES.native, group: GROUPS.modp14 });
    await waitFor(() => (lab.perspectives[0]?.ladders.get('server')?.length ?? 0) > 10, "alice's ladder");
  });
  after(async () => {
    await lab.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const open = (saveDir: string | undefined) =>
    openLabScreen({ perspectives: lab.perspectives, ...(saveDir === undefined ? {} : { saveDir }) });

  it('does not follow a planted symlink: the value goes to a new file, mode 0600', async () => {
    const victim = path.join(dir, 'victim.txt');
    fs.writeFileSync(victim, 'precious\n');
    fs.symlinkSync(victim, path.join(dir, 'dhlab-signature_over_H.txt'));
    const { view, press, screen } = open(dir);
    try {
      await press('d\x1b[A\x1b[A\r'); // full detail, up to the signature, expand
      assert.match(screen(), /signature over H/);
      await press('s');
      assert.equal(fs.readFileSync(victim, 'utf8'), 'precious\n');
      const saved = path.join(dir, 'dhlab-signature_over_H-2.txt');
      assert.match(fs.readFileSync(saved, 'utf8'), /^[0-9a-f]+\n$/);
      assert.equal(fs.statSync(saved).mode & 0o777, 0o600);
      assert.match(screen(), /saved .*dhlab-signature_over_H-2\.txt \(readable by you only\)/);
    } finally {
      view.destroy();
    }
  });

  it('a folder that does not exist: a notice in the lab, no crash', async () => {
    const { view, press, screen } = open(path.join(dir, 'missing', 'folder'));
    try {
      await press('d\x1b[A\x1b[A\rs');
      assert.match(screen(), /not saved to .*missing\/folder\/dhlab-signature_over_H\.txt: its folder does not exist/);
    } finally {
      view.destroy();
    }
  });

  it("saves into dhlab's own folder by default, made 0700, and says where", async () => {
    const data = path.join(dir, 'xdg-data');
    const before = process.env.XDG_DATA_HOME;
    process.env.XDG_DATA_HOME = data;
    const { view, press, screen } = open(undefined);
    try {
      await press('d\x1b[A\x1b[A\r');
      const saved = path.join(data, 'dhlab', 'saved');
      assert.ok(screen().includes(`s saves to ${saved}`), "the overlay's label says where s saves");
      await press('s');
      assert.match(fs.readFileSync(path.join(saved, 'dhlab-signature_over_H.txt'), 'utf8'), /^[0-9a-f]+\n$/);
      assert.equal(fs.statSync(saved).mode & 0o777, 0o700);
      assert.ok(screen().includes(`saved ${saved}/dhlab-signature_over_H.txt (readable by you only)`), screen());
    } finally {
      view.destroy();
      if (before === undefined) delete process.env.XDG_DATA_HOME;
      else process.env.XDG_DATA_HOME = before;
    }
  });

  it('the notice stays while its overlay is open and after Esc closes it; the next key clears it', async () => {
    const { view, press, screen } = open(dir);
    try {
      await press('d\x1b[A\x1b[A\rs');
      assert.match(screen(), /saved .*\(readable by you only\)/);
      await press('\x1b');
      assert.match(screen(), /saved .*\(readable by you only\)/, 'Esc closed the overlay and kept the notice');
      await press('j');
      assert.doesNotMatch(screen(), /readable by you only/);
    } finally {
      view.destroy();
    }
  });
});
