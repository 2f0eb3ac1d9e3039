import { useEffect, useRef, useState, type RefObject } from 'react';
import { drawOverlay, type DrawableFace } from './draw-overlay';

interface Props {
  stream: MediaStream | null;
  videoRef: RefObject<HTMLVideoElement | null>;
  faces: readonly DrawableFace[];
  /** Size of the frame the faces were found in (0 before the first reply). */
  frameWidth: number;
  frameHeight: number;
  className?: string;
}

/**
 * The mirrored camera preview with the overlay canvas on top, in the same box: the video is mirrored
 * and letterboxed by CSS (`.camera-video`), the canvas draws in the same geometry (overlay-geometry.ts).
 */
export function CameraPreview({
  stream,
  videoRef,
  faces,
  frameWidth,
  frameHeight,
  className,
}: Props): React.JSX.Element {
  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const boxRef = useRef<HTMLDivElement | null>(null);
  const [view, setView] = useState({ width: 0, height: 0 });

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    video.srcObject = stream;
    if (stream) void video.play().catch(() => undefined);
  }, [stream, videoRef]);

  useEffect(() => {
    const box = boxRef.current;
    if (!box) return;
    const observer = new ResizeObserver(([entry]) => {
      const { width, height } = entry.contentRect;
      setView({ width, height });
    });
    observer.observe(box);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || view.width === 0) return;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(view.width * dpr);
    const h = Math.round(view.height * dpr);
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    const ctx = canvas.getContext('2d');
    if (ctx) drawOverlay(ctx, faces, { width: frameWidth, height: frameHeight }, view, dpr);
  }, [faces, frameWidth, frameHeight, view]);

  return (
    <div className={`camera-preview ${className ?? ''}`} ref={boxRef}>
      <video ref={videoRef} className="camera-video" autoPlay muted playsInline data-testid="camera-video" />
      <canvas ref={canvasRef} className="camera-overlay" data-testid="overlay" data-faces={faces.length} />
    </div>
  );
}
