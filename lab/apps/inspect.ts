import { ChatClient } from '../../src/client/chat-client.ts';
import type { CryptoEngine } from '../../src/crypto/engine.ts';
import { DhlabError } from '../../src/errors.ts';
import type { KnownServers } from '../../src/client/known-servers.ts';
import type { InsecureHooks } from '../../src/protocol/session.ts';
import type { KeyLogEntry } from '../../src/protocol/key-log.ts';
import { TracePerspective } from '../model/model.ts';
import { LabView } from '../view/view.ts';

/** `dhlab inspect`: join any server as a client, with the inspector on this one connection. */
export interface InspectOptions {
  name: string;
  host: string;
  port: number;
  engine: CryptoEngine;
  /** Absent with --insecure-no-host-key-check (teaching only). */
  knownServers?: KnownServers;
  acceptNewHostKey: boolean;
  /** --insecure-... client flags (toy groups, CBC, ...): hooks for the session, labels for the title. */
  insecure?: InsecureHooks;
  warnings?: string[];
  keyLog?: (entry: KeyLogEntry) => void;
}

export async function runInspect(options: InspectOptions): Promise<number> {
  const mine = new TracePerspective(options.name, 'client');
  let view: LabView | null = null;
  let client: ChatClient;
  try {
    client = await ChatClient.connect({
      name: options.name,
      host: options.host,
      port: options.port,
      engine: options.engine,
      knownServers: options.knownServers,
      acceptNewHostKey: options.acceptNewHostKey,
      insecure: options.insecure,
      revealSecrets: true,
      keyLog: options.keyLog,
      trace: (event) => {
        mine.onTrace('server', event);
        view?.invalidate();
      },
      onEvent: (event) => {
        mine.onServerEvent(event);
        view?.invalidate();
      },
    });
  } catch (error) {
    if (error instanceof DhlabError) throw error;
    throw new DhlabError('ERR_CONNECTION', (error as Error).message);
  }
  return new Promise<number>((resolve) => {
    // The warning first: a long fingerprint must not push it out of the title bar.
    const weakened = options.warnings?.length ? `INSECURE (teaching only): ${options.warnings.join(', ')} · ` : '';
    const subtitle = `${weakened}${options.host}:${options.port} · host key ${client.fingerprint}`;
    view = new LabView({
      app: 'dhlab inspect',
      perspectives: [mine],
      typists: [options.name],
      subtitle,
      send: (_typist, text) => {
        try {
          if (text === '/who') client.who();
          else client.say(text);
          return null;
        } catch (error) {
          return error instanceof DhlabError ? `${error.code}: ${error.message}` : String(error);
        }
      },
      onQuit: () => {
        view?.destroy();
        void client.quit().then(() => resolve(0));
      },
    });
    void client.waitForClose().then((error) => {
      // Said once: a bye or an error the session reported is in the chat already.
      if (error && mine.endedWith !== error.code)
        mine.addChat({ text: `! ${error.code}: ${error.message}`, kind: 'error' });
      view?.connectionClosed(`disconnected${error ? ` (${error.code})` : ''}`);
    });
  });
}
