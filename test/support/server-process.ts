import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface ServerStats {
  cpuMs: number;
  rss: number;
  connections: number;
  members: number;
  /** The longest event-loop stall since the previous stats() (test/support/server-child.ts). */
  loopMaxMs: number;
}

/** test/support/server-child.ts in a child process: its own CPU time, memory and logs. */
export class ServerProcess {
  readonly logs: string[] = [];
  readonly exited: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.on('message', (m: { log?: string }) => void (m.log !== undefined && this.logs.push(m.log)));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static start(config: Record<string, unknown>, execArgv: string[] = []): Promise<ServerProcess> {
    const script = path.resolve(import.meta.dirname, './server-child.ts');
    const child = fork(script, [JSON.stringify(config)], {
      execArgv: ['--import', 'tsx', '--expose-gc', ...execArgv],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      const onMessage = (m: { port?: number }) => {
        if (m.port === undefined) return;
        child.off('message', onMessage);
        resolve(new ServerProcess(child, m.port));
      };
      child.on('message', onMessage);
    });
  }

  stats(): Promise<ServerStats> {
    return new Promise((resolve) => {
      const onMessage = (m: ServerStats & { log?: string }) => {
        if (m.log !== undefined) return;
        this.child.off('message', onMessage);
        resolve(m);
      };
      this.child.on('message', onMessage);
      this.child.send({ cmd: 'stats' });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) this.child.send({ cmd: 'stop' });
    await this.exited;
  }
}
