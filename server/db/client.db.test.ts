// A brand-new embedded database (what the first `npm start` opens): PGlite learns its array types when it opens,
// before the migrations create the enums, so enum[] parameters (the hot statements' batches) must work right
// after the first migration, in the worker thread and on the caller's thread alike.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openDatabase } from './client.ts';

it.each([
  ['in its worker thread', false],
  ['on the caller’s thread', true],
])('a new PGlite database takes enum[] parameters right after its first migration (%s)', { timeout: 60_000 }, async (_where, pgliteInThread) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'verychat-fresh-'));
  const db = await openDatabase({ dataDir, pgliteInThread });
  try {
    expect((await db.migrate()).applied.length).toBeGreaterThan(0);
    const rows = await db.sql.query<{ kind: string }>(
      { name: 'fresh_enum_array', text: `SELECT unnest($1::"SenderType"[])::text AS "kind"` },
      [['contact', 'agent', 'assistant']],
    );
    expect(rows.map((r) => r.kind)).toEqual(['contact', 'agent', 'assistant']);
  } finally {
    await db.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});

it('maintains PGlite’s tables as autovacuum would (it has none): statistics, so a customer’s payment by hash prefix reads their rows, not every payment, and dead rows vacuumed', { timeout: 120_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'verychat-analyze-'));
  let db = await openDatabase({ dataDir });
  try {
    await db.migrate();
    await db.maintain(); // what the migrations left
    const ws = await db.prisma.workspace.create({ data: { name: 'Shop', siteKey: 'pk_analyze', secret: 'sk', visitorKey: 'vk' } });
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO "Payment" ("id", "workspaceId", "reference", "status", "amount", "token", "payerId", "payeeId", "txHash", "occurredAt", "initiatedAt", "createdAt", "updatedAt")
       SELECT gen_random_uuid(), '${ws.id}'::uuid, 'p-' || g, 'succeeded', 1, 'VRC', 'user-' || (g % 1000), 'shop', '0x' || md5(g::text), now(), now(), now(), now()
         FROM generate_series(1, 20000) AS g`,
    );
    // Closed and opened again before any pass ran: PGlite forgets its change counts, not its statistics' age.
    await db.close();
    db = await openDatabase({ dataDir });
    const plan = async () =>
      (
        await db.prisma.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(
          `EXPLAIN SELECT "id" FROM "Payment" WHERE "workspaceId" = '${ws.id}'::uuid AND ("payerId" = 'user-41' OR "payeeId" = 'user-41')
             AND "txHash" ILIKE '0xabcdef12%' ORDER BY "initiatedAt" DESC LIMIT 1`,
        )
      )
        .map((r) => r['QUERY PLAN'])
        .join('\n');
    // Unanalyzed, the planner takes the table for nearly empty and filters every payment through the hash index.
    expect(await plan()).toContain('Payment_workspaceId_txHash_idx');
    expect(await db.maintain()).toContain('Payment');
    expect(await plan()).not.toContain('Payment_workspaceId_txHash_idx');
    // Nothing changed since: nothing to do.
    expect(await db.maintain()).toEqual([]);

    // Rows left dead by updates (every message updates its conversation) are vacuumed away.
    await db.prisma.$executeRawUnsafe(`UPDATE "Payment" SET "memo" = 'seen'`);
    const dead = async () => (await db.prisma.$executeRawUnsafe('SELECT pg_stat_force_next_flush()'), await db.prisma.$queryRawUnsafe<{ dead: number; vacuumed: boolean }[]>(
      `SELECT "n_dead_tup"::int AS "dead", "last_vacuum" IS NOT NULL AS "vacuumed" FROM pg_stat_user_tables WHERE "relname" = 'Payment'`,
    ))[0]!;
    expect((await dead()).dead).toBeGreaterThan(0);
    expect(await db.maintain()).toContain('Payment');
    expect(await dead()).toEqual({ dead: 0, vacuumed: true });
  } finally {
    await db.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
