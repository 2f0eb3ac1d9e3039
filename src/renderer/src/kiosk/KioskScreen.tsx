import { useEffect, useMemo, useRef } from 'react';
import type { AppStatus, FrameResult, KioskFace } from '../../../shared/contract';
import { api } from '../api/client';
import { FullScreenState } from '../components/FullScreenState';
import { LanguageToggle } from '../components/LanguageToggle';
import { formatTime, localHour, partOfDay, useNow } from '../lib/time';
import { useApp } from '../state/app';
import { useCamera } from '../state/camera';
import { useKiosk } from '../state/kiosk';
import { useLanguage, useT } from '../state/language';
import { CameraPreview } from './CameraPreview';
import { firstName, playChime, playTone, speak, unlockAudio } from './chime';
import { ConfirmationCard } from './ConfirmationCard';
import type { DrawableFace } from './draw-overlay';
import { IdleClock } from './IdleClock';
import { KioskBanner } from './KioskBanner';
import { isExitShortcut, useKioskExit, useLongPress } from './KioskExitDialog';
import { KioskHubLine } from './KioskHubLine';
import { kioskId } from './kiosk-id';
import { useCameraStream } from './use-camera-stream';
import { useFrameLoop } from './use-frame-loop';

function toDrawable(face: KioskFace): DrawableFace {
  const tone =
    face.liveness === 'spoof'
      ? 'spoof'
      : face.decision === 'match'
        ? 'match'
        : face.decision === 'unknown' || face.decision === 'ambiguous'
          ? 'unknown'
          : 'neutral';
  return { bbox: face.bbox, landmarks: face.landmarks, tone, label: face.decision === 'match' ? face.name : undefined };
}

/** The kiosk: camera, overlay, greeting. Shown when the engine and the database are ready. */
export function KioskScreen({ status }: { status: AppStatus }): React.JSX.Element {
  const t = useT();
  const deviceId = useCamera((s) => s.deviceId);
  const camera = useCameraStream(deviceId);
  const videoRef = useRef<HTMLVideoElement | null>(null);
  const state = useKiosk((s) => s.state);
  const dispatch = useKiosk((s) => s.dispatch);
  const id = useMemo(() => kioskId(), []);
  const refreshStatus = useApp((s) => s.refreshStatus);
  const failures = useRef(0);
  const { cardSeconds, noticeSeconds, sound, maxFrameWidth, volume, spokenGreeting } = status.kiosk;
  const language = useLanguage((s) => s.language);

  useEffect(() => {
    dispatch({ type: 'configure', timing: { cardMs: cardSeconds * 1000, noticeMs: noticeSeconds * 1000 } });
  }, [dispatch, cardSeconds, noticeSeconds]);

  useEffect(() => {
    const timer = setInterval(() => dispatch({ type: 'tick', now: performance.now() }), 250);
    return () => clearInterval(timer);
  }, [dispatch]);

  const lastChime = useRef(state.cardSeq);
  useEffect(() => {
    if (state.cardSeq !== lastChime.current) {
      lastChime.current = state.cardSeq;
      const card = state.card;
      if (!sound || !card) return;
      playChime(card.kind === 'checked_out' ? 'out' : 'in', volume);
      // The first name, after the chime, in the language on screen: "Selamat pagi, Siti".
      if (spokenGreeting && card.kind !== 'already_checked_in') {
        const name = firstName(card.name);
        const text =
          card.kind === 'checked_out'
            ? t('kiosk.speech.goodbye', { name })
            : t(`kiosk.greeting.${partOfDay(localHour(new Date(), status.timeZone))}`, { name });
        setTimeout(() => speak(text, language, volume), 450);
      }
    }
  }, [state.cardSeq, state.card, sound, volume, spokenGreeting, language, status.timeZone, t]);

  // A refusal (a face not recognised, a picture held up, no liveness) has its own sound.
  const lastNotice = useRef(state.notice);
  useEffect(() => {
    if (state.notice === lastNotice.current) return;
    lastNotice.current = state.notice;
    const kind = state.notice?.kind;
    if (sound && (kind === 'unknown' || kind === 'spoof' || kind === 'liveness_unavailable'))
      playTone('refused', volume);
  }, [state.notice, sound, volume]);

  // Kiosk mode: no operator button on the live screen; the PIN dialog opens with Ctrl+Shift+E or a long press.
  const kioskMode = status.kiosk.fullScreen;
  const showExit = useKioskExit((s) => s.show);
  useEffect(() => {
    if (!kioskMode) return;
    const onKey = (e: KeyboardEvent) => {
      if (isExitShortcut(e)) {
        e.preventDefault();
        showExit();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [kioskMode, showExit]);

  useFrameLoop<FrameResult>({
    videoRef,
    enabled: camera.state === 'live',
    maxFrameWidth,
    send: (frame) => api().submitFrame({ kioskId: id, ...frame, mirrored: false }),
    onReply: (result, verdict) => {
      failures.current = 0;
      dispatch({ type: 'frame', result, fresh: verdict === 'fresh', now: performance.now() });
    },
    // Frames keep failing (the engine stopped, the database went away): read the status again, so the
    // kiosk shows the matching full-screen state instead of a camera that silently does nothing.
    onError: (error) => {
      failures.current++;
      if (error.code !== 'BUSY' && failures.current % 3 === 0) void refreshStatus();
    },
  });

  const faces = useMemo(() => state.faces.map(toDrawable), [state.faces]);

  if (camera.state === 'denied' || camera.state === 'missing' || camera.state === 'unavailable') {
    return (
      <FullScreenState
        tone="error"
        title={t(`kiosk.camera.${camera.state}.title`)}
        detail={t(`kiosk.camera.${camera.state}.detail`)}
        technical={camera.detail}
        testId="camera-problem"
      >
        <button type="button" onClick={camera.retry}>
          {t('common.retry')}
        </button>
        <OperatorButton />
        <LanguageToggle />
      </FullScreenState>
    );
  }

  return (
    <main
      className={`kiosk kiosk-${state.mode}`}
      data-testid="kiosk"
      data-mode={state.mode}
      onPointerDown={unlockAudio}
    >
      <CameraPreview
        stream={camera.stream}
        videoRef={videoRef}
        faces={faces}
        frameWidth={state.frameWidth}
        frameHeight={state.frameHeight}
      />
      <KioskHeader status={status} kioskMode={kioskMode} />
      {state.mode === 'idle' && !state.card && camera.state !== 'reconnecting' && (
        <IdleClock timeZone={status.timeZone} />
      )}
      {state.card && <ConfirmationCard card={state.card} timeZone={status.timeZone} />}
      {!state.card && camera.state !== 'reconnecting' && (
        <KioskBanner
          notice={state.notice}
          guidance={state.guidance}
          progress={state.progress}
          timeZone={status.timeZone}
        />
      )}
      {camera.state === 'starting' && <p className="kiosk-starting">{t('kiosk.camera.starting')}</p>}
      {camera.state === 'reconnecting' && (
        <div className="kiosk-camera-lost" role="alert" data-testid="camera-lost">
          <h2>{t('kiosk.camera.reconnecting.title')}</h2>
          <p>{t('kiosk.camera.reconnecting.detail')}</p>
        </div>
      )}
    </main>
  );
}

function KioskHeader({ status, kioskMode }: { status: AppStatus; kioskMode: boolean }): React.JSX.Element {
  const t = useT();
  const language = useLanguage((s) => s.language);
  const now = useNow(1000);
  const showExit = useKioskExit((s) => s.show);
  const longPress = useLongPress(showExit);
  return (
    <header className="kiosk-header">
      <span className="kiosk-brand" data-testid="kiosk-brand" {...(kioskMode ? longPress : {})}>
        {t('app.name')}
      </span>
      <time className="kiosk-clock">{formatTime(now, language, status.timeZone)}</time>
      {status.hub && <KioskHubLine hub={status.hub} timeZone={status.timeZone} />}
      <span className="kiosk-actions">
        <LanguageToggle />
        {!kioskMode && <OperatorButton />}
      </span>
    </header>
  );
}

/** The way in for operators, on the kiosk and on every full-screen state, so whoever can fix it gets in. */
export function OperatorButton(): React.JSX.Element {
  const t = useT();
  const navigate = useApp((s) => s.navigate);
  // In kiosk mode the way in is the PIN dialog (it also takes the desktop window out of kiosk mode).
  const kioskMode = useApp((s) => s.status?.kiosk.fullScreen === true);
  const showExit = useKioskExit((s) => s.show);
  return (
    <button
      type="button"
      className="button-ghost"
      onClick={() => (kioskMode ? showExit() : navigate('signIn'))}
      data-testid="operator-button"
    >
      {t('kiosk.operator')}
    </button>
  );
}
