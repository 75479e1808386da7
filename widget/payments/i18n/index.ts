// The payments feature's texts: one small chunk per language, fetched for the visitor's language
// only (feature.ts merges them with the core's catalogs).
import type { I18n, MessageKey } from '../../i18n/index.ts';
import type en from './payments-en.json';

export const messages = {
  en: () => import('./payments-en.json').then((m) => m.default),
  es: () => import('./payments-es.json').then((m) => m.default),
  ar: () => import('./payments-ar.json').then((m) => m.default),
};

/** The widget's I18n, with the payments keys too. */
export type PaymentsI18n = I18n<MessageKey | keyof typeof en>;
