import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { en, type MessageKey } from './en';
import { fr } from './fr';

export type Locale = 'en' | 'fr';
const CATALOGUES: Record<Locale, Record<MessageKey, string>> = { en, fr };
const LOCALE_KEY = 'dutybook.locale';

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

interface I18n {
  locale: Locale;
  setLocale: (locale: Locale) => void;
  t: Translate;
  /** A date (YYYY-MM-DD, a calendar day: never shifted by a time zone) in the user's locale. */
  formatDay: (day: string | null | undefined) => string;
  /** An instant in the user's locale, in `timeZone` when given. */
  formatInstant: (iso: string, timeZone?: string) => string;
  formatNumber: (n: number) => string;
}

/** The browser's language when it is one we have, English otherwise; a choice made in the menu wins. */
export function initialLocale(): Locale {
  const saved = typeof localStorage === 'undefined' ? null : localStorage.getItem(LOCALE_KEY);
  if (saved === 'en' || saved === 'fr') return saved;
  const languages = typeof navigator === 'undefined' ? [] : navigator.languages;
  return languages.some((l) => l.toLowerCase().startsWith('fr')) ? 'fr' : 'en';
}

export function translator(locale: Locale): Translate {
  const catalogue = CATALOGUES[locale];
  return (key, values) => catalogue[key].replace(/\{(\w+)\}/g, (whole, name: string) => (values?.[name] ?? whole).toString());
}

const Context = createContext<I18n | null>(null);

export function I18nProvider({ children, locale: fixed }: { children: ReactNode; locale?: Locale }): ReactNode {
  const [locale, setLocaleState] = useState<Locale>(fixed ?? initialLocale());
  const setLocale = useCallback((next: Locale) => {
    localStorage.setItem(LOCALE_KEY, next);
    document.documentElement.lang = next;
    setLocaleState(next);
  }, []);
  const value = useMemo<I18n>(() => {
    const tag = locale === 'fr' ? 'fr-FR' : 'en-GB';
    const day = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeZone: 'UTC' });
    const number = new Intl.NumberFormat(tag);
    return {
      locale,
      setLocale,
      t: translator(locale),
      formatDay: (d) => (d ? day.format(new Date(`${d}T00:00:00Z`)) : '—'),
      formatInstant: (iso, timeZone) =>
        new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'short', ...(timeZone ? { timeZone } : {}) }).format(new Date(iso)),
      formatNumber: (n) => number.format(n),
    };
  }, [locale, setLocale]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(Context);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
