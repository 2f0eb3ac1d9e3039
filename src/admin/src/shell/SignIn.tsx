/**
 * Signing in to the hub with an operator account: username and secret. A refusal says what happened
 * in the interface language (a wrong secret, or too many tries and how many minutes to wait), never a
 * code; the secret field is emptied and focused for the next try.
 */
import { useId, useRef, useState } from 'react';
import { useLang, useT } from '../i18n';
import { errorText } from '../lib/errors';
import { useSession } from '../session';
import { LanguageSwitch } from './LanguageSwitch';

export function SignIn({ ended }: { ended: boolean }): React.JSX.Element {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const signIn = useSession((s) => s.signIn);
  const [username, setUsername] = useState('');
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const secretRef = useRef<HTMLInputElement>(null);
  const userId = useId();
  const secretId = useId();
  const errorId = useId();

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await signIn(username.trim(), secret);
    } catch (err) {
      setError(err);
      setSecret('');
      secretRef.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="signin-page">
      <main className="signin-card" aria-labelledby="signin-title" data-testid="signin">
        <div className="signin-top">
          <p className="brand-mark" aria-hidden="true">
            Hadir Hub
          </p>
          <LanguageSwitch />
        </div>
        <h1 id="signin-title">{t('signin.title')}</h1>
        <p className="note">{t('signin.lead')}</p>
        {ended && !error ? (
          <p className="notice" role="status">
            {t('signin.ended')}
          </p>
        ) : null}
        <form onSubmit={(e) => void submit(e)} noValidate>
          <div className="field">
            <label htmlFor={userId}>{t('signin.username')}</label>
            <input
              id={userId}
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              required
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              aria-describedby={error ? errorId : undefined}
              autoFocus
            />
          </div>
          <div className="field">
            <label htmlFor={secretId}>{t('signin.secret')}</label>
            <input
              id={secretId}
              ref={secretRef}
              name="secret"
              type="password"
              autoComplete="current-password"
              required
              value={secret}
              onChange={(e) => setSecret(e.target.value)}
              aria-describedby={error ? errorId : undefined}
              aria-invalid={error ? true : undefined}
            />
          </div>
          <div role="alert" id={errorId} className={error ? 'error' : 'error-empty'} data-testid="signin-error">
            {error ? errorText(error, lang, 'signin') : null}
          </div>
          <button type="submit" className="button-wide" disabled={busy || !username.trim() || !secret}>
            {busy ? t('signin.busy') : t('signin.submit')}
          </button>
        </form>
      </main>
    </div>
  );
}
