// Locale selection and formatting. Catalogs are JSON (en.json is the reference: its keys are the
// MessageKey type). Every language, English too, is a small chunk fetched on demand (catalogs.ts):
// a visitor downloads exactly the one they read.
import type { Catalog, MessageKey } from './types.ts';

export type { Catalog, MessageKey };
export { loadCatalog } from './catalogs.ts';

export const LOCALES = ['en', 'es', 'ar'] as const;
export type Locale = (typeof LOCALES)[number];
const RTL_LOCALES = new Set<string>(['ar']);

/** First supported language among the requested one and the browser's preferences; English otherwise. */
export function resolveLocale(requested?: string | null, preferred: readonly string[] = []): Locale {
  for (const tag of [requested, ...preferred]) {
    const lang = tag?.toLowerCase().split(/[-_]/)[0];
    if (lang && (LOCALES as readonly string[]).includes(lang)) return lang as Locale;
  }
  return 'en';
}

/** `K`: the keys a caller may use; a feature adds its own (FeatureModule.messages) to the core's. */
export interface I18n<K extends string = MessageKey> {
  locale: Locale;
  dir: 'ltr' | 'rtl';
  t(key: K, vars?: Record<string, string | number>): string;
  /** Plural-aware: looks up `${base}_${category}`, falling back to `${base}_other`. */
  plural(base: string, n: number): string;
  time(iso: string): string;
  /** "Today", "Yesterday" or a localized date, for day separators. */
  day(iso: string, now?: Date): string;
}

const fill = (text: string, vars?: Record<string, string | number>): string =>
  vars ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : text;

export function dayKey(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

/** Formatting for `locale` with its catalog; missing keys come from `fallback` (English, when loaded). */
export function createI18n(locale: Locale, catalog: Record<string, string>, fallback: Record<string, string> = catalog): I18n {
  const rules = new Intl.PluralRules(locale);
  const timeFmt = new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' });
  const dateFmt = new Intl.DateTimeFormat(locale, { weekday: 'long', month: 'long', day: 'numeric' });
  const numFmt = new Intl.NumberFormat(locale);
  const lookup = (key: string): string => catalog[key] ?? fallback[key] ?? key;
  return {
    locale,
    dir: RTL_LOCALES.has(locale) ? 'rtl' : 'ltr',
    t: (key, vars) => fill(lookup(key), vars),
    plural(base, n) {
      const text = catalog[`${base}_${rules.select(n)}`] ?? lookup(`${base}_other`);
      return fill(text, { n: numFmt.format(n) });
    },
    time: (iso) => timeFmt.format(new Date(iso)),
    day(iso, now = new Date()) {
      const key = dayKey(iso);
      if (key === dayKey(now.toISOString())) return lookup('today');
      const yesterday = new Date(now);
      yesterday.setDate(now.getDate() - 1);
      if (key === dayKey(yesterday.toISOString())) return lookup('yesterday');
      return dateFmt.format(new Date(iso));
    },
  };
}
