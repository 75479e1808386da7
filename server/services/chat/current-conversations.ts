// Customers' current conversations, for the messages the server posts into them (payment cards), read through the
// group commit (../group-commit.ts): the customers of events that arrive together are looked up by one
// statement. A payment's parties are mostly customers not seen in the last half minute (the cache's life), and
// through Prisma each cost four queries (contact, conversation, the conversation's contact again): measured at
// 500 events/s with every look-up missing the cache, that doubled the server's CPU per event. Customers not
// stored yet get their contact and first conversation from one statement too (each was a locked transaction of
// five round trips: about 310 events/s at most when every payee was new).
import { randomUUID } from 'node:crypto';
import type { Contact, Conversation } from '../../db/generated/client.ts';
import type { SqlRunner, SqlStatement } from '../../db/sql.ts';
import { GroupCommit, inInputOrder } from '../group-commit.ts';

export type ConversationWithContact = Conversation & { contact: Contact };

/** Contact's columns, returned as "contact.<name>" beside the conversation's (the names overlap). */
const CONTACT_COLUMNS = ['id', 'workspaceId', 'externalId', 'visitorId', 'name', 'email', 'lastSeenAt', 'createdAt', 'updatedAt'] as const;
const CONTACT_SELECT = CONTACT_COLUMNS.map((c) => `ct."${c}" AS "contact.${c}"`).join(', ');

/**
 * For each (workspace, external id): the contact and its current conversation — the open, pending or snoozed
 * one with the newest message, as ChatService picks it — with its place in the input (`ord`). No row when either
 * does not exist yet (the caller creates them).
 */
export const CURRENT_CONVERSATIONS: SqlStatement = {
  name: 'verychat_current_conversations_v1',
  text: `
SELECT i."ord", ${CONTACT_SELECT}, cv.*
  FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS i("workspaceId", "externalId", "ord")
  JOIN "Contact" ct ON ct."workspaceId" = i."workspaceId" AND ct."externalId" = i."externalId"
 CROSS JOIN LATERAL (
   SELECT * FROM "Conversation" c
    WHERE c."contactId" = ct."id" AND c."status" IN ('open', 'pending', 'snoozed')
    ORDER BY c."lastMessageAt" DESC
    LIMIT 1) cv`,
};

/**
 * Contacts and their first conversation for customers not stored yet, with each one's place in the input
 * (`ord`). A contact this statement creates is invisible to every other transaction until it commits, so nobody
 * can have given it a conversation meanwhile: creating one here needs none of the advisory lock ChatService
 * takes for a contact that already exists. No row for a contact that exists (or that another transaction is
 * creating: the insert waits for it, then skips it); the caller takes the locked path for those. Inserted in
 * key order, so two instances' batches wait for each other instead of deadlocking; a key appears once per batch.
 */
export const NEW_CUSTOMER_CONVERSATIONS: SqlStatement = {
  name: 'verychat_new_customer_conversations_v1',
  text: `
WITH input AS (
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[]) WITH ORDINALITY
      AS t("contactId", "workspaceId", "externalId", "conversationId", "ord")
), ct AS (
  INSERT INTO "Contact" ("id", "workspaceId", "externalId", "createdAt", "updatedAt")
  SELECT "contactId", "workspaceId", "externalId", now(), now() FROM input ORDER BY "workspaceId", "externalId"
  ON CONFLICT ("workspaceId", "externalId") DO NOTHING
  RETURNING *
), cv AS (
  INSERT INTO "Conversation" ("id", "workspaceId", "contactId", "lastMessageAt", "createdAt", "updatedAt")
  SELECT i."conversationId", ct."workspaceId", ct."id", now(), now(), now() FROM ct JOIN input i ON i."contactId" = ct."id"
  RETURNING *
)
SELECT i."ord", ${CONTACT_SELECT}, cv.*
  FROM cv JOIN ct ON ct."id" = cv."contactId" JOIN input i ON i."contactId" = ct."id"`,
};

export interface CustomerKey {
  workspaceId: string;
  externalId: string;
}

/** The group commits' key: a customer of one workspace. */
const customerKeys = (k: CustomerKey) => [`${k.workspaceId}|${k.externalId}`];

export class CurrentConversations {
  private readonly reads: GroupCommit<CustomerKey, ConversationWithContact | null>;
  private readonly creates: GroupCommit<CustomerKey, ConversationWithContact | null>;

  constructor(
    private readonly sql: SqlRunner,
    opts: { maxBatch?: number } = {},
  ) {
    this.reads = new GroupCommit({
      write: (batch) => this.read(batch),
      // A read: the same customer asked for twice shares the statement.
      keys: customerKeys,
      shareTag: () => 'read',
      maxBatch: opts.maxBatch ?? 256,
    });
    this.creates = new GroupCommit({
      write: (batch) => this.insert(batch),
      // One row per key in a statement: the same customer's second call waits for the next one (and finds the
      // contact there, so it gets null and takes the caller's locked path; ChatService asks once per customer).
      keys: customerKeys,
      maxBatch: opts.maxBatch ?? 256,
    });
  }

  /** A new customer's contact and first conversation, or null when the contact exists (see NEW_CUSTOMER_CONVERSATIONS). */
  create(workspaceId: string, externalId: string): Promise<ConversationWithContact | null> {
    return this.creates.write({ workspaceId, externalId });
  }

  private async insert(batch: CustomerKey[]): Promise<(ConversationWithContact | null)[]> {
    const rows = await this.sql.query<{ ord: unknown } & Record<string, unknown>>(NEW_CUSTOMER_CONVERSATIONS, [
      batch.map(() => randomUUID()),
      batch.map((k) => k.workspaceId),
      batch.map((k) => k.externalId),
      batch.map(() => randomUUID()),
    ]);
    return inInputOrder(batch.length, rows, withContact);
  }

  /** The customer's current conversation with its contact, or null when they have none yet. */
  find(workspaceId: string, externalId: string): Promise<ConversationWithContact | null> {
    return this.reads.write({ workspaceId, externalId });
  }

  private async read(batch: CustomerKey[]): Promise<(ConversationWithContact | null)[]> {
    const rows = await this.sql.query<{ ord: unknown } & Record<string, unknown>>(CURRENT_CONVERSATIONS, [
      batch.map((k) => k.workspaceId),
      batch.map((k) => k.externalId),
    ]);
    return inInputOrder(batch.length, rows, withContact);
  }
}

/** A row's "contact.*" columns as its contact, the rest as the conversation. */
function withContact(row: Record<string, unknown>): ConversationWithContact {
  const contact: Record<string, unknown> = {};
  const conversation: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key.startsWith('contact.')) contact[key.slice('contact.'.length)] = value;
    else conversation[key] = value;
  }
  return { ...(conversation as Conversation), contact: contact as Contact };
}
