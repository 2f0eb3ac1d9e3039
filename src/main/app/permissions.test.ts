import { describe, expect, it } from 'vitest';
import { permissionAllowed } from './permissions';

const APP = 'file:///opt/Hadir/resources/app.asar/out/renderer/index.html';
const isApp = (u: string) => u === APP;

describe('the window’s permissions', () => {
  it('gives the camera to the app’s own page only', () => {
    expect(permissionAllowed('media', APP, isApp, ['video'])).toBe(true);
    expect(permissionAllowed('media', APP, isApp)).toBe(true); // a check naming no media type
    expect(permissionAllowed('media', 'https://evil.example/', isApp, ['video'])).toBe(false);
    expect(permissionAllowed('media', undefined, isApp, ['video'])).toBe(false);
  });

  it('refuses the microphone and every other permission', () => {
    expect(permissionAllowed('media', APP, isApp, ['audio'])).toBe(false);
    expect(permissionAllowed('media', APP, isApp, ['video', 'audio'])).toBe(false);
    expect(permissionAllowed('media', APP, isApp, [])).toBe(false);
    for (const p of ['notifications', 'geolocation', 'clipboard-read', 'hid', 'usb', 'serial', 'openExternal']) {
      expect(permissionAllowed(p, APP, isApp), p).toBe(false);
    }
  });
});
