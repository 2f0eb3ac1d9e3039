import { useState, type FormEvent } from 'react';
import type { ErrorInfo } from '../../../shared/errors';
import { ErrorMessage } from '../components/ErrorMessage';
import { Field } from '../components/Field';
import { LanguageToggle } from '../components/LanguageToggle';
import { formatTime } from '../lib/time';
import { useApp } from '../state/app';
import { useLanguage, useT } from '../state/language';
import { useSession } from '../state/session';

type Problem = { kind: 'invalid'; attemptsLeft: number | null } | { kind: 'locked'; until: string } | null;

export function SignInScreen({ timeZone }: { timeZone: string }): React.JSX.Element {
  const t = useT();
  const language = useLanguage((s) => s.language);
  const navigate = useApp((s) => s.navigate);
  const signIn = useSession((s) => s.signIn);
  const endedBecause = useSession((s) => s.endedBecause);
  const [username, setUsername] = useState('');
  const [secret, setSecret] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    setError(null);
    const outcome = await signIn(username.trim(), secret);
    setBusy(false);
    setSecret('');
    if (outcome.kind === 'signed_in') navigate('attendance');
    else if (outcome.kind === 'error') setError(outcome.error);
    else setProblem(outcome);
  };

  return (
    <main className="sign-in" data-testid="sign-in">
      <form className="panel sign-in-form" onSubmit={(e) => void submit(e)}>
        <h1>{t('signIn.title')}</h1>
        {endedBecause === 'idle' && <p className="note">{t('signIn.endedIdle')}</p>}
        {endedBecause === 'expired' && <p className="note">{t('signIn.endedExpired')}</p>}
        {endedBecause === 'rejected' && <p className="note">{t('signIn.endedRejected')}</p>}
        <Field label={t('signIn.username')}>
          <input
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            autoComplete="username"
            required
            autoFocus
          />
        </Field>
        <Field label={t('signIn.secret')}>
          <input
            type="password"
            value={secret}
            onChange={(e) => setSecret(e.target.value)}
            autoComplete="current-password"
            required
          />
        </Field>
        {problem?.kind === 'invalid' && (
          <p className="error-message" role="alert">
            {problem.attemptsLeft === null
              ? t('signIn.invalid')
              : t('signIn.invalidAttempts', { attempts: problem.attemptsLeft })}
          </p>
        )}
        {problem?.kind === 'locked' && (
          <p className="error-message" role="alert" data-testid="locked-message">
            {t('signIn.locked', { time: formatTime(problem.until, language, timeZone) })}
          </p>
        )}
        <ErrorMessage error={error} />
        <div className="row">
          <button type="submit" disabled={busy || !username || !secret}>
            {t('signIn.submit')}
          </button>
          <button type="button" className="button-ghost" onClick={() => navigate('kiosk')}>
            {t('common.backToKiosk')}
          </button>
          <LanguageToggle />
        </div>
      </form>
    </main>
  );
}
