import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { API_KEY_SCOPES, type ApiKeyCreated, type ApiKeyInfo, type ApiKeyScope } from '../../../../shared/contract';
import type { ErrorInfo } from '../../../../shared/errors';
import { api } from '../../api/client';
import { ErrorMessage } from '../../components/ErrorMessage';
import { Field } from '../../components/Field';
import { useT } from '../../state/language';

/** API keys for office software: create (the secret is shown once), list, revoke. */
export function KeysSection(): React.JSX.Element {
  const t = useT();
  const [keys, setKeys] = useState<ApiKeyInfo[]>([]);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ApiKeyScope[]>(['read']);
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);

  const load = useCallback(async () => {
    const r = await api().listApiKeys();
    if (r.ok) setKeys(r.value);
    else setError(r.error);
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const create = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const r = await api().createApiKey({ name: name.trim(), scopes });
    if (!r.ok) return setError(r.error);
    setCreated(r.value);
    setName('');
    void load();
  };

  const revoke = async (id: number): Promise<void> => {
    const r = await api().revokeApiKey({ id });
    if (r.ok) void load();
    else setError(r.error);
  };

  return (
    <section className="panel" data-testid="settings-keys">
      <h2>{t('settings.keys')}</h2>
      <ErrorMessage error={error} />
      {created && (
        <div className="secret-once" role="status">
          <p>{t('settings.keys.secretOnce', { name: created.key.name })}</p>
          <code>{created.secret}</code>
          <button type="button" className="button-ghost" onClick={() => setCreated(null)}>
            {t('common.close')}
          </button>
        </div>
      )}
      <table className="table compact">
        <thead>
          <tr>
            <th>{t('settings.keys.name')}</th>
            <th>{t('settings.keys.scopes')}</th>
            <th>{t('settings.keys.prefix')}</th>
            <th>{t('settings.keys.lastUsed')}</th>
            <th>{t('common.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k.id} className={k.revoked_at ? 'row-inactive' : ''}>
              <td>{k.name}</td>
              <td>{k.scopes.map((s) => t(`scope.${s}`)).join(', ')}</td>
              <td>
                <code>{k.prefix}…</code>
              </td>
              <td>{k.last_used_at ?? '–'}</td>
              <td>
                {k.revoked_at ? (
                  t('settings.keys.revoked')
                ) : (
                  <button type="button" className="button-danger" onClick={() => void revoke(k.id)}>
                    {t('settings.keys.revoke')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="fields-row" onSubmit={(e) => void create(e)}>
        <Field label={t('settings.keys.name')}>
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
        </Field>
        <fieldset className="scopes">
          <legend>{t('settings.keys.scopes')}</legend>
          {API_KEY_SCOPES.map((s) => (
            <label key={s} className="checkbox">
              <input
                type="checkbox"
                checked={scopes.includes(s)}
                onChange={(e) => setScopes(e.target.checked ? [...scopes, s] : scopes.filter((x) => x !== s))}
              />
              {t(`scope.${s}`)}
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={!name.trim() || scopes.length === 0}>
          {t('settings.keys.create')}
        </button>
      </form>
    </section>
  );
}
