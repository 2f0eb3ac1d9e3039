import sharp from 'sharp';
import { HadirError } from '../../shared/errors';
import { decodeBmp, isBmp } from './bmp';
import type { RgbImage } from './image';

export const DEFAULT_MAX_PIXELS = 50_000_000;

/** The pixel limit in force: HADIR_MAX_PIXELS when set to a positive number, else the default. */
export function maxPixelsSetting(): number {
  const v = Number(process.env.HADIR_MAX_PIXELS);
  return Number.isFinite(v) && v > 0 ? v : DEFAULT_MAX_PIXELS;
}

export interface DecodeOptions {
  /** Refuse images with more pixels than this, read from the header before decoding. */
  maxPixels?: number;
}

// libvips runs its own thread pool; inference workers and the event loop need the cores more.
sharp.concurrency(1);
sharp.cache(false);

/** Map a libvips/sharp failure onto a stable code with a message a person can act on. */
function classify(err: unknown, bytes: number): HadirError {
  const msg = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(msg)) {
    return new HadirError('IMAGE_TOO_LARGE', `image is larger than the pixel limit (${msg})`, { cause: err });
  }
  if (/unsupported image format|bad seek|not a known file format/i.test(msg)) {
    return new HadirError(
      'UNSUPPORTED_FORMAT',
      `not an image in a supported format (JPEG, PNG, WebP, TIFF, BMP, GIF, AVIF/HEIF) (${bytes} bytes)`,
      { cause: err },
    );
  }
  if (/heif|avif|compression format|no decoder|codec/i.test(msg)) {
    return new HadirError('UNSUPPORTED_FORMAT', `this image's encoding is not supported: ${msg}`, { cause: err });
  }
  return new HadirError('CORRUPT_IMAGE', `the image data is damaged or truncated: ${msg}`, { cause: err });
}

/**
 * Decode any supported image into 8-bit RGB as OpenCV's `imread(IMREAD_COLOR)` would present it:
 * EXIF orientation applied, alpha dropped (not composited), grey/palette/16-bit/CMYK expanded.
 * Libjpeg warnings (junk before a marker, odd headers) are tolerated; truncated data is not.
 */
export async function decodeImage(input: Uint8Array, opts: DecodeOptions = {}): Promise<RgbImage> {
  if (input.byteLength === 0) throw new HadirError('EMPTY_IMAGE', 'the image is empty (0 bytes)');
  const maxPixels = opts.maxPixels ?? maxPixelsSetting();
  if (isBmp(input)) return decodeBmp(input, maxPixels);
  try {
    const { data, info } = await sharp(input, {
      failOn: 'truncated',
      limitInputPixels: maxPixels,
      autoOrient: true,
      // OpenCV (and so InsightFace) ignores embedded ICC profiles; converting would shift every pixel.
      ignoreIcc: true,
      // Only the first frame of animated or multi-page files.
      pages: 1,
    })
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) {
      throw new HadirError('CORRUPT_IMAGE', `decoder produced ${info.channels} channels, expected 3`);
    }
    if (info.width < 1 || info.height < 1) throw new HadirError('EMPTY_IMAGE', 'the image has no pixels');
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
    };
  } catch (e) {
    if (e instanceof HadirError) throw e;
    throw classify(e, input.byteLength);
  }
}
