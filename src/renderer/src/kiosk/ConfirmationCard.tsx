import type { ConfirmationCard as Card } from '../state/kiosk-machine';
import { useLanguage, useT } from '../state/language';
import { formatDayTime } from '../lib/dates';
import { formatTime, localHour, partOfDay } from '../lib/time';

/** The big card after a decision: greeting by name (no photo), check-in or check-out, the time. */
export function ConfirmationCard({ card, timeZone }: { card: Card; timeZone: string }): React.JSX.Element {
  const t = useT();
  const language = useLanguage((s) => s.language);
  const at = card.time ? new Date(card.time) : new Date();
  const time = formatTime(at, language, timeZone);
  const greeting = t(`kiosk.greeting.${partOfDay(localHour(new Date(), timeZone))}`, { name: card.name });
  const line =
    card.kind === 'checked_in'
      ? t('kiosk.card.checkedIn', { time })
      : card.kind === 'checked_out'
        ? t('kiosk.card.checkedOut', { time })
        : t('kiosk.card.alreadyCheckedIn', { time });
  return (
    <div className={`confirmation-card confirmation-${card.kind}`} role="status" data-testid="confirmation-card">
      <div className="confirmation-mark" aria-hidden="true">
        ✓
      </div>
      <p className="confirmation-greeting">{greeting}</p>
      <p className="confirmation-line">{line}</p>
      {card.late && card.kind === 'checked_in' && <p className="confirmation-late">{t('kiosk.card.late')}</p>}
      {card.kind === 'already_checked_in' && card.nextAction?.kind === 'check_out' && (
        <p className="confirmation-next" data-testid="confirmation-next">
          {t('kiosk.card.checkOutFrom', { from: formatDayTime(card.nextAction.from, language, timeZone) })}
        </p>
      )}
    </div>
  );
}
