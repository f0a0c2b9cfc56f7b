import { safeText } from '../../src/terminal/safe-text.ts';
import { displayWidth } from '../../src/terminal/width.ts';
import { cellSafe } from './cells.ts';

/** What a key did to the line being typed. */
export type TypingOutcome =
  { kind: 'send'; text: string } | { kind: 'cancel' } | { kind: 'edit' } | { kind: 'ignored' };

const HINT = '  Enter send · Esc cancel';

/**
 * The line a user types a message into, kept by the lab rather than by blessed's textbox, which
 * draws what is typed as it comes (an emoji blessed mis-measures shifts the line, a control
 * character reaches the terminal). Shown as the chat pane shows text, after a prompt, with the
 * keys that end it.
 */
export class TypingLine {
  private text = '';

  start(): void {
    this.text = '';
  }

  /**
   * One key, as blessed reports it: `ch` the character (a surrogate half for some emoji, which
   * the next key completes), `name` the key's name.
   */
  key(ch: string | undefined, name: string | undefined, ctrl = false): TypingOutcome {
    if (name === 'enter' || name === 'return')
      return this.text === '' ? { kind: 'cancel' } : { kind: 'send', text: this.text };
    if (name === 'escape') return { kind: 'cancel' };
    if (name === 'backspace') return this.edit([...this.text].slice(0, -1).join(''));
    if (ctrl && name === 'u') return this.edit('');
    if (ctrl && name === 'w') return this.edit(this.text.replace(/\S*\s*$/u, ''));
    if (ctrl || ch === undefined || ch === '' || /[\p{Cc}]/u.test(ch)) return { kind: 'ignored' };
    return this.edit(this.text + ch);
  }

  /** The input line at this width: "> " and the end of the text that fits, a cursor, the hint. */
  render(width: number): string {
    const room = Math.max(4, width - 2 - 1 - (width > 40 ? HINT.length : 0));
    let shown = cellSafe(safeText(this.text));
    while (displayWidth(shown) > room) shown = [...shown].slice(1).join('');
    return `> ${shown}█${width > 40 ? HINT : ''}`;
  }

  private edit(text: string): TypingOutcome {
    this.text = text;
    return { kind: 'edit' };
  }
}
