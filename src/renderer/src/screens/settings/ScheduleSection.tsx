import { useState } from 'react';
import type { ScheduleConfig, SettingsView } from '../../../../shared/contract';
import { ScheduleEditor } from '../../components/ScheduleEditor';
import { useT } from '../../state/language';
import type { SaveSettings } from '../SettingsScreen';

export function ScheduleSection({ settings, save }: { settings: SettingsView; save: SaveSettings }): React.JSX.Element {
  const t = useT();
  const [schedule, setSchedule] = useState<ScheduleConfig>(settings.schedule);
  return (
    <section className="panel">
      <h2>{t('settings.schedule')}</h2>
      <ScheduleEditor value={schedule} onChange={setSchedule} />
      <button type="button" onClick={() => void save({ schedule })}>
        {t('common.save')}
      </button>
    </section>
  );
}
