import type { Page } from 'playwright-core';
import type { PageVideo, PageWindow } from './page-types';

/** Waits until the camera preview shows a picture: the video plays and has a size. */
export async function videoPlaying(page: Page, timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const w = globalThis as unknown as PageWindow;
      const v = w.document.querySelector('[data-testid="camera-video"]') as PageVideo | null;
      return !!v && v.videoWidth > 0 && !v.paused && v.readyState >= 2;
    },
    undefined,
    { timeout },
  );
}
