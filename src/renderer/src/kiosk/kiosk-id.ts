const KEY = 'hadir.kioskId';

function randomId(): string {
  const bytes = new Uint8Array(6);
  crypto.getRandomValues(bytes);
  return `kiosk-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** This device's kiosk id, made once and kept: the server tracks faces and confirmations per kiosk. */
export function kioskId(): string {
  try {
    const existing = localStorage.getItem(KEY);
    if (existing && /^[A-Za-z0-9._-]{1,64}$/.test(existing)) return existing;
    const fresh = randomId();
    localStorage.setItem(KEY, fresh);
    return fresh;
  } catch {
    return randomId();
  }
}
