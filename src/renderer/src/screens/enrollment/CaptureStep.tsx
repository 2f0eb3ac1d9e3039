import { useMemo, useRef, useState } from 'react';
import { CONSENT_METHODS, type ConsentMethod } from '../../../../shared/contract';
import { ErrorMessage } from '../../components/ErrorMessage';
import { Field } from '../../components/Field';
import { CameraPreview } from '../../kiosk/CameraPreview';
import { captureJpeg } from '../../kiosk/capture';
import type { DrawableFace } from '../../kiosk/draw-overlay';
import { useCameraStream } from '../../kiosk/use-camera-stream';
import { useCamera } from '../../state/camera';
import { useEnrollment } from '../../state/enrollment';
import { useT, useTPlural } from '../../state/language';
import { SampleChecks } from './SampleChecks';

/** Step 2: capture samples from the camera, see each one judged, keep or retake, then commit with consent. */
export function CaptureStep({ maxFrameWidth }: { maxFrameWidth: number }): React.JSX.Element {
  const t = useT();
  const tp = useTPlural();
  const deviceId = useCamera((s) => s.deviceId);
  const camera = useCameraStream(deviceId);
  const videoRef = useRef<HTMLVideoElement | null>(null);
  const { target, session, samples, feedback, ready, busy, error } = useEnrollment();
  const { addSample, removeSample, commit, cancel } = useEnrollment();
  const [consent, setConsent] = useState(false);
  const [method, setMethod] = useState<ConsentMethod>('signed_form');

  const faces = useMemo<DrawableFace[]>(
    () => (feedback?.face ? [{ ...feedback.face, tone: feedback.accepted ? 'match' : 'unknown' }] : []),
    [feedback],
  );

  const capture = async (): Promise<void> => {
    const video = videoRef.current;
    const frame = video ? await captureJpeg(video, Math.max(maxFrameWidth, 960), 0.92) : null;
    if (frame) await addSample(frame);
  };

  const name = target?.kind === 'existing' ? target.person.full_name : target?.fields.full_name;
  const full = session ? samples.length >= session.maxSamples : false;

  return (
    <div className="enroll-capture" data-testid="enroll-capture">
      <section className="enroll-camera">
        <CameraPreview
          stream={camera.stream}
          videoRef={videoRef}
          faces={faces}
          frameWidth={feedback?.frameWidth ?? 0}
          frameHeight={feedback?.frameHeight ?? 0}
        />
        {camera.state !== 'live' && camera.state !== 'starting' && (
          <p className="error-message" role="alert">
            {t(`kiosk.camera.${camera.state}.title`)}
          </p>
        )}
        <div className="row">
          <button
            type="button"
            onClick={() => void capture()}
            disabled={busy || camera.state !== 'live' || full}
            data-testid="capture"
          >
            {t('enroll.capture')}
          </button>
          <span className="note">
            {tp('enroll.samplesCount', samples.length, {
              min: session?.minSamples ?? 0,
              max: session?.maxSamples ?? 0,
            })}
          </span>
        </div>
      </section>
      <section className="panel enroll-side">
        <h2>{t('enroll.capture.title', { name: name ?? '' })}</h2>
        <p className="note">{t('enroll.capture.instructions')}</p>
        {feedback && <SampleChecks feedback={feedback} />}
        <ul className="sample-list">
          {samples.map((s, i) => (
            <li key={s.index}>
              <img src={s.preview} alt={t('enroll.sampleAlt', { n: i + 1 })} />
              <button type="button" className="button-ghost" disabled={busy} onClick={() => void removeSample(s.index)}>
                {t('enroll.retake')}
              </button>
            </li>
          ))}
        </ul>
        <fieldset className="consent">
          <legend>{t('enroll.consent.title')}</legend>
          <label className="checkbox">
            <input type="checkbox" checked={consent} onChange={(e) => setConsent(e.target.checked)} />
            {t('enroll.consent.statement')}
          </label>
          <Field label={t('enroll.consent.method')}>
            <select value={method} onChange={(e) => setMethod(e.target.value as ConsentMethod)}>
              {CONSENT_METHODS.map((m) => (
                <option key={m} value={m}>
                  {t(`enroll.consent.method.${m}`)}
                </option>
              ))}
            </select>
          </Field>
        </fieldset>
        <ErrorMessage error={error} />
        <div className="row">
          <button
            type="button"
            disabled={!ready || !consent || busy}
            aria-describedby="commit-missing"
            onClick={() => void commit({ given: true, method })}
            data-testid="commit-enrollment"
          >
            {t('enroll.commit')}
          </button>
          {/* A disabled button says what it is waiting for. */}
          {!busy && (!ready || !consent) && (
            <span id="commit-missing" className="note" data-testid="commit-missing">
              {!ready
                ? tp('enroll.missing.samples', Math.max(0, (session?.minSamples ?? 0) - samples.length))
                : t('enroll.missing.consent')}
            </span>
          )}
          <button type="button" className="button-ghost" onClick={() => void cancel()}>
            {t('common.cancel')}
          </button>
        </div>
      </section>
    </div>
  );
}
