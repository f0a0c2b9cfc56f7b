/**
 * Every failure that crosses a boundary (network, CLI, scenario file) is a DhlabError with a
 * stable code. docs/PROTOCOL.md s.7 is the table of codes; keep the two in step.
 */
export const ERROR_CODES = {
  ERR_FRAME_LENGTH: 'frame length prefix is 0 or above the 64 KiB limit',
  ERR_FRAME_TRUNCATED: 'the connection closed in the middle of a frame',
  ERR_BAD_JSON: 'frame payload is not a UTF-8 JSON object with a string "type"',
  ERR_BAD_FRAME: 'a field of a known frame is missing or malformed',
  ERR_UNKNOWN_FRAME: 'frame type is not defined by the protocol',
  ERR_UNEXPECTED_FRAME: 'frame type is valid but not in this state of the protocol',
  ERR_VERSION: 'peer speaks another protocol version',
  ERR_BAD_NAME:
    "name does not fit the name profile (letters, digits, marks, - _ . ' and single spaces; one script; at most 32 characters)",
  ERR_BAD_TEXT: 'chat text has a control, bidi or line-separator character or a lone surrogate',
  ERR_NAME_TAKEN: 'another member of the room already has this name',
  ERR_BAD_GROUP: 'the DH group is not one of modp14, modp15, modp16',
  ERR_BAD_PUBLIC_KEY: 'DH public value fails 2 <= y <= p-2 and y^q = 1 mod p',
  ERR_BAD_SIGNATURE: "the server's signature over the transcript does not verify",
  ERR_HOST_KEY_CHANGED: 'the server host key differs from the pinned one',
  ERR_DECRYPT: 'an encrypted frame failed authentication (tampered, replayed, reordered or truncated)',
  ERR_NONCE_EXHAUSTED: 'the per-direction message counter reached its maximum',
  ERR_MESSAGE_TOO_LONG: 'chat text is above 4096 UTF-8 bytes',
  ERR_EMPTY_MESSAGE: 'chat text is empty',
  ERR_HANDSHAKE_TIMEOUT: 'the handshake did not finish in time',
  ERR_FRAME_TIMEOUT: 'a frame that had started did not finish in time (--frame-timeout)',
  ERR_SLOW_CONSUMER: 'the peer reads too slowly: its outgoing queue passed the cap, or was not empty for too long',
  ERR_RATE_LIMITED: 'the client sent more requests per second than the server allows',
  ERR_SERVER_FULL: 'the server has reached --max-clients',
  ERR_TOO_MANY_CONNECTIONS: 'this address has too many connections or handshakes open, or opens them too fast',
  ERR_SERVER_SHUTDOWN: 'the server is shutting down',
  ERR_SESSION_CLOSED: 'the session already failed or closed',
  ERR_CONNECTION: 'the TCP connection failed or closed',
  ERR_CONNECT_TIMEOUT: 'the TCP connection or the handshake did not complete in time',
  ERR_NOT_DHLAB: 'the peer does not speak the dhlab protocol (its first bytes are not a dhlab frame)',
  ERR_HOST_KEY_FILE: 'the host key or known-servers file cannot be read or is malformed',
  ERR_USAGE: 'the command line is invalid',
  ERR_SCENARIO: 'a scenario file is malformed (the message names the file, line and field)',
  ERR_EXPECTATION: 'a scenario step did not do what its file expects',
  ERR_FILE: 'a file the command was given cannot be used (a folder, a missing folder, no permission)',
  ERR_LISTEN: 'the address to listen on cannot be used (in use, not on this machine, a privileged port)',
  ERR_RESOLVE: 'a host name does not resolve to an address',
  ERR_CAPTURE: 'a capture file (pcap or pcapng) is truncated or malformed (the message gives the offset)',
  ERR_KEY_LOG: 'a key log file is malformed (the message names the line)',
  ERR_INSECURE_SERVER:
    'the server announces teaching-only weakenings and this client was started without --insecure-... flags',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class DhlabError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'DhlabError';
    this.code = code;
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/**
 * A file-system or listen error as a sentence a user can act on: `what` names the thing
 * ("cannot write handout.html", "cannot listen on 127.0.0.1:5069").
 */
export function fileError(error: unknown, what: string): DhlabError {
  const code = (error as NodeJS.ErrnoException).code;
  return new DhlabError(
    'ERR_FILE',
    `${what}: ${code === 'EEXIST' ? 'it already exists; --force replaces it' : fileReason(error)}`,
  );
}

/** Why a file-system or listen call failed, in words (errno codes a user should not need). */
export function fileReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EISDIR'
    ? 'it is a folder; give a file name'
    : code === 'ENOENT'
      ? 'its folder does not exist'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EADDRINUSE'
          ? 'the address is already in use; pick another port, or port 0 for any free port'
          : code === 'EADDRNOTAVAIL'
            ? 'this machine has no such address'
            : code === 'ENOTDIR'
              ? 'a part of the path is not a folder'
              : code === 'ELOOP'
                ? 'it is a symbolic link; dhlab does not follow links it writes or reads through'
                : code === 'ENOTREGULAR' || code === 'ENXIO'
                  ? 'it is not a regular file (a FIFO or a device)'
                  : code === 'EFBIG'
                    ? 'it is too large'
                    : code === 'EEXIST'
                      ? 'it already exists'
                      : (code ?? (error as Error).message);
}

/** Name lookups that failed: the host name is wrong, or no resolver answers. */
const RESOLVE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL']);

/**
 * A listen error as a sentence: ERR_RESOLVE when the host name does not resolve, ERR_LISTEN for
 * the rest ("cannot listen on 127.0.0.1:5068: the address is already in use; ...").
 */
export function listenError(error: unknown, host: string, port: number | string): DhlabError {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (RESOLVE_CODES.has(code))
    return new DhlabError(
      'ERR_RESOLVE',
      `cannot listen on ${host}:${port}: the host name "${host}" does not resolve (${code})`,
    );
  const privileged = (code === 'EACCES' || code === 'EPERM') && Number(port) > 0 && Number(port) < 1024;
  const why = privileged
    ? `ports below 1024 need privileges; pick a port from 1024 to 65535`
    : fileError(error, '').message.slice(2);
  return new DhlabError('ERR_LISTEN', `cannot listen on ${host}:${port}: ${why}`);
}

/** Whether a socket error is a failed name lookup (ERR_RESOLVE rather than ERR_CONNECTION). */
export function isResolveError(error: NodeJS.ErrnoException): boolean {
  return RESOLVE_CODES.has(error.code ?? '');
}
