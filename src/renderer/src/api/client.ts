/**
 * The client every screen uses: IPC when the preload bridge is there (Electron), HTTP to the page's own
 * origin otherwise (web mode). Created on first use, so modules that import it stay loadable in tests.
 */
import type { HadirApi } from '../../../shared/contract';
import { createHttpClient } from './http-client';
import { createIpcClient } from './ipc-client';

let sessionToken: string | null = null;
let client: HadirApi | null = null;

/** The operator session the client sends with every call (null: none, as on the kiosk screen). */
export function setSessionToken(token: string | null): void {
  sessionToken = token;
}

/** The token the client sends now (read by each call as it starts). */
export function currentSessionToken(): string | null {
  return sessionToken;
}

export function transport(): 'ipc' | 'http' {
  return typeof window !== 'undefined' && window.hadir ? 'ipc' : 'http';
}

export function api(): HadirApi {
  if (!client) {
    const getToken = currentSessionToken;
    client =
      transport() === 'ipc'
        ? createIpcClient(window.hadir!, getToken)
        : createHttpClient({ getToken, getApiKey: () => localStorage.getItem('hadir.kioskApiKey') });
  }
  return client;
}

/** Tests replace the client with a fake. */
export function setApiForTests(fake: HadirApi | null): void {
  client = fake;
}
