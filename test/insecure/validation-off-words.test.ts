// With validation off (--insecure-no-validation, lessons 07 and 10) nothing checks a public value
// but its length: the trace, the narration and the ladder say "not checked", never "valid".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ENGINES } from '../../src/crypto/engines.ts';
import { GROUPS } from '../../src/crypto/groups.ts';
import { insecureHooks } from '../../src/insecure/hooks.ts';
import { ladderSteps } from '../../lab/model/ladder.ts';
import { narrate } from '../../src/terminal/narrate.ts';
import { sessionPair } from '../protocol/pair.ts';

describe('validation off, in words', () => {
  it('the checks that did not run are reported as not run; with validation on, as passed', () => {
    const off = sessionPair({
      group: GROUPS.modp14,
      insecure: insecureHooks(ENGINES.native, { skipValidation: true }),
    });
    const on = sessionPair({ group: GROUPS.modp14 });
    const validity = (traces: typeof off.traces) => traces.filter((e) => e.kind === 'public_key_valid');
    assert.equal(validity(off.traces).length, 2);
    for (const event of validity(off.traces)) {
      assert.equal(event.kind === 'public_key_valid' && event.checked, 'length only');
      assert.match(narrate(event, 'server', 'alice') ?? '', /NOT checked \(validation off\)/);
      assert.doesNotMatch(narrate(event, 'server', 'alice') ?? '', /passes/);
      const labels = ladderSteps(event).map((s) => s.label);
      assert.ok(
        labels.some((l) => /not checked \(validation off\)/.test(l)) && !labels.some((l) => l.includes('✓')),
        labels.join(', '),
      );
    }
    for (const event of validity(on.traces)) {
      assert.equal(event.kind === 'public_key_valid' && event.checked, 'range and subgroup');
      assert.match(narrate(event, 'server', 'alice') ?? '', /passes 2 <= y <= p-2 and y\^q = 1 mod p/);
    }
  });
});
