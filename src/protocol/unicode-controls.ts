/**
 * Bidi formatting characters (Unicode UAX #9 s.2: ALM, LRM, RLM, the embeddings and overrides,
 * the isolates), as a character-class body: refused in chat text (messages.ts), escaped by the terminal's
 * sanitizer (src/terminal/safe-text.ts builds its patterns from the same list).
 */
export const BIDI_CONTROL_CLASS = '\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
