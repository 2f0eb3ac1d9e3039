import { useEffect, useId, useState } from 'react';
import { matchUnit, normalizeUnitName, UNIT_NAME_MAX } from '../../../shared/units';
import { api } from '../api/client';
import { useT } from '../state/language';

/**
 * A person's unit, chosen from the managed list: a combobox (an input with the list's names as
 * suggestions) that also takes a new unit. A name the list has in another case or spacing becomes the
 * list's spelling when the field is left, so "keuangan" is the unit "Keuangan", never a second one.
 * A new unit can be added here at once; saving the person adds it too (the server resolves every unit).
 */
export function UnitPicker({
  label,
  value,
  onChange,
}: {
  label: string;
  value: string;
  onChange: (unit: string) => void;
}): React.JSX.Element {
  const t = useT();
  const listId = useId();
  const [units, setUnits] = useState<string[]>([]);
  const [added, setAdded] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);

  useEffect(() => {
    let current = true;
    void api()
      .listUnits()
      .then((r) => current && r.ok && setUnits(r.value));
    return () => {
      current = false;
    };
  }, []);

  const typed = normalizeUnitName(value);
  const existing = matchUnit(units, value);
  const isNew = typed !== '' && existing === null;

  const add = async (): Promise<void> => {
    setAdding(true);
    const r = await api().addUnit({ name: typed });
    setAdding(false);
    if (!r.ok) return;
    setUnits((u) => (u.includes(r.value.name) ? u : [...u, r.value.name].sort((a, b) => a.localeCompare(b))));
    setAdded(r.value.name);
    onChange(r.value.name);
  };

  return (
    <div className="field unit-picker" data-testid="unit-picker">
      <label className="field-control">
        <span className="field-label">{label}</span>
        <input
          value={value}
          list={listId}
          maxLength={UNIT_NAME_MAX}
          placeholder={t('unit.placeholder')}
          autoComplete="off"
          onChange={(e) => {
            setAdded(null);
            onChange(e.target.value);
          }}
          // The list's spelling, once the operator is done typing.
          onBlur={() => existing !== null && existing !== value && onChange(existing)}
        />
      </label>
      <datalist id={listId}>
        {units.map((u) => (
          <option key={u} value={u} />
        ))}
      </datalist>
      {existing !== null && existing !== value && (
        <small className="field-hint" data-testid="unit-existing">
          {t('unit.existing', { name: existing })}
        </small>
      )}
      {isNew && (
        <small className="field-hint unit-new" data-testid="unit-new">
          {t('unit.new')}{' '}
          <button type="button" className="button-small" disabled={adding} onClick={() => void add()}>
            {t('unit.add', { name: typed })}
          </button>
        </small>
      )}
      {added !== null && added === value && (
        <small className="field-hint" role="status" data-testid="unit-added">
          {t('unit.added', { name: added })}
        </small>
      )}
    </div>
  );
}
