// Boots the real app on an ephemeral port over a fresh test database.
import { Writable } from 'node:stream';
import { createApp, type App } from '../../app.ts';
import { loadConfig, type Config, type Env } from '../../config.ts';
import { openDatabase, type Database } from '../../db/client.ts';
import { createLogger } from '../../logger.ts';
import { createTestDatabase } from './database.ts';

export interface TestApp {
  app: App;
  db: Database;
  config: Readonly<Config>;
  url: string;
  /** Every log line the app wrote, for assertions on what must never be logged. */
  logs: string[];
  close(): Promise<void>;
}

export async function startTestApp(env: Env = {}): Promise<TestApp> {
  const testDb = await createTestDatabase();
  const db = await openDatabase({ databaseUrl: testDb.databaseUrl, dataDir: testDb.dataDir });
  await db.migrate();
  const config = loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env }, '0.0.0-test');
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const app = await createApp(config, { db, logger: createLogger('info', sink) });
  await app.fastify.listen({ port: 0, host: '127.0.0.1' });
  const address = app.fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let closed = false;
  return {
    app,
    db,
    config,
    url: `http://127.0.0.1:${port}`,
    logs,
    async close() {
      if (closed) return;
      closed = true;
      await app.fastify.close();
      await db.close();
      await testDb.drop();
    },
  };
}

/** A workspace with one agent whose password is known. */
export async function seedWorkspace(t: TestApp, origins = ['https://shop.example']) {
  const workspace = await t.app.services.workspaces.create({ name: 'Test Shop', allowedOrigins: origins });
  const password = 'correct horse battery staple';
  const { agent } = await t.app.services.agents.create(workspace.id, {
    email: `agent-${workspace.siteKey.slice(3, 9)}@shop.example`,
    name: 'Ada Agent',
    password,
  });
  return { workspace, agent, password };
}

export async function json(res: Response): Promise<any> {
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}
