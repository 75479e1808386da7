// Site keys, origins, visitor tokens and agent sessions through the real REST entry points.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, seedWorkspace, startTestApp, type TestApp } from './support/app.ts';

let t: TestApp;
let seed: Awaited<ReturnType<typeof seedWorkspace>>;

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

beforeAll(async () => {
  t = await startTestApp();
  seed = await seedWorkspace(t);
});
afterAll(() => t?.close());

describe('widget session: site key and origin', () => {
  it('issues a visitor token for an allowed origin and reuses it', async () => {
    const first = await post('/api/v1/widget/session', { siteKey: seed.workspace.siteKey }, { origin: 'https://shop.example' });
    expect(first.status).toBe(200);
    const a = await json(first);
    expect(a.workspace.name).toBe('Test Shop');
    expect(a.visitorId).toMatch(/^v_/);
    expect(JSON.stringify(a)).not.toContain(seed.workspace.secret);

    const again = await json(
      await post('/api/v1/widget/session', { siteKey: seed.workspace.siteKey, visitorToken: a.visitorToken }, { origin: 'https://shop.example' }),
    );
    expect(again.visitorId).toBe(a.visitorId);
  });

  it('gives a fresh visitor for another workspace’s token', async () => {
    const other = await t.app.services.workspaces.create({ name: 'Other', allowedOrigins: ['https://shop.example'] });
    const foreign = await t.app.services.tokens.issueVisitorToken(other);
    const res = await json(
      await post('/api/v1/widget/session', { siteKey: seed.workspace.siteKey, visitorToken: foreign.token }, { origin: 'https://shop.example' }),
    );
    expect(res.visitorId).not.toBe(foreign.visitorId);
  });

  it('refuses an unknown site key', async () => {
    const res = await post('/api/v1/widget/session', { siteKey: 'pk_nope' }, { origin: 'https://shop.example' });
    expect(res.status).toBe(401);
    expect((await json(res)).error.code).toBe('SITE_KEY_UNKNOWN');
  });

  it('refuses a foreign origin and a missing origin', async () => {
    for (const headers of [{ origin: 'https://evil.example' }, {}] as Record<string, string>[]) {
      const res = await post('/api/v1/widget/session', { siteKey: seed.workspace.siteKey }, headers);
      expect(res.status).toBe(403);
      expect((await json(res)).error.code).toBe('ORIGIN_NOT_ALLOWED');
    }
  });
});

describe('widget settings: the look before any session', () => {
  const get = (siteKey: string, headers: Record<string, string>) => fetch(`${t.url}/api/v1/widget/settings?siteKey=${encodeURIComponent(siteKey)}`, { headers });

  it('answers an allowed origin with the name and look only, cacheably, creating no visitor', async () => {
    const res = await get(seed.workspace.siteKey, { origin: 'https://shop.example' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    expect(res.headers.get('vary')).toMatch(/origin/i);
    expect(await json(res)).toEqual({
      workspace: { name: 'Test Shop' },
      settings: { color: '#4f46e5', position: 'right', locale: 'en', greeting: null, theme: 'auto' },
    });
    expect(await t.db.prisma.contact.count({ where: { workspaceId: seed.workspace.id } })).toBe(0);
  });

  it('refuses what the session refuses: an unknown site key, a foreign or missing origin, a bad query', async () => {
    expect((await json(await get('pk_nope', { origin: 'https://shop.example' }))).error.code).toBe('SITE_KEY_UNKNOWN');
    expect((await json(await get(seed.workspace.siteKey, { origin: 'https://evil.example' }))).error.code).toBe('ORIGIN_NOT_ALLOWED');
    expect((await json(await get(seed.workspace.siteKey, {}))).error.code).toBe('ORIGIN_NOT_ALLOWED');
    expect((await json(await fetch(`${t.url}/api/v1/widget/settings`))).error.code).toBe('VALIDATION_FAILED');
  });
});

describe('agent login', () => {
  const login = (password: string, email = seed.agent.email) =>
    post('/api/v1/agent/login', { siteKey: seed.workspace.siteKey, email, password });

  it('logs in with the right password (email case-insensitive) and the token works', async () => {
    const res = await login(seed.password, seed.agent.email.toUpperCase());
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.token).toMatch(/^vca_/);
    expect(body.agent).toMatchObject({ id: seed.agent.id, workspaceId: seed.workspace.id });
    expect(body.agent.passwordHash).toBeUndefined();
    const me = await fetch(`${t.url}/api/v1/agent/me`, { headers: { authorization: `Bearer ${body.token}` } });
    expect(me.status).toBe(200);
    expect((await json(me)).agent.email).toBe(seed.agent.email);
  });

  it('refuses a wrong password and an unknown email with the same error', async () => {
    const wrong = await login('wrong password!!');
    const unknown = await login(seed.password, 'nobody@shop.example');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await json(wrong)).toEqual(await json(unknown));
    expect((await json(await login('wrong password!!'))).error.code).toBe('AUTH_INVALID');
  });

  it('signs in by email and password alone: the password picks the workspace, and several ask which', async () => {
    const byEmail = (email: string, password: string) => post('/api/v1/agent/login', { email, password });
    // One workspace: no site key needed.
    const one = await byEmail(seed.agent.email, seed.password);
    expect(one.status).toBe(200);
    expect((await json(one)).agent).toMatchObject({ id: seed.agent.id, workspaceId: seed.workspace.id });
    // The same email in a second workspace with another password: still only the one it opens.
    const email = `multi-${seed.workspace.siteKey.slice(3, 9)}@shop.example`;
    const a = await t.app.services.workspaces.create({ name: 'Shop A', allowedOrigins: [] });
    const b = await t.app.services.workspaces.create({ name: 'Shop B', allowedOrigins: [] });
    const inA = (await t.app.services.agents.create(a.id, { email, name: 'Multi', password: 'password for A only' })).agent;
    await t.app.services.agents.create(b.id, { email, name: 'Multi', password: 'password for B only' });
    const onlyA = await byEmail(email, 'password for A only');
    expect(onlyA.status).toBe(200);
    expect((await json(onlyA)).agent.id).toBe(inA.id);
    // The same password in both: the server names them (to someone who knows it) and signs in to neither.
    await t.app.services.agents.create((await t.app.services.workspaces.create({ name: 'Shop C', allowedOrigins: [] })).id, { email, name: 'Multi', password: 'password for A only' });
    const several = await byEmail(email, 'password for A only');
    expect(several.status).toBe(409);
    const body = (await json(several)).error;
    expect(body.code).toBe('WORKSPACE_REQUIRED');
    expect(body.workspaces.map((w: { name: string }) => w.name)).toEqual(['Shop A', 'Shop C']);
    expect(body.workspaces[0].siteKey).toBe(a.siteKey);
    // Choosing one signs in there.
    const chosen = await post('/api/v1/agent/login', { siteKey: a.siteKey, email, password: 'password for A only' });
    expect((await json(chosen)).agent.id).toBe(inA.id);
    // A wrong password names nothing.
    const wrong = await byEmail(email, 'not the password');
    expect(wrong.status).toBe(401);
    expect((await json(wrong)).error).toEqual({ code: 'AUTH_INVALID', message: 'Email or password is incorrect.' });
  });

  it('refuses a revoked session', async () => {
    const { token } = await json(await login(seed.password));
    const auth = { authorization: `Bearer ${token}` };
    expect((await fetch(`${t.url}/api/v1/agent/logout`, { method: 'POST', headers: auth })).status).toBe(204);
    const me = await fetch(`${t.url}/api/v1/agent/me`, { headers: auth });
    expect(me.status).toBe(401);
    expect((await json(me)).error.code).toBe('AUTH_INVALID');
  });

  it('requires a token', async () => {
    const me = await fetch(`${t.url}/api/v1/agent/me`);
    expect((await json(me)).error.code).toBe('AUTH_REQUIRED');
  });

  it('refuses an expired session with AUTH_EXPIRED', async () => {
    const { token } = await json(await login(seed.password));
    await t.db.prisma.agentSession.updateMany({ where: { agentId: seed.agent.id, revokedAt: null }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const me = await fetch(`${t.url}/api/v1/agent/me`, { headers: { authorization: `Bearer ${token}` } });
    expect((await json(me)).error.code).toBe('AUTH_EXPIRED');
  });

  it('rate-limits password guessing', async () => {
    const email = 'victim@shop.example';
    const codes: string[] = [];
    for (let i = 0; i < 12; i++) codes.push((await json(await login(`guess-${i}-xxxxxx`, email))).error.code);
    expect(codes.slice(0, 10).every((c) => c === 'AUTH_INVALID')).toBe(true);
    expect(codes.slice(10)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
  });

  it('never writes passwords or tokens to the logs', async () => {
    const { token } = await json(await login(seed.password));
    await fetch(`${t.url}/api/v1/agent/me`, { headers: { authorization: `Bearer ${token}` } });
    const all = t.logs.join('\n');
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toContain(seed.password);
    expect(all).not.toContain(token);
    expect(all).not.toContain(seed.workspace.secret);
  });
});
