// A language's analyzer: the same steps for articles and questions (fold accents, expand slang phrases,
// map slang words, drop stop words, stem), so "no me llegó la plata" meets "no recibí el dinero".
import type { AssistantLanguage } from '../../../../protocol/assistant-values.ts';
import { fold, stem, words } from '../text.ts';
import { en } from './en.ts';
import { es } from './es.ts';
import type { LexiconTable } from './types.ts';

export type { LexiconTable };

export const LEXICONS: Record<AssistantLanguage, LexiconTable> = { en, es };

export interface Analyzer {
  language: AssistantLanguage;
  /** Folded text with the words of matching phrases appended. */
  expand(text: string): string;
  /** Retrieval terms of a text (expanded, mapped, without stop words, stemmed), in order. */
  terms(text: string): string[];
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function createAnalyzer(language: AssistantLanguage, table: LexiconTable = LEXICONS[language]): Analyzer {
  const stop = new Set(table.stopwords);
  const phrases = table.phrases.map(([patterns, adds]) => ({
    re: new RegExp(`(?:^|\\s)(?:${patterns.map((p) => escape(fold(p)).replace(/\\\*/g, '\\S*')).join('|')})(?=\\s|$)`),
    adds,
  }));
  const mapped = new Map(Object.entries(table.words).map(([k, v]) => [fold(k), words(fold(v))]));
  const stems = new Map<string, string>();
  const stemOf = (w: string) => {
    let s = stems.get(w);
    if (s === undefined) {
      s = stem(w, language);
      if (stems.size < 50_000) stems.set(w, s);
    }
    return s;
  };
  const expand = (text: string) => {
    const base = words(fold(text)).join(' ');
    const extra = phrases.filter((p) => p.re.test(` ${base}`)).map((p) => p.adds);
    return extra.length ? `${base} ${extra.join(' ')}` : base;
  };
  return {
    language,
    expand,
    terms(text) {
      const out: string[] = [];
      for (const w of words(expand(text))) {
        for (const m of mapped.get(w) ?? [w]) {
          if (!stop.has(m)) out.push(stemOf(m));
        }
      }
      return out;
    },
  };
}
