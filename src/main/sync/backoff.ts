/**
 * Retry delays after failures: 1 s, doubling to 30 s, each spread by ±20 % so a site's kiosks that lost
 * the hub together do not come back in lockstep. Pure: the random source is injected for tests.
 */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly opts: { initialMs?: number; maxMs?: number; jitter?: number; random?: () => number } = {},
  ) {}

  /** The delay before the next attempt, counting one more failure. */
  next(): number {
    const initial = this.opts.initialMs ?? 1000;
    const max = this.opts.maxMs ?? 30_000;
    const jitter = this.opts.jitter ?? 0.2;
    const random = this.opts.random ?? Math.random;
    const base = Math.min(max, initial * 2 ** Math.min(this.failures, 30));
    this.failures++;
    return Math.round(Math.min(max, base * (1 - jitter + 2 * jitter * random())));
  }

  /** A success: the next failure starts again at the initial delay. */
  reset(): void {
    this.failures = 0;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }
}
