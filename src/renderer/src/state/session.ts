/** The operator's session: sign in/out through the contract, idle sign-out through session-machine.ts. */
import { create } from 'zustand';
import type { Role, Session, SignInOutcome } from '../../../shared/contract';
import type { ErrorInfo } from '../../../shared/errors';
import { api, setSessionToken } from '../api/client';
import {
  initialSessionState,
  sessionReducer,
  type SessionAction,
  type SessionState,
  type SignOutReason,
} from './session-machine';

interface SessionStore extends SessionState {
  dispatch: (action: SessionAction) => void;
  /** Signs in; the outcome (signed in / invalid / locked) or the error is returned for the form. */
  signIn: (username: string, secret: string) => Promise<SignInOutcome | { kind: 'error'; error: ErrorInfo }>;
  /** Adopts a session obtained elsewhere (the first-run wizard's new admin). */
  adopt: (session: Session) => void;
  signOut: (reason?: SignOutReason) => Promise<void>;
}

export const useSession = create<SessionStore>()((set, get) => ({
  ...initialSessionState,
  dispatch: (action) => {
    const before = get().session;
    const next = sessionReducer(get(), action);
    set(next);
    if (before && !next.session) {
      // The server forgets it too (best effort: it also expires idle sessions by itself). The client
      // reads the token when the call starts, so it still goes with this call.
      if (action.type !== 'signedOut' || action.reason !== 'rejected') void api().signOut();
      setSessionToken(null);
    }
  },
  signIn: async (username, secret) => {
    const r = await api().signIn({ username, secret });
    if (!r.ok) return { kind: 'error', error: r.error };
    if (r.value.kind === 'signed_in') get().adopt(r.value.session);
    return r.value;
  },
  adopt: (session) => {
    setSessionToken(session.token);
    set(sessionReducer(get(), { type: 'signedIn', session, now: Date.now() }));
  },
  signOut: async (reason = 'manual') => {
    if (get().session) await api().signOut();
    setSessionToken(null);
    set(sessionReducer(get(), { type: 'signedOut', reason }));
  },
}));

/** Whether a role may open what `needed` guards (admins may do what operators do). */
export function roleAllows(role: Role | undefined, needed: Role): boolean {
  if (!role) return false;
  return needed === 'operator' ? true : role === 'admin';
}
