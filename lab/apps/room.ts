import type { CryptoEngine } from '../../src/crypto/engine.ts';
import type { DhGroup } from '../../src/crypto/groups.ts';
import { LabWorld } from './room-world.ts';
import { LabView } from '../view/view.ts';
import type { InsecureHooks } from '../../src/protocol/session.ts';
import type { CaptureSink } from '../../src/tap/tap-proxy.ts';
import type { KeyLogEntry } from '../../src/protocol/key-log.ts';

export interface RunLabOptions {
  engine: CryptoEngine;
  group: DhGroup;
  perspective?: string;
  insecure?: InsecureHooks;
  /** Shown in the title bar: the lab never hides that it runs weakened. */
  warnings?: string[];
  capture?: CaptureSink;
  keyLog?: (entry: KeyLogEntry) => void;
}

/** `dhlab lab` (and `npm start` on a terminal): the world, the view, and a clean exit. */
export async function runLab(options: RunLabOptions): Promise<number> {
  const { engine, group, insecure, capture, keyLog } = options;
  const world = await LabWorld.start({ engine, group, insecure, capture, keyLog });
  return new Promise<number>((resolve) => {
    let quitting = false;
    const view = new LabView({
      perspectives: world.perspectives,
      typists: [...world.clients.keys()],
      initialPerspective: options.perspective,
      // The warning first: a cut title keeps it, and the group right after it.
      subtitle: `${options.warnings?.length ? `INSECURE: ${options.warnings.join(', ')} · ` : ''}${options.group.name} (${options.group.p.toString(2).length}-bit) · ${options.engine.name}`,
      send: (typist, text) => world.say(typist, text),
      onQuit: () => {
        if (quitting) return;
        quitting = true;
        // Restore the terminal first, then let the room say goodbye.
        view.destroy();
        void world.close().then(() => resolve(0));
      },
    });
    world.onChange = () => view.invalidate();
  });
}
