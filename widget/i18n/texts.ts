// Which texts the widget has, per language: the core catalog (each language a chunk fetched on demand)
// plus the texts of each feature that has arrived (FeatureModule.messages). Texts are fetched only for
// the languages the visitor may see, and a language counts as available (the App switches to it) once
// its core catalog is here, with every arrived feature's texts merged in. English is fetched when it
// is the visitor's language, or when theirs cannot be loaded.
import type { FeatureMessages } from '../feature.ts';
import { createStore, type Store } from '../state/store.ts';
import { loadCatalog, type Catalog, type Locale } from './index.ts';

type Texts = Record<string, string>;

export interface TextsOptions {
  warn(message: string, e: unknown): void;
  /** Where core catalogs come from (the lazy chunks, by default). */
  load?: (locale: Locale) => Promise<Catalog>;
}

export interface TextStore {
  /** Complete catalogs per language, as they arrive. */
  catalogs: Store<Partial<Record<Locale, Catalog>>>;
  /** The visitor may see this language: fetch its catalog, and its texts of every feature so far. */
  show(locale: Locale): Promise<void>;
  /** A feature arrived: fetch its texts for every language shown so far. */
  addFeature(messages: FeatureMessages): Promise<void>;
}

export function createTexts({ warn, load = loadCatalog }: TextsOptions): TextStore {
  const catalogs = createStore<Partial<Record<Locale, Catalog>>>({});
  const shown = new Map<Locale, Promise<void>>();
  const features: FeatureMessages[] = [];
  /** Feature texts per language, kept until (and after) the core catalog arrives. */
  const extra = new Map<Locale, Texts>();

  const merge = (locale: Locale, texts: Texts): void => {
    extra.set(locale, { ...extra.get(locale), ...texts });
    catalogs.set((s) => (s[locale] ? { ...s, [locale]: { ...texts, ...s[locale] } } : s));
  };
  // A feature without this language falls back to its English texts (i18n falls back to English too).
  const featureTexts = (m: FeatureMessages, locale: Locale): Promise<void> =>
    (m[locale] ?? m.en)?.().then(
      (texts) => merge(locale, texts),
      (e: unknown) => warn(`Could not load some "${locale}" texts.`, e),
    ) ?? Promise.resolve();

  const texts: TextStore = {
    catalogs,
    show(locale) {
      let p = shown.get(locale);
      if (!p) {
        p = Promise.all([
          load(locale).then(
            (catalog) => catalogs.set((s) => ({ ...s, [locale]: { ...extra.get(locale), ...catalog } })),
            (e: unknown) => {
              warn(`Could not load the "${locale}" texts; using English.`, e);
              return locale === 'en' ? undefined : texts.show('en');
            },
          ),
          ...features.map((m) => featureTexts(m, locale)),
        ]).then(() => undefined);
        shown.set(locale, p);
      }
      return p;
    },
    async addFeature(messages) {
      features.push(messages);
      await Promise.all([...shown.keys()].map((locale) => featureTexts(messages, locale)));
    },
  };
  return texts;
}
