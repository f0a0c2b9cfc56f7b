import { palette } from '../../src/terminal/colors.ts';
import { LabView, type LabViewOptions } from '../../lab/view/view.ts';
import { headlessTerminal, pressKeys, screenText } from './headless.ts';

/** What a test gives a lab screen: its perspectives and whatever else differs from the defaults. */
export type LabScreenOptions = Partial<Omit<LabViewOptions, 'input' | 'output'>> & Pick<LabViewOptions, 'perspectives'>;

/**
 * A LabView on a terminal that is not there (no tmux): keys are written to its input, and the
 * screen is read back from blessed's cells. No colour unless asked, nobody types unless given
 * typists, q does nothing unless given onQuit.
 */
export function openLabScreen(options: LabScreenOptions, columns = 120, rows = 40) {
  const term = headlessTerminal(columns, rows);
  const view = new LabView({
    typists: [],
    subtitle: '',
    onQuit: () => {},
    colors: palette(0),
    ...options,
    input: term.input,
    output: term.output,
  });
  return {
    view,
    input: term.input,
    /** Presses keys and resolves once the view has handled each one. */
    press: (keys: string) => pressKeys(view, term.input, keys),
    /** The screen as it is drawn now, one string per row. */
    rows: () => (view.render(true), screenText(view.screen)),
    screen: () => (view.render(true), screenText(view.screen).join('\n')),
    close: () => view.destroy(),
  };
}
