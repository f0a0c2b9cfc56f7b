// Fidelity 4d: once Eve has recovered x (scenarios 04 and 05), her view no longer says she cannot
// read the chat: it shows what she decrypted, marked as read by the attack.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveScenario } from '../../src/scenario/catalog.ts';
import { ScenarioLab } from '../../lab/apps/scenario.ts';

describe("Eve's view after the attack", () => {
  it('05-toy-discrete-log: after eve_decrypt her chat pane shows the plaintext, marked, and her ladder says she has x', async () => {
    const lab = new ScenarioLab(resolveScenario('05-toy-discrete-log'), 'native');
    try {
      let sawBefore = false;
      while (!lab.run.finished) {
        const eve = lab.perspectives.eve;
        const lines = eve?.chat.tail(100).map((l) => l.text) ?? [];
        if (!lines.some((t) => t.startsWith('read by the attack')))
          sawBefore ||= lines.some((t) => t.endsWith('Eve cannot open it'));
        await lab.run.next();
      }
      const eve = lab.perspectives.eve;
      assert.ok(eve);
      const chat = eve.chat.tail(100).map((l) => l.text);
      assert.ok(sawBefore, 'before the attack: "Eve cannot open it"');
      assert.ok(
        chat.some((t) => t.startsWith('read by the attack: alice') && t.includes('toy groups are for teaching')),
        chat.join('\n'),
      );
      const notes = [...eve.ladders.values()].flat().map((s) => `${s.label}: ${s.note ?? ''}`);
      assert.ok(
        notes.some((n) => n.startsWith('from here on: sealed frames: opened: Eve derived the keys')),
        notes.join('\n'),
      );
      assert.ok(!notes.some((n) => n.includes('keys Eve cannot derive')));
    } finally {
      await lab.run.close();
    }
  });

  it('11-nonce-reuse: after the XOR Eve is not said to have the keys; she has a plaintext and the keystream', async () => {
    const lab = new ScenarioLab(resolveScenario('11-nonce-reuse'), 'native');
    try {
      // Every line Eve's chat pane held at some step (a restart later starts her view afresh).
      const seen = new Set<string>();
      const notes = new Set<string>();
      while (!lab.run.finished) {
        await lab.run.next();
        for (const l of lab.perspectives.eve?.chat.tail(200) ?? []) seen.add(l.text);
        for (const s of [...(lab.perspectives.eve?.ladders.values() ?? [])].flat())
          notes.add(`${s.label}: ${s.note ?? ''}`);
      }
      const chat = [...seen];
      assert.ok(
        chat.some((t) => t.startsWith('read by the attack: carol')),
        chat.join('\n'),
      );
      assert.ok(!chat.some((t) => t.includes('Eve has the keys')), chat.join('\n'));
      assert.ok(
        chat.some((t) => t.includes('Eve has no key: she reads a frame only by XOR')),
        chat.join('\n'),
      );
      assert.ok(![...notes].some((n) => n.includes('Eve derived the keys')), [...notes].join('\n'));
    } finally {
      await lab.run.close();
    }
  });
});
