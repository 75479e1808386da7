// The agent console's inbox: views with keyset pages and live counts, the conversation state machine
// (assign by compare-and-set, pending, snooze, resolve, reopen), internal notes, threads merged with notes,
// and the live `conversation-updated` / `inbox-counts` frames for the workspace's agents. Transport-free.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type {
  ConversationChangeReply,
  ConversationUpdatedEvent,
  InboxCounts,
  InboxPage,
  InboxRowDto,
  InboxStatus,
  InboxView,
  NoteDto,
  SharedCounts,
  StartConversationResponse,
  ThreadPage,
} from '../../../protocol/console.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { PREVIEW_CHARS } from '../../../protocol/console.ts';
import type { MessageKind, SenderType } from '../../../protocol/chat.ts';
import { Prisma, type PrismaClient } from '../../db/generated/client.ts';
import { AppError } from '../../errors.ts';
import type { ChatService } from '../chat/chat.service.ts';
import { normalizeText } from '../chat/text.ts';
import type { Principal } from '../principal.ts';
import type { Publisher } from '../publisher.ts';
import { rooms, userKey } from '../rooms.ts';

type AgentPrincipal = Principal & { kind: 'agent' };

const DEFAULT_PAGE = 25;
/** Changes to one conversation within this window go out as one `conversation-updated`. */
const UPDATE_COALESCE_MS = 100;
/** Counts are recomputed at most this often per workspace while it changes. */
const COUNTS_COALESCE_MS = 300;
/** Bounds on what waits to be published (a flood of changes cannot grow memory). */
const MAX_PENDING_UPDATES = 5_000;
/** Per-agent counts in one `inbox-counts` frame (a team larger than this refetches its own). */
const MAX_AGENTS_IN_COUNTS = 500;
const MAX_NOTES_PER_PAGE = 200;
/** Snoozes are woken by a periodic sweep (each due row is claimed by one instance: UPDATE … RETURNING). */
const SNOOZE_SWEEP_MS = 10_000;
const SNOOZE_BATCH = 500;
const MAX_SNOOZE_MS = 366 * 24 * 60 * 60 * 1000;

/** Which column orders a view, and which way; then lastMessageAt desc, id desc. */
const ORDER: Record<InboxView, { column: 'waitingSince' | 'snoozedUntil' | 'resolvedAt'; desc: boolean }> = {
  'needs-reply': { column: 'waitingSince', desc: false },
  mine: { column: 'waitingSince', desc: false },
  unassigned: { column: 'waitingSince', desc: false },
  assistant: { column: 'waitingSince', desc: false },
  open: { column: 'waitingSince', desc: false },
  snoozed: { column: 'snoozedUntil', desc: false },
  resolved: { column: 'resolvedAt', desc: true },
};

const CursorSchema = z.object({ v: z.string(), k: z.string().nullable(), t: z.string(), i: z.string().uuid() });

interface RowRecord {
  id: string;
  workspaceId: string;
  status: string;
  mode: string;
  assigneeId: string | null;
  assigneeName: string | null;
  handoffReason: string | null;
  handoffAt: Date | null;
  lastSeq: number;
  lastMessageAt: Date | null;
  sortAt: Date;
  waitingSince: Date | null;
  snoozedUntil: Date | null;
  resolvedAt: Date | null;
  createdAt: Date;
  contactId: string;
  contactName: string | null;
  contactEmail: string | null;
  contactExternalId: string | null;
  previewSeq: number | null;
  previewSender: string | null;
  previewKind: string | null;
  previewText: string | null;
  readSeq: number | null;
}

export interface InboxServiceDeps {
  prisma: PrismaClient;
  chat: ChatService;
  publisher: Publisher;
  now?: () => number;
  snoozeSweepMs?: number;
  onError?: (err: unknown, context: string) => void;
}

export class InboxService {
  private readonly prisma: PrismaClient;
  private readonly chat: ChatService;
  private readonly publisher: Publisher;
  private readonly now: () => number;
  private readonly pendingUpdates = new Map<string, string>();
  private updateTimer: NodeJS.Timeout | null = null;
  private readonly pendingCounts = new Set<string>();
  private countsTimer: NodeJS.Timeout | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: InboxServiceDeps) {
    this.prisma = deps.prisma;
    this.chat = deps.chat;
    this.publisher = deps.publisher;
    this.now = deps.now ?? Date.now;
  }

  /** Starts the snooze sweep on this instance. */
  start(): void {
    if (this.sweepTimer) return;
    this.sweepTimer = setInterval(() => {
      void this.wakeDueSnoozes().catch((err: unknown) => this.deps.onError?.(err, 'snooze sweep'));
    }, this.deps.snoozeSweepMs ?? SNOOZE_SWEEP_MS);
    this.sweepTimer.unref();
  }

  close(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.updateTimer) clearTimeout(this.updateTimer);
    if (this.countsTimer) clearTimeout(this.countsTimer);
    this.sweepTimer = this.updateTimer = this.countsTimer = null;
  }

  // ---- views and counts ----------------------------------------------------------------------------

  async list(agent: AgentPrincipal, q: { view: InboxView; cursor?: string | undefined; limit?: number | undefined }): Promise<InboxPage> {
    const limit = q.limit ?? DEFAULT_PAGE;
    const order = ORDER[q.view];
    const after = q.cursor ? decodeCursor(q.cursor, q.view) : null;
    const col = Prisma.raw(`c."${order.column}"`);
    const sortAt = Prisma.sql`COALESCE(c."lastMessageAt", c."createdAt")`;
    let keyset = Prisma.empty;
    if (after) {
      const tail = Prisma.sql`(${sortAt} < ${after.t}::timestamptz OR (${sortAt} = ${after.t}::timestamptz AND c."id" < ${after.i}::uuid))`;
      keyset =
        after.k === null
          ? Prisma.sql`AND ${col} IS NULL AND ${tail}`
          : Prisma.sql`AND (${col} ${Prisma.raw(order.desc ? '<' : '>')} ${after.k}::timestamptz OR (${col} = ${after.k}::timestamptz AND ${tail}) OR ${col} IS NULL)`;
    }
    const rows = await this.selectRows(
      agent.agentId,
      Prisma.sql`c."workspaceId" = ${agent.workspaceId}::uuid AND c."lastSeq" > 0 AND ${viewPredicate(q.view, agent.agentId)} ${keyset}`,
      { orderBy: Prisma.sql`${col} ${Prisma.raw(order.desc ? 'DESC' : 'ASC')} NULLS LAST, ${sortAt} DESC, c."id" DESC`, limit: limit + 1 },
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const nextCursor =
      rows.length > limit && last
        ? encodeCursor({ v: q.view, k: last[order.column]?.toISOString() ?? null, t: last.sortAt.toISOString(), i: last.id })
        : null;
    return { rows: page.map((r) => toRow(r, true)), nextCursor };
  }

  /** One row as the requesting agent sees it (with their unread), or as every agent does (agentId null). */
  async row(workspaceId: string, conversationId: string, agentId: string | null): Promise<InboxRowDto> {
    const [r] = await this.selectRows(agentId, Prisma.sql`c."id" = ${conversationId}::uuid AND c."workspaceId" = ${workspaceId}::uuid`, null);
    if (!r) throw new AppError('NOT_FOUND', 'No such conversation in this workspace.');
    return toRow(r, agentId !== null);
  }

  /**
   * Rows with their contact, assignee, preview and reader. `where` and `page.orderBy` name the conversation
   * as `c`. The page is chosen from the conversations alone first, then only its rows are joined: joining
   * before the LIMIT made every list read every matching conversation's last message (a hash join over all
   * of Message: 200 ms with 100,000 messages, see bench:console).
   */
  private selectRows(agentId: string | null, where: Prisma.Sql, page: { orderBy: Prisma.Sql; limit: number } | null): Promise<RowRecord[]> {
    const conversations = page
      ? Prisma.sql`(SELECT c.* FROM "Conversation" c WHERE ${where} ORDER BY ${page.orderBy} LIMIT ${page.limit}) c`
      : Prisma.sql`(SELECT c.* FROM "Conversation" c WHERE ${where}) c`;
    return this.prisma.$queryRaw<RowRecord[]>`
      SELECT c."id", c."workspaceId", c."status"::text AS "status", c."mode"::text AS "mode", c."assigneeId", a."name" AS "assigneeName",
             c."handoffReason", c."handoffAt", c."lastSeq", c."lastMessageAt", COALESCE(c."lastMessageAt", c."createdAt") AS "sortAt",
             c."waitingSince", c."snoozedUntil", c."resolvedAt", c."createdAt",
             ct."id" AS "contactId", ct."name" AS "contactName", ct."email" AS "contactEmail", ct."externalId" AS "contactExternalId",
             m."seq" AS "previewSeq", m."senderType"::text AS "previewSender", m."kind"::text AS "previewKind",
             left(m."text", ${PREVIEW_CHARS}) AS "previewText", rc."lastReadSeq" AS "readSeq"
        FROM ${conversations}
        JOIN "Contact" ct ON ct."id" = c."contactId"
        LEFT JOIN "Agent" a ON a."id" = c."assigneeId"
        LEFT JOIN "Message" m ON m."conversationId" = c."id" AND m."seq" = c."lastSeq"
        LEFT JOIN "ReadCursor" rc ON rc."conversationId" = c."id" AND rc."participantType" = 'agent' AND rc."participantId" = ${agentId ?? ''}
       ${page ? Prisma.sql`ORDER BY ${page.orderBy}` : Prisma.empty}`;
  }

  /** Every view's count for one agent. */
  async counts(agent: AgentPrincipal): Promise<InboxCounts> {
    const [shared, mine] = await Promise.all([this.sharedCounts(agent.workspaceId), this.agentCounts(agent.workspaceId, [agent.agentId])]);
    const own = mine[agent.agentId] ?? { mine: 0, unread: 0 };
    return { ...shared, mine: own.mine, unread: own.unread };
  }

  private async sharedCounts(workspaceId: string): Promise<SharedCounts> {
    const [r] = await this.prisma.$queryRaw<Record<string, number>[]>`
      SELECT count(*) FILTER (WHERE "status" = 'open' AND "mode" = 'human' AND "waitingSince" IS NOT NULL)::int AS "needs-reply",
             count(*) FILTER (WHERE "status" = 'open' AND "mode" = 'human' AND "assigneeId" IS NULL)::int AS "unassigned",
             count(*) FILTER (WHERE "status" = 'open' AND "mode" = 'ai')::int AS "assistant",
             count(*) FILTER (WHERE "status" IN ('open', 'pending'))::int AS "open",
             count(*) FILTER (WHERE "status" = 'snoozed')::int AS "snoozed",
             count(*) FILTER (WHERE "status" = 'resolved')::int AS "resolved"
        FROM "Conversation" WHERE "workspaceId" = ${workspaceId}::uuid AND "lastSeq" > 0`;
    return {
      'needs-reply': r?.['needs-reply'] ?? 0,
      unassigned: r?.unassigned ?? 0,
      assistant: r?.assistant ?? 0,
      open: r?.open ?? 0,
      snoozed: r?.snoozed ?? 0,
      resolved: r?.resolved ?? 0,
    };
  }

  /**
   * Per agent: `mine` (assigned, open or pending) and `unread` (conversations with a person, open, theirs or
   * nobody's, with messages past their read cursor). One query for the whole team (bounded).
   */
  private async agentCounts(workspaceId: string, agentIds: string[] | null): Promise<Record<string, { mine: number; unread: number }>> {
    const rows = await this.prisma.$queryRaw<{ id: string; mine: number; unread: number }[]>`
      SELECT a."id",
             (SELECT count(*)::int FROM "Conversation" c
               WHERE c."workspaceId" = a."workspaceId" AND c."assigneeId" = a."id" AND c."status" IN ('open', 'pending') AND c."lastSeq" > 0) AS "mine",
             (SELECT count(*)::int FROM "Conversation" c
                LEFT JOIN "ReadCursor" rc ON rc."conversationId" = c."id" AND rc."participantType" = 'agent' AND rc."participantId" = a."id"::text
               WHERE c."workspaceId" = a."workspaceId" AND c."status" = 'open' AND c."mode" = 'human' AND c."lastSeq" > 0
                 AND (c."assigneeId" = a."id" OR c."assigneeId" IS NULL)
                 AND c."lastSeq" > COALESCE(rc."lastReadSeq", 0)) AS "unread"
        FROM "Agent" a
       WHERE a."workspaceId" = ${workspaceId}::uuid ${agentIds ? Prisma.sql`AND a."id" = ANY(${agentIds}::uuid[])` : Prisma.empty}
       ORDER BY a."createdAt" LIMIT ${MAX_AGENTS_IN_COUNTS}`;
    return Object.fromEntries(rows.map((r) => [r.id, { mine: r.mine, unread: r.unread }]));
  }

  // ---- state machine -------------------------------------------------------------------------------

  /**
   * Assign by compare-and-set: a claim (no `expectedAssigneeId`) succeeds only while nobody holds the
   * conversation (or the same agent does); with `expectedAssigneeId` only while that one does. Of many
   * concurrent claims exactly one wins; the others get CONFLICT naming the winner.
   */
  async assign(agent: AgentPrincipal, conversationId: string, req: { assigneeId: string | null; expectedAssigneeId?: string | null | undefined }): Promise<ConversationChangeReply> {
    await this.chat.conversationFor(agent, conversationId);
    const target = req.assigneeId === 'me' ? agent.agentId : req.assigneeId;
    if (target) {
      const ok = await this.prisma.agent.count({ where: { id: target, workspaceId: agent.workspaceId } });
      if (!ok) throw new AppError('NOT_FOUND', 'No such agent in this workspace.');
    }
    const guard =
      req.expectedAssigneeId !== undefined
        ? Prisma.sql`"assigneeId" IS NOT DISTINCT FROM ${req.expectedAssigneeId}::uuid`
        : Prisma.sql`("assigneeId" IS NULL OR "assigneeId" IS NOT DISTINCT FROM ${target}::uuid)`;
    const n = await this.prisma.$executeRaw`
      UPDATE "Conversation" SET "assigneeId" = ${target}::uuid, "updatedAt" = now()
       WHERE "id" = ${conversationId}::uuid AND "workspaceId" = ${agent.workspaceId}::uuid AND ${guard}
         AND "assigneeId" IS DISTINCT FROM ${target}::uuid`;
    if (!n) {
      const row = await this.row(agent.workspaceId, conversationId, agent.agentId);
      if (row.assignee?.id === target || (row.assignee === null && target === null)) return { conversation: row, changed: false };
      throw new AppError('CONFLICT', row.assignee ? `${row.assignee.name} already has this conversation.` : 'The conversation was unassigned meanwhile.', {
        assignee: row.assignee,
      });
    }
    return { conversation: await this.changedNow(agent, conversationId), changed: true };
  }

  /**
   * open · pending (waiting on the customer: nobody waits on us) · snoozed (until a time, or until the customer
   * writes) · resolved. A customer's message moves pending, snoozed and resolved back to open (ChatService).
   */
  async setStatus(agent: AgentPrincipal, conversationId: string, req: { status: InboxStatus; snoozedUntil?: string | undefined }): Promise<ConversationChangeReply> {
    await this.chat.conversationFor(agent, conversationId);
    let until: Date | null = null;
    if (req.status === 'snoozed' && req.snoozedUntil) {
      until = new Date(req.snoozedUntil);
      const ahead = until.getTime() - this.now();
      if (ahead <= 0 || ahead > MAX_SNOOZE_MS) throw new AppError('VALIDATION_FAILED', 'snoozedUntil must be in the future, within a year.');
    }
    const status = req.status;
    const n = await this.prisma.$executeRaw`
      UPDATE "Conversation"
         SET "status" = ${status}::"ConversationStatus",
             "snoozedUntil" = ${until},
             "resolvedAt" = CASE WHEN ${status} = 'resolved' THEN now() ELSE NULL END,
             "waitingSince" = CASE WHEN ${status} IN ('resolved', 'pending') THEN NULL ELSE "waitingSince" END,
             "updatedAt" = now()
       WHERE "id" = ${conversationId}::uuid AND "workspaceId" = ${agent.workspaceId}::uuid
         AND ("status" <> ${status}::"ConversationStatus" OR "snoozedUntil" IS DISTINCT FROM ${until})`;
    const conversation = n ? await this.changedNow(agent, conversationId) : await this.row(agent.workspaceId, conversationId, agent.agentId);
    return { conversation, changed: n > 0 };
  }

  /** Due snoozes back to open, claimed row by row (SKIP LOCKED): safe with any number of instances. */
  async wakeDueSnoozes(): Promise<number> {
    const woken = await this.prisma.$queryRaw<{ id: string; workspaceId: string }[]>`
      UPDATE "Conversation" SET "status" = 'open', "snoozedUntil" = NULL, "updatedAt" = now()
       WHERE "id" IN (SELECT "id" FROM "Conversation" WHERE "status" = 'snoozed' AND "snoozedUntil" <= ${new Date(this.now())}
                       ORDER BY "snoozedUntil" LIMIT ${SNOOZE_BATCH} FOR UPDATE SKIP LOCKED)
   RETURNING "id", "workspaceId"`;
    for (const w of woken) this.changed(w.workspaceId, w.id);
    return woken.length;
  }

  /**
   * An agent opens a new conversation with a customer named by contact id, external id (created when they
   * never connected: the conversation waits for them) or payment (its payer).
   */
  async startConversation(
    agent: AgentPrincipal,
    req: { contactId?: string | undefined; externalId?: string | undefined; paymentId?: string | undefined; text: string; clientMessageId?: string | undefined },
  ): Promise<StartConversationResponse> {
    let contactId = req.contactId;
    let externalId = req.externalId;
    if (req.paymentId !== undefined) {
      const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(req.paymentId);
      const payment = await this.prisma.payment.findFirst({
        where: { workspaceId: agent.workspaceId, OR: [{ reference: req.paymentId }, ...(isUuid ? [{ id: req.paymentId }] : [])] },
        select: { payerId: true },
      });
      if (!payment) throw new AppError('NOT_FOUND', 'No such payment in this workspace.');
      externalId = payment.payerId;
    }
    if (externalId !== undefined) {
      const where = { workspaceId_externalId: { workspaceId: agent.workspaceId, externalId } };
      const contact =
        (await this.prisma.contact.findUnique({ where, select: { id: true } })) ??
        (await this.prisma.contact.create({ data: { workspaceId: agent.workspaceId, externalId }, select: { id: true } }).catch(async (err: unknown) => {
          if (isUniqueViolation(err)) return this.prisma.contact.findUniqueOrThrow({ where, select: { id: true } });
          throw err;
        }));
      contactId = contact.id;
    }
    if (!contactId) throw new AppError('VALIDATION_FAILED', 'Name the customer by contactId, externalId or paymentId.');
    const { conversation, message } = await this.chat.startWithCustomer(agent, contactId, {
      text: req.text,
      clientMessageId: req.clientMessageId ?? randomUUID(),
    });
    return { conversation: await this.row(agent.workspaceId, conversation.id, agent.agentId), message };
  }

  // ---- notes and threads ---------------------------------------------------------------------------

  /** An internal note: stored apart from messages, published to the workspace's agents only. Idempotent on clientNoteId. */
  async addNote(agent: AgentPrincipal, conversationId: string, input: { text: string; clientNoteId?: string | undefined }): Promise<{ note: NoteDto; duplicate: boolean }> {
    await this.chat.conversationFor(agent, conversationId);
    const text = normalizeText(input.text);
    if (!text) throw new AppError('VALIDATION_FAILED', 'A note needs some text.');
    const clientNoteId = input.clientNoteId ?? randomUUID();
    const inserted = await this.prisma.$queryRaw<{ id: string }[]>`
      INSERT INTO "ConversationNote" ("id", "workspaceId", "conversationId", "agentId", "clientNoteId", "text", "afterSeq", "createdAt")
      SELECT ${randomUUID()}::uuid, c."workspaceId", c."id", ${agent.agentId}::uuid, ${clientNoteId}, ${text}, c."lastSeq", now()
        FROM "Conversation" c WHERE c."id" = ${conversationId}::uuid AND c."workspaceId" = ${agent.workspaceId}::uuid
      ON CONFLICT ("conversationId", "clientNoteId") DO NOTHING
      RETURNING "id"`;
    const row = await this.prisma.conversationNote.findUniqueOrThrow({
      where: { conversationId_clientNoteId: { conversationId, clientNoteId } },
      include: { agent: { select: { id: true, name: true } } },
    });
    const note = toNote(row);
    if (inserted.length) this.publisher.publish([rooms.agents(agent.workspaceId)], 'note-added', note);
    return { note, duplicate: inserted.length === 0 };
  }

  /** A page of the thread for agents: messages (as customers see them) and the notes placed among them. */
  async thread(agent: AgentPrincipal, conversationId: string, q: { beforeSeq?: number | undefined; afterSeq?: number | undefined; limit?: number | undefined }): Promise<ThreadPage> {
    const page = await this.chat.history(agent, conversationId, {
      ...(q.beforeSeq !== undefined && { beforeSeq: q.beforeSeq }),
      ...(q.afterSeq !== undefined && { afterSeq: q.afterSeq }),
      ...(q.limit !== undefined && { limit: q.limit }),
    });
    const first = page.messages[0]?.seq;
    const last = page.messages.at(-1)?.seq;
    let range: { gte?: number; lte?: number };
    if (q.afterSeq !== undefined) {
      // Catching up: everything placed after what the console holds (a note since, with no message since, too).
      range = { gte: q.afterSeq, ...(page.hasMore && last !== undefined && { lte: last }) };
    } else {
      // Backwards: notes between this page's first message and its end (the newest page: to the end;
      // the oldest: from the beginning).
      range = {
        ...(page.hasMore && first !== undefined && { gte: first }),
        ...(q.beforeSeq !== undefined && { lte: q.beforeSeq - 1 }),
      };
    }
    const [notes, conversation] = await Promise.all([
      this.prisma.conversationNote.findMany({
        where: { conversationId, workspaceId: agent.workspaceId, afterSeq: range },
        orderBy: [{ afterSeq: 'desc' }, { createdAt: 'desc' }],
        take: MAX_NOTES_PER_PAGE,
        include: { agent: { select: { id: true, name: true } } },
      }),
      this.row(agent.workspaceId, conversationId, agent.agentId),
    ]);
    return { conversation, messages: page.messages, notes: notes.reverse().map(toNote), hasMore: page.hasMore };
  }

  // ---- live frames ----------------------------------------------------------------------------------

  /**
   * A conversation changed (message, handoff, assignment, status): its row goes to the workspace's agents,
   * coalesced over a short window, then fresh counts. Cheap to call on every message.
   */
  changed(workspaceId: string, conversationId: string): void {
    if (this.pendingUpdates.size >= MAX_PENDING_UPDATES && !this.pendingUpdates.has(conversationId)) {
      // Bounded: past the cap the counts still go out; agents' lists catch up on their next page or resync.
      this.scheduleCounts(workspaceId);
      return;
    }
    this.pendingUpdates.set(conversationId, workspaceId);
    this.updateTimer ??= setTimeout(() => void this.flushUpdates(), UPDATE_COALESCE_MS);
    this.updateTimer.unref?.();
  }

  /** Reads the row now and publishes it at once (the agent acting gets the same row in the reply). */
  private async changedNow(agent: AgentPrincipal, conversationId: string): Promise<InboxRowDto> {
    const shared = await this.row(agent.workspaceId, conversationId, null);
    this.publishRow(shared);
    this.scheduleCounts(agent.workspaceId);
    return this.row(agent.workspaceId, conversationId, agent.agentId);
  }

  /**
   * The window's changed rows, one query per workspace, to workspaces with an agent online (on any instance):
   * with nobody to tell, nothing is read (a console that connects later loads its list and counts fresh).
   */
  private async flushUpdates(): Promise<void> {
    this.updateTimer = null;
    const byWorkspace = new Map<string, string[]>();
    for (const [conversationId, workspaceId] of this.pendingUpdates) {
      const ids = byWorkspace.get(workspaceId);
      if (ids) ids.push(conversationId);
      else byWorkspace.set(workspaceId, [conversationId]);
    }
    this.pendingUpdates.clear();
    for (const [workspaceId, ids] of byWorkspace) {
      try {
        if (!(await this.publisher.occupied(rooms.agents(workspaceId)))) continue;
        const rows = await this.selectRows(null, Prisma.sql`c."id" = ANY(${ids}::uuid[]) AND c."workspaceId" = ${workspaceId}::uuid`, null);
        for (const r of rows) this.publishRow(toRow(r, false));
        this.scheduleCounts(workspaceId);
      } catch (err) {
        this.deps.onError?.(err, 'conversation-updated');
      }
    }
  }

  private publishRow(row: InboxRowDto & { workspaceId?: string }): void {
    const { workspaceId, ...conversation } = row as InboxRowDto & { workspaceId: string };
    const event: ConversationUpdatedEvent = { conversation, views: viewsOf(conversation) };
    this.publisher.publish([rooms.agents(workspaceId)], 'conversation-updated', event);
  }

  private scheduleCounts(workspaceId: string): void {
    this.pendingCounts.add(workspaceId);
    this.countsTimer ??= setTimeout(() => void this.flushCounts(), COUNTS_COALESCE_MS);
    this.countsTimer.unref?.();
  }

  private async flushCounts(): Promise<void> {
    this.countsTimer = null;
    const workspaces = [...this.pendingCounts];
    this.pendingCounts.clear();
    for (const workspaceId of workspaces) {
      try {
        if (!(await this.publisher.occupied(rooms.agents(workspaceId)))) continue;
        const [counts, agents] = await Promise.all([this.sharedCounts(workspaceId), this.agentCounts(workspaceId, null)]);
        this.publisher.publish([rooms.agents(workspaceId)], 'inbox-counts', { counts, agents });
      } catch (err) {
        this.deps.onError?.(err, 'inbox-counts');
      }
    }
  }

  /** ChatService's hook: a message was stored. An agent's own message counts as read by them. */
  async onMessage(conversation: { id: string; workspaceId: string }, sender: { type: SenderType; id: string | null }, seq: number): Promise<void> {
    if (sender.type === 'agent' && sender.id) {
      await this.prisma.$executeRaw`
        INSERT INTO "ReadCursor" ("conversationId", "participantType", "participantId", "lastReadSeq", "lastDeliveredSeq", "updatedAt")
        VALUES (${conversation.id}::uuid, 'agent', ${sender.id}, ${seq}, ${seq}, now())
        ON CONFLICT ("conversationId", "participantType", "participantId") DO UPDATE
           SET "lastReadSeq" = GREATEST("ReadCursor"."lastReadSeq", EXCLUDED."lastReadSeq"),
               "lastDeliveredSeq" = GREATEST("ReadCursor"."lastDeliveredSeq", EXCLUDED."lastDeliveredSeq"), "updatedAt" = now()`;
    }
    this.changed(conversation.workspaceId, conversation.id);
  }

  /** ChatService's hook: an agent read up to `seq`: their other tabs hear it, and their unread count changes. */
  onRead(p: Principal, conversationId: string, seq: number): void {
    if (p.kind !== 'agent') return;
    this.publisher.publish([rooms.user(p.workspaceId, userKey(p))], 'agent-read', { conversationId, seq });
    this.scheduleCounts(p.workspaceId);
  }
}

function viewPredicate(view: InboxView, agentId: string): Prisma.Sql {
  switch (view) {
    case 'needs-reply':
      return Prisma.sql`c."status" = 'open' AND c."mode" = 'human' AND c."waitingSince" IS NOT NULL`;
    case 'mine':
      return Prisma.sql`c."assigneeId" = ${agentId}::uuid AND c."status" IN ('open', 'pending')`;
    case 'unassigned':
      return Prisma.sql`c."status" = 'open' AND c."mode" = 'human' AND c."assigneeId" IS NULL`;
    case 'assistant':
      return Prisma.sql`c."status" = 'open' AND c."mode" = 'ai'`;
    case 'open':
      return Prisma.sql`c."status" IN ('open', 'pending')`;
    case 'snoozed':
      return Prisma.sql`c."status" = 'snoozed'`;
    case 'resolved':
      return Prisma.sql`c."status" = 'resolved'`;
  }
}

/** The same rules as viewPredicate, for one row (`mine` is the console's: it knows the assignee). */
export function viewsOf(r: InboxRowDto): ConversationUpdatedEvent['views'] {
  const views: ConversationUpdatedEvent['views'] = [];
  if (r.lastSeq <= 0) return views;
  if (r.status === 'open' && r.mode === 'human' && r.waitingSince) views.push('needs-reply');
  if (r.status === 'open' && r.mode === 'human' && !r.assignee) views.push('unassigned');
  if (r.status === 'open' && r.mode === 'ai') views.push('assistant');
  if (r.status === 'open' || r.status === 'pending') views.push('open');
  if (r.status === 'snoozed') views.push('snoozed');
  if (r.status === 'resolved') views.push('resolved');
  return views;
}

function toRow(r: RowRecord, withReader: boolean): InboxRowDto {
  const readSeq = Math.min(r.readSeq ?? 0, r.lastSeq);
  const row: InboxRowDto & { workspaceId?: string } = {
    id: r.id,
    status: r.status as InboxStatus,
    mode: r.mode as 'ai' | 'human',
    contact: { id: r.contactId, name: r.contactName, email: r.contactEmail, externalId: r.contactExternalId },
    assignee: r.assigneeId ? { id: r.assigneeId, name: r.assigneeName ?? '' } : null,
    handoff: r.mode === 'human' && r.handoffReason && r.handoffAt ? { reason: r.handoffReason, at: r.handoffAt.toISOString() } : null,
    lastSeq: r.lastSeq,
    lastMessageAt: r.lastMessageAt?.toISOString() ?? null,
    waitingSince: r.waitingSince?.toISOString() ?? null,
    snoozedUntil: r.snoozedUntil?.toISOString() ?? null,
    resolvedAt: r.resolvedAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
    preview:
      r.previewSeq !== null
        ? { seq: r.previewSeq, sender: r.previewSender as SenderType, kind: r.previewKind as MessageKind, text: r.previewText ?? '' }
        : null,
    ...(withReader && { readSeq, unread: r.lastSeq - readSeq }),
  };
  // Carried (non-enumerably) for publishing to the right room; never serialised.
  Object.defineProperty(row, 'workspaceId', { value: r.workspaceId, enumerable: false });
  return row;
}

function toNote(n: { id: string; conversationId: string; clientNoteId: string; afterSeq: number; text: string; createdAt: Date; agent: { id: string; name: string } | null }): NoteDto {
  return {
    id: n.id,
    conversationId: n.conversationId,
    clientNoteId: n.clientNoteId,
    afterSeq: n.afterSeq,
    author: n.agent ? { id: n.agent.id, name: n.agent.name } : null,
    text: n.text,
    createdAt: n.createdAt.toISOString(),
  };
}

function encodeCursor(c: z.infer<typeof CursorSchema>): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(cursor: string, view: InboxView): z.infer<typeof CursorSchema> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  const result = CursorSchema.safeParse(parsed);
  if (!result.success || result.data.v !== view || Number.isNaN(Date.parse(result.data.t)) || (result.data.k !== null && Number.isNaN(Date.parse(result.data.k)))) {
    throw new AppError('VALIDATION_FAILED', 'The cursor is invalid for this view; start from the first page.');
  }
  return result.data;
}
