// The settings' texts: their own catalogs, in the settings chunk (English) or a chunk of their own (Spanish),
// with console/i18n's conventions: `{var}` placeholders, plural keys `_one`/`_other`.
import en from './en.json';
import type { Locale } from '../../i18n/index.ts';

export type AKey = keyof typeof en;

export interface AdminText {
  locale: Locale;
  t(key: AKey, vars?: Record<string, string | number>): string;
  plural(base: string, n: number, vars?: Record<string, string | number>): string;
  dateTime(iso: string): string;
}

const fill = (text: string, vars?: Record<string, string | number>) =>
  vars ? text.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m)) : text;

export function createAdminText(locale: Locale, catalog: Record<string, string> = en): AdminText {
  const lookup = (k: string) => catalog[k] ?? (en as Record<string, string>)[k] ?? k;
  const rules = new Intl.PluralRules(locale);
  const fmt = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  return {
    locale,
    t: (k, vars) => fill(lookup(k), vars),
    plural: (base, n, vars) => fill(catalog[`${base}_${rules.select(n)}`] ?? lookup(`${base}_other`), { n, ...vars }),
    dateTime: (iso) => fmt.format(new Date(iso)),
  };
}

const cache = new Map<Locale, AdminText>([['en', createAdminText('en')]]);
export const cachedAdminText = (locale: Locale) => cache.get(locale) ?? null;

export async function loadAdminText(locale: Locale): Promise<AdminText> {
  const hit = cache.get(locale);
  if (hit) return hit;
  const text = createAdminText(locale, (await import('./es.json')).default);
  cache.set(locale, text);
  return text;
}
