// The console's search across one workspace: message text by PostgreSQL full-text search (the workspace's
// newest messages first by the (workspaceId, createdAt) index, then the GIN index on to_tsvector('simple',
// text), under a statement timeout so a search can never slow the inbox), customers by name, email or
// external id (bounded ILIKE), payments by id or transaction-hash prefix. Transport-free.
// Notes are not searched here: hits open customer-visible messages at their seq.
import type { SearchContact, SearchHitDto, SearchResponse } from '../../../protocol/console.ts';
import { Prisma, type PrismaClient } from '../../db/generated/client.ts';
import type { Principal } from '../principal.ts';

/** A search's message query gets this long; past it the other hits still come back (`partial`). */
const FTS_TIMEOUT_MS = 1_500;
/**
 * The workspace's newest messages looked at first (by the (workspaceId, createdAt) index). When they hold a
 * full page of matches, those are the newest matches: a common word costs this many rows, not every message
 * that has it (with 100,000 messages, "payment" matched 25,000 and took 150–250 ms through the GIN index
 * alone; see bench:console). Other workspaces' traffic does not push this one's messages out of the window.
 */
const RECENT_WINDOW = 1_000;
/** Terms at least this long with a digit in them (hashes, order and payment ids) skip the newest window. */
const RARE_TERM_CHARS = 10;
const DEFAULT_LIMIT = 20;
const CONTACT_HITS = 10;
const PAYMENT_HITS = 10;
const MAX_TERMS = 8;
const SNIPPET_CHARS = 200;
/** A transaction hash prefix worth a look-up: hex, optionally 0x-prefixed, at least this long. */
const TX_PREFIX = /^(0x)?[0-9a-f]{6,}$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class SearchService {
  constructor(private readonly prisma: PrismaClient) {}

  async search(agent: Principal & { kind: 'agent' }, q: string, limit = DEFAULT_LIMIT): Promise<SearchResponse> {
    const text = q.trim();
    const [messages, contacts, payments] = await Promise.all([
      this.messages(agent.workspaceId, text, limit),
      this.contacts(agent.workspaceId, text),
      this.payments(agent.workspaceId, text),
    ]);
    return { hits: [...payments, ...contacts, ...messages.hits].slice(0, limit + CONTACT_HITS + PAYMENT_HITS), partial: messages.partial };
  }

  /** Prefix matching on each word (`refund pend` finds "refund pending"), all words required. */
  private async messages(workspaceId: string, q: string, limit: number): Promise<{ hits: SearchHitDto[]; partial: boolean }> {
    const terms = (q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, MAX_TERMS);
    if (!terms.length) return { hits: [], partial: false };
    // Only letters and digits reach the query text: nothing the user typed can be tsquery syntax.
    const tsquery = terms.map((t) => `${t}:*`).join(' & ');
    // A term shaped like an id or a hash (long, with digits) is rare: the newest window would not hold a page
    // of it, so go straight to the index (on PGlite that window costs ~1,000 text parses per search).
    const rare = terms.some((t) => t.length >= RARE_TERM_CHARS && /\d/.test(t));
    type Row = { conversationId: string; seq: number; snippet: string; createdAt: Date; contactId: string; name: string | null; email: string | null; externalId: string | null };
    // The newest of the workspace's `messages` (that match, unless they all do), newest first.
    const select = (messages: Prisma.Sql, match: boolean) => Prisma.sql`
          SELECT m."conversationId", m."seq", left(m."text", ${SNIPPET_CHARS}) AS "snippet", m."createdAt",
                 ct."id" AS "contactId", ct."name", ct."email", ct."externalId"
            FROM ${messages}
            JOIN "Conversation" c ON c."id" = m."conversationId"
            JOIN "Contact" ct ON ct."id" = c."contactId"
           WHERE c."workspaceId" = ${workspaceId}::uuid
             ${match ? Prisma.sql`AND to_tsvector('simple', m."text") @@ to_tsquery('simple', ${tsquery})` : Prisma.empty}
           ORDER BY m."createdAt" DESC
           LIMIT ${limit}`;
    try {
      const rows = await this.prisma.$transaction(async (tx) => {
        const started = Date.now();
        // SET LOCAL: the limit ends with this transaction; the pooled connection goes back unchanged.
        await tx.$executeRawUnsafe(`SET LOCAL statement_timeout = ${FTS_TIMEOUT_MS}`);
        // 1. The workspace's newest messages (a bounded index range): a full page there is the answer.
        if (!rare) {
          const recent = await tx.$queryRaw<Row[]>(
            select(
              Prisma.sql`(SELECT "id", "conversationId", "seq", "text", "createdAt" FROM "Message"
                           WHERE "workspaceId" = ${workspaceId}::uuid ORDER BY "createdAt" DESC LIMIT ${RECENT_WINDOW}) m`,
              true,
            ),
          );
          if (recent.length >= limit) return recent;
        }
        // 2. Rarer words: every match through the GIN index (materialized, so the planner cannot trade it for a
        // walk down the createdAt index, which is slow when the words are common but seldom together), within
        // what is left of the time limit.
        const left = Math.max(100, FTS_TIMEOUT_MS - (Date.now() - started));
        await tx.$executeRawUnsafe(`SET LOCAL statement_timeout = ${left}`);
        return tx.$queryRaw<Row[]>`
          WITH hits AS MATERIALIZED (
            SELECT "id", "conversationId", "seq", "text", "createdAt" FROM "Message"
             WHERE to_tsvector('simple', "text") @@ to_tsquery('simple', ${tsquery}))
          ${select(Prisma.sql`hits m`, false)}`;
      }, { timeout: FTS_TIMEOUT_MS + 3_000, maxWait: 5_000 });
      return {
        hits: rows.map((r) => ({
          type: 'message' as const,
          conversationId: r.conversationId,
          seq: r.seq,
          snippet: r.snippet,
          createdAt: r.createdAt.toISOString(),
          contact: { id: r.contactId, name: r.name, email: r.email, externalId: r.externalId },
        })),
        partial: false,
      };
    } catch (err) {
      if (isQueryCanceled(err)) return { hits: [], partial: true };
      throw err;
    }
  }

  private async contacts(workspaceId: string, q: string): Promise<SearchHitDto[]> {
    const pattern = `%${escapeLike(q)}%`;
    const rows = await this.prisma.$queryRaw<(SearchContact & { conversationId: string | null })[]>`
      SELECT ct."id", ct."name", ct."email", ct."externalId",
             (SELECT c."id" FROM "Conversation" c WHERE c."contactId" = ct."id" ORDER BY c."lastMessageAt" DESC NULLS LAST LIMIT 1) AS "conversationId"
        FROM "Contact" ct
       WHERE ct."workspaceId" = ${workspaceId}::uuid
         AND (ct."name" ILIKE ${pattern} ESCAPE '\\' OR ct."email" ILIKE ${pattern} ESCAPE '\\' OR ct."externalId" ILIKE ${pattern} ESCAPE '\\')
       ORDER BY (ct."externalId" = ${q} OR lower(ct."email") = lower(${q})) DESC, ct."createdAt" DESC
       LIMIT ${CONTACT_HITS}`;
    return rows.map(({ conversationId, ...contact }) => ({ type: 'contact' as const, conversationId, contact }));
  }

  private async payments(workspaceId: string, q: string): Promise<SearchHitDto[]> {
    const conditions: Prisma.Sql[] = [Prisma.sql`p."reference" = ${q}`];
    if (UUID.test(q)) conditions.push(Prisma.sql`p."id" = ${q}::uuid`);
    if (TX_PREFIX.test(q)) conditions.push(Prisma.sql`lower(p."txHash") LIKE ${`${escapeLike(q.toLowerCase())}%`} ESCAPE '\\'`);
    const rows = await this.prisma.$queryRaw<
      { id: string; reference: string; status: string; amount: string; token: string; txHash: string | null; contactId: string | null; name: string | null; email: string | null; externalId: string | null; conversationId: string | null }[]
    >`
      SELECT p."id", p."reference", p."status"::text AS "status", p."amount"::text AS "amount", p."token", p."txHash",
             ct."id" AS "contactId", ct."name", ct."email", ct."externalId",
             (SELECT c."id" FROM "Conversation" c WHERE c."contactId" = ct."id" ORDER BY c."lastMessageAt" DESC NULLS LAST LIMIT 1) AS "conversationId"
        FROM "Payment" p
        LEFT JOIN "Contact" ct ON ct."workspaceId" = p."workspaceId" AND ct."externalId" = p."payerId"
       WHERE p."workspaceId" = ${workspaceId}::uuid AND (${Prisma.join(conditions, ' OR ')})
       ORDER BY p."initiatedAt" DESC
       LIMIT ${PAYMENT_HITS}`;
    return rows.map((r) => ({
      type: 'payment' as const,
      conversationId: r.conversationId,
      // Money as the database's exact decimal text, never a float.
      payment: { id: r.id, reference: r.reference, status: r.status, amount: r.amount, token: r.token, txHash: r.txHash },
      contact: r.contactId ? { id: r.contactId, name: r.name, email: r.email, externalId: r.externalId } : null,
    }));
  }
}

/** LIKE's wildcards and its escape character, taken literally. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function isQueryCanceled(err: unknown): boolean {
  const text = `${(err as { message?: string })?.message ?? ''} ${JSON.stringify((err as { meta?: unknown })?.meta ?? '')}`;
  return /57014|statement timeout|canceling statement/i.test(text);
}
