/** A still of the video's current picture as JPEG, unmirrored, scaled down to at most `maxWidth`. */
export interface CapturedFrame {
  jpeg: ArrayBuffer;
  width: number;
  height: number;
}

let scratch: HTMLCanvasElement | null = null;

export async function captureJpeg(
  video: HTMLVideoElement,
  maxWidth: number,
  quality = 0.85,
): Promise<CapturedFrame | null> {
  const vw = video.videoWidth;
  const vh = video.videoHeight;
  if (!vw || !vh || video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) return null;
  const scale = Math.min(1, maxWidth / vw);
  const width = Math.max(1, Math.round(vw * scale));
  const height = Math.max(1, Math.round(vh * scale));
  scratch ??= document.createElement('canvas');
  scratch.width = width;
  scratch.height = height;
  const ctx = scratch.getContext('2d');
  if (!ctx) return null;
  ctx.drawImage(video, 0, 0, width, height);
  const blob = await new Promise<Blob | null>((resolve) => scratch!.toBlob(resolve, 'image/jpeg', quality));
  if (!blob) return null;
  return { jpeg: await blob.arrayBuffer(), width, height };
}
