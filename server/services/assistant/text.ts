// Text handling shared by retrieval and intent detection: accent folding, tokens, the language of a question,
// and quoting stored data (memos, names, failure messages) so it can never become markup or instructions.
import { stemmer as stemEnglish } from '@orama/stemmers/english';
import { stemmer as stemSpanish } from '@orama/stemmers/spanish';
import type { AssistantLanguage } from '../../../protocol/assistant-values.ts';

/** Every combining mark: accents, and the hamza or vowel marks NFD splits off Arabic letters (أ → ا). */
const COMBINING_MARKS = /\p{M}/gu;

/** Lower-cased, accents removed ("Devolución" → "devolucion"), so "llegó" and "llego" meet. */
export function fold(text: string): string {
  return text.normalize('NFD').replace(COMBINING_MARKS, '').toLowerCase();
}

/** Letters and digits runs of a folded text; apostrophes join ("didn't" → "didnt"). */
export function words(folded: string): string[] {
  return folded.replace(/['’`´]/g, '').match(/[\p{L}\p{N}]+/gu) ?? [];
}

const STEMMERS: Record<AssistantLanguage, (word: string) => string> = { en: stemEnglish, es: stemSpanish };

/** The stem of a folded word; short words and numbers are kept as they are (stemmers mangle "tx", "2fa"). */
export function stem(word: string, language: AssistantLanguage): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  return STEMMERS[language](word);
}

// Words that tell the two languages apart, folded. Common, short, and rare in the other language.
const MARKERS: Record<AssistantLanguage, Set<string>> = {
  en: new Set(
    'the my is was why how what when where did does do i you your me it its im ive dont didnt cant wont hasnt havent not to of and for with from this that can will would should please pls thanks thank hello hi hey payment money sent send refund receipt account wallet help get got still yet there are have has been'.split(
      ' ',
    ),
  ),
  es: new Set(
    'el la los las mi mis es fue por porque que como cuando donde cuanto cuanta cual cuales hice hace hacer tengo tiene tienen hay no me mi se lo le un una unos de del al para con sin esta este estoy estan ya todavia aun pero y o si hola gracias buenas dias tardes noches pago pagos plata dinero envie envio enviar recibir recibi reembolso recibo cuenta billetera ayuda quiero puedes puede puedo necesito llego cobran cobraron cobrar hablar persona asesor mande pague sigue dice'.split(
      ' ',
    ),
  ),
};
/** Marks that only Spanish writes. */
const SPANISH_SIGNS = /[¿¡ñ]|ción\b|[áéíóú]/i;

/**
 * The language of a question: the widget's locale unless the question is clearly in the other one
 * (a Spanish speaker on an English storefront). Short or mixed questions keep the locale.
 */
export function detectLanguage(text: string, locale: AssistantLanguage): AssistantLanguage {
  const tokens = words(fold(text));
  let en = 0;
  let es = 0;
  for (const t of tokens) {
    if (MARKERS.en.has(t)) en++;
    if (MARKERS.es.has(t)) es++;
  }
  if (SPANISH_SIGNS.test(text)) es += 2;
  if (locale === 'en' && es >= 2 && es > en * 1.5) return 'es';
  if (locale === 'es' && en >= 2 && en > es * 1.5 && !SPANISH_SIGNS.test(text)) return 'en';
  return locale;
}

/** Characters markdown gives meaning to; stored text shows them literally. */
const MARKDOWN = /[\\`*_{}[\]()<>#+!|~]/g;

/**
 * Stored free text (a memo, a name, a failure message) as it may appear in an answer: one line, no markup,
 * bounded, in quotes. It is data: nothing in it is ever obeyed or rendered as a link.
 */
export function quoteData(value: string, max = 120): string {
  const line = value.replace(/\s+/g, ' ').trim();
  const cut = line.length > max ? `${line.slice(0, max - 1)}…` : line;
  return `“${cut.replace(MARKDOWN, (c) => `\\${c}`)}”`;
}

/** Like quoteData without the quotes: a counterparty's name in running text. */
export function plainData(value: string, max = 80): string {
  return quoteData(value, max).slice(1, -1);
}
