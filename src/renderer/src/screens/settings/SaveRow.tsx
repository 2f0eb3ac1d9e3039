import { useEffect, useState } from 'react';
import type { ErrorInfo } from '../../../../shared/errors';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useT } from '../../state/language';
import { useUnsaved } from '../../state/unsaved';

/**
 * A section's Save button with its outcome right beside it ("Tersimpan." or the error, in the
 * interface language), where the admin is looking — not at the top of a long page. It also tells the
 * shell whether the section has unsaved edits, so leaving the screen asks first.
 */
export function SaveRow({
  section,
  dirty,
  onSave,
  disabled,
}: {
  section: string;
  dirty: boolean;
  onSave: () => Promise<ErrorInfo | null>;
  disabled?: boolean;
}): React.JSX.Element {
  const t = useT();
  const mark = useUnsaved((s) => s.mark);
  const [outcome, setOutcome] = useState<{ ok: true } | { ok: false; error: ErrorInfo } | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    mark(section, dirty);
    // A new edit after a save: the old "saved" no longer describes what is on screen.
    if (dirty) setOutcome((o) => (o?.ok ? null : o));
  }, [mark, section, dirty]);
  useEffect(() => () => mark(section, false), [mark, section]);

  const save = async (): Promise<void> => {
    setBusy(true);
    setOutcome(null);
    const error = await onSave();
    setBusy(false);
    setOutcome(error ? { ok: false, error } : { ok: true });
  };

  return (
    <div className="save-row" data-testid={`save-${section}`}>
      <div className="row">
        <button type="button" disabled={busy || disabled} onClick={() => void save()}>
          {t('common.save')}
        </button>
        {outcome?.ok && (
          <span className="save-ok" role="status" data-testid={`saved-${section}`}>
            ✓ {t('settings.saved')}
          </span>
        )}
        {!outcome && dirty && <span className="note">{t('settings.unsaved')}</span>}
      </div>
      {outcome && !outcome.ok && <ErrorMessage error={outcome.error} />}
    </div>
  );
}
