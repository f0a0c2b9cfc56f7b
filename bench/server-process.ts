// A dhlab server in its own process, so the benchmark can read its CPU time and memory alone.
// Started by bench/run.ts with fork(); answers {cmd: 'stats'} over IPC.
import { getEngine } from '../src/crypto/engines.ts';
import { GROUPS } from '../src/crypto/groups.ts';
import { ephemeralHostKey } from '../src/host-key-file.ts';
import { ChatServer } from '../src/server.ts';

const config = JSON.parse(process.argv[2] ?? '{}') as { engine?: string; rateLimit?: number };
const engine = getEngine(config.engine ?? 'native');
const server = new ChatServer({
  engine,
  group: GROUPS.modp14,
  identity: ephemeralHostKey(engine),
  host: '127.0.0.1',
  port: 0,
  maxClients: 100_000,
  handshakeTimeoutMs: 60_000,
  ...(config.rateLimit ? { rateLimit: config.rateLimit } : {}),
});
const { port } = await server.listen();

process.on('message', (message: { cmd: string }) => {
  if (message.cmd === 'stats') {
    globalThis.gc?.();
    const cpu = process.cpuUsage();
    process.send?.({ cpuMs: (cpu.user + cpu.system) / 1000, rss: process.memoryUsage().rss, connections: server.connectionCount, members: server.memberNames.length });
  } else if (message.cmd === 'stop') {
    void server.close().then(() => process.exit(0));
  }
});
process.send?.({ port });
