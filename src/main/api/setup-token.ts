import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * The one-time first-run token: while no admin account exists, `hadir serve` issues one and prints the
 * setup link with it; only a caller holding it (or the app's own window, or the CLI) may create the
 * first admin over HTTP. It lives in memory only (a restart prints a new one) and is spent when the
 * first admin is created. Kept as its SHA-256 and compared in constant time.
 */
export class SetupToken {
  private hash: Buffer | null = null;

  /** A new token (any earlier one stops working). */
  issue(): string {
    const token = randomBytes(24).toString('base64url');
    this.hash = sha256(token);
    return token;
  }

  check(token: string | null): boolean {
    if (this.hash === null || typeof token !== 'string' || token.length === 0 || token.length > 200) return false;
    return timingSafeEqual(sha256(token), this.hash);
  }

  /** Spent: setup is done (or abandoned); no token works any more. */
  revoke(): void {
    this.hash = null;
  }

  get active(): boolean {
    return this.hash !== null;
  }
}
