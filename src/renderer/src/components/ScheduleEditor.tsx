import { WEEKDAY_KEYS, type DayWindowsConfig, type ScheduleConfig, type WeekdayKey } from '../../../shared/contract';
import { INDONESIAN_TIME_ZONES, TIME_ZONE_LABELS } from '../../../shared/local-time';
import { useT } from '../state/language';
import { Field } from './Field';

/** Monday first, as offices read a week. */
const WEEK_ORDER: WeekdayKey[] = [...WEEKDAY_KEYS.slice(1), WEEKDAY_KEYS[0]];

const FALLBACK_DAY: DayWindowsConfig = {
  checkIn: ['06:00', '10:00'],
  onTimeUntil: '07:30',
  checkOut: ['15:30', '20:00'],
};

interface Props {
  value: ScheduleConfig;
  onChange: (next: ScheduleConfig) => void;
}

/** Time zone, per-weekday check-in/out windows and the on-time limit, cooldown and holiday rules. */
export function ScheduleEditor({ value, onChange }: Props): React.JSX.Element {
  const t = useT();
  const setDay = (key: WeekdayKey, day: DayWindowsConfig | null): void =>
    onChange({ ...value, week: { ...value.week, [key]: day } });
  const lastOpenDay = WEEK_ORDER.map((k) => value.week[k]).find((d) => d !== null) ?? FALLBACK_DAY;

  return (
    <div className="schedule-editor" data-testid="schedule-editor">
      <div className="fields-row">
        <Field label={t('schedule.timeZone')}>
          <select
            value={value.timeZone}
            onChange={(e) => onChange({ ...value, timeZone: e.target.value as ScheduleConfig['timeZone'] })}
          >
            {INDONESIAN_TIME_ZONES.map((tz) => (
              <option key={tz} value={tz}>
                {TIME_ZONE_LABELS[tz]} ({tz})
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('schedule.cooldown')} hint={t('schedule.cooldownHint')}>
          <input
            type="number"
            min={0}
            max={3600}
            value={value.cooldownSeconds}
            onChange={(e) => onChange({ ...value, cooldownSeconds: Number(e.target.value) })}
          />
        </Field>
      </div>
      <table className="table schedule-table">
        <thead>
          <tr>
            <th>{t('schedule.day')}</th>
            <th>{t('schedule.open')}</th>
            <th>{t('schedule.checkIn')}</th>
            <th>{t('schedule.onTimeUntil')}</th>
            <th>{t('schedule.checkOut')}</th>
          </tr>
        </thead>
        <tbody>
          {WEEK_ORDER.map((key) => {
            const day = value.week[key];
            return (
              <tr key={key}>
                <td>{t(`weekday.${key}`)}</td>
                <td>
                  <input
                    type="checkbox"
                    aria-label={t('schedule.open')}
                    checked={day !== null}
                    onChange={(e) => setDay(key, e.target.checked ? { ...lastOpenDay } : null)}
                  />
                </td>
                {day ? (
                  <>
                    <td>
                      <TimeRange value={day.checkIn} onChange={(checkIn) => setDay(key, { ...day, checkIn })} />
                    </td>
                    <td>
                      <input
                        type="time"
                        value={day.onTimeUntil}
                        onChange={(e) => setDay(key, { ...day, onTimeUntil: e.target.value })}
                      />
                    </td>
                    <td>
                      <TimeRange value={day.checkOut} onChange={(checkOut) => setDay(key, { ...day, checkOut })} />
                    </td>
                  </>
                ) : (
                  <td colSpan={3} className="note">
                    {t('schedule.closed')}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={value.recordOnHolidays}
          onChange={(e) => onChange({ ...value, recordOnHolidays: e.target.checked })}
        />
        {t('schedule.recordOnHolidays')}
      </label>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={value.recordOnLeave}
          onChange={(e) => onChange({ ...value, recordOnLeave: e.target.checked })}
        />
        {t('schedule.recordOnLeave')}
      </label>
    </div>
  );
}

function TimeRange({
  value,
  onChange,
}: {
  value: [string, string];
  onChange: (v: [string, string]) => void;
}): React.JSX.Element {
  return (
    <span className="time-range">
      <input type="time" value={value[0]} onChange={(e) => onChange([e.target.value, value[1]])} />
      –
      <input type="time" value={value[1]} onChange={(e) => onChange([value[0], e.target.value])} />
    </span>
  );
}
