// Fidelity 6: a Markdown handout stays inert whatever the chat text or the file holds. Rendered
// with a real Markdown renderer (marked, GFM): no live tag, link or image comes out of peer text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { marked } from 'marked';
import { exportHtml, exportMarkdown } from '../../src/handout/export.ts';
import { ladderSvg } from '../../src/handout/ladder-svg.ts';
import { parseScenario } from '../../src/scenario/parse/file.ts';
import { runHeadless } from '../../src/scenario/headless.ts';

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
    assert.ok(
      results.every((r) => r.checks.every((c) => c.ok)),
      'the hostile lines were delivered',
    );
    const rendered = await marked.parse(exportMarkdown(scenario, results), { gfm: true });
    const live = rendered.match(/<(img|script|a|b|i|strong|em|h[1-6])\b[^>]*>/gi) ?? [];
    // The handout's own markup is headings, lists, tables and code; none of these from peer text.
    const foreign = live.filter((tag) => !/^<h[12]>$/i.test(tag) && !/^<h1 /.test(tag));
    assert.deepEqual(foreign, [], rendered);
    assert.doesNotMatch(rendered, /href="javascript:/i);
    assert.match(rendered, /javascript:alert\(3\)/, 'the hostile text is still there, as text');
  });

  it("the HTML handout and its SVG ladders: only the handout's own tags, whatever the text", async () => {
    const scenario = parseScenario(FILE, 'lesson`<img src=x onerror=alert(11)>`.yaml');
    const results = await runHeadless(scenario, 'native', () => {});
    const page = exportHtml(scenario, results);
    const own = new Set([
      'html',
      'head',
      'meta',
      'title',
      'style',
      'body',
      'h1',
      'h2',
      'h4',
      'p',
      'small',
      'code',
      'b',
      'table',
      'tr',
      'th',
      'td',
      'ul',
      'li',
      'pre',
      'span',
      'section',
      'details',
      'summary',
      'svg',
      'line',
      'rect',
      'polygon',
      'text',
      'tspan',
    ]);
    const tags = [...page.matchAll(/<([a-z][a-z0-9]*)\b/gi)].map((m) => (m[1] as string).toLowerCase());
    assert.deepEqual([...new Set(tags.filter((t) => !own.has(t)))], []);
    // The hostile words are still there, as text: no tag carries an event handler or a link.
    assert.doesNotMatch(page, /<[^>]*\s(on[a-z]+|href|src)=/i);
    assert.match(page, /onerror=alert\(8\)/);
  });

  it('a ladder note or a name with markup or escape sequences is drawn as text', () => {
    const svg = ladderSvg(
      [
        {
          from: 'alice',
          to: 'server',
          frame: { type: 'hello', version: 1, name: '<b>x</b>' },
          bytes: new Uint8Array(10),
          record: 'gcm',
        },
      ],
      [
        {
          afterFrames: 1,
          over: 'server',
          text: 'Mallory rewrites "</text><script>alert(1)</script>\x1b]52;c;AAAA\x07" to "\u202eevil"',
        },
      ],
      'title "><script>',
    );
    // eslint-disable-next-line no-control-regex -- the escape bytes are what must not come out
    assert.doesNotMatch(svg, /<script|<b>|\x1b|\x07|\u202e/);
    assert.match(svg, /&lt;\/text&gt;&lt;script&gt;/);
  });
});
