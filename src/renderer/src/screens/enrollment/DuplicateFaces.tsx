/**
 * A refused duplicate, side by side: the face just captured and the enrolled person's face, so the
 * operator judges with their own eyes whether it is the same person (and only then enrolls anyway).
 */
import { useEffect, useState } from 'react';
import type { EnrollmentRefusal } from '../../../../shared/people';
import { api } from '../../api/client';
import type { StringKey } from '../../i18n';
import type { AcceptedSample } from '../../state/enrollment';
import { localeOf, useLanguage, useT } from '../../state/language';

type Duplicate = NonNullable<EnrollmentRefusal['duplicate']>;

/** Pixels of each face on screen (both pictures are shown at the same size). */
const FACE_PX = 168;
/**
 * The crop around a face, as a multiple of its box's longer side: the same framing as the thumbnails
 * the server keeps (vision/thumbnail.ts), so the two faces are compared at the same scale.
 */
const CONTEXT = 1.8;

/** The enrolled person's kept picture: a blob: URL, or why there is none. */
type EnrolledFace = { state: 'loading' } | { state: 'shown'; url: string } | { state: 'none' | 'error' };

function useEnrolledFace(personId: number): EnrolledFace {
  const [face, setFace] = useState<EnrolledFace>({ state: 'loading' });
  useEffect(() => {
    let url: string | null = null;
    let gone = false;
    setFace({ state: 'loading' });
    void api()
      .getPersonFace({ id: personId })
      .then((r) => {
        if (gone) return;
        if (!r.ok) return setFace({ state: r.error.code === 'NOT_FOUND' ? 'none' : 'error' });
        url = URL.createObjectURL(new Blob([r.value.bytes as Uint8Array<ArrayBuffer>], { type: r.value.mime }));
        setFace({ state: 'shown', url });
      });
    return () => {
      gone = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [personId]);
  return face;
}

/** The captured frame, cropped to the judged face with {@link CONTEXT} (the whole frame when unknown). */
function NewFace({ sample, alt }: { sample: AcceptedSample; alt: string }): React.JSX.Element {
  const f = sample.face;
  if (!f) return <img className="face-picture" src={sample.preview} alt={alt} />;
  const [x1, y1, x2, y2] = f.bbox;
  const side = CONTEXT * Math.max(x2 - x1, y2 - y1);
  const scale = FACE_PX / side;
  const style: React.CSSProperties = {
    position: 'absolute',
    width: f.frameWidth * scale,
    height: f.frameHeight * scale,
    left: -((x1 + x2) / 2 - side / 2) * scale,
    top: -((y1 + y2) / 2 - side / 2) * scale,
    maxWidth: 'none',
  };
  return (
    <div className="face-picture face-crop">
      <img src={sample.preview} alt={alt} style={style} />
    </div>
  );
}

export function DuplicateFaces({
  duplicate,
  sample,
}: {
  duplicate: Duplicate;
  /** The newest accepted sample of this enrollment (absent: none kept on this screen). */
  sample: AcceptedSample | undefined;
}): React.JSX.Element {
  const t = useT();
  const language = useLanguage((s) => s.language);
  const enrolled = useEnrolledFace(duplicate.person_id);
  const who = { name: duplicate.name, number: duplicate.employee_number };
  const score = new Intl.NumberFormat(localeOf(language), {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  }).format(duplicate.score);
  return (
    <div className="duplicate-faces" data-testid="duplicate-faces">
      <figure data-testid="duplicate-new-face">
        {sample ? (
          <NewFace sample={sample} alt={t('enroll.duplicate.newAlt')} />
        ) : (
          <div className="face-picture face-placeholder" role="img" aria-label={t('enroll.duplicate.newMissing')}>
            {t('enroll.duplicate.newMissing')}
          </div>
        )}
        <figcaption>{t('enroll.duplicate.new')}</figcaption>
      </figure>
      <p className="duplicate-score" data-testid="duplicate-score">
        {t('enroll.duplicate.similarity', { score })}
      </p>
      <figure data-testid="duplicate-enrolled-face" data-state={enrolled.state}>
        {enrolled.state === 'shown' ? (
          <img className="face-picture" src={enrolled.url} alt={t('enroll.duplicate.enrolledAlt', who)} />
        ) : (
          <div
            className="face-picture face-placeholder"
            role="img"
            aria-label={`${t(placeholderKey(enrolled.state))} ${duplicate.name} (${duplicate.employee_number})`}
          >
            <span>{t(placeholderKey(enrolled.state))}</span>
            <strong>{duplicate.name}</strong>
            <span>{t('enroll.duplicate.number', who)}</span>
          </div>
        )}
        <figcaption>{t('enroll.duplicate.enrolled', who)}</figcaption>
      </figure>
    </div>
  );
}

function placeholderKey(state: 'loading' | 'none' | 'error'): StringKey {
  return state === 'loading'
    ? 'enroll.duplicate.loading'
    : state === 'none'
      ? 'enroll.duplicate.noPictures'
      : 'enroll.duplicate.pictureError';
}
