// Retrieval over a workspace's knowledge base: MiniSearch (BM25 with field boosts, fuzzy and prefix matching)
// over analyzed text (accent folding, slang table, stemming), re-ranked by how close the question is to one
// of the ways customers ask it (the title and the alternatives), and a calibrated confidence that decides
// between answering, asking "Did you mean A or B?", and offering a person.
//
// One index per (knowledge base, language): workspaces without their own articles share the default one.
// Indexes are built on first use, kept in a bounded LRU, and dropped when the knowledge base changes.
import MiniSearch from 'minisearch';
import SearchableMap from 'minisearch/SearchableMap';
import type { AssistantLanguage } from '../../../protocol/assistant-values.ts';
import { boundedCache, type BoundedCache } from '../cache.ts';
import type { EffectiveArticle, EffectiveKb, KnowledgeBase } from './kb.ts';
import { createAnalyzer, type Analyzer } from './lexicon/index.ts';
import { fold, words } from './text.ts';

export interface SearchHit {
  article: EffectiveArticle;
  /** The ranking score (BM25 scaled by the closeness to a phrasing); comparable within one search only. */
  score: number;
}

export interface RetrievalFeatures {
  /** Share of the question's terms the top article matched (0..1). */
  coverage: number;
  /** Closeness of the question to the top article's best phrasing (title or alternative), 0..1. */
  phrasing: number;
  /** (top − second) / top score, 0..1: how clearly the top article wins. */
  margin: number;
  /** IDF-weighted share of the question's terms that no article uses (0..1; a typo counts half): a subject the KB lacks. */
  novelty: number;
  /** Content terms in the question. */
  terms: number;
}

export type RetrievalDecision = 'answer' | 'clarify' | 'not-sure';

export interface Retrieval {
  hits: SearchHit[];
  features: RetrievalFeatures;
  /** Estimated probability that the top article answers the question (see CALIBRATION). */
  confidence: number;
  decision: RetrievalDecision;
}

/**
 * Logistic model of "the top article is the right one", fitted on the training split of the evaluation set
 * (eval/assistant/calibrate.ts prints a fresh fit: `npm run eval:assistant -- --calibrate`). Features as in
 * RetrievalFeatures. Thresholds: answer at ANSWER_AT and above; below it, "Did you mean A or B?" when the
 * second article is nearly as good and the two together are likely right (CLARIFY_AT); else a person.
 */
export const CALIBRATION = {
  bias: -3.71,
  coverage: 2.95,
  phrasing: 4.26,
  margin: 2.5,
  novelty: -4.08,
  ANSWER_AT: 0.5,
  CLARIFY_AT: 0.25,
  /** The second hit must score at least this share of the first to be offered beside it. */
  CLARIFY_SECOND_SHARE: 0.6,
} as const;

const FIELDS = ['title', 'alternatives', 'tags', 'answer', 'details'] as const;
const BOOST = { title: 3, alternatives: 2.5, tags: 1.5, answer: 1, details: 0.35 };
/** How much the closeness to a phrasing multiplies the BM25 score (1 + PHRASING_WEIGHT × closeness). */
const PHRASING_WEIGHT = 3;
const CANDIDATES = 12;
/** Retrievals kept per index (a few hundred bytes each). */
const RETRIEVALS_KEPT = 2000;

interface Phrasings {
  /** Each phrasing's terms with the sum of their squared weights. */
  sets: { terms: Set<string>; norm: number }[];
}

/** One language's articles of one knowledge base, searchable. Immutable: a change builds a new one. */
export class ArticleIndex {
  private readonly search: MiniSearch;
  private readonly bySlug = new Map<string, EffectiveArticle>();
  private readonly phrasings = new Map<string, Phrasings>();
  /** Inverse document frequency of each term over the articles: rare words ("partial") weigh more than common ones. */
  private readonly idf = new Map<string, number>();
  private readonly unknownIdf: number;
  /** Every term the articles use, for telling a typo ("sendin") from a word the knowledge base never uses. */
  private readonly vocabulary = new SearchableMap<true>();
  /**
   * Retrievals by analyzed question: the index never changes, so an answer computed once holds. Customers ask
   * the same few questions in many spellings that analyze alike ("How long do refunds take?", "how long does
   * a refund take"); ranking one costs milliseconds on a large knowledge base, a hit microseconds.
   */
  private readonly retrievals = boundedCache<Retrieval>({ max: RETRIEVALS_KEPT });

  constructor(
    readonly language: AssistantLanguage,
    articles: readonly EffectiveArticle[],
    private readonly analyzer: Analyzer = createAnalyzer(language),
  ) {
    this.search = new MiniSearch({
      idField: 'slug',
      fields: [...FIELDS],
      // The analyzer already folded, mapped, filtered and stemmed.
      tokenize: (text) => this.analyzer.terms(text),
      processTerm: (term) => term,
      searchOptions: {
        // The question is analyzed once, in retrieve(): its terms are already stems, and stemming a stem again
        // can change it ("rais" → "rai") so that it no longer meets the article's word.
        tokenize: (query) => query.split(' ').filter(Boolean),
        boost: BOOST,
        // Typos: one edit in words of 5+ letters, two in long ones (stems are compared, so be careful).
        fuzzy: (term) => (term.length >= 8 ? 0.25 : term.length >= 5 ? 0.2 : false),
        // Prefix matching is decided per question (retrieve): only an unfinished last word.
        weights: { fuzzy: 0.45, prefix: 0.6 },
      },
    });
    this.search.addAll(
      articles.map((a) => ({
        slug: a.slug,
        title: a.title,
        alternatives: a.alternatives.join('\n'),
        tags: a.tags.join('\n'),
        answer: a.answer,
        details: a.details,
      })),
    );
    const df = new Map<string, number>();
    for (const a of articles) {
      for (const t of new Set(this.analyzer.terms([a.title, ...a.alternatives, ...a.tags, a.answer].join('\n')))) df.set(t, (df.get(t) ?? 0) + 1);
    }
    const n = Math.max(1, articles.length);
    for (const [t, d] of df) {
      this.idf.set(t, Math.log(1 + n / d));
      this.vocabulary.set(t, true);
    }
    this.unknownIdf = Math.log(1 + n);
    for (const a of articles) {
      this.bySlug.set(a.slug, a);
      const sets = [a.title, ...a.alternatives]
        .map((p) => new Set(this.analyzer.terms(p)))
        .filter((set) => set.size)
        .map((terms) => ({ terms, norm: [...terms].reduce((sum, t) => sum + this.weight(t) ** 2, 0) }));
      this.phrasings.set(a.slug, { sets });
    }
  }

  /**
   * How surely some article uses a term: 1 when one does, ½ when one uses it give or take a typo (the same
   * edits the search forgives, first letter kept: "refnd", but not "watch" for "match"), an inflection (at
   * most two letters more: "sendin", "complaint") or, for an unfinished last word only, a beginning ("recei");
   * 0 for a word no article uses ("cashback", "gift"). Stems are short, so a stem that merely begins another
   * word ("compr" of comprar, "comprob" of comprobante) is not taken for it.
   */
  private knownness(term: string, last: boolean): number {
    if (this.idf.has(term)) return 1;
    if (term.length < 4) return 0;
    if (last && this.vocabulary.atPrefix(term).size > 0) return 0.5;
    for (let n = term.length - 1; n >= Math.max(4, term.length - 2); n--) if (this.idf.has(term.slice(0, n))) return 0.5;
    if (term.length >= 5) {
      for (const word of this.vocabulary.fuzzyGet(term, term.length >= 8 ? 2 : 1).keys()) if (word[0] === term[0]) return 0.5;
    }
    return 0;
  }

  private weight(term: string): number {
    return this.idf.get(term) ?? this.unknownIdf;
  }

  get size(): number {
    return this.bySlug.size;
  }

  article(slug: string): EffectiveArticle | undefined {
    return this.bySlug.get(slug);
  }

  articles(): IterableIterator<EffectiveArticle> {
    return this.bySlug.values();
  }

  /** Ranked articles for a question, with the features the confidence is computed from. */
  retrieve(question: string, limit = 5): Retrieval {
    const terms = [...new Set(this.analyzer.terms(question))];
    // The last word may be unfinished (the FAQ search box: "recei" → receipt), so it may begin an article's
    // word; only when the analyzer kept it as typed. A word it stemmed ("comprar" → "compr", which is no
    // "comprobante"), mapped, or a phrase's added word is complete.
    const typed = words(fold(question)).at(-1);
    const open = typed && typed.length >= 4 && terms.at(-1) === typed ? typed : null;
    // Everything below depends on these three only.
    const key = `${limit}|${open ?? ''}|${terms.join(' ')}`;
    let retrieval = this.retrievals.get(key);
    if (!retrieval) {
      // Shared by every later asker: frozen, so no caller can change another's answer.
      retrieval = this.rank(terms, open, limit);
      Object.freeze(retrieval.hits);
      Object.freeze(retrieval.features);
      this.retrievals.set(key, Object.freeze(retrieval));
    }
    return retrieval;
  }

  private rank(terms: string[], open: string | null, limit: number): Retrieval {
    if (!terms.length) return { hits: [], features: { coverage: 0, phrasing: 0, margin: 0, novelty: 0, terms: 0 }, confidence: 0, decision: 'not-sure' };
    const total = terms.reduce((sum, t) => sum + this.weight(t), 0);
    const novelty = terms.reduce((sum, t) => sum + (1 - this.knownness(t, t === open)) * this.weight(t), 0) / total;
    const raw = this.search.search(terms.join(' '), { prefix: (term) => term === open }).slice(0, CANDIDATES);
    const ranked = raw
      .map((r) => {
        const phrasing = this.closeness(terms, r.id as string);
        const covered = new Set(r.queryTerms).size / terms.length;
        return { slug: r.id as string, score: r.score * (1 + PHRASING_WEIGHT * phrasing), phrasing, coverage: Math.min(1, covered) };
      })
      .sort((a, b) => b.score - a.score || a.slug.localeCompare(b.slug));
    const top = ranked[0];
    if (!top) return { hits: [], features: { coverage: 0, phrasing: 0, margin: 0, novelty, terms: terms.length }, confidence: 0, decision: 'not-sure' };
    const second = ranked[1];
    const features: RetrievalFeatures = {
      coverage: top.coverage,
      phrasing: top.phrasing,
      margin: second ? (top.score - second.score) / top.score : 1,
      novelty,
      terms: terms.length,
    };
    const confidence = confidenceOf(features);
    const hits = ranked.slice(0, limit).map((r) => ({ article: this.bySlug.get(r.slug)!, score: r.score }));
    let decision: RetrievalDecision = 'not-sure';
    if (confidence >= CALIBRATION.ANSWER_AT) decision = 'answer';
    else if (confidence >= CALIBRATION.CLARIFY_AT && second && second.score >= CALIBRATION.CLARIFY_SECOND_SHARE * top.score) decision = 'clarify';
    return { hits, features, confidence, decision };
  }

  /** Best IDF-weighted cosine between the question's terms and one phrasing's terms (sets of stems). */
  private closeness(terms: string[], slug: string): number {
    const q = new Set(terms);
    const qNorm = terms.reduce((sum, t) => sum + this.weight(t) ** 2, 0);
    let best = 0;
    for (const { terms: set, norm } of this.phrasings.get(slug)?.sets ?? []) {
      let shared = 0;
      for (const t of set) if (q.has(t)) shared += this.weight(t) ** 2;
      const cos = shared / Math.sqrt(norm * qNorm);
      if (cos > best) best = cos;
    }
    return best;
  }
}

export function confidenceOf(f: RetrievalFeatures): number {
  const c = CALIBRATION;
  const z = c.bias + c.coverage * f.coverage + c.phrasing * f.phrasing + c.margin * f.margin + c.novelty * f.novelty;
  return 1 / (1 + Math.exp(-z));
}

export interface SearchIndexesOptions {
  /** Indexes kept in memory (one per knowledge base and language); the least recently used goes first. */
  maxIndexes?: number;
}

/** The indexes of every workspace's knowledge base, built lazily, bounded, dropped when it changes. */
export class SearchIndexes {
  private readonly indexes: BoundedCache<ArticleIndex>;
  private readonly analyzers = { en: createAnalyzer('en'), es: createAnalyzer('es') };

  constructor(
    private readonly kb: KnowledgeBase,
    opts: SearchIndexesOptions = {},
  ) {
    this.indexes = boundedCache<ArticleIndex>({ max: opts.maxIndexes ?? 64 });
    // A knowledge base's key changes with its content, so a changed one is simply not asked for again;
    // dropping its indexes frees the memory at once instead of when the LRU gets to them.
    kb.onChange((workspaceId) => {
      if (workspaceId === null) this.indexes.clear();
      else for (const key of [...this.indexes.keys()]) if (key.startsWith(`${workspaceId}:`)) this.indexes.delete(key);
    });
  }

  /** The index of a workspace's articles in one language. */
  async index(workspaceId: string, language: AssistantLanguage): Promise<ArticleIndex> {
    return this.indexOf(await this.kb.effective(workspaceId), language);
  }

  private indexOf(kb: EffectiveKb, language: AssistantLanguage): ArticleIndex {
    const key = `${kb.key}/${language}`;
    let index = this.indexes.get(key);
    if (!index) {
      // Built synchronously (milliseconds for a thousand articles), so two questions never build one twice.
      index = new ArticleIndex(language, kb.byLanguage[language], this.analyzers[language]);
      this.indexes.set(key, index);
    }
    return index;
  }

  /**
   * At start-up: the shared default indexes built and each asked once, so the first customer's question does
   * not pay for the build, the analyzers' first run and the JIT (measured on the embedded database: the first
   * English question 430 → 200 ms, the rest being the database's first statements; the first Spanish one 166 → 34 ms).
   */
  warmDefaults(): void {
    const kb = this.kb.defaultEffective();
    for (const language of ['en', 'es'] as const) this.indexOf(kb, language).retrieve(language === 'en' ? 'how long do refunds take' : 'cuánto tarda un reembolso');
  }

  async retrieve(workspaceId: string, language: AssistantLanguage, question: string, limit?: number): Promise<Retrieval> {
    return (await this.index(workspaceId, language)).retrieve(question, limit);
  }

  /** Number of indexes in memory (for the bench and tests). */
  get size(): number {
    return this.indexes.size;
  }
}
