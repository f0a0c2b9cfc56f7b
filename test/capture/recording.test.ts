// --pcap in the lab and in a stepped lesson: the file holds the run as it stands.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { CaptureRecorder } from '../../src/capture/capture-recorder.ts';
import { ENGINES } from '../../src/crypto/engines.ts';
import { GROUPS } from '../../src/crypto/groups.ts';
import { resolveScenario } from '../../src/scenario/catalog.ts';
import { ScenarioRun } from '../../src/scenario/runtime/runner.ts';
import { replayCapture, type ReplayedObservation } from '../../src/tap/capture-replay.ts';
import { observationRecord } from '../../src/tap/observation-record.ts';
import type { TapObservation } from '../../src/tap/tap-proxy.ts';
import { LabWorld } from '../../lab/apps/room-world.ts';
import { waitFor } from '../support/helpers.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhlab-recording-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function replayed(file: string): ReplayedObservation[] {
  const out: ReplayedObservation[] = [];
  replayCapture(fs.readFileSync(file), (o) => out.push(o));
  return out;
}

describe('--pcap recordings', () => {
  it("the lab's capture replays as exactly what its Eve observed", async () => {
    const file = path.join(dir, 'lab.pcapng');
    const capture = new CaptureRecorder(file);
    const seen: TapObservation[] = [];
    const lab = await LabWorld.start({ engine: ENGINES.native, group: GROUPS.modp14, capture });
    const original = lab.eve.onObservation.bind(lab.eve);
    lab.eve.onObservation = (o) => (seen.push(o), original(o));
    assert.equal(lab.say('alice', 'meet at 10'), null);
    await waitFor(() => seen.some((o) => o.frame?.type === 'data' && o.dir === 'client->server'), 'alice on the wire');
    await lab.close();
    await capture.close();
    const shape = (list: TapObservation[]) => list.map((o) => JSON.stringify(observationRecord(o)));
    const read = shape(replayed(file));
    // The handshakes happened before this test listened: compare from alice's line on.
    const from = read.indexOf(shape(seen)[0] as string);
    assert.ok(from > 0);
    assert.deepEqual(read.slice(from, from + seen.length), shape(seen));
    assert.equal(read.filter((r) => r.includes('"type":"hello"')).length, 3, 'alice, bob and carol');
  });

  it('a lesson stepped back in the lab: the capture starts again, holding one run', async () => {
    const file = path.join(dir, 'back.pcapng');
    const capture = new CaptureRecorder(file);
    const run = new ScenarioRun(resolveScenario('02-three-clients'), ENGINES.native, undefined, { capture });
    await run.next();
    await run.next();
    await run.back();
    await run.next();
    await run.close();
    await capture.close();
    const hellos = replayed(file).filter((o) => o.frame?.type === 'hello');
    assert.deepEqual(
      hellos.map((o) => o.frame?.name),
      ['alice', 'bob'],
      'two clients joined in the run as it stands (not alice, bob, alice, bob)',
    );
  });
});
