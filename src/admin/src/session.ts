/**
 * Who is signed in: asked of the hub once at start (`GET /api/v1/hub/session`), set by signing in,
 * cleared by signing out or by any call the hub answers 401 (the session expired or was ended
 * elsewhere). The cookie itself is HttpOnly: the page never sees it, only what the hub says about it.
 * Signing out reloads the page, and so does another operator signing in where one was before: what a
 * screen loaded for one operator never shows to the next.
 */
import { create } from 'zustand';
import { type ConsoleSession, type HubPermission, roleMay } from '../../shared/hub-admin';
import { api, ApiError, SESSION_PATH, setUnauthorizedHandler } from './api';

export type SessionState =
  | { status: 'checking' }
  /** `ended`: a session was open and the hub ended it (expired, signed out elsewhere). */
  | { status: 'signed-out'; ended: boolean }
  | { status: 'signed-in'; session: ConsoleSession }
  /** The hub did not answer the first question: the page offers to ask again. */
  | { status: 'unreachable'; error: unknown };

interface SessionStore {
  state: SessionState;
  check: () => Promise<void>;
  /** Throws the hub's refusal (ApiError) for the sign-in form to show. */
  signIn: (username: string, secret: string) => Promise<void>;
  /** Ends the session at the hub and reloads the page (the hub then says: signed out). */
  signOut: () => Promise<void>;
  /** The hub answered 401 to some call: back to the sign-in screen. */
  ended: () => void;
}

/** Who was signed in on this page before (null: nobody yet). */
let previous: string | null = null;

export const useSession = create<SessionStore>((set, get) => ({
  state: { status: 'checking' },
  check: async () => {
    set({ state: { status: 'checking' } });
    try {
      const session = await api<ConsoleSession>('GET', SESSION_PATH);
      previous = session.operator.username;
      set({ state: { status: 'signed-in', session } });
    } catch (e) {
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
        set({ state: { status: 'signed-out', ended: false } });
      } else set({ state: { status: 'unreachable', error: e } });
    }
  },
  signIn: async (username, secret) => {
    const session = await api<ConsoleSession>('POST', SESSION_PATH, { username, secret });
    const before = previous;
    previous = session.operator.username;
    // Someone else signing in on a page that held another operator's session: a fresh page, so no
    // screen keeps what it had loaded for the one before (a list of sites, a person's record).
    if (before !== null && before !== session.operator.username) {
      location.reload();
      return;
    }
    set({ state: { status: 'signed-in', session } });
  },
  signOut: async () => {
    try {
      await api('DELETE', SESSION_PATH);
    } catch {
      // Already ended, or the hub is away: the page forgets the session either way.
    }
    // A fresh page: nothing the operator saw stays in memory for whoever signs in next.
    location.reload();
  },
  ended: () => {
    if (get().state.status === 'signed-in') set({ state: { status: 'signed-out', ended: true } });
  },
}));

setUnauthorizedHandler(() => useSession.getState().ended());

/** The signed-in operator's session; only for components under the signed-in shell. */
export function useConsoleSession(): ConsoleSession {
  const state = useSession((s) => s.state);
  if (state.status !== 'signed-in') throw new Error('useConsoleSession outside a signed-in console');
  return state.session;
}

/** Whether the signed-in operator may do `what` (false when signed out). */
export function useMay(what: HubPermission): boolean {
  return useSession((s) => s.state.status === 'signed-in' && roleMay(s.state.session.operator.role, what));
}
