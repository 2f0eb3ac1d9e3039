import type { Language } from '../../../shared/contract';

/**
 * BCP 47 locale for dates and numbers in an interface language. Kept apart from the language store
 * (state/language re-exports it) so that lib/dates, and the hub console that reuses it, need no store.
 */
export function localeOf(language: Language): string {
  return language === 'id' ? 'id-ID' : 'en-GB';
}
