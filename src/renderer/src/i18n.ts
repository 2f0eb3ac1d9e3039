/** Interface strings. Bahasa Indonesia is the default; English is the second language. */
export type Language = 'id' | 'en';

export const LANGUAGES: readonly Language[] = ['id', 'en'];

const STRINGS = {
  id: {
    title: 'Hadir — absensi wajah',
    preparing: 'Mesin pengenal wajah sedang disiapkan',
    switchLanguage: 'English',
    version: 'Versi',
  },
  en: {
    title: 'Hadir — face attendance',
    preparing: 'The face recognition engine is being prepared',
    switchLanguage: 'Bahasa Indonesia',
    version: 'Version',
  },
} as const satisfies Record<Language, Record<string, string>>;

export type StringKey = keyof (typeof STRINGS)['id'];

export function translate(language: Language, key: StringKey): string {
  return STRINGS[language][key];
}
