import { deriveSessionKeys } from '../protocol/keyschedule.ts';
import { aadFor, nonceFor } from '../protocol/channel.ts';
import { safeExcerpt } from '../terminal/safe-text.ts';
import type { ServerEvent } from '../protocol/messages.ts';
import type { TraceEvent } from '../protocol/trace.ts';
import { CaseMiss, engine, eventLine, Probe, type ProbeOptions } from './server-probe.ts';

/*
 * The steps the server exercise's cases are written in: join the room, expect these events in
 * this order, expect this refusal. Each throws CaseMiss with what came instead, the last frame
 * decoded, and a hint when what came shows a known mistake.
 */

/** What every case's script is given: the student's server, and the probes it opened (closed after the case). */
export class CaseRoom {
  readonly probes: Probe[] = [];

  constructor(
    readonly port: number,
    readonly hostKey: Uint8Array,
    /** A watcher's view of each client's session (`--watch`). */
    private readonly trace?: (client: string, event: TraceEvent) => void,
    /**
     * Relays between the grader and the server, each holding up to a socket buffer per direction
     * of what a stalled member does not read: 1 direct, 2 through the watcher's tap.
     */
    readonly bufferingHops = 1,
  ) {}

  async connect(options: Omit<ProbeOptions, 'port' | 'hostKey'>): Promise<Probe> {
    const trace = this.trace;
    const probe = await Probe.connect({
      ...options,
      port: this.port,
      hostKey: this.hostKey,
      ...(trace ? { trace: (event: TraceEvent) => trace(options.name, event) } : {}),
    });
    this.probes.push(probe);
    return probe;
  }

  /** A member that completes the handshake and gets its welcome; the members already there see it join. */
  async join(name: string, present: readonly Probe[] = [], options: Partial<ProbeOptions> = {}): Promise<Probe> {
    const probe = await this.connect({ name, ...options });
    const members = [...present.map((p) => p.name), name];
    const want = `welcome ${name} [${members.join(', ')}] ${members.length}`;
    const welcome = await probe.next();
    if (welcome === null) throw handshakeMiss(probe, want, this.probes);
    if (eventLine(welcome) !== want)
      throw new CaseMiss(
        `${name} got ${eventLine(welcome)}`,
        `welcome is the first sealed message: {"type":"welcome","name":NAME,"members":[every member in join order, the newcomer last],"count":N} (s.5)`,
        want,
        probe.lastFrameText(),
      );
    for (const other of present) await expectLines(other, [`+ ${name}`]);
    return probe;
  }

  close(): void {
    for (const probe of this.probes) probe.close();
  }
}

const listed = (lines: readonly string[]) => (lines.length === 0 ? '(nothing)' : lines.join(' | '));

/** The events `probe` gets next must be exactly `lines`, in order. */
export async function expectLines(probe: Probe, lines: readonly string[], hint: string | null = null): Promise<void> {
  const got: string[] = [];
  for (const want of lines) {
    const event = await probe.next();
    if (event === null) {
      const then = probe.ended ? probe.ending() : 'nothing more within 5 s';
      throw new CaseMiss(
        `${probe.name} got ${listed(got)}; then ${then}`,
        hint,
        `${probe.name} gets ${listed(lines)}`,
        probe.lastFrameText(),
      );
    }
    got.push(eventLine(event));
    if (got.at(-1) !== want)
      throw new CaseMiss(
        `${probe.name} got ${listed(got)}`,
        hint,
        `${probe.name} gets ${listed(lines)}`,
        probe.lastFrameText(),
      );
  }
}

/** Says `text` and checks that `to` (the speaker among them) get it, each as its next event. */
export async function sayAndHear(speaker: Probe, text: string, to: readonly Probe[], hint: string): Promise<void> {
  speaker.send({ type: 'chat', text });
  for (const probe of to) await expectLines(probe, [`${speaker.name}: ${text}`], hint);
}

/**
 * A refusal before keys exist: a plaintext error with `code`, then the connection closed
 * (s.7). What came instead is the case's "got": a server that answered with the next step
 * (server_auth, or welcome) accepted what it had to refuse, and the report says so.
 */
export async function expectRefusal(probe: Probe, code: string, what: string, hint: string): Promise<void> {
  const expected = `${what}: error ${code}, then the connection closes`;
  const answered = () => probe.handshakeFrames.includes('server_auth') || probe.events.length > 0;
  await probe.until(() => probe.ended !== null || answered());
  if (answered()) {
    const step = probe.events.length > 0 ? eventLine(probe.events[0] as ServerEvent) : 'server_auth';
    throw new CaseMiss(
      `${what}: the server went on to ${step} (it accepted what it had to refuse)`,
      hint,
      expected,
      probe.lastFrameText(),
    );
  }
  const ended = probe.ended;
  if (ended === null) throw new CaseMiss(`${what}: nothing within 5 s`, hint, expected, probe.lastFrameText());
  const gotCode = ended.remote ? ended.error?.code : null;
  if (gotCode !== code) throw new CaseMiss(`${what}: ${probe.ending()}`, hint, expected, probe.lastFrameText());
  if (!(await probe.until(() => probe.disconnected)))
    throw new CaseMiss(`${what}: error ${code}, but the connection stayed open`, hint, expected);
}

/** After a sealed error: the member got `code` (in an error or a bye) and was disconnected. */
export async function expectSealedRefusal(probe: Probe, code: string, what: string, hint: string): Promise<void> {
  const expected = `${what}: a sealed error ${code}, then the connection closes`;
  await probe.until(() => probe.ended !== null);
  const ended = probe.ended;
  const gotCode = ended?.remote ? ended.error?.code : null;
  if (gotCode !== code) {
    const arrived = probe.takeArrived().map(eventLine);
    const then = ended ? probe.ending() : 'nothing more within 5 s';
    throw new CaseMiss(`${what}: ${listed(arrived)}; then ${then}`, hint, expected, probe.lastFrameText());
  }
  if (!(await probe.until(() => probe.disconnected)))
    throw new CaseMiss(`${what}: error ${code}, but the connection stayed open`, hint, expected);
}

/** Why a handshake did not reach welcome, with the hint for the mistake it shows. */
function handshakeMiss(probe: Probe, want: string, all: readonly Probe[]): CaseMiss {
  const error = probe.ended?.error ?? null;
  const got = `${probe.name}: ${probe.ended ? probe.ending() : 'no welcome within 5 s'}`;
  const hint = (() => {
    if (probe.serverKeys.length === 0)
      return probe.ended
        ? 'answer hello with server_key {"type":"server_key","group":"modp14","y":HEX,"host_key":HEX} (s.3, s.4.1)'
        : 'answer hello with server_key at once: the grader waits for it (read the whole 4-byte length, then the JSON, s.2)';
    if (error === null) return null;
    if (!probe.ended?.remote)
      switch (error.code) {
        case 'ERR_HOST_KEY_CHANGED':
          return 'server_key.host_key is the raw 32-byte Ed25519 public key of the --host-key file, in hex (the PEM is PKCS#8: its DER ends with the 32-byte seed, RFC 8410)';
        case 'ERR_BAD_GROUP':
          return 'this exercise\'s server speaks RFC 3526 group 14: server_key.group is "modp14", y_s 256 bytes (s.4.1)';
        case 'ERR_BAD_PUBLIC_KEY':
          return 'y_s = g^x_s mod p with a fresh 256-bit x_s, in hex padded to the byte length of p (512 digits for modp14, s.4.1)';
        case 'ERR_BAD_SIGNATURE':
          return 'sign H with the host key (Ed25519, RFC 8032): H = SHA-256 of lp() of "dhlab/1 transcript", name, group, y_s, host_key, y_c in that order, lp = 4-byte big-endian length then the bytes (s.4.3, s.4.5)';
        case 'ERR_DECRYPT':
          return decryptDiagnosis(probe, all);
        default:
          return `every frame must follow s.3 exactly (${safeExcerpt(error.message, 120)})`;
      }
    return `the server refused ${probe.name} with ${error.code}: a valid hello {"type":"hello","version":1,"name":NAME} joins (s.3, s.6.1)`;
  })();
  return new CaseMiss(got, hint, want, probe.lastFrameText());
}

/**
 * A frame the grader could not open: try it under the keys a known mistake would have used, and
 * name the mistake whose key opens it.
 */
export function decryptDiagnosis(probe: Probe, all: readonly Probe[] = []): string {
  const keys = probe.derivedKeys;
  const frame = probe.lastBox;
  const general =
    'seal with k_s2c = HKDF-Expand(PRK, "dhlab/1 server to client") and PRK = HMAC-SHA256(H, SHA-256(Z)), Z padded to the byte length of p; nonce 0x00000000 || uint64_be(seq), AAD "dhlab/1 data " + seq, one counter per direction from 0 (s.4.3-s.5)';
  if (!frame || !keys.clientToServer || !keys.sharedSecret || !keys.transcript) return general;
  const box = Buffer.from(frame.box, 'base64');
  const opens = (key: Uint8Array | undefined, seq = frame.seq) =>
    key !== undefined && engine.aesGcmOpen(key, nonceFor(seq), box, aadFor('data', seq)) !== null;
  if (opens(keys.clientToServer))
    return 'your frame opens with k_c2s: you seal with one key both ways; the server seals with k_s2c ("dhlab/1 server to client"), and opens with k_c2s (s.4.4)';
  let unpadded = Buffer.from(keys.sharedSecret);
  while (unpadded.length > 1 && unpadded[0] === 0) unpadded = unpadded.subarray(1);
  if (unpadded.length < keys.sharedSecret.length) {
    const wrong = deriveSessionKeys(engine, unpadded, keys.transcript);
    if (opens(wrong.serverToClient))
      return 'Z here starts with a zero byte, and your keys are those of Z without it: pad Z on the left to the byte length of p (256 bytes for modp14) before SHA-256 (s.4.3)';
  }
  for (const other of all)
    if (other !== probe && opens(other.derivedKeys.serverToClient))
      return `your frame to ${probe.name} opens with the key of ${other.name}: every connection has its own keys, from its own DH exchange (s.4.4)`;
  return general;
}

/** One case of `dhlab check server`: a script of honest and hostile clients against a fresh server. */
export interface ServerCase {
  what: string;
  /** What must happen, in words, for the report. */
  expected: string;
  hint: string;
  /** This case's own limit, when it needs more than the others (the stalled reader). */
  ms?: number;
  play(room: CaseRoom, script: ServerScript): Promise<void>;
}

/** A run's names and lines, from the seed: the same seed, the same room. */
export interface ServerScript {
  names: readonly [string, string, string, string];
  lines: readonly [string, string, string];
}
