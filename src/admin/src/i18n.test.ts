/**
 * The console's dictionaries: every module under ./i18n gives Bahasa Indonesia and English the same
 * keys with the same `{placeholders}`, no empty or untrimmed value, no markdown (the interface shows
 * text as it is), counted phrases in both forms; modules do not define a key twice; and every key the
 * code asks for by name exists.
 */
/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';
import { dictionaries, LANGS, placeholders, translatePlural } from './i18n';
import * as core from './i18n/core';
import * as imports from './i18n/imports';
import * as records from './i18n/records';

const MODULES: Record<string, { id: Record<string, string>; en: Record<string, string> }> = { core, records, imports };

describe.each(Object.entries(MODULES))('the %s dictionary', (_name, dict) => {
  it('has the same keys in both languages', () => {
    const ids = Object.keys(dict.id).sort();
    const ens = Object.keys(dict.en).sort();
    expect(
      ids.filter((k) => !(k in dict.en)),
      'in id, missing from en',
    ).toEqual([]);
    expect(
      ens.filter((k) => !(k in dict.id)),
      'in en, missing from id',
    ).toEqual([]);
  });

  it('has no empty, untrimmed or markdown value', () => {
    for (const lang of LANGS) {
      const bad = Object.entries(dict[lang]).filter(
        ([, v]) => typeof v !== 'string' || v.trim() === '' || v !== v.trim() || v.includes('`') || /\*\*|__/.test(v),
      );
      expect(bad, lang).toEqual([]);
    }
  });

  it('uses the same placeholders in both languages', () => {
    const differing = Object.keys(dict.id).flatMap((k) => {
      const a = placeholders(dict.id[k]).join(',');
      const b = placeholders(dict.en[k] ?? '').join(',');
      return a === b ? [] : [`${k}: {${a}} vs {${b}}`];
    });
    expect(differing).toEqual([]);
  });

  it('gives every counted phrase its other form, with the same placeholders', () => {
    // `<key>.one` is the mark of a counted phrase (a key may end in `.other` for other reasons).
    for (const lang of LANGS) {
      for (const one of Object.keys(dict[lang]).filter((k) => k.endsWith('.one'))) {
        const other = one.replace(/\.one$/, '.other');
        expect(dict[lang][other], `${lang} ${other}`).toBeDefined();
        expect(placeholders(dict[lang][one]), `${lang} ${one}`).toEqual(placeholders(dict[lang][other]));
      }
    }
  });
});

describe('the dictionaries together', () => {
  it('define no key in two modules', () => {
    const seen = new Map<string, string>();
    const twice: string[] = [];
    for (const [name, dict] of Object.entries(MODULES)) {
      for (const k of Object.keys(dict.id)) {
        if (seen.has(k)) twice.push(`${k} (${seen.get(k)} and ${name})`);
        seen.set(k, name);
      }
    }
    expect(twice).toEqual([]);
  });

  it('writes counts in the language’s numbers and picks the plural form', () => {
    expect(translatePlural('en', 'dash.people', 1)).toBe('1 person');
    expect(translatePlural('en', 'dash.people', 10000)).toBe('10,000 people');
    expect(translatePlural('id', 'dash.people', 10000)).toBe('10.000 orang');
  });

  it('has every key the code names', () => {
    // The console's sources as text (Vite reads them for the test; this runs in Node without the DOM).
    const sources = import.meta.glob(['./**/*.ts', './**/*.tsx', '!./**/*.test.ts'], {
      query: '?raw',
      import: 'default',
      eager: true,
    }) as Record<string, string>;
    expect(Object.keys(sources).length).toBeGreaterThan(5);
    const missing: string[] = [];
    for (const [f, src] of Object.entries(sources)) {
      for (const m of src.matchAll(/\bt\(\s*'([a-zA-Z][\w.-]*)'/g)) {
        if (!(m[1] in dictionaries.id)) missing.push(`${f}: ${m[1]}`);
      }
      for (const m of src.matchAll(/\b(?:tp|translatePlural\(\s*lang,)\(?\s*'([a-zA-Z][\w.-]*)'/g)) {
        if (!(`${m[1]}.one` in dictionaries.id)) missing.push(`${f}: ${m[1]}.one`);
      }
    }
    expect(missing).toEqual([]);
  });
});
