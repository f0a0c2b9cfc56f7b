import { stripVTControlCharacters } from 'node:util';
import type { Palette } from '../../src/terminal/colors.ts';
import { safeText } from '../../src/terminal/safe-text.ts';
import { displayWidth } from '../../src/terminal/width.ts';
import type { UiState } from '../keys/ui-state.ts';
import type { ScenarioControls } from './view-options.ts';
import { fit, legend } from './render.ts';

/** The line under the chat while nobody types: how to go on, who can type, or why nobody can. */
export function inputHint(scenario: ScenarioControls | undefined, typist: string | undefined, closed: string): string {
  if (scenario) return `  space: next step${scenario.back ? ' · ←: back' : ''} · ?: keys`;
  if (typist) return `  press i to type as ${typist}`;
  return closed ? `  ${safeText(closed)}; q quits` : '  (view only)';
}

/**
 * The status line: detail and encoding, then a notice or the colour legend. fit() counts colour
 * codes as text, so the (coloured) legend is appended after the cut; a notice too long to follow
 * the state (a saved file's path) takes the line alone.
 */
export function statusLine(state: UiState, notice: string, width: number, colors: Palette): string {
  const head = ` detail: ${state.detail} · ${state.encoding} │ `;
  if (!notice) return `${head}${legend(colors)}`;
  const withHead = `${head}${notice}`;
  return fit(displayWidth(stripVTControlCharacters(withHead)) <= width ? withHead : ` ${notice}`, width);
}
