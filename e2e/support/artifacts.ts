import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { repoRoot } from './build';

/** Screenshots and other outputs of the e2e tests (gitignored); look at them after a run. */
export const artifactsDir = path.join(repoRoot, 'e2e', 'artifacts');

export const testPhoto = (name: string): string => path.join(repoRoot, '..', 'shared', 'testdata', 'faces', name);

export async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  mkdirSync(artifactsDir, { recursive: true });
  // Finite CSS animations (the card's entrance) are finished first, so the picture is the settled screen.
  await page.screenshot({ path: path.join(artifactsDir, `${name}.png`), animations: 'disabled', fullPage });
}

/** Collects the page's uncaught errors and console errors; a test ends by expecting none. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return errors;
}
