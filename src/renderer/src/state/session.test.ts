import { afterEach, describe, expect, it } from 'vitest';
import type { HadirApi, Session } from '../../../shared/contract';
import { SESSION_HEADER } from '../../../shared/contract';
import { currentSessionToken, setApiForTests, setSessionToken } from '../api/client';
import { createHttpClient } from '../api/http-client';
import { useSession } from './session';

const session: Session = {
  token: 'tok-1',
  username: 'petugas',
  displayName: 'Petugas',
  role: 'operator',
  expiresAt: new Date(Date.now() + 3600_000).toISOString(),
  idleTimeoutSeconds: 60,
};

/** The real HTTP client over a fake fetch, recording the session header each call carried. */
function recordingApi(reply: (path: string) => unknown): {
  api: HadirApi;
  calls: { path: string; token: string | null }[];
} {
  const calls: { path: string; token: string | null }[] = [];
  const api = createHttpClient({
    getToken: currentSessionToken,
    fetch: (async (url: string, init?: RequestInit) => {
      calls.push({ path: url, token: (init?.headers as Record<string, string>)[SESSION_HEADER] ?? null });
      const body = reply(url);
      return body === null ? new Response(null, { status: 204 }) : new Response(JSON.stringify(body), { status: 200 });
    }) as unknown as typeof fetch,
  });
  return { api, calls };
}

afterEach(() => {
  useSession.setState({ session: null, lastActivityAt: 0, endedBecause: null });
  setApiForTests(null);
  setSessionToken(null);
});

describe('session store', () => {
  it('signs in, and signs out on the server with the session’s own token when idle', async () => {
    const { api, calls } = recordingApi((url) =>
      url.endsWith('/auth/sessions') ? { kind: 'signed_in', session } : null,
    );
    setApiForTests(api);
    const outcome = await useSession.getState().signIn('petugas', '1234');
    expect(outcome.kind).toBe('signed_in');
    expect(useSession.getState().session?.token).toBe('tok-1');

    const signedInAt = useSession.getState().lastActivityAt;
    useSession.getState().dispatch({ type: 'tick', now: signedInAt + 60_000 });
    expect(useSession.getState().session).toBeNull();
    expect(useSession.getState().endedBecause).toBe('idle');
    // The sign-out went out with the ended session's token, and the client holds none afterwards.
    expect(calls).toEqual([
      { path: '/api/v1/auth/sessions', token: null },
      { path: '/api/v1/auth/sessions/current', token: 'tok-1' },
    ]);
    expect(currentSessionToken()).toBeNull();
  });

  it('passes a lockout through to the form', async () => {
    const until = new Date(Date.now() + 900_000).toISOString();
    const { api } = recordingApi(() => ({ kind: 'locked', until }));
    setApiForTests(api);
    expect(await useSession.getState().signIn('petugas', 'x')).toEqual({ kind: 'locked', until });
    expect(useSession.getState().session).toBeNull();
  });
});
