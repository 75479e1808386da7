// Two server processes on one PostgreSQL and Redis, changed from a third process the way the admin CLI
// does (its own services, with the Redis invalidation bus): every change reaches both at once, caches and
// open sockets alike, instead of after the caches' lifetime.
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, it } from 'vitest';
import { openDatabase, type Database } from '../db/client.ts';
import { createServices } from '../services/index.ts';
import { createInvalidationBus, type InvalidationBus } from '../services/invalidation.ts';
import { deletingAWorkspace, mergingAVisitorIntoACustomer, removingAnAgent, removingAnOrigin, rotatingTheSecret, type Cluster } from './changes.support.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { needs } from './support/needs.ts';
import { spawnServer, stopServer } from './support/server-process.ts';

needs('postgres', 'redis').describe('changes across two instances behind Redis', () => {
  const children: ChildProcess[] = [];
  let database: TestDatabase | undefined;
  let db: Database | undefined;
  let bus: InvalidationBus | undefined;
  let c: Cluster;

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = { DATABASE_URL: database.databaseUrl!, REDIS_URL: process.env.REDIS_URL!, REDIS_PREFIX: `test-${randomUUID().slice(0, 8)}` };
    const nodes = [spawnServer({ PORT: '0', LOG_LEVEL: 'warn', ...env }), spawnServer({ PORT: '0', LOG_LEVEL: 'warn', ...env })];
    children.push(...nodes.map((n) => n.child));
    const [a, b] = await Promise.all(nodes.map((n) => n.ready));
    db = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: database.dataDir });
    bus = createInvalidationBus({ redisUrl: env.REDIS_URL, prefix: env.REDIS_PREFIX });
    await bus.ready;
    c = { admin: createServices({ prisma: db.prisma, invalidation: bus }), a: a!, b: b!, open: [] };
  }, 120_000);
  afterAll(async () => {
    for (const s of c?.open ?? []) s.close();
    await Promise.all(children.map(stopServer));
    await bus?.close();
    await db?.close();
    await database?.drop();
  });

  it('removing an allowed origin: refused by both, pages connected from it closed', () => removingAnOrigin(c));
  it('rotating the secret: both accept either secret until the rotation ends, then only the new one', () => rotatingTheSecret(c));
  it('removing an agent: their sockets on the other instance close', () => removingAnAgent(c));
  it('deleting a workspace: both refuse its site key and close its sockets', () => deletingAWorkspace(c));
  it('merging a visitor into a customer on one instance: the other forgets the visitor was a member', () => mergingAVisitorIntoACustomer(c));
});
