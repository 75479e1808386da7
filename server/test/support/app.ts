// Boots the real app on an ephemeral port over a fresh test database.
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { createApp, type App } from '../../app.ts';
import { loadConfig, type Config, type Env } from '../../config.ts';
import { openDatabase, type Database } from '../../db/client.ts';
import { createLogger } from '../../logger.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export interface TestApp {
  app: App;
  db: Database;
  config: Readonly<Config>;
  url: string;
  /** Every log line the app wrote, for assertions on what must never be logged. */
  logs: string[];
  close(): Promise<void>;
}

export interface StartOptions {
  /** Reuse a database (e.g. to restart on the same data); it is then not dropped on close. */
  database?: TestDatabase;
  /** The services' clock (token and signature expiry, grace periods), for tests that move time. */
  now?: () => number;
  /** The interface to listen on (default 127.0.0.1), e.g. a LAN address a browser opens the server by. */
  host?: string;
  /** The app's snooze sweep interval (see AppDeps). */
  snoozeSweepMs?: number;
}

/**
 * Redis outlives test runs and is shared by parallel test files: each test file gets its own key
 * namespace (apps started in one file share it, as instances of one deployment would).
 */
const REDIS_PREFIX = `test-${randomUUID().slice(0, 8)}`;

export async function startTestApp(env: Env = {}, opts: StartOptions = {}): Promise<TestApp> {
  if (env.REDIS_URL && !env.REDIS_PREFIX) env = { ...env, REDIS_PREFIX };
  const testDb = opts.database ?? (await createTestDatabase());
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
  const app = await createApp(config, { db, logger: createLogger('info', sink), ...(opts.now && { now: opts.now }), ...(opts.snoozeSweepMs !== undefined && { snoozeSweepMs: opts.snoozeSweepMs }) });
  const host = opts.host ?? '127.0.0.1';
  await app.fastify.listen({ port: 0, host });
  const address = app.fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let closed = false;
  return {
    app,
    db,
    config,
    url: `http://${host}:${port}`,
    logs,
    async close() {
      if (closed) return;
      closed = true;
      await app.fastify.close();
      await db.close();
      if (!opts.database) await testDb.drop();
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

/** A merchant-signed customer identity token, as the merchant backend would make it. */
export async function identityToken(secret: string, sub: string, opts: { ttl?: number; name?: string; iat?: number } = {}) {
  const { SignJWT } = await import('jose');
  const iat = opts.iat ?? Math.floor(Date.now() / 1000);
  return new SignJWT({ ...(opts.name && { name: opts.name }) })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (opts.ttl ?? 600))
    .sign(new TextEncoder().encode(secret));
}

export async function agentToken(t: Pick<TestApp, 'url'>, siteKey: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${t.url}/api/v1/agent/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ siteKey, email, password }),
  });
  const body = await json(res);
  if (!body?.token) throw new Error(`login failed: ${JSON.stringify(body)}`);
  return body.token as string;
}

export async function visitorToken(t: Pick<TestApp, 'url'>, siteKey: string, origin = 'https://shop.example'): Promise<string> {
  const res = await fetch(`${t.url}/api/v1/widget/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify({ siteKey }),
  });
  return (await json(res)).visitorToken as string;
}
