import {
  ENROLLMENT_CHECKS,
  type EnrollmentCheck,
  type EnrollmentSampleFeedback,
  type SampleCheck,
} from '../../../../shared/contract';
import type { SampleRejectionCode } from '../../../../shared/people';
import type { StringKey } from '../../i18n';
import { useT } from '../../state/language';

/** What the person should do about each failed check (by the store's rejection code when it gives one). */
const HINTS: Record<SampleRejectionCode | EnrollmentCheck, StringKey> = {
  no_face: 'enroll.hint.no_face',
  multiple_faces: 'enroll.hint.multiple_faces',
  face_index: 'enroll.hint.multiple_faces',
  no_embedding: 'enroll.hint.no_face',
  inter_ocular: 'enroll.hint.inter_ocular',
  blur: 'enroll.hint.blur',
  yaw: 'enroll.hint.yaw',
  roll: 'enroll.hint.roll',
  pose_unknown: 'enroll.hint.yaw',
  too_dark: 'enroll.hint.too_dark',
  too_bright: 'enroll.hint.too_bright',
  clipped: 'enroll.hint.clipped',
  liveness_missing: 'enroll.hint.liveness_missing',
  spoof: 'enroll.hint.spoof',
  surplus: 'enroll.hint.surplus',
  single_face: 'enroll.hint.multiple_faces',
  exposure: 'enroll.hint.too_dark',
  liveness: 'enroll.hint.spoof',
};

function figure(n: number | null): string {
  if (n === null) return '–';
  const a = Math.abs(n);
  return a >= 100 ? n.toFixed(0) : a >= 10 ? n.toFixed(1) : n.toFixed(2);
}

function hintKey(check: SampleCheck): StringKey {
  return HINTS[check.code ?? check.check];
}

/** The enrollment checks of the last sample, each with its measured value, limit and what to do. */
export function SampleChecks({ feedback }: { feedback: EnrollmentSampleFeedback }): React.JSX.Element {
  const t = useT();
  const byName = new Map(feedback.checks.map((c) => [c.check, c]));
  return (
    <div className="sample-checks" data-testid="sample-checks">
      <p className={feedback.accepted ? 'verdict verdict-ok' : 'verdict verdict-bad'} role="status">
        {feedback.accepted ? t('enroll.sampleAccepted') : t('enroll.sampleRejected')}
      </p>
      <ul>
        {ENROLLMENT_CHECKS.filter((name) => byName.has(name)).map((name) => {
          const c = byName.get(name)!;
          return (
            <li
              key={name}
              className={c.ok ? 'check check-ok' : 'check check-bad'}
              // The measured figures are for whoever asks (a tooltip), not the sentence an operator reads.
              title={
                c.value !== null || c.limit !== null
                  ? t('enroll.valueLimit', { value: figure(c.value), limit: figure(c.limit) })
                  : undefined
              }
            >
              <span aria-hidden="true">{c.ok ? '✓' : '✕'}</span> {t(`enroll.check.${name}`)}
              {!c.ok && <div className="check-hint">{t(hintKey(c))}</div>}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
