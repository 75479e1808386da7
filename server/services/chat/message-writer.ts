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
 * Each input row bumps its conversation's lastSeq and is inserted with the new value, in the same statement
 * (a failed insert rolls the bump back: sequences stay gap-free). A conversation appears at most once per
 * batch (UPDATE … FROM applies one row per target). Conversations are locked in id order, so two instances'
 * batches never deadlock on each other. A message already stored under its client id (a retry) and an
 * assistant answer that lost the race to a handoff return no row; the caller tells which.
 */
export const INSERT_MESSAGES: SqlStatement = {
  name: 'verychat_insert_messages_v1',
  text: `
WITH input AS (
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::"SenderType"[], $5::text[], $6::"MessageKind"[],
                       $7::text[], $8::jsonb[], $9::boolean[])
      AS t("id", "conversationId", "clientMessageId", "senderType", "senderId", "kind", "text", "payload", "onlyInAiMode")
), fresh AS (
  SELECT i.*, i."senderType" = 'contact' AS "reopens" FROM input i
   WHERE NOT EXISTS (SELECT 1 FROM "Message" m WHERE m."conversationId" = i."conversationId" AND m."clientMessageId" = i."clientMessageId")
), locked AS (
  -- Newest committed state after the lock: whether this message reopens the conversation.
  SELECT c."id", c."status" FROM "Conversation" c
   WHERE c."id" IN (SELECT "conversationId" FROM fresh)
   ORDER BY c."id" FOR UPDATE
), bumped AS (
  -- The inbox's columns move with each message: a customer's starts (or continues) the wait and wakes a
  -- pending or snoozed conversation; an agent's reply ends the wait (and claims it when nobody has); the
  -- assistant's answer ends it too (it is sent only in assistant mode). A customer writing in a resolved
  -- conversation reopens it in a fresh assistant episode.
  UPDATE "Conversation" c
     SET "lastSeq" = c."lastSeq" + 1, "lastMessageAt" = now(), "updatedAt" = now(),
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
   WHERE c."id" = f."conversationId" AND (NOT f."onlyInAiMode" OR c."mode" = 'ai')
RETURNING c."id", c."lastSeq", l."status" = 'resolved' AND f."reopens" AS "reopened"
)
INSERT INTO "Message" ("id", "conversationId", "seq", "clientMessageId", "senderType", "senderId", "kind", "text", "payload", "createdAt")
SELECT f."id", f."conversationId", b."lastSeq", f."clientMessageId", f."senderType", f."senderId", f."kind", f."text", f."payload", now()
  FROM fresh f JOIN bumped b ON b."id" = f."conversationId"
RETURNING "id", "conversationId", "seq", "clientMessageId", "senderType", "senderId", "kind", "text", "payload", "createdAt",
          (SELECT b."reopened" FROM bumped b WHERE b."id" = "Message"."conversationId") AS "reopened"`,
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
      // A conversation already in a running statement, or twice in this one, waits for the next batch: its
      // messages are stored in the order they were handed over.
      const conversations = new Set<string>();
      for (const running of this.writing) for (const p of running) conversations.add(p.message.conversationId);
      for (const p of this.queue) {
        if (batch.length < this.maxBatch && !conversations.has(p.message.conversationId)) {
          conversations.add(p.message.conversationId);
          batch.push(p);
        } else rest.push(p);
      }
      // Everything waiting is for conversations being written: the next batch leaves when that statement is back.
      if (batch.length === 0) return;
      this.queue = rest;
      this.writing.add(batch);
      void this.store(batch).finally(() => {
        this.writing.delete(batch);
        this.schedule();
      });
    }
  }

  private async store(batch: Pending[]): Promise<void> {
    let rows: StoredMessageRow[];
    try {
      rows = await this.insert(batch.map((p) => p.message));
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      // One message's failure (a retry stored meanwhile by another instance, a deleted conversation) must not
      // fail the others: each is tried alone and gets its own answer.
      await Promise.all(
        batch.map(async (p) => {
          try {
            p.resolve((await this.insert([p.message]))[0] ?? null);
          } catch (e) {
            p.reject(e);
          }
        }),
      );
      return;
    }
    const byConversation = new Map(rows.map((r) => [r.conversationId, r]));
    for (const p of batch) p.resolve(byConversation.get(p.message.conversationId) ?? null);
  }

  private insert(messages: MessageToStore[]): Promise<StoredMessageRow[]> {
    return this.sql.query<StoredMessageRow>(INSERT_MESSAGES, [
      messages.map(() => randomUUID()),
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
