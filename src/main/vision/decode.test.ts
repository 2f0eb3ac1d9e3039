import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { facesDir, referenceDir, testdataDir, type Labels } from '../testing/paths';
import { decodeImage } from './decode';

const labels = JSON.parse(readFileSync(path.join(testdataDir, 'labels.json'), 'utf8')) as Labels;
const ref = (file: string) =>
  JSON.parse(readFileSync(path.join(referenceDir, file.replace(/\.[^.]+$/, '.json')), 'utf8')) as {
    decodable: boolean;
    width: number;
    height: number;
  };
const read = (file: string) => readFileSync(path.join(facesDir, file));

describe('decodeImage on the odd files of the test data', () => {
  for (const [file, why] of Object.entries(labels.odd)) {
    it(`${file} (${why})`, async () => {
      const r = ref(file);
      if (file.endsWith('.heif')) {
        // HEVC-coded HEIF: the prebuilt libvips has no HEVC decoder.
        await expect(decodeImage(read(file))).rejects.toMatchObject({ code: 'UNSUPPORTED_FORMAT' });
        return;
      }
      const img = await decodeImage(read(file));
      expect(img.data.length).toBe(img.width * img.height * 3);
      if (r.decodable) expect([img.width, img.height]).toEqual([r.width, r.height]);
    });
  }
});

describe('decodeImage on bad input', () => {
  const jpeg = read('0c5e25d359f6.jpg');

  it('rejects empty input', async () => {
    await expect(decodeImage(new Uint8Array(0))).rejects.toMatchObject({ code: 'EMPTY_IMAGE' });
  });

  it('rejects a text file named .jpg and random bytes as unsupported', async () => {
    await expect(decodeImage(Buffer.from('hello, this is not an image\n'))).rejects.toMatchObject({
      code: 'UNSUPPORTED_FORMAT',
    });
    const noise = new Uint8Array(4096).map((_, i) => (i * 2654435761) >>> 24);
    await expect(decodeImage(noise)).rejects.toMatchObject({ code: 'UNSUPPORTED_FORMAT' });
  });

  it('rejects truncated JPEG data with CORRUPT_IMAGE', async () => {
    await expect(decodeImage(jpeg.subarray(0, Math.floor(jpeg.length / 2)))).rejects.toMatchObject({
      code: 'CORRUPT_IMAGE',
    });
  });

  it('refuses a decompression bomb before decoding it', async () => {
    const bomb = await sharp({ create: { width: 12000, height: 12000, channels: 3, background: '#000' } })
      .png({ compressionLevel: 9 })
      .toBuffer();
    expect(bomb.length).toBeLessThan(1_000_000);
    await expect(decodeImage(bomb)).rejects.toMatchObject({ code: 'IMAGE_TOO_LARGE' });
    await expect(decodeImage(jpeg, { maxPixels: 1000 })).rejects.toMatchObject({ code: 'IMAGE_TOO_LARGE' });
  });

  it('decodes a 1×1 image', async () => {
    const one = await sharp({ create: { width: 1, height: 1, channels: 4, background: '#ff000080' } })
      .png()
      .toBuffer();
    const img = await decodeImage(one);
    expect([img.width, img.height, img.data.length]).toEqual([1, 1, 3]);
    expect(img.data[0]).toBe(255);
  });

  it('applies EXIF orientation (sideways liveness sample becomes upright)', async () => {
    const file = Object.keys(labels.liveness).find((f) => labels.liveness[f].note.includes('orientation 6'))!;
    const meta = await sharp(read(file)).metadata();
    const img = await decodeImage(read(file));
    expect([img.width, img.height]).toEqual([meta.height, meta.width]);
  });
});

describe('BMP decoding', () => {
  function bmp24(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]) {
    const row = Math.ceil((width * 3) / 4) * 4;
    const b = Buffer.alloc(54 + row * height);
    b.write('BM', 0);
    b.writeUInt32LE(b.length, 2);
    b.writeUInt32LE(54, 10);
    b.writeUInt32LE(40, 14);
    b.writeInt32LE(width, 18);
    b.writeInt32LE(height, 22); // bottom-up
    b.writeUInt16LE(1, 26);
    b.writeUInt16LE(24, 28);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const [r, g, bl] = pixel(x, y);
        const o = 54 + (height - 1 - y) * row + x * 3;
        b[o] = bl;
        b[o + 1] = g;
        b[o + 2] = r;
      }
    }
    return b;
  }

  it('decodes 24-bit bottom-up rows with padding', async () => {
    const img = await decodeImage(bmp24(3, 2, (x, y) => [x * 50, y * 100, 7]));
    expect(Array.from(img.data)).toEqual([0, 0, 7, 50, 0, 7, 100, 0, 7, 0, 100, 7, 50, 100, 7, 100, 100, 7]);
  });

  it('rejects a truncated BMP with CORRUPT_IMAGE', async () => {
    const b = bmp24(10, 10, () => [1, 2, 3]);
    await expect(decodeImage(b.subarray(0, 100))).rejects.toMatchObject({ code: 'CORRUPT_IMAGE' });
  });

  it('decodes the 32-bit bit-field BMP of the test data like the reference', async () => {
    const img = await decodeImage(read('12124299eb95.bmp'));
    expect([img.width, img.height]).toEqual([256, 256]);
  });
});
