// The assistant as one service for the transports: answer a question (embedded engine by default, or any
// Answerer), record it, take votes, search and read the knowledge base, and report. Built in createServices.
import type { AssistantAnswerDto, AssistantLanguage, FaqSearchHitDto, FeedbackRating } from '../../../protocol/assistant-values.ts';
import type { PrismaClient } from '../../db/generated/client.ts';
import { AppError } from '../../errors.ts';
import type { InvalidationBus } from '../invalidation.ts';
import { streamAnswer, toAnswerDto, type AnswerChunk, type AnswerInput, type Answerer, type AssistantAnswer } from './answerer.ts';
import { EmbeddedEngine } from './engine.ts';
import { InteractionRepository, type AssistantReport, type InteractionRecord } from './interactions.ts';
import { KnowledgeBase, type EffectiveArticle, type ImportResult } from './kb.ts';
import { callPaymentTool, paymentToolDefinitions, PaymentTools, type CustomerScope, type PaymentToolName, type ToolResult } from './payments-tools.ts';
import { SearchIndexes, type Retrieval } from './search.ts';

export interface AssistantServiceOptions {
  invalidation: InvalidationBus;
  cacheTtlMs?: number;
  /** The default knowledge base's folder (kb/vpay). */
  kbDir?: string;
  /** Search indexes kept in memory (one per knowledge base and language). */
  maxIndexes?: number;
  now?: () => number;
}

export interface AskInput extends AnswerInput {
  /** The transport's query id (idempotency of the record). */
  queryId: string;
  conversationId?: string | null;
  /** When the conversation's current assistant episode began (after a handoff back or a reopen). */
  episodeStartedAt?: Date;
}

export interface AskResult {
  answer: AssistantAnswer;
  interaction: InteractionRecord;
}

/**
 * What an LLM composer gets: retrieval and the payment tools as functions. The scope (workspace and customer)
 * is bound by the server when it creates the toolbox; no tool takes an identity argument.
 */
export interface AssistantToolbox {
  searchArticles(query: string, limit?: number): Promise<Retrieval>;
  getArticle(slug: string): Promise<EffectiveArticle | null>;
  /** Function-calling definitions; empty for visitors (they have no payments to look at). */
  paymentTools: ReturnType<typeof paymentToolDefinitions>;
  callPaymentTool(name: PaymentToolName, args: unknown): Promise<ToolResult>;
}

export class AssistantService {
  readonly kb: KnowledgeBase;
  readonly search: SearchIndexes;
  readonly payments: PaymentTools;
  readonly engine: EmbeddedEngine;
  readonly interactions: InteractionRepository;
  private answerer: Answerer;

  constructor(prisma: PrismaClient, opts: AssistantServiceOptions) {
    this.kb = new KnowledgeBase(prisma, {
      invalidation: opts.invalidation,
      ...(opts.cacheTtlMs !== undefined && { cacheTtlMs: opts.cacheTtlMs }),
      ...(opts.kbDir && { defaultsDir: opts.kbDir }),
      ...(opts.now && { now: opts.now }),
    });
    this.search = new SearchIndexes(this.kb, { ...(opts.maxIndexes && { maxIndexes: opts.maxIndexes }) });
    this.payments = new PaymentTools(prisma);
    this.engine = new EmbeddedEngine({ kb: this.kb, search: this.search, payments: this.payments });
    this.interactions = new InteractionRepository(prisma);
    this.answerer = this.engine;
  }

  /** Another composer (an LLM provider wrapping the engine as its fallback); the engine stays reachable. */
  useAnswerer(answerer: Answerer): void {
    this.answerer = answerer;
  }

  get currentAnswerer(): Answerer {
    return this.answerer;
  }

  /**
   * Answers with the current answerer as a stream (deltas, then the final answer), recording the
   * interaction once the final answer is known. The two-misses rule reads the conversation's recorded
   * outcomes unless `context` is given. Chunks: `delta`s (a preview, see Answerer), then `final` (the answer;
   * its `meta` says which engine composed it and why an LLM fell back), then `recorded` (the interaction).
   */
  async *askStream(input: AskInput, signal?: AbortSignal): AsyncGenerator<AnswerChunk | { type: 'recorded'; interaction: InteractionRecord }> {
    const started = performance.now();
    const prepared = await this.withContext(input);
    const answerer = this.answerer;
    let final: Extract<AnswerChunk, { type: 'final' }> | null = null;
    for await (const chunk of streamAnswer(answerer, prepared, signal)) {
      if (chunk.type === 'final') final = chunk;
      yield chunk;
    }
    if (!final) return;
    const engine = final.meta?.engine ?? answerer.name;
    yield { type: 'recorded', interaction: await this.record(input, final.answer, performance.now() - started, engine, final.meta?.fallbackReason) };
  }

  /** The whole answer at once (the embedded engine, or any answerer drained), recorded. */
  async ask(input: AskInput, signal?: AbortSignal): Promise<AskResult> {
    let answer: AssistantAnswer | null = null;
    let interaction: InteractionRecord | null = null;
    for await (const chunk of this.askStream(input, signal)) {
      if (chunk.type === 'final') answer = chunk.answer;
      if (chunk.type === 'recorded') interaction = chunk.interaction;
    }
    if (!answer || !interaction) throw new Error('assistant: the answerer ended without a final answer');
    return { answer, interaction };
  }

  /** Answer without recording (help-center previews, the eval, the bench). */
  answer(input: AnswerInput, signal?: AbortSignal): Promise<AssistantAnswer> {
    return this.engine.answer(input, signal);
  }

  async record(input: AskInput, answer: AssistantAnswer, latencyMs: number, engine: string, fallbackReason?: string | null): Promise<InteractionRecord> {
    return this.interactions.record({
      workspaceId: input.workspaceId,
      conversationId: input.conversationId ?? null,
      queryId: input.queryId,
      question: input.text,
      answer: answer.text,
      language: answer.language,
      route: answer.route,
      articles: answer.sources.articles,
      paymentTools: answer.paymentTools,
      paymentIds: answer.sources.payments,
      confidence: answer.confidence,
      engine,
      latencyMs,
      fallbackReason: fallbackReason ?? null,
    });
  }

  private async withContext(input: AskInput): Promise<AnswerInput> {
    if (input.context || !input.conversationId) return input;
    const recent = await this.interactions.recentOutcomes(input.conversationId, { ...(input.episodeStartedAt && { since: input.episodeStartedAt }) });
    return { ...input, context: { recent } };
  }

  feedback(workspaceId: string, interactionId: string, vote: { rating: FeedbackRating; reason?: string | null; conversationId?: string | null }) {
    return this.interactions.feedback(workspaceId, interactionId, vote);
  }

  report(workspaceId: string, range: { from: Date; to?: Date; top?: number }): Promise<AssistantReport> {
    return this.interactions.report(workspaceId, range);
  }

  /** As-you-type FAQ search (widget home, /help): ranked articles, whatever the confidence. */
  async searchArticles(workspaceId: string, language: AssistantLanguage, query: string, limit = 8): Promise<FaqSearchHitDto[]> {
    const r = await this.search.retrieve(workspaceId, language, query, limit);
    return r.hits.map((h) => ({ slug: h.article.slug, title: h.article.title, category: h.article.category, answer: h.article.answer, score: h.score }));
  }

  listArticles(workspaceId: string, language: AssistantLanguage): Promise<EffectiveArticle[]> {
    return this.kb.list(workspaceId, language);
  }

  getArticle(workspaceId: string, language: AssistantLanguage, slug: string): Promise<EffectiveArticle | null> {
    return this.kb.get(workspaceId, language, slug);
  }

  importKb(workspaceId: string, dir: string): Promise<ImportResult> {
    return this.kb.importFolder(workspaceId, dir);
  }

  exportKb(workspaceId: string, dir: string): Promise<number> {
    return this.kb.exportFolder(workspaceId, dir);
  }

  /** Forget a workspace's articles and indexes now (null: all); for writers that bypass this service. */
  invalidate(workspaceId: string | null): void {
    this.kb.forget(workspaceId);
  }

  /** The tools for an LLM composer, bound to the session's workspace and (for customers) the customer. */
  toolbox(workspaceId: string, language: AssistantLanguage, principal: AnswerInput['principal']): AssistantToolbox {
    const scope: CustomerScope | null = principal.kind === 'customer' && principal.externalId ? { workspaceId, externalId: principal.externalId } : null;
    return {
      searchArticles: (query, limit) => this.search.retrieve(workspaceId, language, query, limit),
      getArticle: (slug) => this.kb.get(workspaceId, language, slug),
      paymentTools: scope ? paymentToolDefinitions() : [],
      callPaymentTool: async (name, args) => {
        if (!scope) throw new AppError('AUTH_REQUIRED', 'Payments are looked up for a signed-in customer only.');
        return callPaymentTool(this.payments, scope, name, args);
      },
    };
  }
}

export { toAnswerDto };
export type { AssistantAnswerDto };
