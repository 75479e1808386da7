// The shape of a language's synonym and slang table (lexicon/en.ts, lexicon/es.ts).

export interface LexiconTable {
  /**
   * One folded word (lower case, no accents) → what retrieval reads instead: slang, abbreviations and common
   * misspellings mapped to the words the articles use ("tx" → "transaction", "plata" → "dinero"). Applied to
   * the articles and to the questions alike, so both meet on the same word.
   */
  words: Record<string, string>;
  /**
   * Folded phrases (several ways of saying one thing) → words appended to the question when one occurs
   * ("no me llego" → "recibido llegar"). A phrase matches whole words; `*` matches one optional word.
   */
  phrases: ReadonlyArray<readonly [patterns: readonly string[], adds: string]>;
  /** Folded words that carry no meaning for retrieval. */
  stopwords: readonly string[];
}
