import { TokenBucket } from './token-bucket.ts';

/**
 * Admission control per source address, decided before any Diffie-Hellman work: how many
 * connections one address may hold open, how many of them may be mid-handshake, and how fast it
 * may open new ones (a token bucket). One address cannot take every connection slot or keep the
 * server busy with handshakes, whatever the others do.
 *
 * Classroom defaults: a student's laptop runs a client or two and an inspector. Behind a NAT a
 * whole class shares one address; raise --max-per-address there (docs/PROTOCOL.md s.6).
 */
export interface AdmissionLimits {
  /** Open connections per address (members and handshakes together). */
  maxPerAddress: number;
  /** Connections per address that have not finished their handshake. */
  maxHandshakesPerAddress: number;
  /** New connections per second per address, on average; bursts of twice as many. */
  connectRatePerAddress: number;
}

export const ADMISSION_DEFAULTS: AdmissionLimits = {
  maxPerAddress: 16,
  maxHandshakesPerAddress: 4,
  connectRatePerAddress: 10,
};

/** No limits: for benchmarks and tests that open thousands of connections from one address. */
export const NO_ADMISSION_LIMITS: AdmissionLimits = {
  maxPerAddress: Infinity,
  maxHandshakesPerAddress: Infinity,
  connectRatePerAddress: Infinity,
};

interface AddressState {
  open: number;
  handshaking: number;
  /** New connections: connectRatePerAddress a second, bursts of twice that. */
  connects: TokenBucket;
}

export type AdmissionVerdict = { admitted: true } | { admitted: false; why: string };

export class Admission {
  private readonly addresses = new Map<string, AddressState>();
  private admitted = 0;

  constructor(
    private readonly limits: AdmissionLimits,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Called on accept; an admitted connection is counted as open and handshaking until released. */
  admit(address: string): AdmissionVerdict {
    const state = this.state(address);
    const { maxPerAddress, maxHandshakesPerAddress, connectRatePerAddress } = this.limits;
    let why: string | null = null;
    if (state.open >= maxPerAddress)
      why = `${address} already has ${state.open} connections open (limit ${maxPerAddress} per address)`;
    else if (state.handshaking >= maxHandshakesPerAddress)
      why = `${address} already has ${state.handshaking} handshakes in progress (limit ${maxHandshakesPerAddress} per address)`;
    else if (!state.connects.take())
      why = `${address} is opening connections faster than ${connectRatePerAddress} a second`;
    if (why !== null) {
      this.forgetIfIdle(address, state);
      return { admitted: false, why };
    }
    state.open++;
    if (++this.admitted % 1024 === 0) this.sweep();
    state.handshaking++;
    return { admitted: true };
  }

  /** The connection finished its handshake (it is a member now). */
  handshakeDone(address: string): void {
    const state = this.addresses.get(address);
    if (state && state.handshaking > 0) state.handshaking--;
  }

  /** The connection closed; `handshaking` says whether it closed before finishing its handshake. */
  release(address: string, handshaking: boolean): void {
    const state = this.addresses.get(address);
    if (!state) return;
    state.open = Math.max(0, state.open - 1);
    if (handshaking) state.handshaking = Math.max(0, state.handshaking - 1);
    this.forgetIfIdle(address, state);
  }

  /** Addresses with state: bounded by the open connections, plus those still refilling. */
  get trackedAddresses(): number {
    return this.addresses.size;
  }

  private state(address: string): AddressState {
    let state = this.addresses.get(address);
    if (!state) {
      state = { open: 0, handshaking: 0, connects: new TokenBucket(this.limits.connectRatePerAddress, this.now) };
      this.addresses.set(address, state);
    }
    return state;
  }

  /** An address with nothing open and a full bucket needs no memory. */
  private forgetIfIdle(address: string, state: AddressState): void {
    if (state.open === 0 && state.connects.full) this.addresses.delete(address);
  }

  /** Drops idle addresses now and then, so rejected sources leave no state behind. */
  private sweep(): void {
    for (const [address, state] of this.addresses) this.forgetIfIdle(address, state);
  }
}
