import { useEffect, useRef, type RefObject } from 'react';
import type { ErrorInfo, Result } from '../../../shared/errors';
import { captureJpeg, type CapturedFrame } from './capture';
import { FrameScheduler, type FrameSchedulerOptions, type ReplyVerdict } from './frame-scheduler';

export interface FrameLoopOptions<T> {
  videoRef: RefObject<HTMLVideoElement | null>;
  enabled: boolean;
  maxFrameWidth: number;
  send: (frame: CapturedFrame) => Promise<Result<T>>;
  onReply: (value: T, verdict: Exclude<ReplyVerdict, 'cancelled'>) => void;
  onError?: (error: ErrorInfo) => void;
  scheduler?: Partial<FrameSchedulerOptions>;
}

/**
 * Sends camera frames through `send` with at most one in flight (frame-scheduler.ts): a frame is
 * captured only when the previous reply is back and the scheduler says it is time, so the newest
 * picture is always the one analysed.
 */
export function useFrameLoop<T>(opts: FrameLoopOptions<T>): void {
  const latest = useRef(opts);
  latest.current = opts;
  const { enabled } = opts;

  useEffect(() => {
    if (!enabled) return;
    const scheduler = new FrameScheduler(latest.current.scheduler);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;

    const pump = async (): Promise<void> => {
      if (stopped) return;
      const now = performance.now();
      const wait = scheduler.delayUntilNext(now);
      if (wait > 0) {
        // In flight: the reply's handler pumps again; otherwise wait out the interval or back-off.
        if (Number.isFinite(wait)) timer = setTimeout(() => void pump(), wait);
        else timer = setTimeout(() => void pump(), scheduler.options.lostAfterMs);
        return;
      }
      const { videoRef, maxFrameWidth, send } = latest.current;
      const video = videoRef.current;
      const frame = video ? await captureJpeg(video, maxFrameWidth) : null;
      if (stopped) return;
      if (!frame) {
        timer = setTimeout(() => void pump(), 200); // the video has no picture yet
        return;
      }
      const ticket = scheduler.begin(performance.now());
      if (ticket === null) {
        timer = setTimeout(() => void pump(), 50);
        return;
      }
      const result = await send(frame);
      if (stopped) return;
      const outcome = result.ok ? 'ok' : result.error.code === 'BUSY' ? 'busy' : 'error';
      const verdict = scheduler.finish(ticket, performance.now(), outcome);
      if (result.ok && verdict !== 'cancelled') latest.current.onReply(result.value, verdict);
      if (!result.ok) latest.current.onError?.(result.error);
      clearTimeout(timer);
      void pump();
    };

    void pump();
    return () => {
      stopped = true;
      clearTimeout(timer);
      scheduler.reset();
    };
  }, [enabled]);
}
