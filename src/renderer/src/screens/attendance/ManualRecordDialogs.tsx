import { type ReactNode, useId, useState } from 'react';
import type { AttendanceRecord } from '../../../../shared/attendance';
import type { PersonListItem } from '../../../../shared/contract';
import type { ErrorInfo, Result } from '../../../../shared/errors';
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

/** The check-in and check-out fields as typed, and as read: null where a field is not a time of day. */
function useCheckTimes(initialIn: string, initialOut: string) {
  const [checkIn, setCheckIn] = useState(initialIn);
  const [checkOut, setCheckOut] = useState(initialOut);
  const inTime = parseTimeInput(checkIn);
  const outTime = parseTimeInput(checkOut);
  // Added or corrected, a day's record keeps at least one of its two times.
  const needTime = inTime === null || outTime === null || (!inTime && !outTime);
  return { checkIn, setCheckIn, checkOut, setCheckOut, inTime, outTime, needTime };
}

function CheckTimeFields({
  times,
  hint,
}: {
  times: ReturnType<typeof useCheckTimes>;
  hint: string;
}): React.JSX.Element {
  const t = useT();
  const { checkIn, setCheckIn, checkOut, setCheckOut } = times;
  const fields = [
    { label: t('attendance.manual.checkIn'), value: checkIn, set: setCheckIn, testId: 'manual-check-in' },
    { label: t('attendance.manual.checkOut'), value: checkOut, set: setCheckOut, testId: 'manual-check-out' },
  ];
  return (
    <div className="fields-row">
      {fields.map(({ label, value, set, testId }) => (
        <TimeField key={testId} label={label} value={value} onChange={set} hint={hint} testId={testId} />
      ))}
    </div>
  );
}

/** What all three changes share: the reason (sent trimmed, as it is audited), the wait, and a refusal to show. */
function useAuditedChange() {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const send = async <T,>(request: (reason: string) => Promise<Result<T>>, done: (value: T) => void): Promise<void> => {
    setBusy(true);
    const r = await request(reason.trim());
    setBusy(false);
    if (r.ok) done(r.value);
    else setError(r.error);
  };
  return { reason, setReason, busy, error, send };
}

/** Each change ends alike, so the reason, a refusal and the buttons stand in the same place in every dialog. */
function ChangeDialog({
  title,
  testId,
  danger = false,
  change,
  missing,
  saveLabel,
  onSave,
  onClose,
  children,
}: {
  title: string;
  testId: string;
  danger?: boolean;
  change: ReturnType<typeof useAuditedChange>;
  missing: StringKey | null;
  saveLabel: string;
  onSave: () => void;
  onClose: () => void;
  children: ReactNode;
}): React.JSX.Element {
  return (
    <Dialog title={title} onClose={onClose} onSubmit={onSave} testId={testId} danger={danger}>
      {children}
      <ReasonField value={change.reason} onChange={change.setReason} />
      <ErrorMessage error={change.error} />
      <Actions missing={missing} busy={change.busy} save={saveLabel} danger={danger} onClose={onClose} />
    </Dialog>
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
  const times = useCheckTimes('', '');
  const change = useAuditedChange();
  const { inTime, outTime } = times;
  const hint = t('attendance.manual.timeHint', { zone: zoneLabel(timeZone) });

  const missing: StringKey | null = !person
    ? 'attendance.manual.need.person'
    : times.needTime
      ? 'attendance.manual.need.time'
      : !change.reason.trim()
        ? 'attendance.manual.need.reason'
        : null;

  const save = (): void => {
    if (missing || !person) return;
    void change.send(
      (reason) =>
        api().addAttendanceRecord({
          personId: person.id,
          localDate: date,
          ...(inTime ? { checkIn: inTime } : {}),
          ...(outTime ? { checkOut: outTime } : {}),
          reason,
        }),
      (record) => onDone({ kind: 'added', record }),
    );
  };

  return (
    <ChangeDialog
      title={t('attendance.manual.addTitle')}
      testId="manual-add"
      change={change}
      missing={missing}
      saveLabel={t('common.save')}
      onSave={save}
      onClose={onClose}
    >
      <PersonPicker value={person} onChange={setPerson} />
      <DateField label={t('attendance.manual.date')} value={date} max={today} onChange={setDate} testId="manual-date" />
      <CheckTimeFields times={times} hint={hint} />
    </ChangeDialog>
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
  const times = useCheckTimes(before.in, before.out);
  const change = useAuditedChange();
  const { inTime, outTime } = times;
  const hint = `${t('attendance.manual.timeHint', { zone: zoneLabel(timeZone) })} ${t('attendance.manual.clearHint')}`;
  const changed = inTime !== before.in || outTime !== before.out;

  const missing: StringKey | null = times.needTime
    ? 'attendance.manual.need.time'
    : !changed
      ? 'attendance.manual.need.change'
      : !change.reason.trim()
        ? 'attendance.manual.need.reason'
        : null;

  const save = (): void => {
    if (missing || inTime === null || outTime === null) return;
    // Only what changed: a time left as it was is not rewritten (nor audited as a change).
    void change.send(
      (reason) =>
        api().correctAttendanceRecord({
          id: record.id,
          ...(inTime !== before.in ? { checkIn: inTime || null } : {}),
          ...(outTime !== before.out ? { checkOut: outTime || null } : {}),
          reason,
        }),
      (corrected) => onDone({ kind: 'corrected', record: corrected }),
    );
  };

  return (
    <ChangeDialog
      title={t('attendance.manual.correctTitle', {
        name: record.full_name,
        date: formatLocalDate(record.local_date, language),
      })}
      testId="manual-correct"
      change={change}
      missing={missing}
      saveLabel={t('common.save')}
      onSave={save}
      onClose={onClose}
    >
      <p className="note">
        {t('person.employeeNumber')}: {record.employee_number}
      </p>
      <CheckTimeFields times={times} hint={hint} />
    </ChangeDialog>
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
  const change = useAuditedChange();
  const time = (iso: string | null) => (iso ? formatTime(iso, language, timeZone) : '–');
  const missing: StringKey | null = change.reason.trim() ? null : 'attendance.manual.need.reason';

  const save = (): void => {
    if (missing) return;
    void change.send(
      (reason) => api().voidAttendanceRecord({ id: record.id, reason }),
      () => onDone({ kind: 'voided', record }),
    );
  };

  return (
    <ChangeDialog
      title={t('attendance.manual.voidTitle', {
        name: record.full_name,
        date: formatLocalDate(record.local_date, language),
      })}
      testId="manual-void"
      danger
      change={change}
      missing={missing}
      saveLabel={t('attendance.manual.voidConfirm')}
      onSave={save}
      onClose={onClose}
    >
      <p>{t('attendance.manual.times', { in: time(record.check_in_at), out: time(record.check_out_at) })}</p>
      <p className="note">{t('attendance.manual.voidExplain')}</p>
    </ChangeDialog>
  );
}
