import type { ServerEvent } from '../../src/protocol/messages.ts';
import { HOSTILE_STRINGS } from '../support/hostile-corpus.ts';

/** The hostile corpus as chat lines from "mallory", then a marker line to wait for. */
export function hostileScriptForTerminal(me: string): ServerEvent[] {
  const events: ServerEvent[] = [{ type: 'welcome', name: me, members: [me, 'mallory'], count: 2 }];
  HOSTILE_STRINGS.forEach((text, i) => events.push({ type: 'message', id: i + 1, from: 'mallory', text }));
  events.push({ type: 'message', id: 99, from: 'mallory', text: 'END OF SCRIPT' });
  return events;
}
