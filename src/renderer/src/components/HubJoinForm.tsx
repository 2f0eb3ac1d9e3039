import { useState, type FormEvent } from 'react';
import type { HubJoinResult, LocalPeopleChoice } from '../../../shared/contract';
import type { ErrorInfo } from '../../../shared/errors';
import { parseHubJoinLink } from '../../../shared/hub-join-link';
import { api } from '../api/client';
import { useT } from '../state/language';
import { ErrorMessage } from './ErrorMessage';
import { Field } from './Field';

/**
 * Joining an organisation hub: its address, the one-time pairing code its console shows and, when
 * given, its certificate fingerprint. The console's pairing link (`hadir://join?…`) pasted into the
 * address fills all three. `askExisting`: the kiosk has people of its own, and the admin chooses
 * whether they go to the hub (settings); a fresh kiosk in the wizard has none.
 */
export function HubJoinForm({
  askExisting,
  onJoined,
  children,
}: {
  askExisting: boolean;
  onJoined: (result: HubJoinResult) => void;
  /** Beside the join button (the wizard's "skip"). */
  children?: React.ReactNode;
}): React.JSX.Element {
  const t = useT();
  const [hubUrl, setHubUrl] = useState('');
  const [code, setCode] = useState('');
  const [fingerprint, setFingerprint] = useState('');
  const [existing, setExisting] = useState<LocalPeopleChoice>('keep');
  const [fromLink, setFromLink] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);

  const changeAddress = (value: string): void => {
    const link = parseHubJoinLink(value);
    if (link) {
      setHubUrl(link.hubUrl);
      setCode(link.code);
      setFingerprint(link.fingerprint ?? '');
      setFromLink(true);
      setError(null);
    } else {
      setHubUrl(value);
      setFromLink(false);
    }
  };

  const join = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const r = await api().joinHub({
      hubUrl: hubUrl.trim(),
      code: code.trim(),
      ...(fingerprint.trim() ? { fingerprint: fingerprint.trim() } : {}),
      ...(askExisting ? { existing } : {}),
    });
    setBusy(false);
    if (!r.ok) return setError(r.error);
    onJoined(r.value);
  };

  return (
    <form className="hub-join" onSubmit={(e) => void join(e)} data-testid="hub-join-form">
      <Field label={t('hub.address')} hint={t('hub.addressHint')}>
        <input
          value={hubUrl}
          onChange={(e) => changeAddress(e.target.value)}
          placeholder="https://hub.kantor.go.id:5020"
          required
          spellCheck={false}
          autoComplete="off"
          data-testid="hub-address"
        />
      </Field>
      {fromLink && (
        <p className="note note-success" data-testid="hub-link-filled">
          {t('hub.linkFilled')}
        </p>
      )}
      <Field label={t('hub.code')} hint={t('hub.codeHint')}>
        <input
          className="hub-code"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          placeholder="ABCDE-FGHJK"
          required
          spellCheck={false}
          autoComplete="off"
          data-testid="hub-code"
        />
      </Field>
      <Field label={t('hub.fingerprint')} hint={t('hub.fingerprintHint')}>
        <input
          className="hub-fingerprint"
          value={fingerprint}
          onChange={(e) => setFingerprint(e.target.value)}
          placeholder="AB:CD:EF:…"
          spellCheck={false}
          autoComplete="off"
          data-testid="hub-fingerprint"
        />
      </Field>
      {askExisting && (
        <fieldset className="hub-existing" data-testid="hub-existing">
          <legend>{t('hub.existing.title')}</legend>
          <label className="checkbox">
            <input
              type="radio"
              name="hub-existing"
              checked={existing === 'keep'}
              onChange={() => setExisting('keep')}
            />
            <span>
              <strong>{t('hub.existing.keep')}</strong>
              <small className="note">{t('hub.existing.keepExplain')}</small>
            </span>
          </label>
          <label className="checkbox">
            <input
              type="radio"
              name="hub-existing"
              checked={existing === 'upload'}
              onChange={() => setExisting('upload')}
            />
            <span>
              <strong>{t('hub.existing.upload')}</strong>
              <small className="note">{t('hub.existing.uploadExplain')}</small>
            </span>
          </label>
        </fieldset>
      )}
      <ErrorMessage error={error} />
      <div className="row">
        <button type="submit" disabled={busy || !hubUrl.trim() || !code.trim()} data-testid="hub-join">
          {busy ? t('hub.joining') : t('hub.join')}
        </button>
        {children}
      </div>
    </form>
  );
}
