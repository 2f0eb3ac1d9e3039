import type { DailySummary } from '../../../../shared/attendance';
import { useT } from '../../state/language';

/**
 * The day at a glance: present, late, absent, on leave, not checked out — and, apart from "present",
 * those seen only at check-out (their morning scan is missing: someone should look).
 */
export function AttendanceSummary({ summary }: { summary: DailySummary }): React.JSX.Element {
  const t = useT();
  const figures = [
    ['attendance.summary.active', summary.active],
    ['attendance.summary.present', summary.present - summary.no_check_in],
    ['attendance.summary.noCheckIn', summary.no_check_in],
    ['attendance.summary.late', summary.late],
    ['attendance.summary.absent', summary.absent],
    ['attendance.summary.onLeave', summary.on_leave],
    ['attendance.summary.notCheckedOut', summary.not_checked_out],
  ] as const;
  return (
    <section className="summary" data-testid="attendance-summary">
      {summary.holiday && <p className="note">{t('attendance.summary.holiday', { name: summary.holiday })}</p>}
      {!summary.workday && !summary.holiday && <p className="note">{t('attendance.summary.notWorkday')}</p>}
      <dl>
        {figures.map(([key, value]) => (
          <div key={key}>
            <dt>{t(key)}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
