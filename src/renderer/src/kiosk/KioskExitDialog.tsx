import { useEffect, useRef, useState, type FormEvent } from 'react';
import { create } from 'zustand';
import type { ErrorInfo } from '../../../shared/errors';
import { ErrorMessage } from '../components/ErrorMessage';
import { Field } from '../components/Field';
import { formatTime } from '../lib/time';
import { useApp } from '../state/app';
import { useLanguage, useT } from '../state/language';
import { useSession } from '../state/session';

/** Whether the PIN dialog is open (kiosk mode: the only way from the kiosk to the operator screens). */
export const useKioskExit = create<{ open: boolean; show: () => void; hide: () => void }>()((set) => ({
  open: false,
  show: () => set({ open: true }),
  hide: () => set({ open: false }),
}));

/** A dialog left open at a kiosk closes by itself, so the next person sees the camera again. */
const ABANDONED_MS = 60_000;

type Problem = { kind: 'invalid' } | { kind: 'locked'; until: string } | null;

/**
 * Leaving kiosk mode: an operator's user name and PIN, checked by the server (the operator service's
 * sign-in: throttled, backed off and audited; in the desktop app a successful one also takes the
 * window out of kiosk mode). The page decides nothing: a wrong PIN gets the server's answer.
 */
export function KioskExitDialog({ timeZone }: { timeZone: string }): React.JSX.Element | null {
  const t = useT();
  const language = useLanguage((s) => s.language);
  const open = useKioskExit((s) => s.open);
  const hide = useKioskExit((s) => s.hide);
  const signIn = useSession((s) => s.signIn);
  const navigate = useApp((s) => s.navigate);
  const [username, setUsername] = useState('');
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const lastInput = useRef(Date.now());

  useEffect(() => {
    if (!open) return;
    lastInput.current = Date.now();
    const timer = setInterval(() => {
      if (Date.now() - lastInput.current > ABANDONED_MS) hide();
    }, 5000);
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') hide();
    };
    window.addEventListener('keydown', onKey);
    return () => {
      clearInterval(timer);
      window.removeEventListener('keydown', onKey);
      setPin('');
      setProblem(null);
      setError(null);
    };
  }, [open, hide]);

  if (!open) return null;

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    setError(null);
    const outcome = await signIn(username.trim(), pin);
    setBusy(false);
    setPin('');
    if (outcome.kind === 'signed_in') {
      hide();
      navigate('attendance');
    } else if (outcome.kind === 'error') setError(outcome.error);
    else if (outcome.kind === 'locked') setProblem(outcome);
    else setProblem({ kind: 'invalid' });
  };

  return (
    <div className="modal-backdrop" data-testid="kiosk-exit">
      <form
        className="panel modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="kiosk-exit-title"
        onSubmit={(e) => void submit(e)}
        onInput={() => (lastInput.current = Date.now())}
      >
        <h2 id="kiosk-exit-title">{t('kiosk.exit.title')}</h2>
        <p className="note">{t('kiosk.exit.explain')}</p>
        <Field label={t('signIn.username')}>
          <input
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            autoComplete="username"
            required
            autoFocus
          />
        </Field>
        <Field label={t('kiosk.exit.pin')}>
          <input
            type="password"
            inputMode="numeric"
            value={pin}
            onChange={(e) => setPin(e.target.value)}
            autoComplete="current-password"
            required
          />
        </Field>
        {problem?.kind === 'invalid' && (
          <p className="error-message" role="alert" data-testid="kiosk-exit-refused">
            {t('kiosk.exit.invalid')}
          </p>
        )}
        {problem?.kind === 'locked' && (
          <p className="error-message" role="alert" data-testid="kiosk-exit-refused">
            {t('signIn.locked', { time: formatTime(problem.until, language, timeZone) })}
          </p>
        )}
        <ErrorMessage error={error} />
        <div className="row">
          <button type="submit" disabled={busy || !username || !pin}>
            {t('kiosk.exit.submit')}
          </button>
          <button type="button" className="button-ghost" onClick={hide}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </div>
  );
}

/** How long the brand or the clock must be held to open the dialog. */
export const LONG_PRESS_MS = 2000;

/** Props for an element that opens the exit dialog when held down for {@link LONG_PRESS_MS}. */
export function useLongPress(onLongPress: () => void): {
  onPointerDown: () => void;
  onPointerUp: () => void;
  onPointerLeave: () => void;
  onContextMenu: (e: { preventDefault(): void }) => void;
} {
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const cancel = () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
  };
  useEffect(() => cancel, []);
  return {
    onPointerDown: () => {
      cancel();
      timer.current = setTimeout(onLongPress, LONG_PRESS_MS);
    },
    onPointerUp: cancel,
    onPointerLeave: cancel,
    // A long touch opens the context menu on tablets: not at a kiosk.
    onContextMenu: (e) => e.preventDefault(),
  };
}

/** The keyboard way in (a kiosk with a keyboard): Ctrl+Shift+E. */
export function isExitShortcut(e: { key: string; ctrlKey: boolean; metaKey: boolean; shiftKey: boolean }): boolean {
  return (e.ctrlKey || e.metaKey) && e.shiftKey && e.key.toLowerCase() === 'e';
}
