import type { ErrorInfo } from '../../../shared/errors';
import { isStringKey, type StringKey } from '../i18n';
import { useT } from '../state/language';

const KNOWN: Partial<Record<ErrorInfo['code'], StringKey>> = {
  UNAUTHORIZED: 'error.UNAUTHORIZED',
  FORBIDDEN: 'error.FORBIDDEN',
  NOT_FOUND: 'error.NOT_FOUND',
  BAD_REQUEST: 'error.BAD_REQUEST',
  BUSY: 'error.BUSY',
  SHUT_DOWN: 'error.SHUT_DOWN',
  TIMEOUT: 'error.TIMEOUT',
  RATE_LIMITED: 'error.RATE_LIMITED',
  NO_FACE: 'error.NO_FACE',
  MULTIPLE_FACES: 'error.MULTIPLE_FACES',
  LIVENESS_UNAVAILABLE: 'error.LIVENESS_UNAVAILABLE',
};

/**
 * A refusal a person can fix, in their language: the server's machine-readable reason mapped to a
 * string (null when the reason is absent or unknown to this page).
 */
export function reasonText(error: ErrorInfo, t: ReturnType<typeof useT>): string | null {
  const key = error.reason ? `reason.${error.reason}` : '';
  if (!key || !isStringKey(key)) return null;
  const params: Record<string, string | number> = { ...error.params };
  const day = error.params?.day;
  if (typeof day === 'string' && isStringKey(`weekday.${day}`)) params.day = t(`weekday.${day}` as StringKey);
  return t(key, params);
}

/** An error from the contract in the interface language, with the server's own words underneath. */
export function ErrorMessage({ error }: { error: ErrorInfo | null }): React.JSX.Element | null {
  const t = useT();
  if (!error) return null;
  const reason = reasonText(error, t);
  if (reason) {
    // The server's English sentence says the same: not shown on a screen in Bahasa Indonesia.
    return (
      <div className="error-message" role="alert" data-reason={error.reason}>
        <strong>{reason}</strong>
      </div>
    );
  }
  const key = KNOWN[error.code];
  return (
    <div className="error-message" role="alert">
      <strong>{key ? t(key) : t('error.generic', { code: error.code })}</strong>
      <small>{error.message}</small>
    </div>
  );
}
