// The real entry point (the bundle `npm start` runs) as production and as development start it: production
// creates and serves no demo and logs JSON lines; development logs readable text; neither logs health checks
// nor static files at info. On the embedded database, or PostgreSQL when DATABASE_URL is set.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../config.ts';
import { openDatabase } from '../db/client.ts';
import { REPO_ROOT } from '../paths.ts';
import { runCli } from './support/cli-process.ts';
import { createTestDatabase, databaseUrlFor, type TestDatabase } from './support/database.ts';
import { needs } from './support/needs.ts';
import { spawnServer, stopServer, type ServerProcess } from './support/server-process.ts';

const databases: TestDatabase[] = [];
const servers: ServerProcess[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => stopServer(s.child)));
  await Promise.all(databases.splice(0).map((d) => d.drop()));
});

async function freshDatabaseEnv(): Promise<{ db: TestDatabase; env: Record<string, string> }> {
  const db = await createTestDatabase();
  databases.push(db);
  return { db, env: { PORT: '0', DATA_DIR: db.dataDir, LOG_LEVEL: 'info', ...(db.databaseUrl && { DATABASE_URL: db.databaseUrl }) } };
}

function start(env: Record<string, string>): ServerProcess {
  const server = spawnServer(env);
  servers.push(server);
  return server;
}

async function stop(server: ServerProcess) {
  await stopServer(server.child);
  return server.exited;
}

/** Requests that must not appear at info: health checks, the loader and a chunk, the favicon. */
async function quietRequests(url: string) {
  for (let i = 0; i < 3; i++) expect((await fetch(`${url}/health`)).status).toBe(200);
  expect((await fetch(`${url}/widget.js`)).status).toBe(200);
  const chunk = /\/widget\/[\w.-]+\.js/.exec(await (await fetch(`${url}/widget.js`)).text())?.[0];
  expect(chunk).toBeTruthy();
  expect((await fetch(`${url}${chunk}`)).status).toBe(200);
  expect((await fetch(`${url}/favicon.ico`)).status).toBe(204);
}

describe('NODE_ENV=production', () => {
  it('creates and serves no demo, says how to create the first workspace, and logs JSON lines only', async () => {
    const { db, env } = await freshDatabaseEnv();
    const server = start({ ...env, NODE_ENV: 'production' });
    const url = await server.ready;

    const banner = server.run.stdout;
    expect(banner).toContain('Workspaces        none yet. Create the first one, then its owner:');
    expect(banner).toContain('npm run verychat -- workspace:create --name "Your shop" --origin https://shop.example');
    expect(banner).toContain('npm run verychat -- agent:create <siteKey> --email you@shop.example --name "Your name" --role owner');
    expect(banner).not.toMatch(/demo|pk_|sk_|Agent password/i);

    const home = await (await fetch(`${url}/`)).text();
    expect(home).toContain('VeryChat is running');
    expect(home).not.toMatch(/storefront\.js|data-site-key="pk_\w|Northwind/);
    expect((await fetch(`${url}/demo/hostile`)).status).toBe(404);
    expect((await fetch(`${url}/demo/storefront.js`)).status).toBe(404);
    const identity = await fetch(`${url}/demo/identity`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: url },
      body: '{"user":"user123"}',
    });
    expect(identity.status).toBe(404);
    await quietRequests(url);
    // A request that is logged, so the absence above is not an absence of logging.
    expect((await fetch(`${url}/api/v1/widget/settings?siteKey=pk_nope`)).status).toBeGreaterThanOrEqual(400);

    const run = await stop(server);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n').filter((l) => l.trim() && !/^[┌│└]/.test(l));
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; req?: { url: string } });
    expect(logged.some((l) => l.req?.url.startsWith('/api/v1/widget/settings'))).toBe(true);
    expect(logged.filter((l) => l.req && /^\/(health|widget|favicon)/.test(l.req.url))).toEqual([]);
    expect(logged.map((l) => l.msg)).toContain('ready');

    const check = await openDatabase({ databaseUrl: db.databaseUrl, dataDir: db.dataDir });
    try {
      expect(await check.prisma.workspace.count()).toBe(0);
      expect(await check.prisma.agent.count()).toBe(0);
    } finally {
      await check.close();
    }

    // DEMO=on is the one way to a demo in production.
    const demo = start({ ...env, NODE_ENV: 'production', DEMO: 'on' });
    const demoUrl = await demo.ready;
    expect(demo.run.stdout).toMatch(/Demo site key\s+pk_/);
    expect(await (await fetch(`${demoUrl}/`)).text()).toContain('/demo/storefront.js');
  }, 90_000);
});

describe('NODE_ENV=development', () => {
  it('logs readable lines, without health checks or static files', async () => {
    const { env } = await freshDatabaseEnv();
    const server = start({ ...env, NODE_ENV: 'development' });
    const url = await server.ready;
    await quietRequests(url);
    expect((await fetch(`${url}/api/v1/widget/settings?siteKey=pk_nope`)).status).toBeGreaterThanOrEqual(400);

    const run = await stop(server);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n').filter((l) => /^\[\d\d:\d\d:\d\d\.\d{3}\] [A-Z]+: /.test(l));
    expect(run.stdout.split('\n').filter((l) => l.startsWith('{'))).toEqual([]);
    expect(lines.join('\n')).toMatch(/INFO: ready/);
    expect(lines.join('\n')).toMatch(/INFO: request completed [45]\d\d in \d+ ms/);
    expect(lines.join('\n')).toContain('INFO: incoming request GET /api/v1/widget/settings?siteKey=pk_nope');
    expect(lines.filter((l) => /GET \/(health|widget|favicon)/.test(l))).toEqual([]);
  }, 60_000);
});

needs('postgres').describe('a PostgreSQL database that does not exist yet', () => {
  it('db:deploy and start-up say so in one line, with what to do', async () => {
    const name = `verychat_missing_${process.pid}`;
    const missing = databaseUrlFor(process.env.DATABASE_URL!, name);
    const server = new URL(missing);
    const where = `${server.hostname}:${server.port || '5432'}`;
    const expected = `Database "${name}" does not exist on ${where}. Create it first (in psql: CREATE DATABASE "${name}";), then run npm run db:deploy.`;
    const deploy = await runCli('db', ['deploy'], { DATABASE_URL: missing });
    expect(deploy.code).toBe(1);
    expect(deploy.stderr).toBe(`Error: ${expected}\n`);

    const run = await start({ DATABASE_URL: missing, PORT: '0', NODE_ENV: 'production' }).exited;
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`VeryChat failed to start: ${expected}\n`);
  }, 60_000);
});

describe('README, Running in production', () => {
  it('says what to do with every configuration variable', () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Running in production'), readme.indexOf('## Admin CLI'));
    const named = new Set([...section.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]));
    expect(CONFIG_VARIABLES.filter((v) => !named.has(v))).toEqual([]);
  });
});
