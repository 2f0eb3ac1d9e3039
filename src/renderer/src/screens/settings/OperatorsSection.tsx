import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { Operator, Role } from '../../../../shared/contract';
import type { ErrorInfo } from '../../../../shared/errors';
import { api } from '../../api/client';
import { ErrorMessage } from '../../components/ErrorMessage';
import { Field } from '../../components/Field';
import { useT } from '../../state/language';

/** Operator and admin accounts: create, enable/disable, change role. */
export function OperatorsSection(): React.JSX.Element {
  const t = useT();
  const [operators, setOperators] = useState<Operator[]>([]);
  const [form, setForm] = useState({ username: '', displayName: '', role: 'operator' as Role, secret: '' });
  const [error, setError] = useState<ErrorInfo | null>(null);

  const load = useCallback(async () => {
    const r = await api().listOperators();
    if (r.ok) setOperators(r.value);
    else setError(r.error);
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const create = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const r = await api().createOperator({
      ...form,
      username: form.username.trim(),
      displayName: form.displayName.trim(),
    });
    if (!r.ok) return setError(r.error);
    setForm({ username: '', displayName: '', role: 'operator', secret: '' });
    void load();
  };

  const update = async (id: number, change: { active?: boolean; role?: Role }): Promise<void> => {
    const r = await api().updateOperator({ id, ...change });
    if (r.ok) void load();
    else setError(r.error);
  };

  return (
    <section className="panel" data-testid="settings-operators">
      <h2>{t('settings.operators')}</h2>
      <ErrorMessage error={error} />
      <table className="table compact">
        <thead>
          <tr>
            <th>{t('signIn.username')}</th>
            <th>{t('settings.operators.displayName')}</th>
            <th>{t('settings.operators.role')}</th>
            <th>{t('people.status')}</th>
            <th>{t('common.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {operators.map((o) => (
            <tr key={o.id} className={o.active ? '' : 'row-inactive'}>
              <td>{o.username}</td>
              <td>{o.display_name}</td>
              <td>
                <select value={o.role} onChange={(e) => void update(o.id, { role: e.target.value as Role })}>
                  <option value="operator">{t('role.operator')}</option>
                  <option value="admin">{t('role.admin')}</option>
                </select>
              </td>
              <td>
                {o.locked_until ? t('settings.operators.locked') : o.active ? t('people.active') : t('people.inactive')}
              </td>
              <td>
                <button type="button" className="button-ghost" onClick={() => void update(o.id, { active: !o.active })}>
                  {o.active ? t('people.deactivate') : t('people.activate')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="fields-row" onSubmit={(e) => void create(e)}>
        <Field label={t('signIn.username')}>
          <input value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} required />
        </Field>
        <Field label={t('settings.operators.displayName')}>
          <input
            value={form.displayName}
            onChange={(e) => setForm({ ...form, displayName: e.target.value })}
            required
          />
        </Field>
        <Field label={t('settings.operators.role')}>
          <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
            <option value="operator">{t('role.operator')}</option>
            <option value="admin">{t('role.admin')}</option>
          </select>
        </Field>
        <Field label={t('signIn.secret')} hint={t('settings.operators.secretHint')}>
          <input
            type="password"
            value={form.secret}
            onChange={(e) => setForm({ ...form, secret: e.target.value })}
            autoComplete="new-password"
            minLength={4}
            required
          />
        </Field>
        <button type="submit">{t('settings.operators.create')}</button>
      </form>
    </section>
  );
}
