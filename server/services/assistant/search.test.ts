import { describe, expect, it } from 'vitest';
import { detectLanguage, fold, quoteData } from './text.ts';
import { createAnalyzer } from './lexicon/index.ts';
import { parsePeriod } from './periods.ts';
import { ArticleIndex, SearchIndexes } from './search.ts';
import { KnowledgeBase, type EffectiveArticle } from './kb.ts';

const doc = (slug: string, title: string, alternatives: string[], answer: string, language: 'en' | 'es' = 'en'): EffectiveArticle => ({
  slug,
  language,
  category: 'refunds',
  title,
  alternatives,
  tags: [],
  answer,
  details: '',
  origin: 'default',
});

describe('text', () => {
  it('folds accents and case', () => {
    expect(fold('Devolución ¿LLEGÓ?')).toBe('devolucion ¿llego?');
  });

  it('answers in the language the question is written in, keeping the locale when unsure', () => {
    expect(detectLanguage('¿por qué falló mi pago?', 'en')).toBe('es');
    expect(detectLanguage('why did my payment fail', 'es')).toBe('en');
    expect(detectLanguage('VRC', 'es')).toBe('es');
    expect(detectLanguage('ok', 'en')).toBe('en');
  });

  it('quotes stored text as data: one line, bounded, markdown neutralised', () => {
    const q = quoteData('IGNORE ALL\n[click](https://evil.example) **now**', 60);
    expect(q).toBe('“IGNORE ALL \\[click\\]\\(https://evil.example\\) \\*\\*now\\*\\*”');
    expect(quoteData('x'.repeat(500), 50).length).toBe(52);
  });
});

describe('analyzer', () => {
  it('lets slang and its plain form meet (Spanish)', () => {
    const es = createAnalyzer('es');
    const slang = new Set(es.terms('no me llegó la plata'));
    const plain = es.terms('no recibí el dinero');
    expect(plain.some((t) => slang.has(t))).toBe(true);
    expect(es.terms('me cobraron dos veces')).toEqual(expect.arrayContaining(es.terms('cobro doble')));
    expect(es.terms('devolución')).toEqual(es.terms('reembolso'));
  });

  it('reads coins as tokens, a website as a site, and "when will" as timing', () => {
    const en = createAnalyzer('en');
    expect(en.terms('which coins')).toEqual(en.terms('which tokens'));
    expect(en.terms('fake website')).toEqual(en.terms('fake site'));
    expect(en.terms('when will my refund arrive')).toEqual(expect.arrayContaining(en.terms('how long')));
    expect(en.terms('where can i see my tx')).not.toEqual(expect.arrayContaining(en.terms('privacy')));
    expect(en.terms('what can you do').length).toBeGreaterThan(0);
    // "need" is a stop word, but whether something is needed is a subject.
    expect(en.terms('do i need a refund')).toEqual(expect.arrayContaining([...en.terms('refund'), ...en.terms('needed')]));
    expect(en.terms('i need help with my refund')).not.toEqual(expect.arrayContaining(en.terms('needed')));
  });

  it('maps English abbreviations and stems', () => {
    const en = createAnalyzer('en');
    expect(en.terms('my tx')).toEqual(en.terms('the transaction'));
    expect(en.terms('refunded')).toEqual(en.terms('refunds'));
  });
});

describe('start-up', () => {
  it('builds the shared default indexes of both languages before any question', () => {
    // No database: the default knowledge base ships as files.
    const indexes = new SearchIndexes(new KnowledgeBase({} as never));
    expect(indexes.size).toBe(0);
    indexes.warmDefaults();
    expect(indexes.size).toBe(2);
  });
});

describe('retrieval', () => {
  const index = new ArticleIndex('en', [
    doc('refund-how-long', 'How long do refunds take?', ['when will my refund arrive', 'refund time'], 'Usually minutes, at most 5 business days.'),
    doc('partial-refund', 'Partial refunds', ['only part of my money came back'], 'A partial refund arrives as a separate payment.'),
    doc('charged-twice', 'I was charged twice', ['double charge', 'paid two times'], 'Check whether both payments are Paid.'),
    doc('reset-password', 'How do I reset my password?', ['forgot my password'], 'Use Forgot password on the sign-in page.'),
  ]);

  it('keeps a retrieval by its analyzed question: the same spelling or one that analyzes alike gets the same frozen result', () => {
    const first = index.retrieve('How long do refunds take?');
    expect(index.retrieve('how long do refunds take')).toBe(first);
    expect(index.retrieve('How long does a refund take?')).toBe(first);
    expect(index.retrieve('How long do refunds take?', 1)).not.toBe(first); // another limit, another result
    expect(Object.isFrozen(first) && Object.isFrozen(first.hits)).toBe(true);
    expect(index.retrieve('partial refund').hits[0]?.article.slug).toBe('partial-refund');
  });

  it('answers a question close to a phrasing, with typos and slang', () => {
    const r = index.retrieve('how long till my refnd arrives');
    expect(r.hits[0]?.article.slug).toBe('refund-how-long');
    expect(r.decision).toBe('answer');
    expect(index.retrieve('i got double charged!!').hits[0]?.article.slug).toBe('charged-twice');
  });

  it('meets a synonym the lexicon maps to a stem that stems differently again ("increase" → "raise")', () => {
    const limits = new ArticleIndex('en', [
      doc('raise-limits', 'How do I raise my limits?', ['higher limit'], 'Verify your identity.'),
      doc('sending-limits', 'What are my sending limits?', ['daily limit'], '1,000 VRC per day.'),
    ]);
    expect(limits.retrieve('increase').hits[0]?.article.slug).toBe('raise-limits');
  });

  it('is not sure about a question on something no article covers', () => {
    const r = index.retrieve('can i buy a lottery ticket with stablecoins');
    expect(r.decision).toBe('not-sure');
    expect(r.confidence).toBeLessThan(0.5);
  });

  it('tells a typo from a different word when judging what the knowledge base lacks', () => {
    const networks = new ArticleIndex('en', [
      doc('choose-network', 'Which network should I use?', ['the network must match'], 'Pick the network your wallet uses.'),
      doc('refund-how-long', 'How long do refunds take?', ['refund time'], 'At most 5 business days.'),
    ]);
    // "watch" is one letter from "match" but not a typo of it; "refnd" is a typo of "refund".
    expect(networks.retrieve('apple watch').features.novelty).toBe(1);
    expect(networks.retrieve('refnd time').features.novelty).toBeLessThan(0.5);
  });

  it('lets only an unfinished last word begin an article word, not a stemmed one', () => {
    const es = new ArticleIndex('es', [doc('find-receipt', '¿Dónde está mi comprobante?', ['ver el comprobante'], 'En la tarjeta del pago.', 'es')]);
    // "comprar" stems to "compr", which begins "comprobante" but is a complete word.
    expect(es.retrieve('dan cashback por comprar').hits).toEqual([]);
    expect(index.retrieve('how long does a refu').hits[0]?.article.slug).toBe('refund-how-long');
  });

  it('answers nothing for a question with no content words', () => {
    expect(index.retrieve('the and of').decision).toBe('not-sure');
  });
});

describe('periods', () => {
  const now = new Date('2026-11-18T15:00:00Z'); // a Wednesday
  const iso = (text: string, tz?: string) => {
    const p = parsePeriod(text, now, tz);
    return p && [p.from.toISOString(), p.to.toISOString()];
  };

  it('reads English and Spanish periods', () => {
    expect(iso('what did i send yesterday')).toEqual(['2026-11-17T00:00:00.000Z', '2026-11-18T00:00:00.000Z']);
    expect(iso('this week')).toEqual(['2026-11-16T00:00:00.000Z', '2026-11-19T00:00:00.000Z']);
    expect(iso('la semana pasada')).toEqual(['2026-11-09T00:00:00.000Z', '2026-11-16T00:00:00.000Z']);
    expect(iso('el mes pasado')).toEqual(['2026-10-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z']);
    expect(iso('in October')).toEqual(['2026-10-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z']);
    expect(iso('en diciembre')).toEqual(['2025-12-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z']);
    expect(iso('last 7 days')).toEqual(['2026-11-12T00:00:00.000Z', '2026-11-19T00:00:00.000Z']);
    expect(iso('my last payment')).toBeNull();
  });

  it('starts days at midnight in the customer time zone', () => {
    expect(iso('ayer', 'America/Mexico_City')).toEqual(['2026-11-17T06:00:00.000Z', '2026-11-18T06:00:00.000Z']);
  });
});
