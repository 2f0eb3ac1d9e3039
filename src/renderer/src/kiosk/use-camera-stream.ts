import { useCallback, useEffect, useRef, useState } from 'react';
import { reconnectDelayMs, streamLost } from './camera-reconnect';

/** `reconnecting`: the camera was working and went away; it is being opened again (with back-off). */
export type CameraState = 'starting' | 'live' | 'reconnecting' | 'missing' | 'denied' | 'unavailable';

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

/** How often a live stream is looked at: `ended` is not fired when the track is stopped from this side. */
const WATCH_MS = 1000;

/**
 * The camera as a MediaStream. `deviceId` null: the default camera; a chosen camera that has gone
 * away falls back to any camera rather than leaving the kiosk blind. A camera that was working and
 * goes away (unplugged: its track ends) is opened again by itself — after 1, 2, 4… s, at most 15 s
 * apart, and at once when a device is plugged in — with state `reconnecting` meanwhile.
 */
export function useCameraStream(deviceId: string | null, enabled = true): CameraStream {
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [state, setState] = useState<CameraState>('starting');
  const [detail, setDetail] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  /** Whether this hook has had a live camera: a later failure is then a loss to recover from. */
  const wasLive = useRef(false);
  /** Reconnection attempts since the camera was lost. */
  const lostAttempts = useRef(0);
  const retry = useCallback(() => {
    lostAttempts.current = 0;
    setAttempt((n) => n + 1);
  }, []);

  useEffect(() => {
    if (!enabled) return;
    let cancelled = false;
    let opened: MediaStream | null = null;
    let again: ReturnType<typeof setTimeout> | null = null;
    let watch: ReturnType<typeof setInterval> | null = null;
    const media = typeof navigator === 'undefined' ? undefined : navigator.mediaDevices;

    const reconnectLater = (why: string): void => {
      if (cancelled || again) return;
      setState('reconnecting');
      setDetail(why);
      const wait = reconnectDelayMs(lostAttempts.current++);
      again = setTimeout(() => {
        again = null;
        if (!cancelled) setAttempt((n) => n + 1);
      }, wait);
    };
    // A camera plugged in (or any device change) while lost: try now rather than at the next step.
    const onDeviceChange = (): void => {
      if (!again) return;
      clearTimeout(again);
      again = null;
      if (!cancelled) setAttempt((n) => n + 1);
    };

    setState(wasLive.current ? 'reconnecting' : 'starting');
    const open = async (): Promise<void> => {
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
        const live = opened;
        const lost = (): void => {
          if (watch) clearInterval(watch);
          watch = null;
          setStream(null);
          reconnectLater('the camera was disconnected');
        };
        live.getVideoTracks().forEach((track) => track.addEventListener('ended', lost, { once: true }));
        watch = setInterval(() => {
          if (streamLost(live)) lost();
        }, WATCH_MS);
        wasLive.current = true;
        lostAttempts.current = 0;
        setStream(live);
        setState('live');
        setDetail(null);
      } catch (e) {
        if (cancelled) return;
        const c = classify(e);
        // A camera that worked and is gone is coming back (unplugged); a denial is for a person to fix.
        if (wasLive.current && c.state !== 'denied') reconnectLater(c.detail);
        else {
          setState(c.state);
          setDetail(c.detail);
        }
      }
    };
    media?.addEventListener?.('devicechange', onDeviceChange);
    void open();
    return () => {
      cancelled = true;
      if (again) clearTimeout(again);
      if (watch) clearInterval(watch);
      media?.removeEventListener?.('devicechange', onDeviceChange);
      opened?.getTracks().forEach((t) => t.stop());
      setStream(null);
    };
  }, [deviceId, enabled, attempt]);

  return { stream, state, detail, retry };
}
