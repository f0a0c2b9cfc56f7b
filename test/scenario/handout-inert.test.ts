// Fidelity 6: a Markdown handout stays inert whatever the chat text or the file holds. Rendered
// with a real Markdown renderer (marked, GFM): no live tag, link or image comes out of peer text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { marked } from 'marked';
import { exportMarkdown } from '../../src/scenario/export.ts';
import { parseScenario } from '../../src/scenario/file.ts';
import { runHeadless } from '../../src/scenario/cli.ts';

const HOSTILE = [
  '```\\n<img src=x onerror=alert(1)>',
  '\\\\<img src=x onerror=alert(2)>',
  '[click](javascript:alert(3))',
  '`code` <script>alert(4)</script>',
  '| a | b |',
  '<a href="javascript:alert(5)">x</a>',
  '![i](x onerror=alert(6))',
  '**bold** _it_ # head',
];

const FILE = `title: "\`t\` <b>bold</b> [x](javascript:alert(7))"
summary: "<img src=x onerror=alert(8)>"
actors:
  clients: [alice, bob]
steps:
  - title: "join <i>x</i>"
    narration: "[n](javascript:alert(9)) \\\\<img src=x onerror=alert(10)>"
    action: { connect: alice }
  - title: bob
    narration: bob
    action: { connect: bob }
${HOSTILE.map((text, i) => `  - title: say ${i}\n    narration: says\n    action:\n      say: { from: alice, text: ${JSON.stringify(text.replace(/\\\\n/g, ' '))} }\n    expect:\n      - receives: { who: bob, from: alice, text: ${JSON.stringify(text.replace(/\\\\n/g, ' '))} }`).join('\n')}
`;

describe('Markdown handouts are inert', () => {
  it('hostile chat text, titles and narration render as text: no live tag, link or image', async () => {
    const scenario = parseScenario(FILE, 'lesson`<img src=x onerror=alert(11)>`.yaml');
    const results = await runHeadless(scenario, 'native', () => {});
    assert.ok(results.every((r) => r.checks.every((c) => c.ok)), 'the hostile lines were delivered');
    const rendered = await marked.parse(exportMarkdown(scenario, results), { gfm: true });
    const live = rendered.match(/<(img|script|a|b|i|strong|em|h[1-6])\b[^>]*>/gi) ?? [];
    // The handout's own markup is headings, lists, tables and code; none of these from peer text.
    const foreign = live.filter((tag) => !/^<h[12]>$/i.test(tag) && !/^<h1 /.test(tag));
    assert.deepEqual(foreign, [], rendered);
    assert.doesNotMatch(rendered, /href="javascript:/i);
    assert.match(rendered, /javascript:alert\(3\)/, 'the hostile text is still there, as text');
  });
});
