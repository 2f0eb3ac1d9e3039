import { useCallback } from 'react';
import { create } from 'zustand';
import { translate, type Language, type StringKey } from './i18n';

interface LanguageState {
  language: Language;
  setLanguage: (language: Language) => void;
  toggleLanguage: () => void;
}

export const useLanguage = create<LanguageState>()((set) => ({
  language: 'id',
  setLanguage: (language) => set({ language }),
  toggleLanguage: () => set((s) => ({ language: s.language === 'id' ? 'en' : 'id' })),
}));

/** The translation function for the current language; re-renders the caller when the language changes. */
export function useT(): (key: StringKey) => string {
  const language = useLanguage((s) => s.language);
  return useCallback((key: StringKey) => translate(language, key), [language]);
}
