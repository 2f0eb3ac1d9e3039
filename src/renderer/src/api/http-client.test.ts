import { describe, expect, it } from 'vitest';
import { HTTP_ROUTES, SESSION_HEADER, SETUP_HEADER } from '../../../shared/contract';
import { createHttpClient, encodeRequest } from './http-client';

describe('encodeRequest (the HTTP mapping)', () => {
  it('fills path parameters and sends the rest as query for GET', () => {
    const e = encodeRequest(HTTP_ROUTES.getPerson, { id: 42 });
    expect(e).toEqual({ url: '/api/v1/people/42', body: undefined, contentType: undefined });
    const q = encodeRequest(HTTP_ROUTES.listPeople, {
      query: 'siti n',
      includeInactive: true,
      offset: 0,
      unit: undefined,
    });
    expect(q.url).toBe('/api/v1/people?query=siti+n&includeInactive=true&offset=0');
  });

  it('sends JSON without the path parameters for PATCH', () => {
    const e = encodeRequest(HTTP_ROUTES.updatePerson, { id: 7, full_name: 'Budi' }, 'http://127.0.0.1:5010');
    expect(e.url).toBe('http://127.0.0.1:5010/api/v1/people/7');
    expect(e.contentType).toBe('application/json');
    expect(JSON.parse(e.body as string)).toEqual({ full_name: 'Budi' });
  });

  it('sends a frame as a raw image/jpeg body with its fields in the query', () => {
    const jpeg = new Uint8Array([0xff, 0xd8]).buffer;
    const e = encodeRequest(HTTP_ROUTES.submitFrame, { kioskId: 'k1', jpeg, width: 640, height: 480, mirrored: false });
    expect(e.url).toBe('/api/v1/kiosk/frames?kioskId=k1&width=640&height=480&mirrored=false');
    expect(e.body).toBe(jpeg);
    expect(e.contentType).toBe('image/jpeg');
    const s = encodeRequest(HTTP_ROUTES.addEnrollmentSample, {
      sessionId: 'abc',
      jpeg,
      width: 1,
      height: 1,
      mirrored: false,
    });
    expect(s.url).toBe('/api/v1/enrollment/sessions/abc/samples?width=1&height=1&mirrored=false');
  });

  it('encodes path parameters safely', () => {
    expect(encodeRequest(HTTP_ROUTES.cancelEnrollment, { sessionId: 'a/b?c' }).url).toBe(
      '/api/v1/enrollment/sessions/a%2Fb%3Fc',
    );
  });
});

describe('createHttpClient', () => {
  function fakeFetch(reply: Response, seen: { url?: string; init?: RequestInit } = {}): typeof fetch {
    return (async (url: string, init?: RequestInit) => {
      seen.url = url;
      seen.init = init;
      return reply;
    }) as unknown as typeof fetch;
  }

  it('returns the JSON body as the value and sends the session header', async () => {
    const seen: { url?: string; init?: RequestInit } = {};
    const client = createHttpClient({
      getToken: () => 'tok123',
      fetch: fakeFetch(new Response(JSON.stringify(['A', 'B']), { status: 200 }), seen),
    });
    expect(await client.listUnits()).toEqual({ ok: true, value: ['A', 'B'] });
    expect(seen.url).toBe('/api/v1/units');
    expect((seen.init?.headers as Record<string, string>)[SESSION_HEADER]).toBe('tok123');
    expect(seen.init?.credentials).toBe('omit');
  });

  it('sends no session header with the kiosk frame and status calls (they must not keep an operator signed in)', async () => {
    const seen: { url?: string; init?: RequestInit } = {};
    const client = createHttpClient({
      getToken: () => 'tok123',
      getApiKey: () => 'paired-key',
      fetch: fakeFetch(new Response('{}', { status: 200 }), seen),
    });
    await client.submitFrame({
      kioskId: 'k1',
      jpeg: new Uint8Array([0xff, 0xd8]).buffer,
      width: 2,
      height: 2,
      mirrored: false,
    });
    let headers = seen.init?.headers as Record<string, string>;
    expect(seen.url).toMatch(/^\/api\/v1\/kiosk\/frames\?/);
    expect(headers[SESSION_HEADER]).toBeUndefined();
    // A paired tablet still authenticates with its key.
    expect(headers['X-API-Key']).toBe('paired-key');
    await client.getStatus();
    headers = seen.init?.headers as Record<string, string>;
    expect(seen.url).toBe('/api/v1/kiosk/status');
    expect(headers[SESSION_HEADER]).toBeUndefined();
  });

  it('sends the first-run token with the setup calls only', async () => {
    const seen: { url?: string; init?: RequestInit } = {};
    const client = createHttpClient({
      getToken: () => null,
      getSetupToken: () => 'first-run-token',
      fetch: fakeFetch(new Response('{}', { status: 200 }), seen),
    });
    await client.createFirstAdmin({ username: 'admin', displayName: 'Admin', secret: 'kata-sandi' });
    expect(seen.url).toBe('/api/v1/setup/admin');
    expect((seen.init?.headers as Record<string, string>)[SETUP_HEADER]).toBe('first-run-token');
    await client.chooseModelPack({ packId: 'p', acceptLicense: true });
    expect((seen.init?.headers as Record<string, string>)[SETUP_HEADER]).toBe('first-run-token');
    await client.listUnits();
    expect((seen.init?.headers as Record<string, string>)[SETUP_HEADER]).toBeUndefined();
  });

  it('turns an error body into the Result error, and a bare status into a fitting code', async () => {
    const coded = createHttpClient({
      getToken: () => null,
      fetch: fakeFetch(
        new Response(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no person 9' } }), { status: 404 }),
      ),
    });
    expect(await coded.getPerson({ id: 9 })).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'no person 9' },
    });
    const bare = createHttpClient({ getToken: () => null, fetch: fakeFetch(new Response('busy', { status: 503 })) });
    const r = await bare.getStatus();
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('BUSY');
  });

  it('reports an unreachable server as a Result, not an exception', async () => {
    const client = createHttpClient({
      getToken: () => null,
      fetch: (async () => {
        throw new TypeError('fetch failed');
      }) as unknown as typeof fetch,
    });
    const r = await client.getStatus();
    expect(r).toMatchObject({ ok: false, error: { code: 'SHUT_DOWN' } });
  });

  it('maps 204 to null', async () => {
    const client = createHttpClient({ getToken: () => 't', fetch: fakeFetch(new Response(null, { status: 204 })) });
    expect(await client.signOut()).toEqual({ ok: true, value: null });
  });

  it('returns an export as bytes with its file name', async () => {
    const client = createHttpClient({
      getToken: () => 't',
      fetch: fakeFetch(
        new Response('a,b\n1,2\n', {
          status: 200,
          headers: {
            'Content-Type': 'text/csv; charset=utf-8',
            'Content-Disposition': 'attachment; filename="hadir-2025-01.csv"',
          },
        }),
      ),
    });
    const r = await client.exportAttendance({ from: '2025-01-01', to: '2025-01-31', format: 'csv' });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.filename).toBe('hadir-2025-01.csv');
      expect(r.value.mime).toBe('text/csv; charset=utf-8');
      expect(new TextDecoder().decode(r.value.bytes)).toBe('a,b\n1,2\n');
    }
  });
});
