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
