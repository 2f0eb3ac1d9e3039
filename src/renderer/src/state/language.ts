import { useCallback } from 'react';
import { create } from 'zustand';
import type { Language } from '../../../shared/contract';
import { translate, translatePlural, type PluralKey, type StringKey, type TranslateParams } from '../i18n';

/** BCP 47 locale for dates and numbers in the current language (lib/locale: no store needed there). */
export { localeOf } from '../lib/locale';

interface LanguageState {
  language: Language;
  setLanguage: (language: Language) => void;
  toggleLanguage: () => void;
}

/** The interface language: the site's default (from the status) until someone switches. */
export const useLanguage = create<LanguageState>()((set) => ({
  language: 'id',
  setLanguage: (language) => set({ language }),
  toggleLanguage: () => set((s) => ({ language: s.language === 'id' ? 'en' : 'id' })),
}));

export type Translate = (key: StringKey, params?: TranslateParams) => string;

/** The translation function for the current language; re-renders the caller when the language changes. */
export function useT(): Translate {
  const language = useLanguage((s) => s.language);
  return useCallback((key: StringKey, params?: TranslateParams) => translate(language, key, params), [language]);
}

export type TranslatePlural = (key: PluralKey, count: number, params?: TranslateParams) => string;

/** The plural-aware translation function (`<key>.one` / `<key>.other` by the language's rules). */
export function useTPlural(): TranslatePlural {
  const language = useLanguage((s) => s.language);
  return useCallback(
    (key: PluralKey, count: number, params?: TranslateParams) => translatePlural(language, key, count, params),
    [language],
  );
}
