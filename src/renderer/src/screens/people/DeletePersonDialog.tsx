import { useState } from 'react';
import type { PersonListItem } from '../../../../shared/contract';
import type { ErrorInfo } from '../../../../shared/errors';
import { api } from '../../api/client';
import { ErrorMessage } from '../../components/ErrorMessage';
import { Field } from '../../components/Field';
import { useT } from '../../state/language';

/**
 * Deleting a person removes their face templates for good, so the operator types the employee number
 * to confirm, and chooses whether their attendance history goes too.
 */
export function DeletePersonDialog({
  person,
  onDone,
}: {
  person: PersonListItem;
  onDone: (deleted: boolean) => void;
}): React.JSX.Element {
  const t = useT();
  const [typed, setTyped] = useState('');
  const [eraseAttendance, setEraseAttendance] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const confirmed = typed.trim() === person.employee_number;

  const remove = async (): Promise<void> => {
    const r = await api().deletePerson({ id: person.id, confirm: true, eraseAttendance });
    if (r.ok) onDone(true);
    else setError(r.error);
  };

  return (
    <div className="panel panel-danger" role="alertdialog" aria-labelledby="delete-title" data-testid="delete-person">
      <h2 id="delete-title">{t('people.delete.title', { name: person.full_name })}</h2>
      <p>{t('people.delete.explain')}</p>
      <label className="checkbox">
        <input type="checkbox" checked={eraseAttendance} onChange={(e) => setEraseAttendance(e.target.checked)} />
        {t('people.delete.eraseAttendance')}
      </label>
      <Field label={t('people.delete.typeNumber', { number: person.employee_number })}>
        <input value={typed} onChange={(e) => setTyped(e.target.value)} />
      </Field>
      <ErrorMessage error={error} />
      <div className="row">
        <button type="button" className="button-danger" disabled={!confirmed} onClick={() => void remove()}>
          {t('people.delete.confirm')}
        </button>
        <button type="button" className="button-ghost" onClick={() => onDone(false)}>
          {t('common.cancel')}
        </button>
      </div>
    </div>
  );
}
