import net from 'node:net';
import { ENGINES } from '../../src/crypto/engines.ts';
import type { DhlabError } from '../../src/errors.ts';
import { ClientSession } from '../../src/protocol/client-session.ts';
import { waitFor } from '../support/helpers.ts';

/**
 * A client over a real socket whose outgoing frames after the handshake pass through `tamper`
 * (Mallory on the wire). Returns the session's fate: the error the server reported.
 */
export async function tamperingClient(port: number, name: string, tamper: (frames: Uint8Array[]) => Uint8Array[]) {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  let established = false;
  let closedWith: DhlabError | null | undefined;
  const held: Uint8Array[] = [];
  const session: ClientSession = new ClientSession(
    { engine: ENGINES.native, name },
    {
      send: (bytes) => (established ? held.push(bytes) : socket.write(bytes)),
      event: (event) => {
        if (event.type === 'established') established = true;
      },
      close: (error) => (closedWith = error),
    },
  );
  socket.on('connect', () => session.start());
  socket.on('data', (chunk) => session.feed(chunk));
  socket.on('close', () => session.end());
  await waitFor(() => established, `${name} handshake`);
  return {
    session,
    /** Sends what the session sealed so far, after tampering, and waits for the server's verdict. */
    async flush(): Promise<DhlabError | null | undefined> {
      for (const bytes of tamper(held.splice(0))) socket.write(bytes);
      await waitFor(() => closedWith !== undefined, `${name} closed`);
      socket.destroy();
      return closedWith;
    },
  };
}
