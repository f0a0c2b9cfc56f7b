import { safeText } from '../../src/terminal/safe-text.ts';
import type { TapObservation } from '../../src/tap/tap-proxy.ts';
import { EvePerspective } from '../model/eve.ts';
import { LabView } from '../view/view.ts';

/** What `dhlab eve` on a terminal draws: Eve's perspective alone, fed by the tap the CLI runs. */
export interface EveScreen {
  /** `opened`: a key log's plaintext for a sealed frame (`eve --read --keylog` only). */
  onObservation(o: TapObservation, opened?: string): void;
  /** A line in the chat pane about the capture itself (a gap: bytes the capture missed). */
  note(text: string): void;
  destroy(): void;
}

/** Opens Eve's screen; `onQuit` runs on q or Ctrl-C. */
export function openEveScreen(subtitle: string, onQuit: () => void): EveScreen {
  const eve = new EvePerspective();
  const view = new LabView({ app: 'dhlab eve', perspectives: [eve], typists: [], subtitle, onQuit });
  return {
    onObservation: (o, opened) => {
      eve.onObservation(o, opened);
      view.invalidate();
    },
    note: (text) => {
      eve.addChat({ text: safeText(text), kind: 'error' });
      view.invalidate();
    },
    destroy: () => view.destroy(),
  };
}
