import { useCallback, useEffect, useState } from 'react';

export type CameraState = 'starting' | 'live' | 'missing' | 'denied' | 'unavailable';

export interface CameraStream {
  stream: MediaStream | null;
  state: CameraState;
  /** The browser's own words, for the operator. */
  detail: string | null;
  retry: () => void;
}

function classify(e: unknown): { state: CameraState; detail: string } {
  const name = e instanceof DOMException || e instanceof Error ? e.name : '';
  const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  if (name === 'NotAllowedError' || name === 'SecurityError') return { state: 'denied', detail };
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return { state: 'missing', detail };
  return { state: 'unavailable', detail };
}

/**
 * The camera as a MediaStream. `deviceId` null: the default camera; a chosen camera that has gone
 * away falls back to any camera rather than leaving the kiosk blind.
 */
export function useCameraStream(deviceId: string | null, enabled = true): CameraStream {
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [state, setState] = useState<CameraState>('starting');
  const [detail, setDetail] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const retry = useCallback(() => setAttempt((n) => n + 1), []);

  useEffect(() => {
    if (!enabled) return;
    let cancelled = false;
    let opened: MediaStream | null = null;
    setState('starting');
    const open = async (): Promise<void> => {
      const media = navigator.mediaDevices;
      if (!media?.getUserMedia) {
        // No camera API at all: an insecure context (plain HTTP on a LAN address) or no camera support.
        setState('missing');
        setDetail(window.isSecureContext ? 'navigator.mediaDevices is missing' : 'not a secure context (use HTTPS)');
        return;
      }
      const video: MediaTrackConstraints = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };
      try {
        try {
          opened = await media.getUserMedia({
            video: deviceId ? { ...video, deviceId: { exact: deviceId } } : video,
            audio: false,
          });
        } catch (e) {
          if (!deviceId || classify(e).state !== 'missing') throw e;
          opened = await media.getUserMedia({ video, audio: false });
        }
        if (cancelled) {
          opened.getTracks().forEach((t) => t.stop());
          return;
        }
        const [track] = opened.getVideoTracks();
        track?.addEventListener('ended', () => {
          setState('missing');
          setDetail('the camera was disconnected');
        });
        setStream(opened);
        setState('live');
        setDetail(null);
      } catch (e) {
        if (cancelled) return;
        const c = classify(e);
        setState(c.state);
        setDetail(c.detail);
      }
    };
    void open();
    return () => {
      cancelled = true;
      opened?.getTracks().forEach((t) => t.stop());
      setStream(null);
    };
  }, [deviceId, enabled, attempt]);

  return { stream, state, detail, retry };
}
