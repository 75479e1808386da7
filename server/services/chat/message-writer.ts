// Group commit: messages to different conversations that arrive together are stored by one statement, in one
// transaction. Under load that is one round trip, one plan and one WAL flush per batch instead of per message;
// alone, a message is written at once (a batch leaves as soon as the previous one is back, never on a timer).
import { randomUUID } from 'node:crypto';
import type { MessageKind, SenderType } from '../../../protocol/chat.ts';
import type { SqlRunner, SqlStatement } from '../../db/sql.ts';

export interface MessageToStore {
  conversationId: string;
  clientMessageId: string;
  senderType: SenderType;
  senderId: string | null;
  kind: MessageKind;
  text: string;
  payload: Record<string, unknown> | null;
  /** The assistant's answer: stored only while the conversation is still in assistant mode. */
  onlyInAiMode: boolean;
}

export interface StoredMessageRow {
  id: string;
  conversationId: string;
  seq: number;
  clientMessageId: string;
  senderType: SenderType;
  senderId: string | null;
  kind: MessageKind;
  text: string;
  payload: unknown;
  createdAt: Date;
  /** The customer's message reopened a resolved conversation. */
  reopened: boolean;
}

export interface MessageWriterOptions {
  /** Rows per statement. */
  maxBatch?: number;
  /**
   * Statements in flight at once. One (the default): measured on PostgreSQL at 1,000 msg/s, a second batch in
   * flight halved the batches and cost the database ~15 % more CPU per message for no gain in latency.
   */
  maxInFlight?: number;
  /** The clock for backlogMs (milliseconds). */
  now?: () => number;
}

/**
 * Each conversation's lastSeq is bumped by the number of its rows and the rows inserted with the numbers
 * that makes, in input order, in the same statement (a failed insert rolls the bump back: sequences stay
 * gap-free). Several rows of one conversation share one sender and are never an assistant answer (the writer
 * batches them so): applying a row's effect on the conversation once or n times is then the same, and the
 * conversation is updated once (UPDATE … FROM applies one source row per target). Conversations are locked in
 * id order, so two instances' batches never deadlock on each other. A message already stored under its client
 * id (a retry) and an assistant answer that lost the race to a handoff return no row; the caller tells which.
 */
export const INSERT_MESSAGES: SqlStatement = {
  name: 'verychat_insert_messages_v2',
  text: `
WITH input AS (
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::"SenderType"[], $5::text[], $6::"MessageKind"[],
                       $7::text[], $8::jsonb[], $9::boolean[]) WITH ORDINALITY
      AS t("id", "conversationId", "clientMessageId", "senderType", "senderId", "kind", "text", "payload", "onlyInAiMode", "ord")
), fresh AS (
  -- n: the row's place among its conversation's new rows; k: how many there are.
  SELECT i.*, i."senderType" = 'contact' AS "reopens",
         row_number() OVER (PARTITION BY i."conversationId" ORDER BY i."ord") AS "n",
         count(*) OVER (PARTITION BY i."conversationId") AS "k"
    FROM input i
   WHERE NOT EXISTS (SELECT 1 FROM "Message" m WHERE m."conversationId" = i."conversationId" AND m."clientMessageId" = i."clientMessageId")
), locked AS (
  -- Newest committed state after the lock: whether this batch reopens the conversation.
  SELECT c."id", c."status" FROM "Conversation" c
   WHERE c."id" IN (SELECT "conversationId" FROM fresh)
   ORDER BY c."id" FOR UPDATE
), bumped AS (
  -- The inbox's columns move with each message: a customer's starts (or continues) the wait and wakes a
  -- pending or snoozed conversation; an agent's reply ends the wait (and claims it when nobody has); the
  -- assistant's answer ends it too (it is sent only in assistant mode). A customer writing in a resolved
  -- conversation reopens it in a fresh assistant episode.
  UPDATE "Conversation" c
     SET "lastSeq" = c."lastSeq" + f."k", "lastMessageAt" = now(), "updatedAt" = now(),
         "mode" = CASE WHEN c."status" = 'resolved' AND f."reopens" THEN 'ai'::"ConversationMode" ELSE c."mode" END,
         "aiEpisodeStartedAt" = CASE WHEN c."status" = 'resolved' AND f."reopens" THEN now() ELSE c."aiEpisodeStartedAt" END,
         "status" = CASE WHEN c."status" = 'resolved' OR (f."reopens" AND c."status" IN ('pending', 'snoozed'))
                         THEN 'open'::"ConversationStatus" ELSE c."status" END,
         "snoozedUntil" = CASE WHEN f."reopens" THEN NULL ELSE c."snoozedUntil" END,
         "resolvedAt" = CASE WHEN c."status" = 'resolved' THEN NULL ELSE c."resolvedAt" END,
         "waitingSince" = CASE WHEN f."reopens" THEN COALESCE(c."waitingSince", now())
                               WHEN f."senderType" IN ('agent', 'assistant') THEN NULL ELSE c."waitingSince" END,
         "lastCustomerMessageAt" = CASE WHEN f."reopens" THEN now() ELSE c."lastCustomerMessageAt" END,
         "lastAgentMessageAt" = CASE WHEN f."senderType" = 'agent' THEN now() ELSE c."lastAgentMessageAt" END,
         "assigneeId" = CASE WHEN f."senderType" = 'agent' THEN COALESCE(c."assigneeId", f."senderId"::uuid) ELSE c."assigneeId" END
    FROM fresh f JOIN locked l ON l."id" = f."conversationId"
   WHERE c."id" = f."conversationId" AND f."n" = 1 AND (NOT f."onlyInAiMode" OR c."mode" = 'ai')
RETURNING c."id", c."lastSeq" - f."k" AS "before", l."status" = 'resolved' AND f."reopens" AS "reopened"
)
INSERT INTO "Message" ("id", "conversationId", "seq", "clientMessageId", "senderType", "senderId", "kind", "text", "payload", "createdAt")
SELECT f."id", f."conversationId", b."before" + f."n", f."clientMessageId", f."senderType", f."senderId", f."kind", f."text", f."payload", now()
  FROM fresh f JOIN bumped b ON b."id" = f."conversationId"
RETURNING "id", "conversationId", "seq", "clientMessageId", "senderType", "senderId", "kind", "text", "payload", "createdAt",
          (SELECT b."reopened" FROM bumped b WHERE b."id" = "Message"."conversationId") AND "seq" = (SELECT b."before" + 1 FROM bumped b WHERE b."id" = "Message"."conversationId") AS "reopened"`,
};

interface Pending {
  message: MessageToStore;
  /** When it was queued (the writer's clock). */
  at: number;
  resolve(row: StoredMessageRow | null): void;
  reject(err: unknown): void;
}

export class MessageWriter {
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly now: () => number;
  private queue: Pending[] = [];
  /** Batches whose statement is running (each in queue order: its first is its oldest). */
  private readonly writing = new Set<Pending[]>();
  private scheduled = false;

  constructor(
    private readonly sql: SqlRunner,
    opts: MessageWriterOptions = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 256;
    this.maxInFlight = opts.maxInFlight ?? 1;
    this.now = opts.now ?? (() => performance.now());
  }

  /** The stored row, or null when nothing was stored (a retry of a stored message, or see INSERT_MESSAGES). */
  write(message: MessageToStore): Promise<StoredMessageRow | null> {
    return new Promise((resolve, reject) => {
      this.queue.push({ message, at: this.now(), resolve, reject });
      this.schedule();
    });
  }

  /**
   * How long the oldest message not yet stored (queued, or in a statement still running) has waited: the
   * database's backlog as callers feel it, a stalled statement included. 0 when nothing waits.
   */
  backlogMs(): number {
    let oldest = this.queue[0]?.at ?? Infinity;
    for (const batch of this.writing) oldest = Math.min(oldest, batch[0]!.at);
    return oldest === Infinity ? 0 : this.now() - oldest;
  }

  private schedule(): void {
    if (this.scheduled || this.writing.size >= this.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    // Everything that arrives in this turn of the event loop leaves together.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.writing.size < this.maxInFlight && this.queue.length > 0) {
      const batch: Pending[] = [];
      const rest: Pending[] = [];
      // A conversation already in a running statement waits for the next batch (its messages are stored in the
      // order they were handed over). Within a batch, a conversation's messages share one sender and are not
      // assistant answers (see INSERT_MESSAGES); the first that differs, and everything after it, waits too.
      const blocked = new Set<string>();
      for (const running of this.writing) for (const p of running) blocked.add(p.message.conversationId);
      const groups = new Map<string, string>();
      for (const p of this.queue) {
        const { conversationId } = p.message;
        const group = groupKey(p.message);
        const joined = groups.get(conversationId);
        if (batch.length < this.maxBatch && !blocked.has(conversationId) && (joined === undefined || (joined === group && group !== null))) {
          groups.set(conversationId, group ?? ASSISTANT);
          batch.push(p);
        } else {
          blocked.add(conversationId);
          rest.push(p);
        }
      }
      // Everything waiting is for conversations being written: the next batch leaves when that statement is back.
      if (batch.length === 0) return;
      this.queue = rest;
      this.writing.add(batch);
      void this.store(batch);
    }
  }

  private async store(batch: Pending[]): Promise<void> {
    const ids = batch.map(() => randomUUID());
    let rows: StoredMessageRow[];
    try {
      rows = await this.insert(batch.map((p) => p.message), ids);
    } catch (err) {
      if (batch.length === 1) {
        this.done(batch);
        return batch[0]!.reject(err);
      }
      // One message's failure (a retry stored meanwhile by another instance, a deleted conversation) must not
      // fail the others: each is tried alone, in order, and gets its own answer.
      for (const [i, p] of batch.entries()) {
        try {
          p.resolve((await this.insert([p.message], [ids[i]!]))[0] ?? null);
        } catch (e) {
          p.reject(e);
        }
      }
      this.done(batch);
      return;
    }
    // The next statement leaves before this one's callers publish: the database never waits for that work.
    this.done(batch);
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const [i, p] of batch.entries()) p.resolve(byId.get(ids[i]!) ?? null);
  }

  private done(batch: Pending[]): void {
    this.writing.delete(batch);
    this.flush();
  }

  private insert(messages: MessageToStore[], ids: string[]): Promise<StoredMessageRow[]> {
    return this.sql.query<StoredMessageRow>(INSERT_MESSAGES, [
      ids,
      messages.map((m) => m.conversationId),
      messages.map((m) => m.clientMessageId),
      messages.map((m) => m.senderType),
      messages.map((m) => m.senderId),
      messages.map((m) => m.kind),
      messages.map((m) => m.text),
      messages.map((m) => (m.payload ? JSON.stringify(m.payload) : null)),
      messages.map((m) => m.onlyInAiMode),
    ]);
  }
}

/** Stands for an assistant answer among a batch's groups: it never shares its conversation's batch. */
const ASSISTANT = '\u0000assistant';

/** Messages of one conversation with the same key may share a statement; null: never (an assistant answer). */
function groupKey(m: MessageToStore): string | null {
  return m.onlyInAiMode ? null : `${m.senderType}:${m.senderId ?? ''}`;
}
