import { exact } from './judges.ts';
import { weakExponentRecording } from './recording.ts';
import { CaseSource } from './seeded.ts';
import type { Exercise } from './types.ts';

/** Eight letters each (é is two bytes: the café is left out so that every line has one size). */
const PLACES = ['the hall', 'the yard', 'room 101', 'the park', 'the gate', 'platform', 'the dock', 'the roof'];

/**
 * One chat line no one can guess: about 2^46 lines, every one the same length (bytes too), so
 * neither a word list nor the size of a sealed box (lesson 03) tells which line it is.
 */
function unguessableChat(source: CaseSource, label: string): string {
  const digits = (count: number, what: string) =>
    source
      .below(10n ** BigInt(count), `${label} ${what}`)
      .toString()
      .padStart(count, '0');
  const place = PLACES[Number(source.below(BigInt(PLACES.length), `${label} place`))] as string;
  const hour = String(Number(source.below(24n, `${label} hour`))).padStart(2, '0');
  const minute = String(Number(source.below(60n, `${label} minute`))).padStart(2, '0');
  return `${place} at ${hour}:${minute}, code ${digits(4, 'a')}-${digits(4, 'b')}`;
}

/** break-weak's recording and the chat it holds (the same seed, the same bytes). */
function weakRun(seed: string): { chats: string[]; lines: string[] } {
  const source = new CaseSource(`break-weak ${seed}`);
  const chats = [0, 1, 2].map((i) => unguessableChat(source, `chat ${i}`));
  return { chats, lines: weakExponentRecording(source, 'alice', chats) };
}

export const breakWeak: Exercise = {
  name: 'break-weak',
  title: 'Reading a chat through a weak exponent',
  spec: 's.4.1-4.4 and s.5 (and lesson 04-weak-exponents)',
  contract:
    "in: what `dhlab eve --json` recorded of one connection (one JSON object per line: hello, server_key, client_key, server_auth, then data frames both ways); the client's private exponent has 32 bits   out: the text of each chat line the client sent, one per line, in order",
  goal: "Be Eve: from the wire alone, recover the client's 32-bit exponent by baby-step giant-step (or Pollard's kangaroo), derive the keys and read the chat.",
  hints: [
    'Each input line is one frame as `dhlab eve --json` prints it: {"connection":1,"dir":"client->server" or "server->client","bytes":N (on the wire, length prefix included),"type":"hello","frame":{...the frame\'s JSON...}}; take name from hello, group, y and host_key from server_key, y from client_key, and seq and box from the data frames.',
    'Find x < 2^32 with g^x = y_c mod p: baby steps g^j for j < 2^16 in a table, giant steps y_c * g^(-2^16 * i) until one is in the table; then x = i * 2^16 + j.',
    'Z = y_s^x mod p, padded to 256 bytes; then K, H and the keys exactly as in the keys exercise, with the name, group, y_s, host_key and y_c from the frames.',
    'The client\'s data frames are sealed with the client-to-server key, seq 0, 1, 2, ... in the order they were sent; each opens to {"type":"chat","text":...}.',
  ],
  cases(seed) {
    const { chats, lines } = weakRun(seed);
    const hints = [
      "recover x_c from y_c (baby-step giant-step over x < 2^32), then Z = y_s^x_c mod p padded to 256 bytes, K, H and the client-to-server key (s.4.3-4.4); open the client's first data frame with seq 0 (s.5)",
      "the client's second data frame is seq 1: its nonce and AAD follow the client's own counter (s.5)",
      'every data frame the client sends advances its counter by one, and only the client-to-server direction holds its chat (s.4.4: two keys)',
    ];
    return chats.map((text, i) => ({
      what: `chat line ${i + 1}`,
      input: `(the recorded connection: ${lines.length} JSON lines)`,
      expected: text,
      hint: hints[i] as string,
    }));
  },
  stdin(seed) {
    return weakRun(seed)
      .lines.map((line) => `${line}\n`)
      .join('');
  },
  judge: exact,
  // The answer is the chat Eve must read: a failed run does not hand it over.
  secretAnswers: true,
};
