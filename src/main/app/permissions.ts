/**
 * Which browser permissions the app's window gets: the camera (`media`, video only) for the app's own
 * page, and nothing else for anyone — no microphone, notifications, geolocation, clipboard, HID, USB,
 * serial… Pure, so it is tested under Node; src/main/index.ts hands it to Electron's permission check
 * and request handlers.
 */
export function permissionAllowed(
  permission: string,
  pageUrl: string | undefined,
  isAppUrl: (url: string) => boolean,
  /** The media kinds asked for; undefined for a check that names none. */
  mediaTypes?: readonly string[],
): boolean {
  if (permission !== 'media') return false;
  if (!pageUrl || !isAppUrl(pageUrl)) return false;
  if (mediaTypes === undefined) return true;
  return mediaTypes.length > 0 && mediaTypes.every((t) => t === 'video');
}
