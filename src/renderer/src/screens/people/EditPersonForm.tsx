import { useState, type FormEvent } from 'react';
import type { PersonListItem } from '../../../../shared/contract';
import type { ErrorInfo } from '../../../../shared/errors';
import { api } from '../../api/client';
import { ErrorMessage } from '../../components/ErrorMessage';
import { Field } from '../../components/Field';
import { UnitPicker } from '../../components/UnitPicker';
import { useT } from '../../state/language';

export function EditPersonForm({
  person,
  onDone,
}: {
  person: PersonListItem;
  onDone: (changed: boolean) => void;
}): React.JSX.Element {
  const t = useT();
  const [fields, setFields] = useState({
    employee_number: person.employee_number,
    full_name: person.full_name,
    unit: person.unit ?? '',
  });
  const [error, setError] = useState<ErrorInfo | null>(null);

  const save = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const r = await api().updatePerson({
      id: person.id,
      employee_number: fields.employee_number.trim(),
      full_name: fields.full_name.trim(),
      unit: fields.unit.trim() || null,
    });
    if (r.ok) onDone(true);
    else setError(r.error);
  };

  return (
    <form className="panel" onSubmit={(e) => void save(e)} data-testid="edit-person">
      <h2>{t('people.editTitle', { name: person.full_name })}</h2>
      <div className="fields-row">
        <Field label={t('person.employeeNumber')}>
          <input
            value={fields.employee_number}
            onChange={(e) => setFields({ ...fields, employee_number: e.target.value })}
            required
          />
        </Field>
        <Field label={t('person.fullName')}>
          <input
            value={fields.full_name}
            onChange={(e) => setFields({ ...fields, full_name: e.target.value })}
            required
          />
        </Field>
        <UnitPicker label={t('person.unit')} value={fields.unit} onChange={(unit) => setFields({ ...fields, unit })} />
      </div>
      <ErrorMessage error={error} />
      <div className="row">
        <button type="submit">{t('common.save')}</button>
        <button type="button" className="button-ghost" onClick={() => onDone(false)}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
