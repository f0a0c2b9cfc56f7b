import type { ErrorCode } from '../errors.ts';
import type { MalloryMode, Rewrite } from '../insecure/mallory/mallory.ts';

/** A lesson as data: what file.ts reads from YAML and checks, and what the runner and the lab use. */

/** How one endpoint is weakened (all off by default). */
export interface EndpointSpec {
  exponent?: bigint;
  exponentBits?: number;
  /** Public-value validation (default on). */
  validation: boolean;
  /** AES-256-CBC without a MAC instead of AES-256-GCM (the original project's mode). */
  cbc: boolean;
  /** AES-256-GCM with every frame sealed at seq 0, one nonce for all (lesson 11). */
  nonceReuse: boolean;
}

export interface ClientSpec extends EndpointSpec {
  name: string;
  /** The client already pinned the real server's host key for the address it dials. */
  pinned: boolean;
  /** Connect to the server directly even when Mallory is on the path. */
  direct: boolean;
}

export interface ServerSpec extends EndpointSpec {
  group: string;
  /** One private exponent for every connection (the original project; lesson 10). */
  staticKey: boolean;
}

export interface MallorySpec {
  mode: MalloryMode;
  fixedValue?: 'one' | 'p-1' | 'p';
  rewrites: Rewrite[];
}

export type Action =
  | { kind: 'none' }
  | { kind: 'connect'; name: string }
  | { kind: 'leave'; name: string }
  | { kind: 'say'; from: string; text: string }
  | { kind: 'discrete_log'; of: string; boundBits?: number; as: string }
  | { kind: 'eve_decrypt'; connection: string; exponent: string }
  | { kind: 'cost'; groups: string[] }
  | { kind: 'flip'; connection: string; offset: number; xor: Uint8Array; what: string }
  /** `seq: next` rewrites the replayed frame's seq field to the number the server expects next. */
  | { kind: 'replay'; connection: string; rewriteSeq: boolean }
  | { kind: 'cbc_bitflip'; text: string; key: string; from: string; to: string }
  /** Lesson 13: the connection's first chat frame by hand; `show` picks the part a step prints. */
  | { kind: 'aes_block'; connection: string; show: 'counter' | 'rounds' | 'keystream' | 'tag' }
  /** Lesson 12: the original's reader behind a relay that merges the texts into one segment. */
  | { kind: 'naive_read'; texts: string[]; long: number }
  /** Lesson 12: several lines in one write (and a long one, `long` bytes, generated), through the resegmenter. */
  | { kind: 'say_together'; from: string; texts: string[]; long: number }
  /** Lesson 10: Mallory's small-subgroup probes (one connection per order), then the CRT into `as`. */
  | { kind: 'small_subgroup'; orders: bigint[]; as: string }
  /** Lesson 11: Eve XORs the first two frames the server sent a connection (a stuck nonce). */
  | { kind: 'eve_xor'; connection: string }
  /** Lesson 11: H and E_K(J0) from a connection's last two chats under one nonce. */
  | { kind: 'forbidden_attack'; connection: string }
  /** Lesson 11: Mallory sends a chat as `connection`, sealed with what forbidden_attack found. */
  | { kind: 'forge'; connection: string; known: string; text: string }
  | { kind: 'restart'; server: ServerSpec };

export type Expectation =
  | { kind: 'equal' | 'differ'; names: [string, string] }
  | { kind: 'value'; of: string; is: string }
  | { kind: 'missing'; of: string }
  | { kind: 'receives' | 'not_receives'; who: string; from?: string; text: string; times?: number }
  /** `message`: a part of the error's text that must appear (which check refused, say). */
  | { kind: 'error'; who: string; code: ErrorCode; message?: string }
  | { kind: 'members'; names: string[] }
  | { kind: 'eve_reads' | 'eve_cannot_read' | 'mallory_reads'; text: string }
  | { kind: 'mallory_rewrote'; from: string; to: string };

export interface Step {
  title: string;
  narration: string;
  /** Whose view the lab shows for this step: a client's name, server, eve or mallory. */
  view?: string;
  action: Action;
  expect: Expectation[];
  /** 1-based line of the step in its file, for error messages. */
  line: number;
}

export interface Scenario {
  file: string;
  name: string;
  title: string;
  summary: string;
  seed: string;
  server: ServerSpec;
  clients: ClientSpec[];
  eve: boolean;
  mallory?: MallorySpec;
  /** Lesson 12: a relay in front of the server re-cuts what clients send into segments of seeded sizes. */
  resegment: boolean;
  steps: Step[];
}
