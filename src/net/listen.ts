import type net from 'node:net';

/**
 * `server.listen` as a promise that rejects with the listen error (EADDRINUSE, EACCES,
 * EADDRNOTAVAIL) instead of leaving it to an 'error' event nobody handles.
 * @throws the listen error, as Node reports it
 */
export function listen(server: net.Server, port: number, host: string): Promise<net.AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as net.AddressInfo);
    });
  });
}

/** Closes a listening server; resolves once it no longer accepts (its open sockets are the caller's). */
export function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
