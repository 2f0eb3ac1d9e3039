/**
 * Fake cameras for Chromium: `.y4m` files made with ffmpeg from real photos, one file per phase of a
 * test (Chromium loops the file it is given, so a phase never depends on timing). Each photo is turned
 * upright first (EXIF orientation, with sharp), then scaled and padded to 640×480, a few seconds long,
 * yuv420p — what `--use-file-for-fake-video-capture` reads.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { which } from './tools';

const run = promisify(execFile);

export interface FakeCameraOptions {
  width?: number;
  height?: number;
  seconds?: number;
  fps?: number;
  /** Folder to write into (default: a fresh temporary folder). */
  dir?: string;
}

export interface FakeCameras {
  dir: string;
  /** Phase name → .y4m path. */
  files: Record<string, string>;
  cleanup: () => void;
}

/** Builds one `.y4m` per phase from `phases` (phase name → photo path). */
export async function buildFakeCameras(
  phases: Record<string, string>,
  opts: FakeCameraOptions = {},
): Promise<FakeCameras> {
  const ffmpeg = which('ffmpeg');
  if (!ffmpeg) throw new Error('ffmpeg is not installed');
  const { width = 640, height = 480, seconds = 3, fps = 10 } = opts;
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), 'hadir-fake-camera-'));
  const files: Record<string, string> = {};
  for (const [phase, photo] of Object.entries(phases)) {
    if (!/^[A-Za-z0-9_-]+$/.test(phase)) throw new Error(`phase name ${phase}: letters, digits, _ and - only`);
    // Upright pixels without EXIF, so every ffmpeg version sees the same picture.
    const upright = path.join(dir, `${phase}.png`);
    writeFileSync(upright, await sharp(photo).rotate().png().toBuffer());
    const out = path.join(dir, `${phase}.y4m`);
    const filter = [
      `scale=${width}:${height}:force_original_aspect_ratio=decrease`,
      `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=black`,
      'setsar=1',
      // A live camera never delivers the same pixels twice, and the kiosk counts a repeated frame
      // toward nothing: mild sensor-like noise, different in every frame.
      'noise=alls=3:allf=t',
      'format=yuv420p',
    ].join(',');
    await run(ffmpeg, [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-loop',
      '1',
      '-framerate',
      String(fps),
      '-i',
      upright,
      '-t',
      String(seconds),
      '-vf',
      filter,
      '-pix_fmt',
      'yuv420p',
      '-f',
      'yuv4mpegpipe',
      out,
    ]);
    files[phase] = out;
  }
  return { dir, files, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
