// The catalogs, each its own small chunk fetched on demand, so a visitor downloads only the language
// they read (English included: it is one of three, not a built-in).
import type { Catalog, Locale } from './index.ts';

const CATALOGS: Record<Locale, () => Promise<{ default: unknown }>> = {
  en: () => import('./en.json'),
  es: () => import('./es.json'),
  ar: () => import('./ar.json'),
};

export function loadCatalog(locale: Locale): Promise<Catalog> {
  return CATALOGS[locale]().then((m) => m.default as Catalog);
}
