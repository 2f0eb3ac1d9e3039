import { execFileSync } from 'node:child_process';

/** Absolute path of a command on PATH, or null. */
export function which(command: string): string | null {
  try {
    const out = execFileSync('sh', ['-c', `command -v ${command}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.trim() || null;
  } catch {
    return null;
  }
}

/**
 * Why the browser e2e tests cannot run here (null when they can): they need Debian's Chromium and
 * ffmpeg (`.ci/run` installs both from apt). Printed, so a skipped run says why.
 */
export function browserE2eSkipReason(): string | null {
  const missing = [
    which('chromium') || which('chromium-browser') ? null : 'chromium',
    which('ffmpeg') ? null : 'ffmpeg',
  ].filter((m): m is string => m !== null);
  if (missing.length === 0) return null;
  return `browser e2e skipped: ${missing.join(' and ')} not installed (apt-get install ${missing.join(' ')})`;
}
