// The hot statements' plans on a new PostgreSQL database, as Database.sql's pool makes them (generic, kept for
// the connection's life): every table is reached through an index. A plan made while the tables are near empty
// (no statistics yet) must not scan a whole table on every batch once they are full.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { INSERT_NEW_PAYMENTS, CONTACT_NAMES, MARK_FANNED_OUT } from '../services/payments/statements.ts';
import { RESOLVE_CONTACTS } from '../services/chat/contact-writer.ts';
import { CURRENT_CONVERSATIONS, NEW_CUSTOMER_CONVERSATIONS } from '../services/chat/current-conversations.ts';
import { INSERT_MESSAGES } from '../services/chat/message-writer.ts';
import { createTestDatabase, type TestDatabase } from '../test/support/database.ts';
import { needs } from '../test/support/needs.ts';
import { sqlPoolUrl } from './client.ts';
import type { SqlStatement } from './sql.ts';

const HOT: SqlStatement[] = [INSERT_MESSAGES, RESOLVE_CONTACTS, CURRENT_CONVERSATIONS, NEW_CUSTOMER_CONVERSATIONS, INSERT_NEW_PAYMENTS, CONTACT_NAMES, MARK_FANNED_OUT];

needs('postgres').describe('the hot statements’ plans on a new database', () => {
  let database: TestDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    client = new pg.Client({ connectionString: sqlPoolUrl(database.databaseUrl!) });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  /** The plan the pool keeps for a statement (generic: the same whatever the parameters). */
  async function plan(s: SqlStatement): Promise<string> {
    const params = Math.max(...[...s.text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
    await client.query(`PREPARE hot AS ${s.text}`);
    try {
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE hot(${Array(params).fill('NULL').join(', ')})`);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    } finally {
      await client.query('DEALLOCATE hot');
    }
  }

  it.each(HOT.map((s) => [s.name, s] as const))('%s reaches every table through an index', async (_name, s) => {
    const text = await plan(s);
    expect(text).toMatch(/Index|Insert on/);
    expect(text).not.toMatch(/Seq Scan on "/);
  });
});
