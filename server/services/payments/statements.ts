// The payment hot path's own SQL (run through SqlRunner: named and prepared once per connection on PostgreSQL).
import type { SqlStatement } from '../../db/sql.ts';

/**
 * New payments from a batch of events, each with its receipt (numbered from the workspace's counter, in the
 * batch's order), its parties' notifications and the event record: all written together or not at all, per
 * payment. A payment whose reference already exists writes nothing and returns no row (the caller takes the
 * general path: a later event of it, or a redelivery). The caller keeps a reference and an event id to one row
 * per batch.
 *
 * JSON written before the receipt number is known carries a placeholder (`"number":-1`, `"receiptNumber":-1`)
 * that the statement replaces (a `"number":` key cannot occur inside a JSON string, where quotes are escaped).
 *
 * Rows are inserted in (workspace, reference) order and counters bumped in workspace order, so two instances'
 * batches wait for each other instead of deadlocking.
 */
export const INSERT_NEW_PAYMENTS: SqlStatement = {
  name: 'verychat_insert_new_payments_v1',
  text: `
WITH input AS (
  SELECT * FROM unnest($1::int[], $2::uuid[], $3::uuid[], $4::text[], $5::"PaymentStatus"[], $6::numeric[], $7::text[], $8::text[],
                       $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[],
                       $16::timestamptz[], $17::timestamptz[], $18::timestamptz[], $19::uuid[], $20::uuid[], $21::text[],
                       $22::text[], $23::text[], $24::text[], $25::boolean[])
      AS t("ord", "id", "workspaceId", "reference", "status", "amount", "token", "payerId", "payeeId", "payerName", "payeeName",
           "txHash", "memo", "failureCode", "failureMessage", "occurredAt", "succeededAt", "failedAt", "receiptId", "eventRowId",
           "eventId", "type", "digest", "response", "fannedOut")
), p AS (
  INSERT INTO "Payment" ("id", "workspaceId", "reference", "status", "amount", "token", "payerId", "payeeId", "payerName", "payeeName",
                         "txHash", "memo", "failureCode", "failureMessage", "occurredAt", "initiatedAt", "succeededAt", "failedAt",
                         "createdAt", "updatedAt")
  SELECT "id", "workspaceId", "reference", "status", "amount", "token", "payerId", "payeeId", "payerName", "payeeName",
         "txHash", "memo", "failureCode", "failureMessage", "occurredAt", "occurredAt", "succeededAt", "failedAt", $26::timestamptz, $26::timestamptz
    FROM input ORDER BY "workspaceId", "reference"
  ON CONFLICT ("workspaceId", "reference") DO NOTHING
  RETURNING "id"
), ins AS (
  SELECT i.* FROM input i JOIN p ON p."id" = i."id"
), counts AS (
  SELECT "workspaceId", count(*)::int AS "n" FROM ins WHERE "receiptId" IS NOT NULL GROUP BY "workspaceId"
), c AS (
  INSERT INTO "ReceiptCounter" ("workspaceId", "last")
  SELECT "workspaceId", "n" FROM counts ORDER BY "workspaceId"
  ON CONFLICT ("workspaceId") DO UPDATE SET "last" = "ReceiptCounter"."last" + EXCLUDED."last"
  RETURNING "workspaceId", "last"
), numbered AS (
  SELECT i."ord", i."receiptId", i."workspaceId", i."id" AS "paymentId",
         (c."last" - k."n" + row_number() OVER (PARTITION BY i."workspaceId" ORDER BY i."ord"))::int AS "number"
    FROM ins i JOIN counts k ON k."workspaceId" = i."workspaceId" JOIN c ON c."workspaceId" = i."workspaceId"
   WHERE i."receiptId" IS NOT NULL
), r AS (
  INSERT INTO "Receipt" ("id", "workspaceId", "number", "paymentId", "issuedAt")
  SELECT "receiptId", "workspaceId", "number", "paymentId", $26::timestamptz FROM numbered
), n AS (
  INSERT INTO "Notification" ("id", "workspaceId", "userId", "key", "paymentId", "data", "createdAt")
  SELECT x."id", i."workspaceId", x."userId", 'payment:' || i."id" || ':' || i."status", i."id",
         replace(x."data", '"receiptNumber":-1', '"receiptNumber":' || coalesce(nb."number"::text, 'null'))::jsonb, $26::timestamptz
    FROM unnest($27::int[], $28::uuid[], $29::text[], $30::text[]) AS x("ord", "id", "userId", "data")
    JOIN ins i ON i."ord" = x."ord"
    LEFT JOIN numbered nb ON nb."ord" = x."ord"
), e AS (
  INSERT INTO "PaymentEvent" ("id", "workspaceId", "eventId", "paymentId", "type", "digest", "applied", "responseStatus", "response",
                              "receivedAt", "fannedOutAt")
  SELECT i."eventRowId", i."workspaceId", i."eventId", i."id", i."type", i."digest", true, 201,
         replace(i."response", '"number":-1', '"number":' || coalesce(nb."number"::text, 'null')), $26::timestamptz,
         CASE WHEN i."fannedOut" THEN $26::timestamptz END
    FROM ins i LEFT JOIN numbered nb ON nb."ord" = i."ord"
)
SELECT i."ord", nb."number" FROM ins i LEFT JOIN numbered nb ON nb."ord" = i."ord"`,
};

/** Names from identity tokens (Contact.name) for (workspace, user id) pairs; only contacts that have one. */
export const CONTACT_NAMES: SqlStatement = {
  name: 'verychat_payment_contact_names_v1',
  text: `
SELECT c."workspaceId", c."externalId", c."name"
  FROM unnest($1::uuid[], $2::text[]) AS w("workspaceId", "externalId")
  JOIN "Contact" c ON c."workspaceId" = w."workspaceId" AND c."externalId" = w."externalId"
 WHERE c."name" IS NOT NULL`,
};

/** Events whose chat cards are posted (see PaymentService.flush). */
export const MARK_FANNED_OUT: SqlStatement = {
  name: 'verychat_payment_events_fanned_out_v1',
  text: `UPDATE "PaymentEvent" SET "fannedOutAt" = now() WHERE "id" = ANY($1::uuid[])`,
};
