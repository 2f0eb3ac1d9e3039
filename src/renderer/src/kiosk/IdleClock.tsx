import { formatDate, formatTime, useNow } from '../lib/time';
import { useLanguage, useT } from '../state/language';

/** The idle screen: the time and date large, and an invitation to step up. */
export function IdleClock({ timeZone }: { timeZone: string }): React.JSX.Element {
  const t = useT();
  const language = useLanguage((s) => s.language);
  const now = useNow(1000);
  return (
    <div className="idle-clock" data-testid="idle-clock">
      <time className="idle-time">{formatTime(now, language, timeZone)}</time>
      <p className="idle-date">{formatDate(now, language, timeZone)}</p>
      <p className="idle-prompt">{t('kiosk.idle.prompt')}</p>
    </div>
  );
}
