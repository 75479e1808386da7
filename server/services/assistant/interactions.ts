// Every answer is recorded (question, route, sources, confidence, engine, latency, fallback), votes are kept
// on it, and a report over a period says how the assistant is doing: answered/deflected, helpful, handoffs,
// and the questions it could not answer.
import type { AssistantReportResponse } from '../../../protocol/rest.ts';
import type { AssistantLanguage, AssistantRoute, FeedbackRating } from '../../../protocol/assistant-values.ts';
import type { PrismaClient } from '../../db/generated/client.ts';
import { AppError } from '../../errors.ts';
import { fold, words } from './text.ts';

export interface InteractionInput {
  workspaceId: string;
  conversationId?: string | null;
  /** The transport's id of the query; recording the same one again returns the first record. */
  queryId: string;
  question: string;
  answer: string;
  language: AssistantLanguage;
  route: AssistantRoute;
  articles: string[];
  paymentTools: string[];
  paymentIds: string[];
  confidence: number;
  engine: string;
  latencyMs: number;
  fallbackReason?: string | null;
}

export interface InteractionRecord extends InteractionInput {
  id: string;
  feedback: FeedbackRating | null;
  feedbackReason: string | null;
  createdAt: Date;
}

/** The wire's report (protocol/rest.ts, where its fields are described) with Dates instead of ISO strings. */
export type AssistantReport = Omit<AssistantReportResponse, 'from' | 'to' | 'topUnanswered'> & {
  from: Date;
  to: Date;
  topUnanswered: (Omit<AssistantReportResponse['topUnanswered'][number], 'lastAskedAt'> & { lastAskedAt: Date })[];
};

const ANSWERED: readonly AssistantRoute[] = ['faq', 'payments', 'smalltalk', 'refuse', 'sign-in'];
const MAX_TEXT = 4000;

export class InteractionRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async record(input: InteractionInput): Promise<InteractionRecord> {
    const data = {
      workspaceId: input.workspaceId,
      conversationId: input.conversationId ?? null,
      queryId: input.queryId,
      question: input.question.slice(0, MAX_TEXT),
      answer: input.answer.slice(0, MAX_TEXT),
      language: input.language,
      route: input.route,
      articles: input.articles,
      paymentTools: input.paymentTools,
      paymentIds: input.paymentIds,
      confidence: Math.min(1, Math.max(0, input.confidence)),
      engine: input.engine,
      latencyMs: Math.max(0, Math.round(input.latencyMs)),
      fallbackReason: input.fallbackReason ?? null,
    };
    // One statement per answer, written by hand: Prisma's create cost more CPU than the insert itself, and
    // this runs for every question. A retry of the same query id gets the first record.
    const [row] = await this.prisma.$queryRaw<Parameters<typeof toRecord>[0][]>`
      INSERT INTO "AiInteraction" ("id", "workspaceId", "conversationId", "queryId", "question", "answer", "language", "route",
                                   "articles", "paymentTools", "paymentIds", "confidence", "engine", "latencyMs", "fallbackReason")
      VALUES (gen_random_uuid(), ${data.workspaceId}::uuid, ${data.conversationId}::uuid, ${data.queryId}, ${data.question}, ${data.answer},
              ${data.language}, ${data.route}, ${data.articles}::text[], ${data.paymentTools}::text[], ${data.paymentIds}::text[],
              ${data.confidence}::float8, ${data.engine}, ${data.latencyMs}::int, ${data.fallbackReason})
      ON CONFLICT ("workspaceId", "queryId") DO NOTHING
      RETURNING *`;
    if (row) return toRecord(row);
    const existing = await this.prisma.aiInteraction.findUniqueOrThrow({ where: { workspaceId_queryId: { workspaceId: input.workspaceId, queryId: input.queryId } } });
    return toRecord(existing);
  }

  async get(workspaceId: string, id: string): Promise<InteractionRecord | null> {
    const row = await this.prisma.aiInteraction.findFirst({ where: { id, workspaceId } });
    return row ? toRecord(row) : null;
  }

  /**
   * A vote on an answer; voting again replaces it. `conversationId`: the voter's conversation, so nobody
   * votes on answers given to someone else (null only for interactions outside a conversation).
   */
  async feedback(
    workspaceId: string,
    id: string,
    vote: { rating: FeedbackRating; reason?: string | null; conversationId?: string | null },
    now = new Date(),
  ): Promise<InteractionRecord> {
    const { count } = await this.prisma.aiInteraction.updateMany({
      where: { id, workspaceId, ...(vote.conversationId !== undefined && { conversationId: vote.conversationId }) },
      data: { feedback: vote.rating, feedbackReason: vote.reason?.slice(0, 500) ?? null, feedbackAt: now },
    });
    if (!count) throw new AppError('NOT_FOUND', 'No such answer to vote on.');
    return (await this.get(workspaceId, id))!;
  }

  /** The assistant's recent outcomes in a conversation since `since` (the episode's start), oldest first. */
  async recentOutcomes(conversationId: string, opts: { since?: Date; limit?: number } = {}): Promise<{ route: AssistantRoute; feedback: FeedbackRating | null }[]> {
    const rows = await this.prisma.aiInteraction.findMany({
      where: { conversationId, ...(opts.since && { createdAt: { gte: opts.since } }) },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: opts.limit ?? 5,
      select: { route: true, feedback: true },
    });
    return rows.reverse().map((r) => ({ route: r.route as AssistantRoute, feedback: (r.feedback as FeedbackRating | null) ?? null }));
  }

  async report(workspaceId: string, range: { from: Date; to?: Date; top?: number }): Promise<AssistantReport> {
    // Without an end, no upper bound: rows take the database's clock (rounded to the millisecond), and a "now"
    // taken here could fall just before the newest ones and leave them out (another host's clock, by more).
    const to = range.to ?? new Date();
    const until = range.to ?? null;
    const where = { workspaceId, createdAt: { gte: range.from, ...(until && { lt: until }) } };
    const [byRoute, byEngine, votes, fallbacks, latency, handoffs, misses] = await Promise.all([
      this.prisma.aiInteraction.groupBy({ by: ['route'], where, _count: { _all: true }, orderBy: { route: 'asc' } }),
      this.prisma.aiInteraction.groupBy({ by: ['engine'], where, _count: { _all: true }, orderBy: { engine: 'asc' } }),
      this.prisma.aiInteraction.groupBy({ by: ['feedback'], where: { ...where, feedback: { not: null } }, _count: { _all: true }, orderBy: { feedback: 'asc' } }),
      this.prisma.aiInteraction.count({ where: { ...where, fallbackReason: { not: null } } }),
      this.prisma.$queryRaw<{ p50: number | null; p95: number | null }[]>`
        SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY "latencyMs") AS "p50",
               percentile_disc(0.95) WITHIN GROUP (ORDER BY "latencyMs") AS "p95"
          FROM "AiInteraction" WHERE "workspaceId" = ${workspaceId}::uuid AND "createdAt" >= ${range.from} AND (${until}::timestamptz IS NULL OR "createdAt" < ${until})`,
      // Answered questions whose conversation went to a person later in the period: not deflected.
      this.prisma.$queryRaw<{ n: bigint }[]>`
        SELECT count(*) AS "n" FROM "AiInteraction" a
         WHERE a."workspaceId" = ${workspaceId}::uuid AND a."createdAt" >= ${range.from} AND (${until}::timestamptz IS NULL OR a."createdAt" < ${until})
           AND a."route" IN ('faq', 'payments', 'smalltalk', 'refuse', 'sign-in') AND a."conversationId" IS NOT NULL
           AND EXISTS (SELECT 1 FROM "AiInteraction" h WHERE h."conversationId" = a."conversationId" AND h."route" = 'handoff'
                         AND h."createdAt" > a."createdAt" AND (${until}::timestamptz IS NULL OR h."createdAt" < ${until}))`,
      this.prisma.aiInteraction.findMany({
        where: { ...where, OR: [{ route: { in: ['not-sure', 'clarify'] } }, { feedback: 'down' }] },
        select: { question: true, createdAt: true },
        orderBy: { createdAt: 'desc' },
        take: 5_000,
      }),
    ]);
    const routes: Partial<Record<AssistantRoute, number>> = {};
    let questions = 0;
    for (const r of byRoute) {
      routes[r.route as AssistantRoute] = r._count._all;
      questions += r._count._all;
    }
    const answered = ANSWERED.reduce((n, r) => n + (routes[r] ?? 0), 0);
    const up = votes.find((v) => v.feedback === 'up')?._count._all ?? 0;
    const down = votes.find((v) => v.feedback === 'down')?._count._all ?? 0;
    const rate = (n: number) => (questions ? n / questions : 0);
    return {
      from: range.from,
      to,
      questions,
      answeredRate: rate(answered),
      deflectedRate: rate(answered - Number(handoffs[0]?.n ?? 0)),
      helpfulRate: up + down ? up / (up + down) : null,
      votes: { up, down },
      handoffRate: rate(routes.handoff ?? 0),
      byRoute: routes,
      byEngine: Object.fromEntries(byEngine.map((e) => [e.engine, e._count._all])),
      fallbacks,
      latencyMs: { p50: latency[0]?.p50 ?? null, p95: latency[0]?.p95 ?? null },
      topUnanswered: topQuestions(misses, range.top ?? 10),
    };
  }
}

/** Groups questions by their folded words, so "Can I pay with PayPal?" and "can i pay with paypal" count once. */
function topQuestions(rows: { question: string; createdAt: Date }[], top: number) {
  const groups = new Map<string, { question: string; count: number; lastAskedAt: Date }>();
  for (const r of rows) {
    const key = words(fold(r.question)).join(' ').slice(0, 200);
    if (!key) continue;
    const g = groups.get(key);
    if (g) g.count++;
    else groups.set(key, { question: r.question.slice(0, 200), count: 1, lastAskedAt: r.createdAt });
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || b.lastAskedAt.getTime() - a.lastAskedAt.getTime()).slice(0, top);
}

function toRecord(row: {
  id: string;
  workspaceId: string;
  conversationId: string | null;
  queryId: string;
  question: string;
  answer: string;
  language: string;
  route: string;
  articles: string[];
  paymentTools: string[];
  paymentIds: string[];
  confidence: number;
  engine: string;
  latencyMs: number;
  fallbackReason: string | null;
  feedback: string | null;
  feedbackReason: string | null;
  createdAt: Date;
}): InteractionRecord {
  return {
    ...row,
    language: row.language as AssistantLanguage,
    route: row.route as AssistantRoute,
    feedback: row.feedback as FeedbackRating | null,
  };
}

/** "7d", "24h", "30m", "2w" → milliseconds (the CLI's --since). */
export function parseDuration(text: string): number | null {
  const m = /^(\d{1,4})\s*([mhdw])$/.exec(text.trim());
  if (!m) return null;
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as 'm' | 'h' | 'd' | 'w'];
  return Number(m[1]) * unit;
}
