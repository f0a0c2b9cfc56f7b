import { ChatClient } from '../../src/client/chat-client.ts';
import type { CryptoEngine } from '../../src/crypto/engine.ts';
import { DhlabError, fileError } from '../../src/errors.ts';
import { printError, stdoutFlow } from '../../src/terminal/output.ts';
import type { KnownServers } from '../../src/client/known-servers.ts';
import type { InsecureHooks } from '../../src/protocol/session.ts';
import { startTapProxy, type TapObservation } from '../../src/tap/tap-proxy.ts';
import { observationRecord } from '../../src/tap/observation-record.ts';
import { EvePerspective } from '../model/eve.ts';
import { TracePerspective } from '../model/model.ts';
import { LabView } from '../view/view.ts';

/**
 * `dhlab eve --json` writes a line per frame; when its reader falls behind (stdout's buffer is
 * full) it drops observations and counts them, as tcpdump does, rather than buffer without bound
 * or slow the relay: a wiretap must not be felt by the people it listens to. After the reader
 * catches up, one `{"dropped": N}` line says how many are missing; the total goes to stderr at exit.
 */
export class JsonObservationWriter {
  dropped = 0;
  private pending = 0;
  private blocked = false;

  constructor(private readonly out: { writeJson(value: unknown): boolean; onceDrain(listener: () => void): void } = stdoutFlow) {}

  write(o: TapObservation): void {
    if (this.blocked) {
      this.pending++;
      this.dropped++;
      return;
    }
    if (this.out.writeJson(observationRecord(o))) return;
    this.blocked = true;
    this.out.onceDrain(() => {
      this.blocked = false;
      if (this.pending > 0) this.out.writeJson({ dropped: this.pending });
      this.pending = 0;
    });
  }
}

/** `dhlab eve`: a passive wiretap relay in front of any dhlab server. */
export async function runEve(options: { listenHost: string; listenPort: number; targetHost: string; targetPort: number; json: boolean }): Promise<number> {
  const eve = new EvePerspective();
  let view: LabView | null = null;
  const writer = new JsonObservationWriter();
  const tap = await startTapProxy({
    listenHost: options.listenHost,
    listenPort: options.listenPort,
    targetHost: options.targetHost,
    targetPort: options.targetPort,
    onObservation: (o) => {
      if (options.json) writer.write(o);
      else {
        eve.onObservation(o);
        view?.invalidate();
      }
    },
  }).catch((error: unknown) => {
    throw fileError(error, `cannot listen on ${options.listenHost}:${options.listenPort}`);
  });
  const banner = `dhlab eve listening on ${options.listenHost}:${tap.port}, forwarding to ${options.targetHost}:${options.targetPort}`;
  return new Promise<number>((resolve) => {
    const stop = () => {
      view?.destroy();
      if (writer.dropped > 0) printError(`dhlab eve: ${writer.dropped} observations dropped (stdout was not read fast enough)`);
      void tap.close().then(() => resolve(0));
    };
    if (options.json) {
      printError(banner);
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
