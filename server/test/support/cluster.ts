// Two server processes on one fresh PostgreSQL database and one Redis (a key prefix of their own), plus the
// services a third process (the admin CLI, a test) would use to change things from outside, on the same
// invalidation bus. Needs DATABASE_URL and REDIS_URL (the suites using it declare needs('postgres', 'redis')).
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { openDatabase, type Database } from '../../db/client.ts';
import { createServices, type Services } from '../../services/index.ts';
import { createInvalidationBus, type InvalidationBus } from '../../services/invalidation.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { spawnServer, stopServer } from './server-process.ts';

export interface TwoInstances {
  /** The instances' base URLs. */
  a: string;
  b: string;
  /** Services of a third process on the same database and bus. */
  admin: Services;
  stop(): Promise<void>;
}

export async function startTwoInstances(): Promise<TwoInstances> {
  const children: ChildProcess[] = [];
  let database: TestDatabase | undefined;
  let db: Database | undefined;
  let bus: InvalidationBus | undefined;
  const stop = async () => {
    await Promise.all(children.map(stopServer));
    await bus?.close();
    await db?.close();
    await database?.drop();
  };
  try {
    database = await createTestDatabase();
    const env = { DATABASE_URL: database.databaseUrl!, REDIS_URL: process.env.REDIS_URL!, REDIS_PREFIX: `test-${randomUUID().slice(0, 8)}` };
    const nodes = [spawnServer({ PORT: '0', LOG_LEVEL: 'warn', ...env }), spawnServer({ PORT: '0', LOG_LEVEL: 'warn', ...env })];
    children.push(...nodes.map((n) => n.child));
    const [a, b] = (await Promise.all(nodes.map((n) => n.ready))) as [string, string];
    db = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: database.dataDir });
    bus = createInvalidationBus({ redisUrl: env.REDIS_URL, prefix: env.REDIS_PREFIX });
    await bus.ready;
    return { a, b, admin: createServices({ prisma: db.prisma, invalidation: bus }), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
