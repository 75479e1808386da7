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

it('keeps PGlite’s planner statistics (it has no autovacuum): tables that changed enough are analyzed, so a customer’s payment by hash prefix reads their rows, not every payment', { timeout: 120_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'verychat-analyze-'));
  const db = await openDatabase({ dataDir });
  try {
    await db.migrate();
    await db.analyze(); // what the migrations left
    const ws = await db.prisma.workspace.create({ data: { name: 'Shop', siteKey: 'pk_analyze', secret: 'sk', visitorKey: 'vk' } });
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO "Payment" ("id", "workspaceId", "reference", "status", "amount", "token", "payerId", "payeeId", "txHash", "occurredAt", "initiatedAt", "createdAt", "updatedAt")
       SELECT gen_random_uuid(), '${ws.id}'::uuid, 'p-' || g, 'succeeded', 1, 'VRC', 'user-' || (g % 1000), 'shop', '0x' || md5(g::text), now(), now(), now(), now()
         FROM generate_series(1, 20000) AS g`,
    );
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
    expect(await db.analyze()).toContain('Payment');
    expect(await plan()).not.toContain('Payment_workspaceId_txHash_idx');
    // Nothing changed since: nothing to do.
    expect(await db.analyze()).toEqual([]);
  } finally {
    await db.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
