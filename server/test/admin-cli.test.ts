// The admin CLI as a process: on the embedded database with no server (it opens the database itself), while
// the server bundle runs on it (the command runs inside the server, whose caches see the change at once), and
// on PostgreSQL beside a running server (the change reaches it through Redis).
import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { callAdminChannel, readInfo } from '../cli/admin-channel.ts';
import { admin } from './support/cli-process.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { needs } from './support/needs.ts';
import { spawnServer, stopServer, type ServerProcess } from './support/server-process.ts';

const SHOP = 'https://shop.example';
const databases: TestDatabase[] = [];
const servers: ServerProcess[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => stopServer(s.child)));
  await Promise.all(databases.splice(0).map((d) => d.drop()));
});

async function database(opts: { embedded?: boolean } = {}) {
  const db = await createTestDatabase(opts);
  databases.push(db);
  return db;
}

function startServer(env: Record<string, string>) {
  const server = spawnServer({ NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'info', ...env });
  servers.push(server);
  return server;
}

const siteKeyIn = (text: string) => /site key\s+(pk_\S+)/.exec(text)![1]!;

/** What a widget on `origin` gets from POST /api/v1/widget/session: the status and the error code, if any. */
async function widgetSession(url: string, siteKey: string, origin = SHOP) {
  const res = await fetch(`${url}/api/v1/widget/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify({ siteKey }),
  });
  const body = (await res.json()) as { error?: { code: string } };
  return { status: res.status, code: body.error?.code };
}

describe('the admin CLI on the embedded database', () => {
  it('with no server running, opens the database itself and exits non-zero on every error', async () => {
    const db = await database({ embedded: true });
    const env = { DATA_DIR: db.dataDir };

    const help = await admin(env, '--help');
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toContain('Usage: npm run verychat -- <command>');
    expect(await admin(env, 'agent:remove', '-h')).toMatchObject({ code: 0, stdout: expect.stringContaining('agent:remove <siteKey> <email>') });

    const unknown = await admin(env, 'frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
    expect((await admin(env, 'origin:add', '--nope')).code).toBe(2);

    const created = await admin(env, 'workspace:create', '--name', 'Acme', '--origin', SHOP);
    expect(created.code).toBe(0);
    const siteKey = siteKeyIn(created.stdout);

    const noSuchKey = await admin(env, 'workspace:show', 'pk_nope');
    expect(noSuchKey.code).toBe(1);
    expect(noSuchKey.stderr.trim()).toBe('Error (SITE_KEY_UNKNOWN): No workspace has this site key.');
    const notThere = await admin(env, 'origin:remove', siteKey, 'https://never.example');
    expect(notThere.code).toBe(1);
    expect(notThere.stderr).toContain('is not an allowed origin');

    expect(await admin(env, 'workspace:list')).toMatchObject({ code: 0, stdout: expect.stringContaining(`${siteKey}  Acme`) });
    // Each run let go of the database.
    expect(existsSync(path.join(db.dataDir, 'pgdata.lock'))).toBe(false);
  }, 120_000);

  it('while the server runs on it, runs each command inside the server, whose caches see the change at once', async () => {
    const db = await database({ embedded: true });
    const env = { DATA_DIR: db.dataDir };
    const server = startServer(env);
    const url = await server.ready;

    const info = readInfo(db.dataDir);
    expect(info?.pid).toBe(server.child.pid);
    expect(statSync(path.join(db.dataDir, 'admin.json')).mode & 0o777).toBe(0o600);

    const siteKey = siteKeyIn((await admin(env, 'workspace:create', '--name', 'Live Shop')).stdout);
    // The server caches this refusal (site key and origin look-ups)…
    expect(await widgetSession(url, siteKey)).toEqual({ status: 403, code: 'ORIGIN_NOT_ALLOWED' });
    // …and the next request, right after the command, is accepted: no cache lifetime to wait out.
    expect(await admin(env, 'origin:add', siteKey, SHOP)).toMatchObject({ code: 0, stdout: `Allowed origins of "Live Shop": ${SHOP}\n` });
    expect((await widgetSession(url, siteKey)).status).toBe(200);

    expect((await admin(env, 'workspace:settings', siteKey, '--color', '#123456', '--reply-time', 'Within a day')).code).toBe(0);
    const settings = await (await fetch(`${url}/api/v1/widget/settings?siteKey=${siteKey}`, { headers: { origin: SHOP } })).json();
    expect(settings).toMatchObject({ workspace: { name: 'Live Shop' }, settings: { color: '#123456', replyTime: 'Within a day' } });

    const password = `pw-${randomUUID()}`;
    expect((await admin(env, 'agent:create', siteKey, '--email', 'ana@shop.example', '--password', password)).code).toBe(0);
    expect((await admin(env, 'agent:list', siteKey)).stdout).toContain('ana@shop.example  agent');
    expect((await admin(env, 'agent:remove', siteKey, 'ana@shop.example')).code).toBe(0);
    expect((await admin(env, 'agent:list', siteKey)).stdout).toBe('No agents.\n');

    // Errors come back with their exit code.
    expect(await admin(env, 'origin:remove', siteKey, 'https://never.example')).toMatchObject({ code: 1, stderr: expect.stringContaining('NOT_FOUND') });
    expect(await admin(env, 'workspace:show', 'pk_nope')).toMatchObject({ code: 1, stderr: expect.stringContaining('SITE_KEY_UNKNOWN') });

    expect((await admin(env, 'workspace:delete', siteKey, '--yes')).code).toBe(0);
    expect(await widgetSession(url, siteKey)).toEqual({ status: 401, code: 'SITE_KEY_UNKNOWN' });

    // The server logs each command by name, never its arguments.
    expect(server.run.stdout).toMatch(/"command":"agent:create","exit":0/);
    expect(server.run.stdout).not.toContain(password);

    // Once the server stops, its channel is gone and the CLI opens the database itself again.
    await stopServer(server.child);
    expect(existsSync(path.join(db.dataDir, 'admin.json'))).toBe(false);
    expect(await admin(env, 'workspace:list')).toMatchObject({ code: 0 });
  }, 120_000);

  it('refuses channel requests without the token', async () => {
    const db = await database({ embedded: true });
    const server = startServer({ DATA_DIR: db.dataDir });
    await server.ready;
    const info = readInfo(db.dataDir)!;
    const err: string[] = [];
    const out: string[] = [];
    const exit = await callAdminChannel({ ...info, token: 'x'.repeat(43) }, ['workspace:list'], { out: (l) => out.push(l), err: (l) => err.push(l) });
    expect(exit).toBe(1);
    expect(out).toEqual([]);
    expect(err.join('\n')).toContain('AUTH_INVALID');
  }, 120_000);
});

needs('postgres', 'redis').describe('the admin CLI on PostgreSQL beside a running server', () => {
  it('reaches the server through Redis: the next request sees the change', async () => {
    const db = await database();
    const env = { DATABASE_URL: db.databaseUrl!, DATA_DIR: db.dataDir, REDIS_URL: process.env.REDIS_URL!, REDIS_PREFIX: `test-${randomUUID().slice(0, 8)}` };
    const server = startServer(env);
    const url = await server.ready;
    const siteKey = siteKeyIn((await admin(env, 'workspace:create', '--name', 'Shared')).stdout);
    expect(await widgetSession(url, siteKey)).toEqual({ status: 403, code: 'ORIGIN_NOT_ALLOWED' });
    expect((await admin(env, 'origin:add', siteKey, SHOP)).code).toBe(0);
    expect((await widgetSession(url, siteKey)).status).toBe(200);
  }, 120_000);
});
