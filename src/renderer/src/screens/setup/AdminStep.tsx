import { useState, type FormEvent } from 'react';
import type { ErrorInfo } from '../../../../shared/errors';
import { api } from '../../api/client';
import { ErrorMessage } from '../../components/ErrorMessage';
import { Field } from '../../components/Field';
import { useT } from '../../state/language';
import { useSession } from '../../state/session';

/** The first admin account; creating it signs the admin in for the rest of the wizard. */
export function AdminStep({ onDone }: { onDone: () => void }): React.JSX.Element {
  const t = useT();
  const adopt = useSession((s) => s.adopt);
  const [form, setForm] = useState({ username: '', displayName: '', secret: '', repeat: '' });
  const [error, setError] = useState<ErrorInfo | null>(null);
  const mismatch = form.repeat !== '' && form.repeat !== form.secret;

  const create = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const r = await api().createFirstAdmin({
      username: form.username.trim(),
      displayName: form.displayName.trim(),
      secret: form.secret,
    });
    if (!r.ok) return setError(r.error);
    adopt(r.value);
    onDone();
  };

  return (
    <form className="panel" onSubmit={(e) => void create(e)} data-testid="setup-admin">
      <p className="note">{t('setup.admin.explain')}</p>
      <Field label={t('signIn.username')}>
        <input
          value={form.username}
          onChange={(e) => setForm({ ...form, username: e.target.value })}
          required
          autoComplete="username"
        />
      </Field>
      <Field label={t('settings.operators.displayName')}>
        <input value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} required />
      </Field>
      <Field label={t('signIn.secret')} hint={t('settings.operators.secretHint')}>
        <input
          type="password"
          value={form.secret}
          minLength={4}
          onChange={(e) => setForm({ ...form, secret: e.target.value })}
          required
          autoComplete="new-password"
        />
      </Field>
      <Field label={t('setup.admin.repeat')}>
        <input
          type="password"
          value={form.repeat}
          onChange={(e) => setForm({ ...form, repeat: e.target.value })}
          required
          autoComplete="new-password"
        />
      </Field>
      {mismatch && <p className="error-message">{t('setup.admin.mismatch')}</p>}
      <ErrorMessage error={error} />
      <button type="submit" disabled={mismatch || form.secret.length < 4}>
        {t('setup.admin.create')}
      </button>
    </form>
  );
}
