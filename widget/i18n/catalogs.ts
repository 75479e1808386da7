// Catalogs other than English, loaded on demand so English visitors download none of them.
// The app build (rollup.config.mjs, `lazyModules`) replaces this module: there each catalog is a
// small content-hashed script next to the app bundle. Here (npm build, tests) they are ordinary
// dynamic imports.
import type { Catalog } from './types.ts';

export type LazyLocale = 'es' | 'ar';

export function loadCatalog(locale: LazyLocale): Promise<Catalog> {
  return (locale === 'es' ? import('./es.json') : import('./ar.json')).then((m) => m.default as Catalog);
}
