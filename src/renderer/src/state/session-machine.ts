/**
 * The operator session on this page as a pure reducer: signed in until the operator signs out, stops
 * touching the screen for the session's idle timeout, or the session expires. The server expires idle
 * sessions too; this makes the screen follow without waiting for a refused call.
 */
import type { Session } from '../../../shared/contract';

export type SignOutReason = 'manual' | 'idle' | 'expired' | 'rejected';

export interface SessionState {
  session: Session | null;
  lastActivityAt: number;
  /** Why the last session ended (shown on the sign-in screen), null while signed in or never signed in. */
  endedBecause: SignOutReason | null;
}

export type SessionAction =
  | { type: 'signedIn'; session: Session; now: number }
  | { type: 'activity'; now: number }
  | { type: 'tick'; now: number }
  | { type: 'signedOut'; reason: SignOutReason };

export const initialSessionState: SessionState = { session: null, lastActivityAt: 0, endedBecause: null };

/** Milliseconds of inactivity left before an idle sign-out (0 when signed out). */
export function idleRemainingMs(state: SessionState, now: number): number {
  if (!state.session) return 0;
  return Math.max(0, state.lastActivityAt + state.session.idleTimeoutSeconds * 1000 - now);
}

export function sessionReducer(state: SessionState, action: SessionAction): SessionState {
  switch (action.type) {
    case 'signedIn':
      return { session: action.session, lastActivityAt: action.now, endedBecause: null };
    case 'activity':
      return state.session ? { ...state, lastActivityAt: action.now } : state;
    case 'tick': {
      if (!state.session) return state;
      if (action.now >= Date.parse(state.session.expiresAt)) {
        return { session: null, lastActivityAt: state.lastActivityAt, endedBecause: 'expired' };
      }
      if (idleRemainingMs(state, action.now) === 0) {
        return { session: null, lastActivityAt: state.lastActivityAt, endedBecause: 'idle' };
      }
      return state;
    }
    case 'signedOut':
      return state.session || action.reason !== 'manual'
        ? { session: null, lastActivityAt: state.lastActivityAt, endedBecause: action.reason }
        : state;
  }
}
