import { useId, useState } from 'react';
import type { AttendanceRecord } from '../../../../shared/attendance';
import type { PersonListItem } from '../../../../shared/contract';
import type { ErrorInfo } from '../../../../shared/errors';
import { type IndonesianTimeZone, localParts, TIME_ZONE_LABELS } from '../../../../shared/local-time';
import { api } from '../../api/client';
import { DateField } from '../../components/DateField';
import { Dialog } from '../../components/Dialog';
import { ErrorMessage } from '../../components/ErrorMessage';
import { formatLocalDate } from '../../lib/dates';
import { parseTimeInput } from '../../lib/time-input';
import { formatTime } from '../../lib/time';
import type { StringKey } from '../../i18n';
import { useLanguage, useT } from '../../state/language';
import { PersonPicker } from './PersonPicker';

/**
 * The operator's three changes to attendance — add a day's record, correct its times, void it — each a
 * dialog with the reason the server requires (audited). Saving stays disabled, with a line saying
 * what is missing, until the form can be sent; the server's refusals appear in the interface language.
 */

export type ManualChange = { kind: 'added' | 'corrected' | 'voided'; record: AttendanceRecord };

interface DialogProps {
  timeZone: string;
  onClose: () => void;
  onDone: (change: ManualChange) => void;
}

const zoneLabel = (timeZone: string) => TIME_ZONE_LABELS[timeZone as IndonesianTimeZone] ?? timeZone;

/** "HH:MM" of an instant in the site's zone, as the time fields hold it; "" for none. */
const localHHMM = (iso: string | null, timeZone: string) =>
  iso ? localParts(new Date(iso), timeZone).time.slice(0, 5) : '';

/** A 24-hour time typed as text: `<input type="time">` shows AM/PM in an English browser. */
function TimeField({
  label,
  value,
  onChange,
  hint,
  testId,
}: {
  label: string;
  value: string;
  onChange: (text: string) => void;
  hint: string;
  testId: string;
}): React.JSX.Element {
  const t = useT();
  const hintId = useId();
  const invalid = parseTimeInput(value) === null;
  return (
    <div className="field field-time">
      <label className="field-control">
        <span className="field-label">{label}</span>
        <input
          value={value}
          onChange={(e) => onChange(e.target.value)}
          inputMode="numeric"
          placeholder={t('attendance.manual.timePlaceholder')}
          maxLength={5}
          aria-invalid={invalid}
          aria-describedby={hintId}
          data-testid={testId}
        />
      </label>
      <small className={invalid ? 'field-hint field-error' : 'field-hint'} id={hintId}>
        {invalid ? t('attendance.manual.timeInvalid') : hint}
      </small>
    </div>
  );
}

function ReasonField({ value, onChange }: { value: string; onChange: (text: string) => void }): React.JSX.Element {
  const t = useT();
  const hintId = useId();
  return (
    <div className="field">
      <label className="field-control">
        <span className="field-label">{t('attendance.manual.reason')}</span>
        <textarea
          value={value}
          onChange={(e) => onChange(e.target.value)}
          rows={2}
          maxLength={500}
          required
          aria-describedby={hintId}
          data-testid="manual-reason"
        />
      </label>
      <small className="field-hint" id={hintId}>
        {t('attendance.manual.reasonHint')}
      </small>
    </div>
  );
}

/** The buttons, and what is still missing in words (the save button alone cannot say why it is off). */
function Actions({
  missing,
  busy,
  save,
  danger = false,
  onClose,
}: {
  missing: StringKey | null;
  busy: boolean;
  save: string;
  danger?: boolean;
  onClose: () => void;
}): React.JSX.Element {
  const t = useT();
  return (
    <>
      {missing && (
        <p className="note" data-testid="manual-missing" aria-live="polite">
          {t(missing)}
        </p>
      )}
      <div className="row">
        <button
          type="submit"
          className={danger ? 'button-danger' : undefined}
          disabled={busy || missing !== null}
          data-testid="manual-save"
        >
          {save}
        </button>
        <button type="button" className="button-ghost" onClick={onClose}>
          {t('common.cancel')}
        </button>
      </div>
    </>
  );
}

export function AddRecordDialog({
  timeZone,
  today,
  initialDate,
  onClose,
  onDone,
}: DialogProps & { today: string; initialDate: string }): React.JSX.Element {
  const t = useT();
  const [person, setPerson] = useState<PersonListItem | null>(null);
  const [date, setDate] = useState(initialDate > today ? today : initialDate);
  const [checkIn, setCheckIn] = useState('');
  const [checkOut, setCheckOut] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const inTime = parseTimeInput(checkIn);
  const outTime = parseTimeInput(checkOut);
  const hint = t('attendance.manual.timeHint', { zone: zoneLabel(timeZone) });

  const missing: StringKey | null = !person
    ? 'attendance.manual.need.person'
    : inTime === null || outTime === null || (!inTime && !outTime)
      ? 'attendance.manual.need.time'
      : !reason.trim()
        ? 'attendance.manual.need.reason'
        : null;

  const save = async (): Promise<void> => {
    if (missing || !person) return;
    setBusy(true);
    const r = await api().addAttendanceRecord({
      personId: person.id,
      localDate: date,
      ...(inTime ? { checkIn: inTime } : {}),
      ...(outTime ? { checkOut: outTime } : {}),
      reason: reason.trim(),
    });
    setBusy(false);
    if (r.ok) onDone({ kind: 'added', record: r.value });
    else setError(r.error);
  };

  return (
    <Dialog title={t('attendance.manual.addTitle')} onClose={onClose} onSubmit={() => void save()} testId="manual-add">
      <PersonPicker value={person} onChange={setPerson} />
      <DateField label={t('attendance.manual.date')} value={date} max={today} onChange={setDate} testId="manual-date" />
      <div className="fields-row">
        <TimeField
          label={t('attendance.manual.checkIn')}
          value={checkIn}
          onChange={setCheckIn}
          hint={hint}
          testId="manual-check-in"
        />
        <TimeField
          label={t('attendance.manual.checkOut')}
          value={checkOut}
          onChange={setCheckOut}
          hint={hint}
          testId="manual-check-out"
        />
      </div>
      <ReasonField value={reason} onChange={setReason} />
      <ErrorMessage error={error} />
      <Actions missing={missing} busy={busy} save={t('common.save')} onClose={onClose} />
    </Dialog>
  );
}

export function CorrectRecordDialog({
  record,
  timeZone,
  onClose,
  onDone,
}: DialogProps & { record: AttendanceRecord }): React.JSX.Element {
  const t = useT();
  const language = useLanguage((s) => s.language);
  const before = { in: localHHMM(record.check_in_at, timeZone), out: localHHMM(record.check_out_at, timeZone) };
  const [checkIn, setCheckIn] = useState(before.in);
  const [checkOut, setCheckOut] = useState(before.out);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const inTime = parseTimeInput(checkIn);
  const outTime = parseTimeInput(checkOut);
  const hint = `${t('attendance.manual.timeHint', { zone: zoneLabel(timeZone) })} ${t('attendance.manual.clearHint')}`;
  const changed = inTime !== before.in || outTime !== before.out;

  const missing: StringKey | null =
    inTime === null || outTime === null || (!inTime && !outTime)
      ? 'attendance.manual.need.time'
      : !changed
        ? 'attendance.manual.need.change'
        : !reason.trim()
          ? 'attendance.manual.need.reason'
          : null;

  const save = async (): Promise<void> => {
    if (missing || inTime === null || outTime === null) return;
    setBusy(true);
    // Only what changed: a time left as it was is not rewritten (nor audited as a change).
    const r = await api().correctAttendanceRecord({
      id: record.id,
      ...(inTime !== before.in ? { checkIn: inTime || null } : {}),
      ...(outTime !== before.out ? { checkOut: outTime || null } : {}),
      reason: reason.trim(),
    });
    setBusy(false);
    if (r.ok) onDone({ kind: 'corrected', record: r.value });
    else setError(r.error);
  };

  return (
    <Dialog
      title={t('attendance.manual.correctTitle', {
        name: record.full_name,
        date: formatLocalDate(record.local_date, language),
      })}
      onClose={onClose}
      onSubmit={() => void save()}
      testId="manual-correct"
    >
      <p className="note">
        {t('person.employeeNumber')}: {record.employee_number}
      </p>
      <div className="fields-row">
        <TimeField
          label={t('attendance.manual.checkIn')}
          value={checkIn}
          onChange={setCheckIn}
          hint={hint}
          testId="manual-check-in"
        />
        <TimeField
          label={t('attendance.manual.checkOut')}
          value={checkOut}
          onChange={setCheckOut}
          hint={hint}
          testId="manual-check-out"
        />
      </div>
      <ReasonField value={reason} onChange={setReason} />
      <ErrorMessage error={error} />
      <Actions missing={missing} busy={busy} save={t('common.save')} onClose={onClose} />
    </Dialog>
  );
}

export function VoidRecordDialog({
  record,
  timeZone,
  onClose,
  onDone,
}: DialogProps & { record: AttendanceRecord }): React.JSX.Element {
  const t = useT();
  const language = useLanguage((s) => s.language);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const time = (iso: string | null) => (iso ? formatTime(iso, language, timeZone) : '–');
  const missing: StringKey | null = reason.trim() ? null : 'attendance.manual.need.reason';

  const save = async (): Promise<void> => {
    if (missing) return;
    setBusy(true);
    const r = await api().voidAttendanceRecord({ id: record.id, reason: reason.trim() });
    setBusy(false);
    if (r.ok) onDone({ kind: 'voided', record });
    else setError(r.error);
  };

  return (
    <Dialog
      title={t('attendance.manual.voidTitle', {
        name: record.full_name,
        date: formatLocalDate(record.local_date, language),
      })}
      onClose={onClose}
      onSubmit={() => void save()}
      testId="manual-void"
      danger
    >
      <p>{t('attendance.manual.times', { in: time(record.check_in_at), out: time(record.check_out_at) })}</p>
      <p className="note">{t('attendance.manual.voidExplain')}</p>
      <ReasonField value={reason} onChange={setReason} />
      <ErrorMessage error={error} />
      <Actions missing={missing} busy={busy} save={t('attendance.manual.voidConfirm')} danger onClose={onClose} />
    </Dialog>
  );
}
