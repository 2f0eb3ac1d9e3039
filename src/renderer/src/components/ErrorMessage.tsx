import type { ErrorInfo } from '../../../shared/errors';
import type { StringKey } from '../i18n';
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

/** An error from the contract in the interface language, with the server's own words underneath. */
export function ErrorMessage({ error }: { error: ErrorInfo | null }): React.JSX.Element | null {
  const t = useT();
  if (!error) return null;
  const key = KNOWN[error.code];
  return (
    <div className="error-message" role="alert">
      <strong>{key ? t(key) : t('error.generic', { code: error.code })}</strong>
      <small>{error.message}</small>
    </div>
  );
}
