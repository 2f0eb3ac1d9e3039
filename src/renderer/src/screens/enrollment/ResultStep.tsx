import type { EnrollmentRefusalCode } from '../../../../shared/people';
import { useEnrollment } from '../../state/enrollment';
import { localeOf, useLanguage, useT, useTPlural } from '../../state/language';
import { DuplicateFaces } from './DuplicateFaces';

const REFUSALS: Record<EnrollmentRefusalCode, `enroll.refusal.${EnrollmentRefusalCode}`> = {
  too_few_samples: 'enroll.refusal.too_few_samples',
  too_many_samples: 'enroll.refusal.too_many_samples',
  inconsistent: 'enroll.refusal.inconsistent',
  duplicate: 'enroll.refusal.duplicate',
  employee_number_taken: 'enroll.refusal.employee_number_taken',
  person_not_found: 'enroll.refusal.person_not_found',
  consent_missing: 'enroll.refusal.consent_missing',
  not_same_person: 'enroll.refusal.not_same_person',
};

/** Step 3: what happened. A refusal says why, and offers the way on (retake, or confirm a duplicate). */
export function ResultStep(): React.JSX.Element | null {
  const t = useT();
  const tp = useTPlural();
  const language = useLanguage((s) => s.language);
  const { result, consent, busy, commit, retake, cancel, samples } = useEnrollment();
  if (!result) return null;
  if (result.ok) {
    return (
      <section className="panel result result-ok" role="status" data-testid="enroll-result">
        <h2>{t('enroll.result.ok', { name: result.person.full_name })}</h2>
        <p>{tp('enroll.result.templates', result.templates)}</p>
        <button type="button" onClick={() => void cancel()}>
          {t('enroll.result.next')}
        </button>
      </section>
    );
  }
  const { refusal } = result;
  return (
    <section className="panel result result-refused" role="alert" data-testid="enroll-result">
      <h2>{t('enroll.result.refused')}</h2>
      <p>
        {t(REFUSALS[refusal.code], {
          name: refusal.duplicate?.name ?? '',
          number: refusal.duplicate?.employee_number ?? '',
          score: refusal.duplicate
            ? refusal.duplicate.score.toLocaleString(localeOf(language), {
                minimumFractionDigits: 2,
                maximumFractionDigits: 2,
              })
            : '',
        })}
      </p>
      {refusal.code === 'duplicate' && refusal.duplicate && (
        <DuplicateFaces duplicate={refusal.duplicate} sample={samples.at(-1)} />
      )}
      <small className="note">{refusal.message}</small>
      <ul>
        {result.samples
          .filter((s) => !s.accepted)
          .map((s) => (
            <li key={s.index}>
              {t('enroll.sampleAlt', { n: s.index + 1 })}: {s.rejections.map((r) => r.message).join('; ')}
            </li>
          ))}
      </ul>
      <div className="row">
        {refusal.code === 'duplicate' && consent && (
          <button type="button" disabled={busy} onClick={() => void commit(consent, true)}>
            {t('enroll.result.confirmDuplicate')}
          </button>
        )}
        <button type="button" onClick={retake}>
          {t('enroll.result.retake')}
        </button>
        <button type="button" className="button-ghost" onClick={() => void cancel()}>
          {t('enroll.result.startOver')}
        </button>
      </div>
    </section>
  );
}
