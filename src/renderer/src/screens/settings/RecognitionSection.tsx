import { useEffect, useState } from 'react';
import type { SettingsView } from '../../../../shared/contract';
import type { UnitInfo } from '../../../../shared/units';
import { api } from '../../api/client';
import { Field } from '../../components/Field';
import { useLanguage, useT } from '../../state/language';
import type { SaveSettings } from '../SettingsScreen';
import { SaveRow } from './SaveRow';

/** Thresholds come from calibration: the calibrated operating points are shown, an override is explicit. */
export function RecognitionSection({
  settings,
  save,
}: {
  settings: SettingsView;
  save: SaveSettings;
}): React.JSX.Element {
  const t = useT();
  const language = useLanguage((s) => s.language);
  const r = settings.recognition;
  const percent = (x: number) =>
    new Intl.NumberFormat(language === 'id' ? 'id-ID' : 'en-GB', {
      style: 'percent',
      maximumSignificantDigits: 2,
    }).format(x);
  const [targetFpirPct, setTargetFpirPct] = useState(String(Number((r.targetFpir * 100).toPrecision(3))));
  const [override, setOverride] = useState(
    r.thresholdSource === 'manual' && r.threshold !== null ? String(r.threshold) : '',
  );
  const [margin, setMargin] = useState(r.margin);
  const [requiredFrames, setRequiredFrames] = useState(r.requiredFrames);
  const [requireLiveness, setRequireLiveness] = useState(r.requireLiveness);
  const [headTurn, setHeadTurn] = useState(r.headTurnChallenge);
  const savedUnits = r.units.map((u) => u.id).sort((a, b) => a - b);
  const [scope, setScope] = useState<number[]>(savedUnits);
  const [units, setUnits] = useState<UnitInfo[] | null>(null);
  useEffect(() => {
    let current = true;
    void api()
      .listUnitDetails()
      .then((res) => current && res.ok && setUnits(res.value));
    return () => {
      current = false;
    };
  }, []);
  const toggleUnit = (id: number, on: boolean) =>
    setScope((s) => (on ? [...s, id] : s.filter((x) => x !== id)).sort((a, b) => a - b));
  const dirty =
    targetFpirPct !== String(Number((r.targetFpir * 100).toPrecision(3))) ||
    override !== (r.thresholdSource === 'manual' && r.threshold !== null ? String(r.threshold) : '') ||
    margin !== r.margin ||
    requiredFrames !== r.requiredFrames ||
    requireLiveness !== r.requireLiveness ||
    headTurn !== r.headTurnChallenge ||
    scope.join(',') !== savedUnits.join(',');

  return (
    <section className="panel" data-testid="settings-recognition">
      <h2>{t('settings.recognition')}</h2>
      <p>
        {t('settings.recognition.inUse', {
          threshold: r.threshold === null ? '–' : r.threshold.toFixed(3),
          source: t(`settings.recognition.source.${r.thresholdSource}`),
        })}
      </p>
      {r.gallery && (
        <p className="note" data-testid="gallery-threshold">
          {t('settings.recognition.galleryDetail', {
            people: new Intl.NumberFormat(language === 'id' ? 'id-ID' : 'en-GB').format(r.gallery.people),
            fpir: percent(r.gallery.targetFpir),
            fnir: r.gallery.expectedFnir === null ? '–' : percent(r.gallery.expectedFnir),
          })}
        </p>
      )}
      {r.calibrated.length > 0 ? (
        <table className="table compact">
          <thead>
            <tr>
              <th>{t('settings.recognition.far')}</th>
              <th>{t('settings.recognition.threshold')}</th>
              <th>{t('settings.recognition.tar')}</th>
            </tr>
          </thead>
          <tbody>
            {r.calibrated.map((c) => (
              <tr key={c.far}>
                <td>{c.far.toExponential(0)}</td>
                <td>{c.threshold.toFixed(3)}</td>
                <td>{c.tar === null ? '–' : `${(c.tar * 100).toFixed(1)}%`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="note">{t('settings.recognition.notCalibrated')}</p>
      )}
      <div className="fields-row">
        <Field label={t('settings.recognition.override')} hint={t('settings.recognition.overrideHint')}>
          <input
            type="number"
            step={0.005}
            min={-1}
            max={1}
            value={override}
            onChange={(e) => setOverride(e.target.value)}
          />
        </Field>
        <Field label={t('settings.recognition.targetFpir')} hint={t('settings.recognition.targetFpirHint')}>
          <input
            type="number"
            step={0.01}
            min={0.0001}
            max={10}
            value={targetFpirPct}
            onChange={(e) => setTargetFpirPct(e.target.value)}
          />
        </Field>
        <Field label={t('settings.recognition.margin')}>
          <input
            type="number"
            step={0.01}
            min={0}
            max={1}
            value={margin}
            onChange={(e) => setMargin(Number(e.target.value))}
          />
        </Field>
        <Field label={t('settings.recognition.requiredFrames')}>
          <input
            type="number"
            min={1}
            max={30}
            value={requiredFrames}
            onChange={(e) => setRequiredFrames(Number(e.target.value))}
          />
        </Field>
      </div>
      <label className="checkbox">
        <input type="checkbox" checked={requireLiveness} onChange={(e) => setRequireLiveness(e.target.checked)} />
        {t('settings.recognition.requireLiveness')}
        {r.livenessThreshold !== null && ` (${r.livenessThreshold.toFixed(2)})`}
      </label>
      <label className="checkbox">
        <input type="checkbox" checked={headTurn} onChange={(e) => setHeadTurn(e.target.checked)} />
        {t('settings.recognition.headTurn')}
      </label>
      <fieldset className="unit-scope" data-testid="recognition-units">
        <legend>{t('settings.recognition.units')}</legend>
        <p className="note">{t('settings.recognition.unitsHint')}</p>
        {units === null ? null : units.length === 0 ? (
          <p className="note">{t('settings.recognition.unitsNone')}</p>
        ) : (
          <div className="unit-scope-list">
            {units.map((u) => (
              <label key={u.id} className="checkbox">
                <input
                  type="checkbox"
                  checked={scope.includes(u.id)}
                  onChange={(e) => toggleUnit(u.id, e.target.checked)}
                />
                {u.name}
              </label>
            ))}
          </div>
        )}
        <p className="note" data-testid="recognition-units-state">
          {scope.length === 0
            ? t('settings.recognition.unitsEveryone')
            : t('settings.recognition.unitsSome', { count: scope.length })}
        </p>
      </fieldset>
      <SaveRow
        section="recognition"
        dirty={dirty}
        onSave={() =>
          save({
            recognition: {
              threshold: override.trim() === '' ? null : Number(override),
              margin,
              ...(Number(targetFpirPct) > 0 ? { targetFpir: Number(targetFpirPct) / 100 } : {}),
              requiredFrames,
              requireLiveness,
              headTurnChallenge: headTurn,
              units: scope,
            },
          })
        }
      />
    </section>
  );
}
