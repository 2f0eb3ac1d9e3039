/**
 * Failed sign-ins are slowed per (user name, client address), never per account: a hard account lock
 * that anyone can trigger by typing the administrator's name from anywhere locks the administrator
 * out. Here a guesser at one address waits longer and longer (exponential back-off), while the same
 * account signs in normally from every other address. The name typed is the key whether or not such
 * an account exists, so a back-off answer says nothing about which names exist.
 *
 * In memory: a restart forgets it (an attacker cannot restart the server), and its size is bounded.
 */
export interface BackoffPolicy {
  /** Failed attempts from one address at one name before waits begin (default 3). */
  freeFailures: number;
  /** The first wait; each further failure doubles it (default 10 s: longer than a slow hash takes). */
  baseMs: number;
  /** The longest wait (default 15 min). */
  maxMs: number;
  /** (name, address) pairs remembered at most; the least recently failed are forgotten first. */
  maxEntries: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  freeFailures: 3,
  baseMs: 10_000,
  maxMs: 15 * 60_000,
  maxEntries: 10_000,
};

interface Entry {
  failures: number;
  /** Monotonic ms before which this pair is refused without checking. */
  untilMono: number;
  /** The same instant on the wall clock (what the sign-in screen shows). */
  untilIso: string;
}

export class SignInBackoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly policy: BackoffPolicy = DEFAULT_BACKOFF,
    private readonly clock: { now(): Date; monotonicMs(): number },
  ) {}

  /**
   * Start an attempt: `{ waitUntil }` while the pair is backed off (refuse without hashing), else the
   * attempt is counted *now*, before the slow check, so attempts fired together cannot all slip in
   * before the first failure is recorded. A success must call {@link succeeded}.
   */
  begin(name: string, from: string): { waitUntil: string } | { attempt: number; backoffStarted: boolean } {
    const key = `${name}\n${from}`;
    const mono = this.clock.monotonicMs();
    const e = this.entries.get(key) ?? { failures: 0, untilMono: 0, untilIso: '' };
    if (e.untilMono > mono) return { waitUntil: e.untilIso };
    e.failures++;
    const over = e.failures - this.policy.freeFailures;
    if (over > 0) {
      const wait = Math.min(this.policy.maxMs, this.policy.baseMs * 2 ** Math.min(over - 1, 40));
      e.untilMono = mono + wait;
      e.untilIso = new Date(this.clock.now().getTime() + wait).toISOString();
    }
    // Re-inserted: the map's order is least recently attempted first.
    this.entries.delete(key);
    this.entries.set(key, e);
    while (this.entries.size > this.policy.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return { attempt: e.failures, backoffStarted: over === 1 };
  }

  /** The right secret: that pair starts afresh. */
  succeeded(name: string, from: string): void {
    this.entries.delete(`${name}\n${from}`);
  }

  /** An admin lifted the waits on a name (from every address). */
  clear(name: string): void {
    const prefix = `${name}\n`;
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  get size(): number {
    return this.entries.size;
  }
}
