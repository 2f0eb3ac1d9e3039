/**
 * The console's strings. Bahasa Indonesia is the default and the reference: each dictionary module in
 * ./i18n exports `id` and `en` with the same keys (i18n.test.ts checks parity and placeholders). The
 * chosen language is kept in localStorage.
 */
import { useCallback } from 'react';
import { create } from 'zustand';
import * as core from './i18n/core';
import * as imports from './i18n/imports';
import * as records from './i18n/records';

export type Lang = 'id' | 'en';
export const LANGS: readonly Lang[] = ['id', 'en'];

export const dictionaries: Record<Lang, Record<string, string>> = {
  id: { ...core.id, ...records.id, ...imports.id },
  en: { ...core.en, ...records.en, ...imports.en },
};

const STORAGE_KEY = 'hadir.console.lang';

function initialLang(): Lang {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    if (v === 'en' || v === 'id') return v;
  } catch {
    // storage unavailable: the default
  }
  return 'id';
}

export const useLang = create<{ lang: Lang; setLang: (l: Lang) => void }>((set) => ({
  lang: initialLang(),
  setLang: (lang) => {
    try {
      localStorage.setItem(STORAGE_KEY, lang);
    } catch {
      // not kept: still switched for this page
    }
    document.documentElement.lang = lang;
    set({ lang });
  },
}));

export type Vars = Record<string, string | number>;

export function translate(lang: Lang, key: string, vars: Vars = {}): string {
  const s = dictionaries[lang][key] ?? dictionaries.id[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

/** `t` for the current language; re-renders when it changes (the same function while it does not). */
export function useT(): (key: string, vars?: Vars) => string {
  const lang = useLang((s) => s.lang);
  return useCallback((key: string, vars?: Vars) => translate(lang, key, vars), [lang]);
}

/** Locale tag for Intl (numbers, dates) in the interface language. */
export const localeOf = (lang: Lang): string => (lang === 'id' ? 'id-ID' : 'en-GB');

/**
 * A counted phrase: `<key>.one` or `<key>.other` by the language's plural rules (Indonesian has one
 * form, so both are the same there), with `{count}` written in the language's number format.
 */
export function translatePlural(lang: Lang, key: string, count: number, vars: Vars = {}): string {
  const form = new Intl.PluralRules(localeOf(lang)).select(count) === 'one' ? 'one' : 'other';
  return translate(lang, `${key}.${form}`, { ...vars, count: new Intl.NumberFormat(localeOf(lang)).format(count) });
}

export function useTPlural(): (key: string, count: number, vars?: Vars) => string {
  const lang = useLang((s) => s.lang);
  return useCallback((key: string, count: number, vars?: Vars) => translatePlural(lang, key, count, vars), [lang]);
}

/** The `{name}`s of a string, sorted: a translation must use the same ones. */
export function placeholders(s: string): string[] {
  return [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
}
