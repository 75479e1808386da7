// Chat messages through the group commit (../group-commit.ts): messages that arrive together are stored by one
// statement, a conversation's messages in the order they were handed over.
import { randomUUID } from 'node:crypto';
import type { MessageKind, SenderType } from '../../../protocol/chat.ts';
import type { SqlRunner, SqlStatement } from '../../db/sql.ts';
import { GroupCommit } from '../group-commit.ts';

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
  name: 'verychat_insert_messages_v3',
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
RETURNING c."id", c."workspaceId", c."lastSeq" - f."k" AS "before", l."status" = 'resolved' AND f."reopens" AS "reopened"
)
INSERT INTO "Message" ("id", "conversationId", "workspaceId", "seq", "clientMessageId", "senderType", "senderId", "kind", "text", "payload", "createdAt")
SELECT f."id", f."conversationId", b."workspaceId", b."before" + f."n", f."clientMessageId", f."senderType", f."senderId", f."kind", f."text", f."payload", now()
  FROM fresh f JOIN bumped b ON b."id" = f."conversationId"
RETURNING "id", "conversationId", "seq", "clientMessageId", "senderType", "senderId", "kind", "text", "payload", "createdAt",
          (SELECT b."reopened" FROM bumped b WHERE b."id" = "Message"."conversationId") AND "seq" = (SELECT b."before" + 1 FROM bumped b WHERE b."id" = "Message"."conversationId") AS "reopened"`,
};

export class MessageWriter {
  private readonly commits: GroupCommit<MessageToStore, StoredMessageRow | null>;

  constructor(
    private readonly sql: SqlRunner,
    opts: MessageWriterOptions = {},
  ) {
    this.commits = new GroupCommit({
      write: (batch) => this.insert(batch),
      // A conversation's messages share a statement when they share a sender and none is an assistant answer
      // (see INSERT_MESSAGES); the first that differs, and everything after it, waits for the next one.
      keys: (m) => [m.conversationId],
      shareTag: (m) => (m.onlyInAiMode ? null : `${m.senderType}:${m.senderId ?? ''}`),
      maxBatch: opts.maxBatch ?? 256,
      ...(opts.now && { now: opts.now }),
    });
  }

  /** The stored row, or null when nothing was stored (a retry of a stored message, or see INSERT_MESSAGES). */
  write(message: MessageToStore): Promise<StoredMessageRow | null> {
    return this.commits.write(message);
  }

  /** How long the oldest message not yet stored has waited (GroupCommit.backlogMs). */
  backlogMs(): number {
    return this.commits.backlogMs();
  }

  /** One row per message, in order (null: not stored). */
  private async insert(messages: MessageToStore[]): Promise<(StoredMessageRow | null)[]> {
    const ids = messages.map(() => randomUUID());
    const rows = await this.sql.query<StoredMessageRow>(INSERT_MESSAGES, [
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
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  }
}
