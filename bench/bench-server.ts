import { ChatClient } from '../src/client/chat-client.ts';
import { ENGINES } from '../src/crypto/engines.ts';
import { ServerProcess } from '../test/support/server-process.ts';

/** The server under test runs in its own process (test/support/server-process.ts) so its CPU and RSS are its own. */
export const BenchServer = {
  start: (config: { engine: string; rateLimit?: number } & Record<string, unknown>) =>
    ServerProcess.start(
      config,
      process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [],
    ),
};

export const connect = (port: number, name: string, localAddress?: string) =>
  ChatClient.connect({ name, host: '127.0.0.1', port, localAddress, engine: ENGINES.native });
