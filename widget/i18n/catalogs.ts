// Catalogs other than English, loaded on demand (each its own chunk) so English visitors download none.
import type { Catalog } from './types.ts';

export type LazyLocale = 'es' | 'ar';

export function loadCatalog(locale: LazyLocale): Promise<Catalog> {
  return (locale === 'es' ? import('./es.json') : import('./ar.json')).then((m) => m.default as Catalog);
}
