import { ChatClient } from '../src/client.ts';
import type { CryptoEngine } from '../src/crypto/engine.ts';
import { DhlabError } from '../src/errors.ts';
import type { KnownServers } from '../src/known-servers.ts';
import type { InsecureHooks } from '../src/protocol/session.ts';
import { startTapProxy, type TapObservation } from '../src/tap.ts';
import { EvePerspective } from './eve.ts';
import { TracePerspective } from './model.ts';
import { LabView } from './view.ts';

/** One JSON line per frame: exactly what crossed the wire, never a key or a plaintext. */
export function observationJson(o: TapObservation): string {
  return JSON.stringify({
    connection: o.connection,
    dir: o.dir,
    bytes: o.bytes.length + 4,
    type: o.frame?.type ?? null,
    frame: o.frame,
    ...(o.frame ? {} : { unreadable: Buffer.from(o.bytes).toString('base64') }),
  });
}

/** `dhlab eve`: a passive wiretap relay in front of any dhlab server. */
export async function runEve(options: { listenHost: string; listenPort: number; targetHost: string; targetPort: number; json: boolean }): Promise<number> {
  const eve = new EvePerspective();
  let view: LabView | null = null;
  const tap = await startTapProxy({
    listenHost: options.listenHost,
    listenPort: options.listenPort,
    targetHost: options.targetHost,
    targetPort: options.targetPort,
    onObservation: (o) => {
      if (options.json) console.log(observationJson(o));
      else {
        eve.onObservation(o);
        view?.invalidate();
      }
    },
  });
  const banner = `dhlab eve listening on ${options.listenHost}:${tap.port}, forwarding to ${options.targetHost}:${options.targetPort}`;
  return new Promise<number>((resolve) => {
    const stop = () => {
      view?.destroy();
      void tap.close().then(() => resolve(0));
    };
    if (options.json) {
      console.error(banner);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      return;
    }
    view = new LabView({ perspectives: [eve], typists: [], subtitle: banner, onQuit: stop });
  });
}

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
      trace: (event) => {
        mine.onTrace('server', event);
        view?.invalidate();
      },
    });
  } catch (error) {
    if (error instanceof DhlabError) throw error;
    throw new DhlabError('ERR_CONNECTION', (error as Error).message);
  }
  client.on('event', (event) => {
    mine.onServerEvent(event);
    view?.invalidate();
  });
  return new Promise<number>((resolve) => {
    // The warning first: a long fingerprint must not push it out of the title bar.
    const weakened = options.warnings?.length ? `INSECURE (teaching only): ${options.warnings.join(', ')} · ` : '';
    const subtitle = `${weakened}${options.host}:${options.port} · host key ${client.fingerprint}`;
    view = new LabView({
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
      if (error) mine.addChat({ text: `! ${error.code}: ${error.message}`, kind: 'error' });
      view?.invalidate();
    });
  });
}
