// Markdown handouts show peer and file text exactly as written: escaped where Markdown would read
// syntax, and nowhere else (a reader sees `Diffie-Hellman`, not `Diffie\-Hellman`).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { marked } from 'marked';
import { mdText } from '../../src/handout/export.ts';

const decode = (html: string) =>
  html.replace(
    /&(lt|gt|amp|quot|#39);/g,
    (_, name: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', '#39': "'" })[name] as string,
  );

/** The HTML marked (GFM) makes of one line, and its text with the paragraph taken off. */
function render(line: string): { html: string; text: string | null } {
  const html = (marked.parse(line, { gfm: true, async: false }) as string).trim();
  const match = /^<p>([^]*)<\/p>$/.exec(html);
  return { html, text: match && !/<[a-z]/i.test(match[1] as string) ? decode(match[1] as string) : null };
}

describe('mdText: Markdown text that shows as written', () => {
  it('leaves the punctuation of ordinary prose alone', () => {
    for (const line of [
      'Diffie-Hellman',
      'alice.Z',
      'HKDF(K, salt H) -> key (256 bits)!',
      'y_c = g^x mod p',
      'p-1 {x}: #3 + 4',
    ]) {
      assert.equal(mdText(line), line);
    }
  });

  it('escapes what would become a list, heading, quote, rule, emphasis, link or HTML', () => {
    for (const line of [
      '1. one',
      '2) two',
      '- a',
      '+ b',
      '# h',
      '> q',
      '---',
      '===',
      '*b*',
      '_i_',
      '[x](y)',
      '<b>',
      '`c`',
      'a|b',
      '~~s~~',
      'a &amp; b',
      'https://x.y',
      'www.x.y',
      'a@b.cd',
    ]) {
      const { html, text } = render(mdText(line));
      assert.equal(text, line, `${JSON.stringify(line)} rendered as ${html}`);
    }
  });

  it('any line of letters, digits, spaces and ASCII punctuation renders as exactly that text', () => {
    const char = fc.constantFrom(...'ab1 2.-+#=*_`[]()!<>|~&:;/@\\{}"\'w'.split(''));
    fc.assert(
      fc.property(
        fc.array(char, { maxLength: 24 }).map((chars) => chars.join('')),
        (line) => {
          const expected = line.trim();
          if (expected === '') return;
          const { html, text } = render(mdText(line));
          assert.equal(text, expected, `${JSON.stringify(line)} -> ${JSON.stringify(mdText(line))} -> ${html}`);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
