import os from 'node:os';
import path from 'node:path';
import { temporaryFolder } from '../../files.ts';
import type { CryptoEngine } from '../../crypto/engine.ts';
import { ChatClient } from '../../client/chat-client.ts';
import { DhlabError, type ErrorCode } from '../../errors.ts';
import { insecureEngine } from '../../insecure/weak-engine.ts';
import { insecureHooks } from '../../insecure/hooks.ts';
import { Mallory, type MalloryEvent } from '../../insecure/mallory/mallory.ts';
import { anyGroup } from '../../insecure/toy-groups.ts';
import { KnownServers } from '../../client/known-servers.ts';
import type { WireFrame } from '../../protocol/frame.ts';
import { hostIdentityFromSeed, type HostIdentity } from '../../protocol/identity.ts';
import type { ServerEvent } from '../../protocol/messages.ts';
import type { TraceEvent } from '../../protocol/trace.ts';
import type { ChatServer } from '../../server/chat-server.ts';
import { LoopbackRoom } from '../../loopback/topology.ts';
import type { TapObservation } from '../../tap/tap-proxy.ts';
import type { WireRecording } from './wire-recording.ts';
import type { KeyLogEntry } from '../../protocol/key-log.ts';
import { SegmentRecord } from './segment-record.ts';
import { roomFor } from './world-room.ts';
import { Waits } from './waits.ts';
import { malloryMoment, refusalMoment } from './moments.ts';
import type { ClientSpec, Scenario } from '../types.ts';
import type { ActionContext, Mark } from '../actions/action-context.ts';
import {
  valueNames,
  type EveReadHow,
  type FrameRecord,
  type Moment,
  type Value,
  type WorldObserver,
} from './run-record.ts';

export class ScenarioWorld implements ActionContext {
  private readonly valueMap = new Map<string, Value>();
  readonly received = new Map<string, ServerEvent[]>();
  readonly errors: { who: string; code: ErrorCode; message: string }[] = [];
  readonly observations: TapObservation[] = [];
  readonly frames: FrameRecord[] = [];
  readonly malloryEvents: MalloryEvent[] = [];
  readonly moments: Moment[] = [];
  /** Plaintexts Eve recovered by attack (eve_decrypt). */
  readonly eveRead: string[] = [];
  readonly clients = new Map<string, ChatClient>();
  /** Costs measured once per run (seconds per BSGS step by group), carried over a restart. */
  private readonly costs = new Map<string, number>();
  /** settle()'s checks, run whenever the world records something. */
  private readonly waits = new Waits();
  part = 1;
  private readonly tapLabels = new Map<number, string>();
  private readonly tempDir = temporaryFolder(path.join(os.tmpdir(), 'dhlab-scenario-'));

  private constructor(
    readonly scenario: Scenario,
    readonly engine: CryptoEngine,
    readonly serverIdentity: HostIdentity,
    readonly malloryIdentity: HostIdentity,
    private readonly observer: WorldObserver,
    private readonly room: LoopbackRoom,
    private readonly keyLog?: (entry: KeyLogEntry) => void,
  ) {}

  get server(): ChatServer {
    return this.room.server;
  }

  get mallory(): Mallory | null {
    return this.room.mallory;
  }

  /**
   * `carry` is the world a `restart` step replaces: its records carry over, and the seed moves
   * on (part 2, 3...) so the new server has new keys but the run stays reproducible.
   */
  static async start(
    scenario: Scenario,
    baseEngine: CryptoEngine,
    observer: WorldObserver = {},
    carry?: ScenarioWorld,
    recording: WireRecording = {},
  ): Promise<ScenarioWorld> {
    const part = (carry?.part ?? 0) + 1;
    const engine = insecureEngine(baseEngine, { seed: part === 1 ? scenario.seed : `${scenario.seed}/${part}` });
    const group = anyGroup(scenario.server.group);
    if (!group) throw new DhlabError('ERR_SCENARIO', `${scenario.file}: unknown group ${scenario.server.group}`);
    const serverIdentity = hostIdentityFromSeed(engine, engine.randomBytes(32));
    const malloryIdentity = hostIdentityFromSeed(engine, engine.randomBytes(32));
    let world: ScenarioWorld | null = null;
    const room = await LoopbackRoom.start(
      roomFor(
        scenario,
        { engine, group, part, serverIdentity, malloryIdentity },
        {
          serverTrace: (id, event, name) => world?.onServerTrace(id, event, name),
          serverRead: (port, bytes) => world?.serverRead(port, bytes),
          segment: (segment) => world?.wire.segment(segment),
          // One segment, one read: the next is written only once the server has read this one.
          segmentRead: (segment) => world?.until(() => world?.wire.serverHasRead(segment) ?? true) ?? Promise.resolve(),
          malloryEvent: (event) => world?.onMalloryEvent(event),
          malloryTrace: (connection, event) => world?.onMalloryTrace(connection, event),
          observation: (o) => world?.onObservation(o),
        },
        recording,
      ),
    );
    world = new ScenarioWorld(scenario, engine, serverIdentity, malloryIdentity, observer, room, recording.keyLog);
    world.part = part;
    if (carry) world.carryFrom(carry);
    world.setValue('group.p', group.p);
    world.setValue('group.g', group.g);
    world.setValue('group.q', group.q);
    world.setValue('server.fingerprint', serverIdentity.fingerprint);
    world.setValue('mallory.fingerprint', malloryIdentity.fingerprint);
    return world;
  }

  private carryFrom(old: ScenarioWorld): void {
    for (const [k, v] of old.costs) this.costs.set(k, v);
    for (const [k, v] of old.valueMap) this.valueMap.set(k, v);
    for (const [k, v] of old.received) this.received.set(k, v);
    this.errors.push(...old.errors);
    this.frames.push(...old.frames);
    this.malloryEvents.push(...old.malloryEvents);
    this.moments.push(...old.moments);
    this.eveRead.push(...old.eveRead);
  }

  private touched(): void {
    this.observer.change?.();
    this.waits.wake();
  }

  /** Writes down a moment on a lifeline, after the frames recorded so far. */
  note(over: string, text: string): void {
    this.moments.push({ afterFrames: this.frames.length, over, text });
  }

  private record(prefix: string, event: TraceEvent): void {
    for (const [name, value] of valueNames(event)) this.setValue(`${prefix}.${name}`, value);
    if (event.kind !== 'error') return;
    this.errors.push({ who: prefix, code: event.code, message: event.message });
    const refusal = refusalMoment(prefix, event);
    if (refusal) this.note(refusal.over, refusal.text);
  }

  private viaMallory(spec: ClientSpec | undefined): boolean {
    return this.mallory !== null && spec?.direct !== true;
  }

  private spec(name: string): ClientSpec | undefined {
    return this.scenario.clients.find((c) => c.name === name);
  }

  private onServerTrace(id: number, event: TraceEvent, name: string | null): void {
    const label = name ?? `connection ${id}`;
    this.record(`server/${label}`, event);
    if (event.kind === 'wire') {
      // One lifeline per connection Mallory sits in ("Mallory for alice"): her two handshakes of
      // that connection, with alice and with the server, are on it.
      const peer = this.viaMallory(this.spec(label)) ? `Mallory for ${label}` : label;
      const record = this.scenario.server.cbc ? 'cbc' : 'gcm';
      if (event.dir === 'send')
        this.frames.push({ from: 'server', to: peer, frame: event.frame, bytes: Uint8Array.from(event.bytes), record });
      else if (peer !== label)
        this.frames.push({ from: peer, to: 'server', frame: event.frame, bytes: Uint8Array.from(event.bytes), record });
    }
    this.observer.serverTrace?.(label, event);
    this.touched();
  }

  private onClientTrace(name: string, event: TraceEvent): void {
    this.record(name, event);
    if (event.kind === 'wire') {
      const peer = this.viaMallory(this.spec(name)) ? `Mallory for ${name}` : 'server';
      const record = this.spec(name)?.cbc ? 'cbc' : 'gcm';
      if (event.dir === 'send')
        this.frames.push({ from: name, to: peer, frame: event.frame, bytes: Uint8Array.from(event.bytes), record });
      else if (peer !== 'server')
        this.frames.push({ from: peer, to: name, frame: event.frame, bytes: Uint8Array.from(event.bytes), record });
    }
    this.observer.clientTrace?.(name, event);
    this.touched();
  }

  private onObservation(o: TapObservation): void {
    const frame = o.frame;
    if (frame?.type === 'hello' && typeof frame.name === 'string') {
      this.tapLabels.set(o.connection, frame.name);
      this.setValue(`eve/${frame.name}.name`, frame.name);
    }
    const label = this.tapLabels.get(o.connection) ?? `connection ${o.connection}`;
    // What Eve can write down from the wire: public values, the host key, the name.
    if (frame?.type === 'server_key' && typeof frame.y === 'string') {
      this.setValue(`eve/${label}.y_s`, Uint8Array.from(Buffer.from(frame.y, 'hex')));
      this.setValue(`eve/${label}.host_key`, Uint8Array.from(Buffer.from(String(frame.host_key), 'hex')));
      this.setValue(`eve/${label}.group`, String(frame.group));
    }
    if (frame?.type === 'client_key' && typeof frame.y === 'string')
      this.setValue(`eve/${label}.y_c`, Uint8Array.from(Buffer.from(frame.y, 'hex')));
    this.observations.push({ ...o, bytes: Uint8Array.from(o.bytes) });
    this.observer.observation?.(o);
    this.touched();
  }

  /** Lesson 12: the segments the resegmenter wrote and the reads the server made. */
  readonly wire = new SegmentRecord(
    (connection) => (this.room.tap ? this.tapLabels.get(connection) : undefined),
    (client, bytes, carries) => (this.observer.segment?.(client, bytes, carries), this.touched()),
  );

  get segments(): SegmentRecord['segments'] {
    return this.wire.segments;
  }

  get serverReads(): SegmentRecord['serverReads'] {
    return this.wire.serverReads;
  }

  private serverRead(peerPort: number, bytes: number): void {
    if (!this.room.resegmenter) return;
    this.wire.serverRead(peerPort, bytes);
    this.touched(); // a relay waits for the server to have read each segment (afterSegment)
  }

  /** What Eve read by attack, for the lab's view of her (eve_decrypt). */
  reportEveDecrypted(
    connection: string,
    read: { dir: string; seq: number; text: string }[],
    how: EveReadHow = 'keys',
  ): void {
    this.eveRead.push(...read.map((r) => r.text));
    this.observer.eveDecrypted?.(connection, read, how);
    this.touched();
  }

  /** Eve's observations of one client's connection, in order. */
  observationsOf(name: string): TapObservation[] {
    return this.observations.filter((o) => this.tapLabels.get(o.connection) === name);
  }

  private onMalloryTrace(connection: string, event: TraceEvent): void {
    // "alice (client side)" -> mallory/alice-client: the handshake she runs with alice.
    const prefix = `mallory/${connection.replace(/ \((client|server) side\)$/, '-$1')}`;
    this.record(prefix, event);
    this.observer.malloryTrace?.(connection, event);
    this.touched();
  }

  private onMalloryEvent(event: MalloryEvent): void {
    this.malloryEvents.push(event);
    const text = malloryMoment(event);
    if (text) this.note(`Mallory for ${event.connection}`, text);
    this.observer.malloryEvent?.(event);
    this.touched();
  }

  /** A frame a lesson's own connection sent to the server (Mallory's probes): on the ladder like a client's. */
  sentToServer(from: string, frame: WireFrame, wire: Uint8Array): void {
    const bytes = Uint8Array.from(wire.subarray(4));
    this.frames.push({ from, to: 'server', frame, bytes, record: this.scenario.server.cbc ? 'cbc' : 'gcm' });
    this.touched();
  }

  /** Where a connection of the lesson's own making enters the wire: through Eve's tap when she listens, so she (and the handout) see it. */
  get wirePort(): number {
    return this.room.wirePort;
  }

  /** Connects a client (through Eve and Mallory when present); resolves once welcomed or refused. */
  async connect(name: string): Promise<DhlabError | null> {
    const spec = this.spec(name);
    if (!spec) throw new DhlabError('ERR_SCENARIO', `${this.scenario.file}: no client named ${name}`);
    const port =
      this.room.tap?.port ?? (this.viaMallory(spec) ? (this.room.mallory as Mallory).port : this.room.serverPath);
    let knownServers: KnownServers | undefined;
    if (spec.pinned) {
      // Alice has talked to the real server at this address before: its key is pinned.
      const file = path.join(this.tempDir.path, `${name}-known_servers`);
      knownServers = new KnownServers(file);
      knownServers.pin(`127.0.0.1:${port}`, this.serverIdentity.publicKey);
    }
    this.received.set(name, []);
    try {
      const client = await ChatClient.connect({
        name,
        host: '127.0.0.1',
        port,
        engine: this.engine,
        knownServers,
        revealSecrets: true,
        keyLog: this.keyLog,
        insecure: insecureHooks(this.engine, { ...spec, skipValidation: !spec.validation, acceptToyGroups: true }),
        trace: (event) => this.onClientTrace(name, event),
        handshakeTimeoutMs: 20_000,
        onEvent: (event) => {
          this.received.get(name)?.push(event);
          this.observer.clientEvent?.(name, event);
          this.touched();
        },
      });
      client.on('close', (error) => {
        if (error) this.errors.push({ who: name, code: error.code, message: error.message });
        this.touched();
      });
      this.clients.set(name, client);
      return null;
    } catch (error) {
      if (!(error instanceof DhlabError)) throw error;
      this.errors.push({ who: name, code: error.code, message: error.message });
      this.touched();
      return error;
    }
  }

  /**
   * What an action's consequences will change: the events each open client has received so far.
   */
  mark(): Mark {
    const events = new Map<string, number>();
    for (const [name, client] of this.clients)
      if (!client.closed) events.set(name, this.received.get(name)?.length ?? 0);
    return { events };
  }

  /**
   * Resolves once the room has answered what happened since `before`: every client that was
   * connected then has received something new since (a join, a message, a leave) or has been
   * closed (a refused frame ends its sender, and the others then hear it leave). Event-driven: checked whenever the world records
   * something, never after a quiet period; `maxMs` only bounds a step whose answer never comes
   * (its expectations then say what is missing).
   */
  async settle(before: Mark, maxMs = 10_000): Promise<void> {
    await this.until(
      () =>
        [...before.events].every(
          ([name, count]) => (this.clients.get(name)?.closed ?? true) || (this.received.get(name)?.length ?? 0) > count,
        ),
      maxMs,
    );
  }

  /**
   * Resolves once every client connected now has heard `name` leave (or has closed): a visitor that
   * is not one of the scenario's clients (Mallory's probes) has come and gone for everyone.
   */
  async heardLeave(name: string, maxMs = 10_000): Promise<void> {
    const open = [...this.clients].filter(([, client]) => !client.closed).map(([who]) => who);
    await this.until(
      () =>
        open.every(
          (who) =>
            (this.clients.get(who)?.closed ?? true) ||
            (this.received.get(who) ?? []).some((e) => e.type === 'leave' && e.name === name),
        ),
      maxMs,
    );
  }

  /** Event-driven: `answered` is checked whenever the world records something; `maxMs` bounds it. */
  until(answered: () => boolean, maxMs = 10_000): Promise<void> {
    return this.waits.until(answered, maxMs);
  }

  /** A value by name, for checks and narration; undefined when the run has not produced it. */
  value(name: string): Value | undefined {
    return this.valueMap.get(name);
  }

  /** Every value the run has named, for tests and the handout's tables. */
  get values(): ReadonlyMap<string, Value> {
    return this.valueMap;
  }

  setValue(name: string, value: Value): void {
    this.valueMap.set(name, value);
  }

  measuredOnce(key: string, measure: () => number): number {
    const known = this.costs.get(key) ?? measure();
    this.costs.set(key, known);
    return known;
  }

  get memberNames(): readonly string[] {
    return this.server.memberNames;
  }

  async close(): Promise<void> {
    await this.room.close('scenario finished', this.clients.values());
    this.tempDir.remove();
  }
}
