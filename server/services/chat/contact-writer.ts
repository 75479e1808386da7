// Customers' contacts through the group commit (../group-commit.ts): connections that arrive together (a page
// of customers reconnecting after a deploy, a burst of sign-ins) find or create their contacts in one statement.
// On the embedded database, where statements run one at a time, each cost a plan and a write of its own.
import { randomUUID } from 'node:crypto';
import type { Contact } from '../../db/generated/client.ts';
import type { SqlRunner, SqlStatement } from '../../db/sql.ts';
import type { CustomerIdentity } from '../auth/tokens.ts';
import { GroupCommit, inInputOrder } from '../group-commit.ts';

/**
 * Customers' contacts, created or updated (name, email given by the token; last seen when it is older than
 * $6), or as stored when nothing changed: the update's WHERE is false then, and nothing is written. One row
 * per input that exists after the statement, with its place in the input (`ord`); none for a contact another
 * connection created after this statement's snapshot (the caller reads it). Inserted in key order, so two
 * instances' batches wait for each other instead of deadlocking; a key appears once per batch (the writer
 * batches them so), as ON CONFLICT … DO UPDATE requires.
 */
export const RESOLVE_CONTACTS: SqlStatement = {
  name: 'verychat_resolve_contacts_v2',
  text: `
WITH input AS (
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY
      AS t("id", "workspaceId", "externalId", "name", "email", "ord")
), upserted AS (
  INSERT INTO "Contact" ("id", "workspaceId", "externalId", "name", "email", "lastSeenAt", "createdAt", "updatedAt")
  SELECT "id", "workspaceId", "externalId", "name", "email", now(), now(), now() FROM input ORDER BY "workspaceId", "externalId"
  ON CONFLICT ("workspaceId", "externalId") DO UPDATE
     SET "name" = COALESCE(EXCLUDED."name", "Contact"."name"), "email" = COALESCE(EXCLUDED."email", "Contact"."email"),
         "lastSeenAt" = now(), "updatedAt" = now()
   WHERE "Contact"."lastSeenAt" IS NULL OR "Contact"."lastSeenAt" < $6::timestamptz
      OR "Contact"."name" IS DISTINCT FROM COALESCE(EXCLUDED."name", "Contact"."name")
      OR "Contact"."email" IS DISTINCT FROM COALESCE(EXCLUDED."email", "Contact"."email")
  RETURNING *
)
SELECT u.*, i."ord" FROM upserted u JOIN input i ON i."workspaceId" = u."workspaceId" AND i."externalId" = u."externalId"
UNION ALL
SELECT c.*, i."ord" FROM input i JOIN "Contact" c ON c."workspaceId" = i."workspaceId" AND c."externalId" = i."externalId"
 WHERE NOT EXISTS (SELECT 1 FROM upserted u WHERE u."workspaceId" = i."workspaceId" AND u."externalId" = i."externalId")`,
};

export interface ContactWriterOptions {
  /** A stored last-seen time younger than this is left alone. */
  lastSeenPrecisionMs: number;
  /** Contacts per statement. */
  maxBatch?: number;
}

export class ContactWriter {
  private readonly commits: GroupCommit<CustomerIdentity, Contact | null>;

  constructor(
    private readonly sql: SqlRunner,
    private readonly opts: ContactWriterOptions,
  ) {
    this.commits = new GroupCommit({
      write: (batch) => this.upsert(batch),
      // One row per key in a statement; a second connection of the same customer waits for the next one.
      keys: (identity) => [`${identity.workspaceId}|${identity.externalId}`],
      maxBatch: opts.maxBatch ?? 128,
    });
  }

  /** The contact as stored now, or null when another connection created it after the statement began. */
  resolve(identity: CustomerIdentity): Promise<Contact | null> {
    return this.commits.write(identity);
  }

  private async upsert(batch: CustomerIdentity[]): Promise<(Contact | null)[]> {
    const rows = await this.sql.query<Contact & { ord: string | number }>(RESOLVE_CONTACTS, [
      batch.map(() => randomUUID()),
      batch.map((c) => c.workspaceId),
      batch.map((c) => c.externalId),
      batch.map((c) => c.name ?? null),
      batch.map((c) => c.email ?? null),
      new Date(Date.now() - this.opts.lastSeenPrecisionMs),
    ]);
    return inInputOrder(batch.length, rows, (contact) => contact);
  }
}
