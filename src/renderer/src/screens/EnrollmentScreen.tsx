import type { AppStatus } from '../../../shared/contract';
import { useEnrollment } from '../state/enrollment';
import { useT } from '../state/language';
import { CaptureStep } from './enrollment/CaptureStep';
import { PersonStep } from './enrollment/PersonStep';
import { ResultStep } from './enrollment/ResultStep';

export function EnrollmentScreen({ status }: { status: AppStatus }): React.JSX.Element {
  const t = useT();
  const step = useEnrollment((s) => s.step);
  return (
    <div className="screen">
      <h1>{t('enroll.title')}</h1>
      {status.gallerySize === 0 && step !== 'result' && (
        <p className="panel note first-person" role="status" data-testid="enroll-first-person">
          {t('enroll.firstPerson')}
        </p>
      )}
      <ol className="steps">
        {(['person', 'capture', 'result'] as const).map((s) => (
          <li key={s} className={s === step ? 'step step-active' : 'step'}>
            {t(`enroll.step.${s}`)}
          </li>
        ))}
      </ol>
      {step === 'person' && <PersonStep />}
      {step === 'capture' && <CaptureStep maxFrameWidth={status.kiosk.maxFrameWidth} />}
      {step === 'result' && <ResultStep />}
    </div>
  );
}
