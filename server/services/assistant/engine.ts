// The embedded answer engine: no network, no model. A question is classified (intents.ts), then answered
// from the customer's own payments (payments-tools.ts), the workspace's knowledge base (search.ts), or with
// a short fixed reply; a person is offered whenever the engine is not confident, and directly after two
// misses in a row. Deterministic: the same input (with `now`) gives the same answer.
import { MAX_MESSAGE_LENGTH } from '../../../protocol/limits.ts';
import { MISS_ROUTES, type AssistantAction, type AssistantLanguage, type AssistantRoute } from '../../../protocol/assistant-values.ts';
import { AppError } from '../../errors.ts';
import type { AnswerInput, Answerer, AssistantAnswer, ConversationContext } from './answerer.ts';
import { classify, hashPrefixIn, type Intent } from './intents.ts';
import type { EffectiveArticle, KnowledgeBase } from './kb.ts';
import { linkedSlugs } from './kb.ts';
import { failureReason, type Counterparty, type CustomerScope, type Direction, type PaymentFact, type PaymentTools, type PaymentToolName } from './payments-tools.ts';
import { parsePeriod, type Period } from './periods.ts';
import { describePayment, fill, listAmounts, nameOf, paymentPhrase, periodText, plural, T, when } from './replies.ts';
import type { Retrieval, SearchIndexes } from './search.ts';
import { detectLanguage, fold, quoteData, words } from './text.ts';
import type { PaymentStatus } from '../../../protocol/values.ts';

export interface EngineDeps {
  kb: KnowledgeBase;
  search: SearchIndexes;
  payments: PaymentTools;
}

type Draft = Omit<AssistantAnswer, 'language'>;

const empty = (route: AssistantRoute, text: string, confidence: number): Draft => ({
  route,
  text,
  sources: { articles: [], payments: [] },
  followUps: [],
  actions: [],
  confidence,
  handoff: false,
  paymentTools: [],
});

export class EmbeddedEngine implements Answerer {
  readonly name = 'embedded';

  constructor(private readonly deps: EngineDeps) {}

  async answer(input: AnswerInput, signal?: AbortSignal): Promise<AssistantAnswer> {
    const question = input.text.trim();
    if (!question) throw new AppError('VALIDATION_FAILED', 'The question is empty.');
    if (question.length > MAX_MESSAGE_LENGTH) throw new AppError('PAYLOAD_TOO_LARGE', `A question is at most ${MAX_MESSAGE_LENGTH} characters.`);
    if (input.principal.workspaceId !== undefined && input.principal.workspaceId !== input.workspaceId) {
      throw new AppError('FORBIDDEN', 'The principal belongs to another workspace.');
    }
    const context = input.context ?? { recent: [] };
    const { intent, text } = classify(question, offeredPerson(context));
    const lang = detectLanguage(text, input.locale);
    const env: Env = {
      input,
      lang,
      text,
      now: input.now ?? new Date(),
      tz: input.timeZone ?? 'UTC',
      misses: consecutiveMisses(context),
    };
    const draft = await this.route(intent, env);
    signal?.throwIfAborted();
    return { ...draft, language: lang, followUps: draft.followUps.slice(0, 3) };
  }

  private async route(intent: Intent, env: Env): Promise<Draft> {
    const { lang } = env;
    switch (intent.kind) {
      case 'handoff':
      case 'affirm':
        return { ...empty('handoff', T.handoff[lang], 1), handoff: true };
      case 'decline':
        return { ...empty('smalltalk', T.declined[lang], 1), followUps: [...T.followUps.general[lang]] };
      case 'smalltalk':
        return { ...empty('smalltalk', T.smalltalk[intent.topic][lang], 0.95), followUps: [...T.followUps.general[lang]] };
      case 'refuse':
        return this.refuse(intent, env);
      case 'own-payment':
        return this.ownPayment(intent.tool, env);
      case 'question':
        return this.faq(env);
    }
  }

  // --- Refusals ------------------------------------------------------------------------------------------

  private async refuse(intent: Extract<Intent, { kind: 'refuse' }>, env: Env): Promise<Draft> {
    const { lang } = env;
    if (intent.topic !== 'money-action' || !intent.action) {
      return { ...empty('refuse', T.refuse[intent.topic][lang], 0.9), followUps: [...T.followUps.general[lang]] };
    }
    // The customer can do it themselves (or the recipient can): say how, from the knowledge base.
    const slug = { refund: 'request-refund', send: 'send-payment', cancel: 'cancel-payment' }[intent.action];
    const article = await this.deps.kb.get(env.input.workspaceId, lang, slug);
    const how = article ? fill(T.howYourself[lang], { answer: article.answer }) : '';
    const draft = empty('refuse', fill(T.refuse['money-action'][lang], { action: T.action[intent.action][lang], how }).trim(), 0.9);
    if (article) withArticles(draft, [article]);
    draft.actions.push({ type: 'handoff' });
    return draft;
  }

  // --- Knowledge base ------------------------------------------------------------------------------------

  private async faq(env: Env): Promise<Draft> {
    const retrieval = await this.deps.search.retrieve(env.input.workspaceId, env.lang, env.text);
    const [top, second] = retrieval.hits;
    if (retrieval.decision === 'answer' && top) return this.articleAnswer(top.article, retrieval, env);
    if (retrieval.decision === 'clarify' && top && second && env.misses === 0) {
      const draft = empty('clarify', fill(T.clarify[env.lang], { a: top.article.title, b: second.article.title }), retrieval.confidence);
      withArticles(draft, [top.article, second.article]);
      draft.followUps = [top.article.title, second.article.title];
      return draft;
    }
    return this.notSure(env, retrieval.confidence);
  }

  private async articleAnswer(article: EffectiveArticle, retrieval: Retrieval, env: Env): Promise<Draft> {
    const draft = empty('faq', article.answer, retrieval.confidence);
    withArticles(draft, [article]);
    draft.followUps = await this.related(article, env);
    return draft;
  }

  /** Titles of the articles this one links to (then others of its category), as next questions. */
  private async related(article: EffectiveArticle, env: Env): Promise<string[]> {
    const index = await this.deps.search.index(env.input.workspaceId, env.lang);
    const out: string[] = [];
    for (const slug of linkedSlugs(article.details)) {
      const a = index.article(slug);
      if (a && a.slug !== article.slug) out.push(a.title);
      if (out.length === 3) return out;
    }
    for (const a of index.articles()) {
      if (out.length === 3) break;
      if (a.category === article.category && a.slug !== article.slug && !out.includes(a.title)) out.push(a.title);
    }
    return out;
  }

  /** Never "please rephrase": a person is offered, and after a miss, offered as the way forward. */
  private notSure(env: Env, confidence: number): Draft {
    const draft = empty('not-sure', env.misses >= 1 ? T.secondMiss[env.lang] : T.notSure[env.lang], confidence);
    draft.actions.push({ type: 'handoff' });
    return draft;
  }

  // --- Own payments ----------------------------------------------------------------------------------------

  private async ownPayment(tool: PaymentToolName, env: Env): Promise<Draft> {
    const { principal } = env.input;
    if (principal.kind !== 'customer' || !principal.externalId) return this.signIn(tool, env);
    // The scope: the session's workspace and the signed-in customer. Nothing from the question goes in here.
    const scope: CustomerScope = { workspaceId: env.input.workspaceId, externalId: principal.externalId };
    const ask = await this.readQuestion(scope, env);
    if (ask.unknownPerson) {
      const draft = empty(
        'payments',
        env.lang === 'es'
          ? 'No encontré pagos entre tú y alguien con ese nombre. Solo veo tus propios pagos y las personas con las que pagaste o cobraste.'
          : "I couldn't find payments between you and anyone by that name. I only see your own payments and the people you paid or were paid by.",
        0.8,
      );
      draft.paymentTools = [tool];
      draft.followUps = [...T.followUps.payments[env.lang]];
      return draft;
    }
    const run = {
      'last-payment': () => this.lastPayment(scope, ask, env),
      details: () => this.lastPayment(scope, ask, env, true),
      'why-failed': () => this.whyFailed(scope, ask, env),
      pending: () => this.pending(scope, env),
      refunds: () => this.refunds(scope, ask, env),
      sum: () => this.sum(scope, ask, env),
      'by-hash': () => this.byHash(scope, env),
      receipt: () => this.receipt(scope, ask, env),
    }[tool];
    const draft = await run();
    draft.paymentTools = [tool];
    if (!draft.followUps.length) draft.followUps = [...T.followUps.payments[env.lang]];
    return draft;
  }

  /**
   * Sign in first; meanwhile the general article, when one fits. Retrieval's article when it is sure of it;
   * else the general article for this kind of question (a receipt question: where receipts are) when retrieval
   * hesitates between it and another, or found nothing of that kind; a more specific article of the same kind
   * when retrieval leans that way. Never the article on asking about one's own payments: the reply says it.
   */
  private async signIn(tool: PaymentToolName, env: Env): Promise<Draft> {
    const draft = empty('sign-in', T.signIn[env.lang], 0.9);
    draft.actions.push({ type: 'sign-in' });
    const retrieval = await this.deps.search.retrieve(env.input.workspaceId, env.lang, env.text);
    const top = retrieval.hits[0]?.article;
    const usable = (a: EffectiveArticle | undefined): a is EffectiveArticle => !!a && a.slug !== ASKING_ABOUT_MY_PAYMENTS;
    const general = GENERAL_ARTICLE[tool];
    const generalHit = general && retrieval.hits.slice(0, 2).find((h) => h.article.slug === general.slug)?.article;
    let article: EffectiveArticle | undefined;
    if (retrieval.decision === 'answer' && usable(top)) article = top;
    else if (generalHit) article = generalHit;
    else if (general && retrieval.decision === 'clarify' && usable(top) && top.category === general.category) article = top;
    else if (general) article = (await this.deps.kb.get(env.input.workspaceId, env.lang, general.slug)) ?? undefined;
    else if (retrieval.decision !== 'not-sure' && usable(top)) article = top;
    if (article) {
      draft.text += `\n\n${fill(T.inGeneral[env.lang], { title: article.title, answer: article.answer })}`;
      withArticles(draft, [article]);
      draft.followUps = await this.related(article, env);
    }
    return draft;
  }

  /** Who, which way, when and how much the question names, resolved against the customer's own payments. */
  private async readQuestion(scope: CustomerScope, env: Env): Promise<PaymentQuestion> {
    const folded = ` ${words(fold(env.text)).join(' ')} `;
    const counterparties = await this.deps.payments.counterparties(scope);
    const counterparty = matchCounterparty(folded, counterparties);
    return {
      counterparty,
      unknownPerson: !counterparty && mentionsSomeone(folded, counterparties),
      direction: directionOf(folded),
      period: parsePeriod(env.text, env.now, env.tz),
      amount: amountIn(env.text),
    };
  }

  private filter(ask: PaymentQuestion, extra: { direction?: Direction } = {}) {
    const direction = extra.direction ?? ask.direction ?? undefined;
    return {
      ...(direction && { direction }),
      ...(ask.counterparty && { counterpartyId: ask.counterparty.id }),
      ...(ask.period && { from: ask.period.from, to: ask.period.to }),
      ...(ask.amount && { amount: ask.amount }),
    };
  }

  private paymentDraft(p: PaymentFact, text: string, env: Env, confidence = 0.95): Draft {
    const draft = empty('payments', text, confidence);
    draft.sources.payments.push(p.id);
    if (p.receipt) draft.actions.push({ type: 'receipt', receiptId: p.receipt.id, receiptNumber: p.receipt.number, paymentId: p.id });
    draft.followUps = followUpsFor(p, env.lang);
    return draft;
  }

  /** `withMemo`: the question is about a payment's note, so the last payment that has one. */
  private async lastPayment(scope: CustomerScope, ask: PaymentQuestion, env: Env, withMemo = false): Promise<Draft> {
    const p = (withMemo ? await this.deps.payments.last(scope, { ...this.filter(ask), withMemo }) : null) ?? (await this.deps.payments.last(scope, this.filter(ask)));
    if (!p) return empty('payments', noPayment(ask, env), 0.9);
    const intro = env.lang === 'es' ? 'Tu último pago' : 'Your last payment';
    const draft = this.paymentDraft(p, `${intro}${scopeText(ask, env)}: ${describePayment(p, env.lang, env.tz)}`, env);
    await this.explainStatus(draft, p, env);
    return draft;
  }

  /** What a payment's status means for the customer, from the knowledge base. */
  private async explainStatus(draft: Draft, p: PaymentFact, env: Env): Promise<void> {
    let slug: string | null = null;
    if (p.status === 'pending') slug = pendingTooLong(p, env) ? 'payment-pending-too-long' : 'payment-pending-how-long';
    else if (p.status === 'failed' && p.failure) slug = failureReason(p.failure).article;
    else if (p.status === 'refunded') slug = 'refund-how-long';
    if (!slug) return;
    const article = await this.deps.kb.get(env.input.workspaceId, env.lang, slug);
    if (!article) return;
    draft.text += `\n\n${article.answer}`;
    withArticles(draft, [article]);
  }

  private async whyFailed(scope: CustomerScope, ask: PaymentQuestion, env: Env): Promise<Draft> {
    const p = await this.deps.payments.last(scope, { ...this.filter(ask, { direction: ask.direction ?? 'out' }), statuses: ['failed'] });
    if (!p) {
      const text =
        env.lang === 'es'
          ? `No veo pagos fallidos${scopeText(ask, env)}.`
          : `I don't see any failed payments of yours${scopeText(ask, env)}.`;
      const draft = empty('payments', text, 0.9);
      const last = await this.deps.payments.last(scope, this.filter(ask));
      if (last) {
        draft.text += env.lang === 'es' ? ` Tu último pago: ${describePayment(last, env.lang, env.tz)}` : ` Your last payment: ${describePayment(last, env.lang, env.tz)}`;
        draft.sources.payments.push(last.id);
      }
      return draft;
    }
    const reason = failureReason(p.failure ?? { code: '', message: '' });
    const at = when(p.failedAt ?? p.initiatedAt, env.lang, env.tz);
    const recorded = p.failure?.message ? `\n\n${env.lang === 'es' ? 'Detalle registrado' : 'Recorded detail'}: ${quoteData(p.failure.message, 200)}` : '';
    const head =
      env.lang === 'es'
        ? `Tu pago de ${paymentPhrase(p, env.lang)} falló el ${at}. Motivo: **${reason.label.es}**.`
        : `Your payment of ${paymentPhrase(p, env.lang)} failed on ${at}. Reason: **${reason.label.en}**.`;
    const draft = this.paymentDraft(p, `${head}${recorded}`, env);
    const article = await this.deps.kb.get(env.input.workspaceId, env.lang, reason.article);
    if (article) {
      draft.text += `\n\n${article.answer}`;
      withArticles(draft, [article]);
    }
    return draft;
  }

  private async pending(scope: CustomerScope, env: Env): Promise<Draft> {
    const list = await this.deps.payments.list(scope, { statuses: ['pending'] });
    if (!list.length) {
      return { ...empty('payments', env.lang === 'es' ? 'No tienes pagos pendientes.' : 'You have no pending payments.', 0.95), followUps: [...T.followUps.payments[env.lang]] };
    }
    const total = list.length < 10 ? list.length : await this.deps.payments.count(scope, { statuses: ['pending'] });
    const head =
      env.lang === 'es'
        ? `Tienes ${plural(total, 'es', { en: '', es: 'pago pendiente' }, { en: '', es: 'pagos pendientes' })}:`
        : `You have ${plural(total, 'en', { en: 'pending payment', es: '' }, { en: 'pending payments', es: '' })}:`;
    const lines = list.map((p) => `- ${paymentPhrase(p, env.lang)}, ${env.lang === 'es' ? 'desde el' : 'since'} ${when(p.initiatedAt, env.lang, env.tz)}`);
    const draft = empty('payments', `${head}\n${lines.join('\n')}`, 0.95);
    draft.sources.payments.push(...list.map((p) => p.id));
    const long = list.some((p) => pendingTooLong(p, env));
    const article = await this.deps.kb.get(env.input.workspaceId, env.lang, long ? 'payment-pending-too-long' : 'payment-pending-how-long');
    if (article) {
      draft.text += `\n\n${article.answer}`;
      withArticles(draft, [article]);
    }
    draft.followUps = env.lang === 'es' ? ['¿Puedo cancelar un pago?', 'Hablar con una persona'] : ['Can I cancel a payment?', 'Talk to a person'];
    return draft;
  }

  private async refunds(scope: CustomerScope, ask: PaymentQuestion, env: Env): Promise<Draft> {
    // "Did I refund someone" = refunds the customer gave (they were paid); otherwise refunds they got back.
    const gave = /\b(did i|have i|i) (refund|refunded|give|gave)\b|\b(devolvi|reembolse|le devolvi|les devolvi)\b/.test(` ${words(fold(env.text)).join(' ')} `);
    const direction: Direction = gave ? 'in' : 'out';
    const list = await this.deps.payments.refunds(scope, { ...this.filter(ask, { direction }), direction });
    const who = ask.counterparty ? nameOf(ask.counterparty) : null;
    if (!list.length) {
      const text =
        env.lang === 'es'
          ? gave
            ? `No veo reembolsos que hayas hecho${who ? ` a ${who}` : ''}${ask.period ? ` ${periodText(ask.period, 'es')}` : ''}.`
            : `No veo reembolsos de tus pagos${who ? ` a ${who}` : ''}${ask.period ? ` ${periodText(ask.period, 'es')}` : ''}.`
          : gave
            ? `I don't see any refunds you gave${who ? ` to ${who}` : ''}${ask.period ? ` ${periodText(ask.period, 'en')}` : ''}.`
            : `I don't see any refunds for your payments${who ? ` to ${who}` : ''}${ask.period ? ` ${periodText(ask.period, 'en')}` : ''}.`;
      const draft = empty('payments', text, 0.9);
      const article = await this.deps.kb.get(env.input.workspaceId, env.lang, gave ? 'send-refund' : 'request-refund');
      if (article) {
        draft.text += `\n\n${article.answer}`;
        withArticles(draft, [article]);
      }
      return draft;
    }
    const lines = list.map((p) => {
      const refunded = p.refundedAt ? when(p.refundedAt, env.lang, env.tz) : '';
      return env.lang === 'es'
        ? `- ${paymentPhrase(p, 'es')}, pagado el ${when(p.succeededAt ?? p.initiatedAt, 'es', env.tz)}, **reembolsado** el ${refunded}`
        : `- ${paymentPhrase(p, 'en')}, paid ${when(p.succeededAt ?? p.initiatedAt, 'en', env.tz)}, **refunded** ${refunded}`;
    });
    const head =
      env.lang === 'es'
        ? gave
          ? `Sí. Reembolsaste ${plural(list.length, 'es', { en: '', es: 'pago' }, { en: '', es: 'pagos' })}:`
          : `Sí. Te reembolsaron ${plural(list.length, 'es', { en: '', es: 'pago' }, { en: '', es: 'pagos' })}:`
        : gave
          ? `Yes. You refunded ${plural(list.length, 'en', { en: 'payment', es: '' }, { en: 'payments', es: '' })}:`
          : `Yes. ${plural(list.length, 'en', { en: 'payment of yours was', es: '' }, { en: 'payments of yours were', es: '' })} refunded:`;
    const draft = empty('payments', `${head}\n${lines.join('\n')}`, 0.95);
    draft.sources.payments.push(...list.map((p) => p.id));
    for (const p of list) if (p.receipt) draft.actions.push({ type: 'receipt', receiptId: p.receipt.id, receiptNumber: p.receipt.number, paymentId: p.id });
    draft.actions = draft.actions.slice(0, 3);
    if (!gave) {
      const article = await this.deps.kb.get(env.input.workspaceId, env.lang, 'refund-how-long');
      if (article) {
        draft.text += `\n\n${article.answer}`;
        withArticles(draft, [article]);
      }
    }
    return draft;
  }

  private async sum(scope: CustomerScope, ask: PaymentQuestion, env: Env): Promise<Draft> {
    const direction = ask.direction ?? 'out';
    const result = await this.deps.payments.sum(scope, {
      direction,
      ...(ask.counterparty && { counterpartyId: ask.counterparty.id }),
      ...(ask.period && { from: ask.period.from, to: ask.period.to }),
    });
    const who = ask.counterparty ? nameOf(ask.counterparty) : null;
    const when_ = periodText(ask.period, env.lang);
    const count = result.totals.reduce((n, t) => n + t.count, 0);
    let text: string;
    if (!result.totals.length) {
      text =
        env.lang === 'es'
          ? direction === 'out'
            ? `No enviaste dinero${who ? ` a ${who}` : ''} ${when_}.`
            : `No recibiste dinero${who ? ` de ${who}` : ''} ${when_}.`
          : direction === 'out'
            ? `You didn't send any money${who ? ` to ${who}` : ''} ${when_}.`
            : `You didn't receive any money${who ? ` from ${who}` : ''} ${when_}.`;
    } else {
      const amounts = listAmounts(result.totals, env.lang);
      const n = plural(count, env.lang, { en: 'payment', es: 'pago' }, { en: 'payments', es: 'pagos' });
      text =
        env.lang === 'es'
          ? direction === 'out'
            ? `Enviaste ${amounts}${who ? ` a ${who}` : ''} ${when_} (${n}).`
            : `Recibiste ${amounts}${who ? ` de ${who}` : ''} ${when_} (${n}).`
          : direction === 'out'
            ? `You sent ${amounts}${who ? ` to ${who}` : ''} ${when_} (${n}).`
            : `You received ${amounts}${who ? ` from ${who}` : ''} ${when_} (${n}).`;
      if (result.refunded.length) {
        const refunded = listAmounts(result.refunded, env.lang);
        text += env.lang === 'es' ? ` De eso, ${refunded} se reembolsó después.` : ` Of that, ${refunded} was refunded later.`;
      }
      text += env.lang === 'es' ? ' Solo cuento pagos completados; los fallidos y pendientes no movieron dinero.' : ' Only completed payments count; failed and pending ones moved no money.';
    }
    const draft = empty('payments', text, 0.95);
    draft.sources.payments.push(...result.paymentIds.slice(0, 20));
    return draft;
  }

  private async byHash(scope: CustomerScope, env: Env): Promise<Draft> {
    const prefix = hashPrefixIn(env.text);
    const p = prefix ? await this.deps.payments.byHashPrefix(scope, prefix) : null;
    // The hash asked for is not repeated: it may be someone else's.
    if (!p) {
      return empty(
        'payments',
        env.lang === 'es'
          ? 'No encontré ningún pago tuyo cuyo hash de transacción empiece así. Revisa los primeros caracteres (al menos 8) en el detalle del pago o en el explorador.'
          : "I couldn't find a payment of yours whose transaction hash starts like that. Check the first characters (at least 8) in the payment's details or on the explorer.",
        0.85,
      );
    }
    const intro = env.lang === 'es' ? 'Encontré este pago tuyo' : 'I found this payment of yours';
    const draft = this.paymentDraft(p, `${intro}: ${describePayment(p, env.lang, env.tz)}`, env);
    await this.explainStatus(draft, p, env);
    return draft;
  }

  /**
   * A payment's receipt. Paid and failed payments both get one (a failed payment's records that no money
   * moved): the last payment that fits where money moved, unless the question is about a failed one; then
   * any that fits.
   */
  private async receipt(scope: CustomerScope, ask: PaymentQuestion, env: Env): Promise<Draft> {
    const prefix = hashPrefixIn(env.text);
    let p: PaymentFact | null;
    if (prefix) p = await this.deps.payments.byHashPrefix(scope, prefix);
    else {
      const preferred: PaymentStatus[] = ASKS_FAILED.test(` ${words(fold(env.text)).join(' ')} `) ? ['failed'] : ['succeeded', 'refunded'];
      p =
        (await this.deps.payments.last(scope, { ...this.filter(ask), withReceipt: true, statuses: preferred })) ??
        (await this.deps.payments.last(scope, { ...this.filter(ask), withReceipt: true }));
    }
    if (!p || !p.receipt) {
      const text =
        env.lang === 'es'
          ? `No encontré un pago${scopeText(ask, env)} con recibo. El recibo se emite cuando un pago se paga o falla; los pagos pendientes todavía no tienen.`
          : `I couldn't find a payment${scopeText(ask, env)} with a receipt. A receipt is issued when a payment is paid or fails; pending payments don't have one yet.`;
      const draft = empty('payments', text, 0.85);
      if (p) draft.sources.payments.push(p.id);
      return draft;
    }
    const at = when(p.succeededAt ?? p.failedAt ?? p.initiatedAt, env.lang, env.tz);
    const text =
      env.lang === 'es'
        ? `Aquí está el recibo n.º ${p.receipt.number} de tu pago de ${paymentPhrase(p, 'es')} (${at}).`
        : `Here is receipt no. ${p.receipt.number} for your payment of ${paymentPhrase(p, 'en')} (${at}).`;
    return this.paymentDraft(p, text, env);
  }
}

// --- Helpers ---------------------------------------------------------------------------------------------------

interface Env {
  input: AnswerInput;
  lang: AssistantLanguage;
  /** The question without a leading greeting. */
  text: string;
  now: Date;
  tz: string;
  /** Misses (clarify, not sure, thumbs-down) right before this question. */
  misses: number;
}

interface PaymentQuestion {
  counterparty: Counterparty | null;
  /** The question names someone who is none of the customer's counterparties. */
  unknownPerson: boolean;
  direction: Direction | null;
  period: Period | null;
  amount: string | null;
}

function withArticles(draft: Draft, articles: EffectiveArticle[]): void {
  for (const a of articles) {
    if (draft.sources.articles.includes(a.slug)) continue;
    draft.sources.articles.push(a.slug);
    draft.actions.push({ type: 'article', slug: a.slug, title: a.title } satisfies AssistantAction);
  }
}


export function consecutiveMisses(context: ConversationContext): number {
  let n = 0;
  for (let i = context.recent.length - 1; i >= 0; i--) {
    const o = context.recent[i]!;
    if (MISS_ROUTES.includes(o.route) || o.feedback === 'down') n++;
    else break;
  }
  return n;
}

/** The last answer offered a person (so "yes" accepts it). */
function offeredPerson(context: ConversationContext): boolean {
  const last = context.recent.at(-1);
  return !!last && (last.route === 'not-sure' || last.feedback === 'down');
}

/** Explains asking the assistant about one's own payments: what the sign-in reply already says. */
const ASKING_ABOUT_MY_PAYMENTS = 'ask-about-my-payments';

/** The general article (and its category) for each kind of own-payment question that has one. */
const GENERAL_ARTICLE: Partial<Record<PaymentToolName, { slug: string; category: string }>> = {
  receipt: { slug: 'find-receipt', category: 'receipts' },
  'why-failed': { slug: 'payment-failed-why', category: 'failed-payments' },
  pending: { slug: 'payment-pending-how-long', category: 'pending-payments' },
  refunds: { slug: 'how-refunds-work', category: 'refunds' },
};

/** The question is about a failed payment ("the receipt for my failed payment"). */
const ASKS_FAILED = / (fail\w*|declined|rejected|bounced|fallo|fallid\w*|rechaz\w*|rebot\w*) /;

const PENDING_TOO_LONG_MS = 30 * 60_000;
const pendingTooLong = (p: PaymentFact, env: Env) => env.now.getTime() - new Date(p.initiatedAt).getTime() > PENDING_TOO_LONG_MS;

function scopeText(ask: PaymentQuestion, env: Env): string {
  const parts: string[] = [];
  if (ask.counterparty) {
    const who = nameOf(ask.counterparty);
    if (env.lang === 'es') parts.push(ask.direction === 'in' ? ` de ${who}` : ask.direction === 'out' ? ` a ${who}` : ` con ${who}`);
    else parts.push(ask.direction === 'in' ? ` from ${who}` : ask.direction === 'out' ? ` to ${who}` : ` with ${who}`);
  } else if (ask.direction === 'in') parts.push(env.lang === 'es' ? ' recibido' : ' received');
  if (ask.amount) parts.push(env.lang === 'es' ? ` de ${ask.amount}` : ` of ${ask.amount}`);
  if (ask.period) parts.push(` ${periodText(ask.period, env.lang)}`);
  return parts.join('');
}

function noPayment(ask: PaymentQuestion, env: Env): string {
  return env.lang === 'es' ? `No encontré pagos tuyos${scopeText(ask, env)}.` : `I couldn't find any payments of yours${scopeText(ask, env)}.`;
}

function followUpsFor(p: PaymentFact, lang: AssistantLanguage): string[] {
  const en: Record<string, string[]> = {
    failed: ['Can I retry a failed payment?', 'What happens to my money when a payment fails?', 'Talk to a person'],
    pending: ['How long does a pending payment take?', 'Can I cancel a payment?', 'Talk to a person'],
    succeeded: ['Show my receipt', 'How do I ask for a refund?', 'Talk to a person'],
    refunded: ['How long do refunds take?', 'My refund hasn\'t arrived', 'Talk to a person'],
  };
  const es: Record<string, string[]> = {
    failed: ['¿Puedo reintentar un pago fallido?', '¿Qué pasa con mi plata si un pago falla?', 'Hablar con una persona'],
    pending: ['¿Cuánto tarda un pago pendiente?', '¿Puedo cancelar un pago?', 'Hablar con una persona'],
    succeeded: ['Muéstrame el recibo', '¿Cómo pido un reembolso?', 'Hablar con una persona'],
    refunded: ['¿Cuánto tarda un reembolso?', 'Mi reembolso no llegó', 'Hablar con una persona'],
  };
  return (lang === 'es' ? es : en)[p.status] ?? [];
}

// Words that follow "to/from/a/de/con" without naming a person.
const NOT_A_NAME = new Set(
  (
    'me my mine you your the a an this that it them him her us anyone someone somebody everyone people person friend family ' +
    'yesterday today week month year last this next past day days hour hours morning night time ' +
    'january february march april may june july august september october november december ' +
    'pay payment payments receipt refund money account wallet bank vrc usdc token network fee fees hash tx transaction ' +
    'mi mis tu tus el la los las un una unos unas este esta ese esa eso mismo alguien nadie persona amigo amiga familia mama papa ' +
    'ayer hoy semana mes ano dia dias hora horas manana noche vez veces pasado pasada ultimo ultima ' +
    'enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre ' +
    'pago pagos recibo reembolso dinero plata cuenta billetera banco comision red transaccion que cuanto cuando donde vuelta nuevo'
  ).split(' '),
);

function nameTokens(c: Counterparty): string[] {
  const tokens = new Set<string>([...words(fold(c.name ?? '')), ...words(fold(c.id))].filter((t) => t.length >= 3 && !NOT_A_NAME.has(t)));
  return [...tokens];
}

/** The counterparty the question names (by name or id, forgiving a typo or a missing possessive "s"). */
export function matchCounterparty(folded: string, counterparties: readonly Counterparty[]): Counterparty | null {
  const q = folded.trim().split(' ').filter((t) => t.length >= 3 && !NOT_A_NAME.has(t));
  let best: Counterparty | null = null;
  let bestScore = 0;
  for (const c of counterparties) {
    let score = 0;
    if (folded.includes(` ${fold(c.id)} `)) score += 3;
    for (const n of nameTokens(c)) {
      if (q.some((t) => t === n || (t.length >= 4 && n.startsWith(t)) || (t.length >= 5 && editDistanceAtMostOne(t, n)))) score += 1;
    }
    if (score > bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}

/** "to X", "from X", "a X", "de X", "con X" where X is not a common word: someone is named. */
function mentionsSomeone(folded: string, counterparties: readonly Counterparty[]): boolean {
  const known = new Set(counterparties.flatMap(nameTokens));
  for (const m of folded.matchAll(/ (?:to|from|with|a|de|con|para|paid|pay|send|sent) ([a-z][a-z0-9_-]{2,})/g)) {
    const w = m[1]!;
    if (!NOT_A_NAME.has(w) && !known.has(w) && !/^(did|do|does|get|got|have|has|last|much|many|what|when|where|why|how|son|ser|hacer|pagar|enviar|mandar|recibir|ver|saber)$/.test(w)) {
      return true;
    }
  }
  return false;
}

function directionOf(folded: string): Direction | null {
  if (/ (send|sent|pay|paid|transfer|transferred|give|gave) me | me (mando|envio|pago|transfirio|dio|depositaron|pagaron|mandaron|mandaste|devolvio) /.test(folded)) return 'in';
  if (/ (receive|received|receiving|earn|earned|recibi|recibido|recibidos|cobre|gane|ganado|income|incoming|entrante|entrantes) | (got|get|getting) (paid|money|a payment|payments|sent) /.test(folded)) return 'in';
  if (/ from (?!yesterday|today|last|this|the last|the past|past|\d)[a-z]/.test(folded)) return 'in';
  if (/ (send|sent|pay|paid|spend|spent|transfer|transferred|to|mande|envie|pague|gaste|transferi|enviado|enviados|mandado) /.test(folded)) return 'out';
  if (/ (le|les) (mande|envie|pague|transferi) | a [a-z]/.test(folded)) return 'out';
  return null;
}

/** An amount the question names: "900 vrc", "the 900 payment", "pago de 12,75". */
function amountIn(raw: string): string | null {
  const t = fold(raw);
  const m =
    /(\d{1,15}(?:[.,]\d{1,18})?)\s*(?:vrc|usdc)\b/.exec(t) ??
    /\b(?:payment|pago|transfer|transferencia) (?:of|de|por) (\d{1,15}(?:[.,]\d{1,18})?)\b/.exec(t) ??
    /\b(\d{1,15}(?:[.,]\d{1,18})?) (?:payment|pago)\b/.exec(t) ??
    /\b(?:el|la|my|mi|the) (?:pago|payment)? ?de (\d{1,15}(?:[.,]\d{1,18})?)\b/.exec(t);
  if (!m) return null;
  return m[1]!.replace(',', '.');
}

function editDistanceAtMostOne(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (a.length > b.length) i++;
    else if (b.length > a.length) j++;
    else {
      i++;
      j++;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}

