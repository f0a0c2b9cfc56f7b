// A dhlab server in its own process, so a benchmark or the hostile suite can read its CPU time
// and memory alone. Started with fork(); answers {cmd: 'stats'} and {cmd: 'stop'} over IPC,
// forwards log lines as {log}, and shuts down cleanly on SIGTERM like `dhlab server`.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getEngine } from '../../src/crypto/engines.ts';
import { GROUPS } from '../../src/crypto/groups.ts';
import { ephemeralHostKey } from '../../src/server/host-key-file.ts';
import { ChatServer, type ChatServerOptions } from '../../src/server/chat-server.ts';

type Config = Pick<
  ChatServerOptions,
  | 'rateLimit'
  | 'fanoutLimit'
  | 'handshakeTimeoutMs'
  | 'frameTimeoutMs'
  | 'maxQueueBytes'
  | 'slowConsumerMs'
  | 'maxPerAddress'
  | 'maxHandshakesPerAddress'
  | 'connectRatePerAddress'
> & { engine?: string; log?: boolean };
const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const engine = getEngine(config.engine ?? 'native');
const server = new ChatServer({
  engine,
  group: GROUPS.modp14,
  identity: ephemeralHostKey(engine),
  host: '127.0.0.1',
  port: 0,
  maxClients: 100_000,
  handshakeTimeoutMs: 60_000,
  // Benchmarks and the hostile suite connect thousands of clients from 127.0.0.1; a config that
  // tests admission control sets these (JSON has no Infinity: null means "no limit").
  maxPerAddress: config.maxPerAddress ?? Infinity,
  maxHandshakesPerAddress: config.maxHandshakesPerAddress ?? Infinity,
  connectRatePerAddress: config.connectRatePerAddress ?? Infinity,
  ...Object.fromEntries(
    Object.entries(config).filter(
      ([key, value]) => key !== 'engine' && key !== 'log' && value !== null && value !== undefined,
    ),
  ),
  log: config.log ? (line) => process.send?.({ log: line }) : undefined,
});
const { port } = await server.listen();
// The longest the server's event loop was blocked since the last stats request.
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

process.on('message', (message: { cmd: string }) => {
  if (message.cmd === 'stats') {
    globalThis.gc?.();
    const cpu = process.cpuUsage();
    process.send?.({
      cpuMs: (cpu.user + cpu.system) / 1000,
      rss: process.memoryUsage().rss,
      connections: server.connectionCount,
      members: server.memberNames.length,
      loopMaxMs: loopDelay.max / 1e6,
    });
    loopDelay.reset();
  } else if (message.cmd === 'stop') {
    void server.close().then(() => process.exit(0));
  }
});
process.once('SIGTERM', () => void server.close('server shutting down (SIGTERM)').then(() => process.exit(0)));
process.send?.({ port });
