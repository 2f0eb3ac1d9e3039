import type pg from 'pg';
import type { FaceAnalyzer } from '../services/analyzer';
import type { HubGallery } from './gallery';
import type { HadirError } from '../../shared/errors';
import type { RateLimiter } from '../api/rate-limit';
import type { ScryptParams } from '../services/secret-hash';
import type { SignInBackoff } from '../services/sign-in-backoff';
import type { ChangeNotifier } from './notifier';
import type { HubMeta } from './store/meta';

/** What every hub route works with. */
export interface HubContext {
  pool: pg.Pool;
  notifier: ChangeNotifier;
  meta: HubMeta;
  joinLimiter: RateLimiter;
  /** Console sign-ins per client address, whatever the name (spraying names must not be free). */
  signInLimiter: RateLimiter;
  /** Growing waits after failed console sign-ins, per (username, client address). */
  signInBackoff: SignInBackoff;
  /** What secrets are hashed with (the dummy check of an unknown name costs the same). */
  scrypt: ScryptParams;
  /** The built admin console (`npm run build:admin` → out/admin) served under /admin/; null: not built. */
  adminDir: string | null;
  /**
   * SHA-256 of the hub's own self-signed certificate ("AB:CD:…"), which a joining kiosk must pin; set
   * when the face API's listener starts with one. Absent: no TLS of its own, or a certificate from files
   * (renewed certificates must not be pinned; a kiosk pins an untrusted one as first seen).
   */
  pinFingerprint?: string;
  /**
   * The organisation's gallery, when this process serves the face API (`hadir hub serve` does):
   * enrollments uploaded by kiosks are checked against the whole organisation with it.
   */
  gallery?: HubGallery;
  /**
   * The face API's engine (its worker pool, with its model pack), set with `gallery`: the console's
   * photo imports prepare their samples with it rather than loading a second engine.
   */
  faceAnalyzer?: FaceAnalyzer;
}

/** Extra fields of an error's body (`error.reason`) and a Retry-After, attached to the thrown error. */
export const reasonOf = new WeakMap<object, string>();
export const retryAfterOf = new WeakMap<object, number>();

export function withReason(e: HadirError, reason: string): HadirError {
  reasonOf.set(e, reason);
  return e;
}

export function withRetryAfter(e: HadirError, seconds: number): HadirError {
  retryAfterOf.set(e, Math.max(1, Math.ceil(seconds)));
  return e;
}

/** Every answer carries the hub's clock, from which kiosks measure their offset. */
export function serverTime(): string {
  return new Date().toISOString();
}
