import type { TapObservation } from '../../src/tap/tap-proxy.ts';
import { EvePerspective } from '../model/eve.ts';
import { LabView } from '../view/view.ts';

/** What `dhlab eve` on a terminal draws: Eve's perspective alone, fed by the tap the CLI runs. */
export interface EveScreen {
  onObservation(o: TapObservation): void;
  destroy(): void;
}

/** Opens Eve's screen; `onQuit` runs on q or Ctrl-C. */
export function openEveScreen(subtitle: string, onQuit: () => void): EveScreen {
  const eve = new EvePerspective();
  const view = new LabView({ app: 'dhlab eve', perspectives: [eve], typists: [], subtitle, onQuit });
  return {
    onObservation: (o) => {
      eve.onObservation(o);
      view.invalidate();
    },
    destroy: () => view.destroy(),
  };
}
