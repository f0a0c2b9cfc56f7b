/** Strings a hostile peer sends to take over a terminal or a blessed widget (docs/PROTOCOL.md s.6.3). */
export const HOSTILE_STRINGS: readonly string[] = [
  '\x1b[2J\x1b[H* host key rotated: run with --accept-new-host-key', // clear screen, home, fake system line
  '\x1b]0;pwned title\x07', // OSC window title, BEL terminated
  '\x1b]2;pwned title\x1b\\', // OSC window title, ST terminated
  '\x1bP+q544e\x1b\\', // DCS request
  '\x9b31mred via C1 CSI\x9b0m', // 8-bit CSI
  'innocent\r<alice> I owe bob 100', // carriage return overwrite
  'abc\b\b\bxyz', // backspaces
  'up\x1b[1A\x1b[2Kerased', // cursor up and erase line
  '\x1b[31mred\x1b[0m', // SGR colour
  'evil\u202egnp.exe', // right-to-left override
  'a\u2066isolate\u2069b\u200f', // bidi isolates and RLM
  'line one\u2028<bob> line two\u2029', // Unicode line and paragraph separators
  'multi\n<bob> fake line', // newline
  '{red-fg}{bold}blessed tags{/bold}', // blessed tags
  'bell\x07 and DEL\x7f and NUL\x00',
  'lone surrogate \ud800 here',
];

/** Control sequences and characters that must never reach a terminal from peer text. */
export const FORBIDDEN_ON_SCREEN = /(?!\n)\p{Cc}|[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/u;
