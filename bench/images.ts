import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { facesDir } from '../src/main/testing/paths';

export interface BenchImage {
  name: string;
  bytes: Buffer;
}

/**
 * The benchmark's inputs, made from real test photos: a 640×480 kiosk frame (the genuine webcam
 * sample, cropped to 4:3), a 1280×720 one-face photo, and a crowd photo as it is.
 */
export async function benchImages(): Promise<BenchImage[]> {
  const frame = await sharp(readFileSync(path.join(facesDir, 'f4455149f488.jpeg')))
    .rotate()
    .resize(640, 480, { fit: 'cover', position: 'centre' })
    .jpeg({ quality: 90 })
    .toBuffer();
  const photo = await sharp(readFileSync(path.join(facesDir, '0930e3aa8cae.jpg')))
    .rotate()
    .resize(1280, 720, { fit: 'contain', background: '#404040' })
    .jpeg({ quality: 90 })
    .toBuffer();
  const crowd = readFileSync(path.join(facesDir, '1282f6c6ddd4.jpg'));
  return [
    { name: 'frame 640x480, 1 face', bytes: frame },
    { name: 'photo 1280x720, 1 face', bytes: photo },
    { name: 'crowd 1024x675', bytes: crowd },
  ];
}
