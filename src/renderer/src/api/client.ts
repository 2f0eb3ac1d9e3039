/**
 * The client every screen uses: IPC when the preload bridge is there (Electron), HTTP to the page's own
 * origin otherwise (web mode). Created on first use, so modules that import it stay loadable in tests.
 */
import { type HadirApi, SETUP_QUERY_PARAM } from '../../../shared/contract';
import { createHttpClient, exchangePairingCode, KIOSK_KEY_STORAGE, PAIR_QUERY_PARAM } from './http-client';
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

const SETUP_TOKEN_KEY = 'hadir.setupToken';

/**
 * The first-run token of the setup link `hadir serve` printed (`/app/?setup=<token>`). It is moved
 * from the address bar into this tab's session storage, so it survives a reload of the wizard but does
 * not stay in the browser's history or on screen.
 */
export function setupToken(): string | null {
  try {
    const url = new URL(window.location.href);
    const fromUrl = url.searchParams.get(SETUP_QUERY_PARAM);
    if (fromUrl) {
      sessionStorage.setItem(SETUP_TOKEN_KEY, fromUrl);
      url.searchParams.delete(SETUP_QUERY_PARAM);
      window.history.replaceState(window.history.state, '', url.toString());
    }
    return sessionStorage.getItem(SETUP_TOKEN_KEY);
  } catch {
    return null;
  }
}

let pairing: Promise<void> | null = null;

/**
 * A door tablet opened with a pairing link (`/app/?pair=<code>`, from `hadir keys pair-tablet` or an
 * admin): the code leaves the address bar at once and is traded for the tablet's `kiosk` key, kept in
 * local storage. Resolves when done (or at once without a code); a refused code is reported on the console.
 */
export function pairFromAddressBar(): Promise<void> {
  if (pairing) return pairing;
  let code: string | null = null;
  try {
    const url = new URL(window.location.href);
    code = url.searchParams.get(PAIR_QUERY_PARAM);
    if (code) {
      url.searchParams.delete(PAIR_QUERY_PARAM);
      window.history.replaceState(window.history.state, '', url.toString());
    }
  } catch {
    code = null;
  }
  pairing = code
    ? exchangePairingCode(code, (key) => localStorage.setItem(KIOSK_KEY_STORAGE, key)).then((r) => {
        if (!r.ok) console.warn(`[hadir] pairing failed: ${r.error.message}`);
      })
    : Promise.resolve();
  return pairing;
}

export function api(): HadirApi {
  if (!client) {
    const getToken = currentSessionToken;
    // Taken from the address bar at once, before any screen changes the URL.
    if (transport() === 'http') {
      setupToken();
      void pairFromAddressBar();
    }
    client =
      transport() === 'ipc'
        ? createIpcClient(window.hadir!, getToken)
        : createHttpClient({
            getToken,
            getApiKey: () => localStorage.getItem(KIOSK_KEY_STORAGE),
            getSetupToken: setupToken,
          });
  }
  return client;
}

/** Tests replace the client with a fake. */
export function setApiForTests(fake: HadirApi | null): void {
  client = fake;
}
