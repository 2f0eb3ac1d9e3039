import { useEffect, useState } from 'react';
import type { HubLinkView, ScheduleConfig, SettingsView } from '../../../../shared/contract';
import { api } from '../../api/client';
import { ScheduleEditor } from '../../components/ScheduleEditor';
import { useT } from '../../state/language';
import type { SaveSettings } from '../SettingsScreen';
import { SaveRow } from './SaveRow';

/**
 * The week's hours. A kiosk joined to a hub follows its site's schedule (the server refuses edits here),
 * so the section says where it comes from and shows it without a Save button.
 */
export function ScheduleSection({ settings, save }: { settings: SettingsView; save: SaveSettings }): React.JSX.Element {
  const t = useT();
  const [schedule, setSchedule] = useState<ScheduleConfig>(settings.schedule);
  const [link, setLink] = useState<HubLinkView | null>(null);
  useEffect(() => {
    let current = true;
    void api()
      .getHubLink()
      .then((r) => current && r.ok && setLink(r.value));
    return () => {
      current = false;
    };
  }, []);
  const fromHub = link?.joined === true && link.state !== 'revoked' ? link.site : null;
  return (
    <section className="panel" data-testid="settings-schedule">
      <h2>{t('settings.schedule')}</h2>
      {fromHub ? (
        <>
          <p className="note" data-testid="schedule-from-hub">
            {t('settings.schedule.fromHub', { site: `${fromHub.name} (${fromHub.code})` })}
          </p>
          <fieldset disabled className="fieldset-plain">
            <ScheduleEditor value={settings.schedule} onChange={() => undefined} />
          </fieldset>
        </>
      ) : (
        <>
          <ScheduleEditor value={schedule} onChange={setSchedule} />
          <SaveRow
            section="schedule"
            dirty={JSON.stringify(schedule) !== JSON.stringify(settings.schedule)}
            onSave={() => save({ schedule })}
          />
        </>
      )}
    </section>
  );
}
