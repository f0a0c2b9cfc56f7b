import { DhlabError } from '../../errors.ts';
import { ClientSession } from '../../protocol/client-session.ts';
import type { ClientRequest, ServerEvent } from '../../protocol/messages.ts';
import { ServerSession } from '../../protocol/server-session.ts';
import { toyGroup } from '../toy-groups.ts';
import { applyRewrites, type Interceptor, type Link, type MalloryOptions } from './interceptor.ts';

/**
 * Mallory in the middle: a ServerSession faces the client (with HER host key and HER exponent),
 * a ClientSession faces the real server under the client's name. Both are the protocol core,
 * unchanged: the attack needs nothing but a client that does not check the host key.
 */
export class MitmInterceptor implements Interceptor {
  private readonly toClientSide: ServerSession;
  private upstream: ClientSession | null = null;
  private readonly pendingUp: ClientRequest[] = [];
  private readonly pendingDown: ServerEvent[] = [];
  private downEstablished = false;
  private upEstablished = false;
  /** Rewritten texts whose echo must reach the victim as she wrote them, so she notices nothing. */
  private readonly echoes = new Map<string, string>();

  constructor(
    private readonly link: Link,
    private readonly options: MalloryOptions,
  ) {
    const { engine } = options;
    this.toClientSide = new ServerSession(
      {
        engine,
        group: options.group,
        host: options.identity,
        revealSecrets: true,
        trace: (event) => options.trace?.(`${link.label} (client side)`, event),
        admitName: (name) => this.startUpstream(name),
      },
      {
        send: (bytes) => link.toClient(bytes),
        event: (event) => {
          if (event.type === 'established') {
            this.downEstablished = true;
            for (const e of this.pendingDown.splice(0)) this.toClientSide.send(e);
          } else if (event.type === 'request') this.fromVictim(event.request);
        },
        close: () => this.upstream?.close(),
      },
    );
  }

  private startUpstream(name: string): void {
    this.link.label = name;
    this.upstream = new ClientSession(
      {
        engine: this.options.engine,
        name,
        revealSecrets: true,
        trace: (event) => this.options.trace?.(`${name} (server side)`, event),
        insecure: { resolveGroup: toyGroup },
      },
      {
        send: (bytes) => this.link.toServer(bytes),
        event: (event) => {
          if (event.type === 'established') {
            this.upEstablished = true;
            for (const r of this.pendingUp.splice(0)) this.upstream?.send(r);
          } else this.fromServerEvent(event.event);
        },
        close: (error) =>
          this.toClientSide.fail(error ?? new DhlabError('ERR_CONNECTION', 'connection closed by peer')),
      },
    );
    this.upstream.start();
  }

  private fromVictim(request: ClientRequest): void {
    let forwarded = request;
    if (request.type === 'chat') {
      this.options.onEvent({ kind: 'read', connection: this.link.label, dir: 'client->server', text: request.text });
      const text = applyRewrites(request.text, this.options.rewrites);
      if (text !== request.text) {
        this.options.onEvent({ kind: 'rewrote', connection: this.link.label, from: request.text, to: text });
        this.echoes.set(text, request.text);
      }
      forwarded = { type: 'chat', text };
    }
    if (this.upEstablished) this.upstream?.send(forwarded);
    else this.pendingUp.push(forwarded);
  }

  private fromServerEvent(original: ServerEvent): void {
    let event = original;
    const echo = event.type === 'message' && event.from === this.link.label ? this.echoes.get(event.text) : undefined;
    if (echo !== undefined && event.type === 'message') {
      this.echoes.delete(event.text);
      event = { ...event, text: echo };
    }
    if (event.type === 'message')
      this.options.onEvent({
        kind: 'read',
        connection: this.link.label,
        dir: 'server->client',
        text: `<${event.from}> ${event.text}`,
      });
    if (this.downEstablished) this.toClientSide.send(event);
    else this.pendingDown.push(event);
  }

  fromClient(chunk: Uint8Array): void {
    this.toClientSide.feed(chunk);
  }

  fromServer(chunk: Uint8Array): void {
    this.upstream?.feed(chunk);
  }
}
