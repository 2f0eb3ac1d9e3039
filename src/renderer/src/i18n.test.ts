import { describe, expect, it } from 'vitest';
import { LANGUAGES, placeholders, STRINGS, translate, translatePlural } from './i18n';

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

  it('names every key missing from a language, and every key with other parameter names', () => {
    // Both directions, so a key added to English only is caught as well as one missing from it.
    for (const language of LANGUAGES) {
      for (const other of LANGUAGES) {
        const missing = Object.keys(STRINGS[language]).filter((k) => !(k in STRINGS[other]));
        expect(missing, `keys of ${language} missing from ${other}`).toEqual([]);
      }
    }
    const differing = referenceKeys.flatMap((key) => {
      const k = key as keyof (typeof STRINGS)['id'];
      const names = LANGUAGES.map((l) => placeholders(STRINGS[l][k]).join(','));
      return new Set(names).size > 1 ? [`${key}: ${names.join(' | ')}`] : [];
    });
    expect(differing).toEqual([]);
  });

  it('gives every plural key both forms with the same parameters', () => {
    const bases = new Set(
      referenceKeys.filter((k) => /\.(one|other)$/.test(k)).map((k) => k.replace(/\.(one|other)$/, '')),
    );
    expect(bases.size).toBeGreaterThan(3);
    for (const base of bases) {
      for (const language of LANGUAGES) {
        const table = STRINGS[language] as Record<string, string>;
        expect(table[`${base}.one`], `${language} ${base}.one`).toBeDefined();
        expect(table[`${base}.other`], `${language} ${base}.other`).toBeDefined();
        expect(placeholders(table[`${base}.one`])).toEqual(placeholders(table[`${base}.other`]));
        expect(placeholders(table[`${base}.other`])).toContain('count');
      }
    }
  });

  it('picks the plural form by the language’s rules and formats the count', () => {
    expect(translatePlural('en', 'people.templatesCount', 1)).toBe('1 template');
    expect(translatePlural('en', 'people.templatesCount', 0)).toBe('0 templates');
    expect(translatePlural('en', 'people.templatesCount', 1200)).toBe('1,200 templates');
    expect(translatePlural('id', 'people.templatesCount', 1)).toBe('1 templat');
    expect(translatePlural('id', 'people.templatesCount', 1200)).toBe('1.200 templat');
    expect(translatePlural('en', 'enroll.samplesCount', 1, { min: 3, max: 5 })).toBe('1 photo accepted (need 3–5)');
  });

  it('never tells someone who is done to try again', () => {
    for (const language of LANGUAGES) {
      const cooldown = Object.entries(STRINGS[language]).filter(([k]) => k.startsWith('kiosk.notice.cooldown'));
      expect(cooldown.length).toBeGreaterThan(3);
      for (const [, v] of cooldown) expect(v).not.toMatch(/coba lagi|try again|\{seconds\}/i);
    }
  });

  it('shows people no markdown: no backticks, no asterisks around words', () => {
    for (const lang of LANGUAGES) {
      for (const [key, text] of Object.entries(STRINGS[lang])) {
        expect(text, `${lang} ${key}`).not.toMatch(/`|\*\*|(^|\s)_\w[^_]*_(\s|$)/);
      }
    }
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
