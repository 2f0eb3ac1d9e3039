/**
 * An error as a sentence in the interface language: what happened and what to do, never a raw code.
 * A 429 says how many minutes to wait; a server fault gives the request id, which the hub's log carries.
 */
import { ApiError } from '../api';
import { translatePlural, translate, type Lang } from '../i18n';

/** `context`: what was being done, for the few cases where that changes the sentence. */
export function errorText(e: unknown, lang: Lang, context: 'signin' | 'load' | 'save' = 'load'): string {
  const t = (key: string, vars?: Record<string, string | number>) => translate(lang, key, vars);
  if (!(e instanceof ApiError)) return t('error.unexpected');
  switch (e.status) {
    case 0:
      return t('error.unreachable');
    case 400:
    case 422:
      return t('error.badRequest');
    case 401:
      return context === 'signin' ? t('signin.wrong') : t('error.sessionEnded');
    case 403:
      return t('error.forbidden');
    case 404:
      return t('error.notFound');
    case 409:
      return t('error.conflict');
    case 429: {
      const minutes = Math.max(1, Math.ceil((e.retryAfterS ?? 60) / 60));
      return translatePlural(lang, context === 'signin' ? 'signin.throttled' : 'error.rateLimited', minutes);
    }
    case 503:
      return t('error.busy');
    default:
      return e.status >= 500 && e.requestId
        ? t('error.serverWithId', { id: e.requestId })
        : e.status >= 500
          ? t('error.server')
          : t('error.unexpected');
  }
}
