// Customers' current conversations, for the messages the server posts into them (payment cards), read through the
// group commit (../group-commit.ts): the customers of events that arrive together are looked up by one
// statement. A payment's parties are mostly customers not seen in the last half minute (the cache's life), and
// through Prisma each cost four queries (contact, conversation, the conversation's contact again): measured at
// 500 events/s with every look-up missing the cache, that doubled the server's CPU per event.
import type { Contact, Conversation } from '../../db/generated/client.ts';
import type { SqlRunner, SqlStatement } from '../../db/sql.ts';
import { GroupCommit } from '../group-commit.ts';

export type ConversationWithContact = Conversation & { contact: Contact };

/** Contact's columns, returned as "contact.<name>" beside the conversation's (the names overlap). */
const CONTACT_COLUMNS = ['id', 'workspaceId', 'externalId', 'visitorId', 'name', 'email', 'lastSeenAt', 'createdAt', 'updatedAt'] as const;

/**
 * For each (workspace, external id): the contact and its current conversation — the open, pending or snoozed
 * one with the newest message, as ChatService picks it — with its place in the input (`ord`). No row when either
 * does not exist yet (the caller creates them).
 */
export const CURRENT_CONVERSATIONS: SqlStatement = {
  name: 'verychat_current_conversations_v1',
  text: `
SELECT i."ord", ${CONTACT_COLUMNS.map((c) => `ct."${c}" AS "contact.${c}"`).join(', ')}, cv.*
  FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS i("workspaceId", "externalId", "ord")
  JOIN "Contact" ct ON ct."workspaceId" = i."workspaceId" AND ct."externalId" = i."externalId"
 CROSS JOIN LATERAL (
   SELECT * FROM "Conversation" c
    WHERE c."contactId" = ct."id" AND c."status" IN ('open', 'pending', 'snoozed')
    ORDER BY c."lastMessageAt" DESC
    LIMIT 1) cv`,
};

export interface CustomerKey {
  workspaceId: string;
  externalId: string;
}

export class CurrentConversations {
  private readonly reads: GroupCommit<CustomerKey, ConversationWithContact | null>;

  constructor(
    private readonly sql: SqlRunner,
    opts: { maxBatch?: number } = {},
  ) {
    this.reads = new GroupCommit({
      write: (batch) => this.read(batch),
      // A read: the same customer asked for twice shares the statement.
      keys: (k) => [`${k.workspaceId}|${k.externalId}`],
      shareTag: () => 'read',
      maxBatch: opts.maxBatch ?? 256,
    });
  }

  /** The customer's current conversation with its contact, or null when they have none yet. */
  find(workspaceId: string, externalId: string): Promise<ConversationWithContact | null> {
    return this.reads.write({ workspaceId, externalId });
  }

  private async read(batch: CustomerKey[]): Promise<(ConversationWithContact | null)[]> {
    const rows = await this.sql.query<Record<string, unknown>>(CURRENT_CONVERSATIONS, [
      batch.map((k) => k.workspaceId),
      batch.map((k) => k.externalId),
    ]);
    const byOrd = new Map<number, ConversationWithContact>();
    for (const { ord, ...row } of rows) {
      const contact: Record<string, unknown> = {};
      const conversation: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(row)) {
        if (key.startsWith('contact.')) contact[key.slice('contact.'.length)] = value;
        else conversation[key] = value;
      }
      byOrd.set(Number(ord), { ...(conversation as Conversation), contact: contact as Contact });
    }
    return batch.map((_, i) => byOrd.get(i + 1) ?? null);
  }
}
