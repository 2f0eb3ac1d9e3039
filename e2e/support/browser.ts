/**
 * Debian's Chromium driven by playwright-core (never `playwright install`): a fresh profile per
 * launch, the camera permission granted, and the camera replaced by a `.y4m` file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { which } from './tools';

export interface LaunchOptions {
  /** The fake camera's video; omitted: no camera at all (the page sees none). */
  fakeVideo?: string;
  viewport?: { width: number; height: number };
}

export interface LaunchedBrowser {
  context: BrowserContext;
  close: () => Promise<void>;
}

export function chromiumPath(): string | null {
  return which('chromium') ?? which('chromium-browser');
}

export async function launchChromium(opts: LaunchOptions = {}): Promise<LaunchedBrowser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('chromium is not installed');
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'hadir-chromium-'));
  const args = [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
    '--use-fake-ui-for-media-stream',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--autoplay-policy=no-user-gesture-required',
  ];
  if (opts.fakeVideo) {
    args.push('--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${opts.fakeVideo}`);
  }
  // headless: false, because the flag above asks for the new headless mode itself.
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: false,
    args,
    viewport: opts.viewport ?? { width: 1280, height: 800 },
    timeout: 60_000,
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
