import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveScenario } from '../../src/scenario/catalog.ts';
import { runHeadless } from '../../src/scenario/headless.ts';
import { exportHtml, exportMarkdown } from '../../src/handout/export.ts';

/** Square-and-multiply written here, so the check does not lean on the code it checks. */
function power(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  for (let b = base % modulus, e = exponent; e > 0n; e >>= 1n, b = (b * b) % modulus)
    if (e & 1n) result = (result * b) % modulus;
  return result;
}

// smooth-48 as lesson 10 states it: p - 1 = 2 * 2267 * 3943 * 3947 * 3989.
const P = 2n * 2267n * 3943n * 3947n * 3989n + 1n;

describe("10-small-subgroup's handouts show Mallory's own moves", () => {
  it('each probe: her hello, then her client_key with an element of the small order r, on both ladders', async () => {
    const scenario = resolveScenario('10-small-subgroup');
    const results = await runHeadless(scenario, 'native', () => {});
    const markdown = exportMarkdown(scenario, results);
    // A wrapped SVG label is one text of several tspan lines: read it as one line.
    const html = exportHtml(scenario, results).replace(/<\/tspan><tspan[^>]*>/g, ' ');
    for (const r of [2267n, 3943n, 3947n, 3989n]) {
      const name = `mallory${r}`;
      assert.ok(markdown.includes(`${name}->>server: hello name=${name}`), `no hello from ${name}`);
      const key = new RegExp(`${name}->>server: client_key y=(\\d+)`).exec(markdown);
      assert.ok(key, `no client_key from ${name}`);
      const h = BigInt(key[1] ?? '0');
      assert.equal(power(h, r, P), 1n, `${name}'s y has order dividing ${r}`);
      assert.notEqual(h, 1n);
      assert.ok(markdown.indexOf(`${name}->>server: hello`) < markdown.indexOf(`${name}->>server: client_key`));
      // The SVG ladder names the same frame (text, not a picture of it).
      assert.ok(html.includes(`client_key y=${h}`), `the SVG ladder has no client_key y=${h}`);
    }
  });
});
