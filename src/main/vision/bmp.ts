import { HadirError } from '../../shared/errors';
import type { RgbImage } from './image';

/** True when the bytes start like a Windows bitmap. */
export function isBmp(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d;
}

const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;

function maskShift(mask: number): { shift: number; max: number } {
  if (mask === 0) return { shift: 0, max: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  return { shift, max: mask >>> shift };
}

/**
 * Windows BMP decoder (libvips has none): 1/4/8-bit palette, 16/24/32-bit direct colour with
 * BI_RGB or bit-field masks, bottom-up or top-down rows. Alpha is dropped, as for every format.
 * RLE-compressed bitmaps are rare and refused with UNSUPPORTED_FORMAT.
 */
export function decodeBmp(b: Uint8Array, maxPixels: number): RgbImage {
  const corrupt = (why: string): HadirError => new HadirError('CORRUPT_IMAGE', `damaged BMP file: ${why}`);
  if (b.length < 26) throw corrupt('header is truncated');
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const dataOffset = dv.getUint32(10, true);
  const headerSize = dv.getUint32(14, true);
  let width: number;
  let height: number;
  let bpp: number;
  let compression = BI_RGB;
  let colorsUsed = 0;
  let paletteEntrySize = 4;
  if (headerSize === 12) {
    width = dv.getUint16(18, true);
    height = dv.getInt16(20, true);
    bpp = dv.getUint16(24, true);
    paletteEntrySize = 3;
  } else if (headerSize >= 40 && b.length >= 14 + 40) {
    width = dv.getInt32(18, true);
    height = dv.getInt32(22, true);
    bpp = dv.getUint16(28, true);
    compression = dv.getUint32(30, true);
    colorsUsed = dv.getUint32(46, true);
  } else {
    throw corrupt(`unknown header size ${headerSize}`);
  }
  const topDown = height < 0;
  height = Math.abs(height);
  if (width <= 0 || height <= 0) throw corrupt(`invalid size ${width}x${height}`);
  if (width * height > maxPixels) {
    throw new HadirError('IMAGE_TOO_LARGE', `image is ${width}x${height}, over the limit of ${maxPixels} pixels`);
  }
  if (compression !== BI_RGB && compression !== BI_BITFIELDS && compression !== BI_ALPHABITFIELDS) {
    throw new HadirError('UNSUPPORTED_FORMAT', `compressed BMP (method ${compression}) is not supported`);
  }
  let masks = [0, 0, 0];
  if (compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS) {
    // Masks follow a 40-byte header, or sit inside V4/V5 headers at the same place.
    if (b.length < 14 + 40 + 12) throw corrupt('bit-field masks are missing');
    masks = [dv.getUint32(54, true), dv.getUint32(58, true), dv.getUint32(62, true)];
  } else if (bpp === 16) {
    masks = [0x7c00, 0x03e0, 0x001f];
  } else if (bpp === 32) {
    masks = [0xff0000, 0x00ff00, 0x0000ff];
  }
  const rowBytes = Math.floor((bpp * width + 31) / 32) * 4;
  if (dataOffset + rowBytes * height > b.length) throw corrupt('pixel data is truncated');
  const out = new Uint8Array(width * height * 3);
  let palette: Uint8Array | null = null;
  if (bpp <= 8) {
    const n = colorsUsed || 1 << bpp;
    const start = 14 + headerSize;
    if (start + n * paletteEntrySize > b.length) throw corrupt('palette is truncated');
    palette = new Uint8Array(256 * 3);
    for (let i = 0; i < n && i < 256; i++) {
      const p = start + i * paletteEntrySize;
      palette[i * 3] = b[p + 2];
      palette[i * 3 + 1] = b[p + 1];
      palette[i * 3 + 2] = b[p];
    }
  } else if (bpp !== 16 && bpp !== 24 && bpp !== 32) {
    throw new HadirError('UNSUPPORTED_FORMAT', `BMP with ${bpp} bits per pixel is not supported`);
  }
  const ch = masks.map(maskShift);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * rowBytes;
    let o = y * width * 3;
    for (let x = 0; x < width; x++, o += 3) {
      if (palette) {
        const bit = x * bpp;
        const byte = b[row + (bit >> 3)];
        const idx = bpp === 8 ? byte : (byte >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        out[o] = palette[idx * 3];
        out[o + 1] = palette[idx * 3 + 1];
        out[o + 2] = palette[idx * 3 + 2];
      } else if (bpp === 24) {
        const p = row + x * 3;
        out[o] = b[p + 2];
        out[o + 1] = b[p + 1];
        out[o + 2] = b[p];
      } else {
        const v = bpp === 16 ? dv.getUint16(row + x * 2, true) : dv.getUint32(row + x * 4, true);
        for (let c = 0; c < 3; c++) {
          const { shift, max } = ch[c];
          out[o + c] =
            max === 0 ? 0 : max === 255 ? (v >>> shift) & 255 : Math.round((((v >>> shift) & max) * 255) / max);
        }
      }
    }
  }
  return { data: out, width, height };
}
