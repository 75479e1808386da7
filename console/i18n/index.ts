// The console's texts, the widget's approach (widget/i18n): JSON catalogs, `{var}` placeholders, plural keys
// `_one`/`_other`. English is in the first load; Spanish is a chunk fetched when chosen.
import en from './en.json';

export type Key = keyof typeof en;
export const LOCALES = ['en', 'es'] as const;
export type Locale = (typeof LOCALES)[number];

export interface I18n {
  locale: Locale;
  t(key: Key, vars?: Record<string, string | number>): string;
  plural(base: string, n: number): string;
  time(iso: string): string;
  dateTime(iso: string): string;
  day(iso: string, now?: Date): string;
  /** "3m", "2h", "4d": how long ago (waiting times). */
  ago(iso: string, now?: number): string;
}

const fill = (text: string, vars?: Record<string, string | number>) =>
  vars ? text.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m)) : text;

export function resolveLocale(stored: string | null, preferred: readonly string[]): Locale {
  for (const tag of [stored, ...preferred]) {
    const lang = tag?.toLowerCase().split(/[-_]/)[0];
    if (lang === 'en' || lang === 'es') return lang;
  }
  return 'en';
}

export async function loadCatalog(locale: Locale): Promise<Record<string, string>> {
  return locale === 'es' ? (await import('./es.json')).default : en;
}

const dayKey = (d: Date) => `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;

export function createI18n(locale: Locale, catalog: Record<string, string> = en): I18n {
  const lookup = (k: string) => catalog[k] ?? (en as Record<string, string>)[k] ?? k;
  const rules = new Intl.PluralRules(locale);
  const timeFmt = new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' });
  const dateTimeFmt = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const dayFmt = new Intl.DateTimeFormat(locale, { weekday: 'long', month: 'long', day: 'numeric' });
  return {
    locale,
    t: (k, vars) => fill(lookup(k), vars),
    plural: (base, n) => fill(catalog[`${base}_${rules.select(n)}`] ?? lookup(`${base}_other`), { n }),
    time: (iso) => timeFmt.format(new Date(iso)),
    dateTime: (iso) => dateTimeFmt.format(new Date(iso)),
    day(iso, now = new Date()) {
      const d = new Date(iso);
      if (dayKey(d) === dayKey(now)) return lookup('today');
      if (dayKey(d) === dayKey(new Date(now.getTime() - 86_400_000))) return lookup('yesterday');
      return dayFmt.format(d);
    },
    ago(iso, now = Date.now()) {
      const s = Math.max(0, (now - Date.parse(iso)) / 1000);
      if (s < 60) return lookup('time.now');
      if (s < 3600) return fill(lookup('time.m'), { n: Math.floor(s / 60) });
      if (s < 86_400) return fill(lookup('time.h'), { n: Math.floor(s / 3600) });
      return fill(lookup('time.d'), { n: Math.floor(s / 86_400) });
    },
  };
}
