// The assistant's texts (the help panel's too): one small chunk per language, fetched for the visitor's
// language only (feature.ts merges them with the core's catalogs).
import type { I18n, MessageKey } from '../../i18n/index.ts';
import type en from './assistant-en.json';

export const messages = {
  en: () => import('./assistant-en.json').then((m) => m.default),
  es: () => import('./assistant-es.json').then((m) => m.default),
  ar: () => import('./assistant-ar.json').then((m) => m.default),
};

/** The widget's I18n, with the assistant's keys too. */
export type AssistantI18n = I18n<MessageKey | keyof typeof en>;
