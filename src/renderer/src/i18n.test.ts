import { describe, expect, it } from 'vitest';
import { LANGUAGES, placeholders, STRINGS, translate } from './i18n';

describe('interface strings', () => {
  const [reference, ...others] = LANGUAGES;
  const referenceKeys = Object.keys(STRINGS[reference]).sort();

  it('has at least the kiosk’s strings', () => {
    expect(referenceKeys.length).toBeGreaterThan(100);
  });

  for (const language of others) {
    it(`${language} has exactly the keys of ${reference}`, () => {
      expect(Object.keys(STRINGS[language]).sort()).toEqual(referenceKeys);
    });
  }

  for (const language of LANGUAGES) {
    it(`${language} has no empty or untrimmed value`, () => {
      const bad = Object.entries(STRINGS[language]).filter(
        ([, v]) => typeof v !== 'string' || v.trim() === '' || v !== v.trim(),
      );
      expect(bad).toEqual([]);
    });
  }

  it('every language uses the same placeholders for a key', () => {
    const mismatched = referenceKeys.filter((key) =>
      others.some(
        (l) =>
          JSON.stringify(placeholders(STRINGS[l][key as keyof (typeof STRINGS)['id']])) !==
          JSON.stringify(placeholders(STRINGS[reference][key as keyof (typeof STRINGS)['id']])),
      ),
    );
    expect(mismatched).toEqual([]);
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('id', 'kiosk.greeting.morning', { name: 'Siti' })).toBe('Selamat pagi, Siti');
    expect(translate('en', 'kiosk.greeting.morning', { name: 'Siti' })).toBe('Good morning, Siti');
    expect(translate('en', 'kiosk.card.checkedIn')).toBe('Checked in at {time}');
  });

  it('Bahasa Indonesia and English really differ (no untranslated copy-paste) for sentences', () => {
    const same = referenceKeys.filter((key) => {
      const k = key as keyof (typeof STRINGS)['id'];
      return STRINGS.id[k] === STRINGS.en[k] && STRINGS.id[k].includes(' ');
    });
    // Names of the languages themselves are the same in both.
    expect(same.filter((k) => !k.startsWith('language.'))).toEqual([]);
  });
});
