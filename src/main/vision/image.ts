/** An 8-bit interleaved RGB image (row-major, 3 bytes a pixel, no padding). */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export function createRgbImage(width: number, height: number): RgbImage {
  return { data: new Uint8Array(width * height * 3), width, height };
}
