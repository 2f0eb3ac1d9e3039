import sharp from 'sharp';
import type { BBox } from '../../shared/face';
import type { RgbImage } from './image';

/** Side of a kept face thumbnail, pixels: enough for a detector to find the face again. */
export const THUMBNAIL_SIZE = 160;

/**
 * A small JPEG of one face with context around it (a square 1.8× the box's longer side, centred on
 * it, black where it leaves the picture). Kept only when the site keeps thumbnails, so that a new
 * model pack can re-embed people without asking them back: the detector finds the face in it again.
 */
export async function faceThumbnailJpeg(
  img: RgbImage,
  bbox: BBox,
  size = THUMBNAIL_SIZE,
  quality = 85,
): Promise<Uint8Array> {
  const cx = (bbox[0] + bbox[2]) / 2;
  const cy = (bbox[1] + bbox[3]) / 2;
  const side = Math.max(8, Math.round(1.8 * Math.max(bbox[2] - bbox[0], bbox[3] - bbox[1])));
  const x0 = Math.round(cx - side / 2);
  const y0 = Math.round(cy - side / 2);
  const left = Math.max(0, x0);
  const top = Math.max(0, y0);
  const right = Math.min(img.width, x0 + side);
  const bottom = Math.min(img.height, y0 + side);
  const black = { r: 0, g: 0, b: 0 };
  // Extract the part inside the picture, pad it back to the square, then scale down (sharp's
  // resampling averages properly when shrinking a large face, unlike a plain bilinear warp).
  const padded = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .extract({ left, top, width: Math.max(1, right - left), height: Math.max(1, bottom - top) })
    .extend({ left: left - x0, top: top - y0, right: x0 + side - right, bottom: y0 + side - bottom, background: black })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const jpeg = await sharp(padded.data, { raw: { width: padded.info.width, height: padded.info.height, channels: 3 } })
    .resize(size, size, { fit: 'fill' })
    .jpeg({ quality, mozjpeg: false })
    .toBuffer();
  return new Uint8Array(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength);
}
