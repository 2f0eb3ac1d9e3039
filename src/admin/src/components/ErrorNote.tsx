/**
 * A hub error in the interface language. Where the screen knows more than the shell's general sentence
 * (errorText), a sentence of its own per error code (`rec.error.<context>.<CODE>`); the hub's own text,
 * which is English, only as a detail under it and labelled as such.
 */
import { ApiError } from '../api';
import { dictionaries, useLang, useT } from '../i18n';
import { errorText } from '../lib/errors';

export function ErrorNote(props: { error: ApiError | null; context?: string; action?: 'load' | 'save' }) {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const e = props.error;
  if (!e) return null;
  const key = props.context ? `rec.error.${props.context}.${e.code}` : null;
  const sentence = key && dictionaries.id[key] ? t(key) : errorText(e, lang, props.action ?? 'load');
  // A refusal's detail helps (which field); a server fault's or a lost network's does not.
  const detail = e.status >= 400 && e.status < 500 && e.status !== 401 && e.message ? e.message : null;
  return (
    <div className="error" role="alert" data-code={e.code}>
      <p>{sentence}</p>
      {detail ? <p className="small">{t('rec.error.detail', { message: detail })}</p> : null}
    </div>
  );
}
