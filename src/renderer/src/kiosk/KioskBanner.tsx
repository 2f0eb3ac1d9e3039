import type { Guidance } from '../../../shared/contract';
import type { StringKey } from '../i18n';
import type { KioskNotice } from '../state/kiosk-machine';
import { useLanguage, useT } from '../state/language';
import { cooldownText } from './notice-text';

const GUIDANCE: Record<Guidance, StringKey> = {
  too_far: 'kiosk.guidance.too_far',
  too_dark: 'kiosk.guidance.too_dark',
  too_many: 'kiosk.guidance.too_many',
  no_face: 'kiosk.guidance.no_face',
  turn_left: 'kiosk.guidance.turn_left',
  turn_right: 'kiosk.guidance.turn_right',
};

const NOTICE: Record<KioskNotice['kind'], StringKey> = {
  unknown: 'kiosk.notice.unknown',
  spoof: 'kiosk.notice.spoof',
  cooldown: 'kiosk.notice.cooldown',
  closed: 'kiosk.notice.closed',
  liveness_unavailable: 'kiosk.notice.liveness_unavailable',
  holiday: 'kiosk.notice.holiday',
  on_leave: 'kiosk.notice.on_leave',
};

interface Props {
  notice: KioskNotice | null;
  guidance: Guidance | null;
  progress: { frames: number; required: number } | null;
  /** The site's zone: the cooldown notice names times of day in it. */
  timeZone: string;
}

/** One line at the bottom of the kiosk: a notice beats guidance, guidance beats "hold still". */
export function KioskBanner({ notice, guidance, progress, timeZone }: Props): React.JSX.Element | null {
  const t = useT();
  const language = useLanguage((s) => s.language);
  let text: string | null = null;
  let tone = 'info';
  if (notice?.kind === 'cooldown') {
    // Someone just answered: what they did and what comes next, said calmly (not a warning).
    text = cooldownText(notice, language, timeZone);
  } else if (notice) {
    text = t(NOTICE[notice.kind], { holiday: notice.holiday ?? '' });
    tone = notice.kind === 'spoof' || notice.kind === 'liveness_unavailable' ? 'error' : 'warning';
  } else if (guidance && guidance !== 'no_face') {
    text = t(GUIDANCE[guidance]);
  } else if (progress && progress.frames > 0 && progress.frames < progress.required) {
    text = t('kiosk.holdStill');
  }
  if (!text) return null;
  return (
    <div className={`kiosk-banner kiosk-banner-${tone}`} role="status" data-testid="kiosk-banner">
      {text}
    </div>
  );
}
