import type { RateLimitSettings } from './config';

/**
 * A token bucket per client: each holds up to `burst` tokens and refills at `perSecond`; a request
 * takes one. Buckets that have refilled completely carry no information and are dropped, so the map
 * stays as small as the set of recently active clients (and is capped besides).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private lastSweep = 0;

  constructor(
    private readonly settings: RateLimitSettings,
    private readonly now: () => number = () => performance.now(),
    private readonly maxClients = 10_000,
  ) {}

  /** Take a token for `client`: 0 when allowed, else the seconds until one is available. */
  take(client: string): number {
    const t = this.now();
    this.sweep(t);
    const { perSecond, burst } = this.settings;
    const b = this.buckets.get(client) ?? { tokens: burst, at: t };
    b.tokens = Math.min(burst, b.tokens + ((t - b.at) / 1000) * perSecond);
    b.at = t;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      this.buckets.set(client, b);
      return 0;
    }
    this.buckets.set(client, b);
    return (1 - b.tokens) / perSecond;
  }

  get size(): number {
    return this.buckets.size;
  }

  private sweep(t: number): void {
    const full = (this.settings.burst / this.settings.perSecond) * 1000;
    if (t - this.lastSweep < Math.min(full, 10_000) && this.buckets.size < this.maxClients) return;
    this.lastSweep = t;
    for (const [k, b] of this.buckets) if (t - b.at >= full) this.buckets.delete(k);
    // Still too many active clients: forget the oldest (they start again with a full bucket).
    if (this.buckets.size >= this.maxClients) {
      const excess = this.buckets.size - Math.floor(this.maxClients / 2);
      let i = 0;
      for (const k of this.buckets.keys()) {
        if (i++ >= excess) break;
        this.buckets.delete(k);
      }
    }
  }
}
