import { useState } from 'react';
import type { ScheduleConfig, SettingsView } from '../../../../shared/contract';
import { ScheduleEditor } from '../../components/ScheduleEditor';
import { useT } from '../../state/language';
import type { SaveSettings } from '../SettingsScreen';
import { SaveRow } from './SaveRow';

export function ScheduleSection({ settings, save }: { settings: SettingsView; save: SaveSettings }): React.JSX.Element {
  const t = useT();
  const [schedule, setSchedule] = useState<ScheduleConfig>(settings.schedule);
  return (
    <section className="panel" data-testid="settings-schedule">
      <h2>{t('settings.schedule')}</h2>
      <ScheduleEditor value={schedule} onChange={setSchedule} />
      <SaveRow
        section="schedule"
        dirty={JSON.stringify(schedule) !== JSON.stringify(settings.schedule)}
        onSave={() => save({ schedule })}
      />
    </section>
  );
}
