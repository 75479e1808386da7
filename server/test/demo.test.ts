// Demo mode: the storefront can sign in demo customers and simulate payments, for the demo workspace
// only, from the demo page only, and not at all in production.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapDemo } from '../services/bootstrap.ts';
import { json, seedWorkspace, startTestApp, type TestApp } from './support/app.ts';
import { connectSocket, nextEvent, request } from './support/sockets.ts';

describe('demo mode', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ DEMO: 'on' });
  });
  afterAll(() => t?.close());

  const post = (path: string, body: unknown, origin = t.url) =>
    fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify(body) });

  it('refuses while no demo workspace exists, even if another workspace does', async () => {
    const other = await startTestApp({ DEMO: 'on' });
    try {
      await seedWorkspace(other, [other.url]);
      const res = await fetch(`${other.url}/demo/identity`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: other.url },
        body: JSON.stringify({ user: 'user123' }),
      });
      expect(res.status).toBe(404);
    } finally {
      await other.close();
    }
  });

  it('signs in a demo customer whose payments then arrive as toasts', async () => {
    const { workspace } = await bootstrapDemo(t.db.prisma, t.app.services, { origins: [t.url] });
    const res = await post('/demo/identity', { user: 'user123' });
    expect(res.status).toBe(200);
    const { token } = await json(res);
    const verified = await t.app.services.tokens.verifyIdentityToken(workspace, token);
    expect(verified.externalId).toBe('user123');

    const { socket } = await connectSocket(t.url, { auth: { siteKey: workspace.siteKey, identityToken: token }, origin: t.url });
    try {
      await request(socket, 'join-user-room', {});
      const toast = nextEvent(socket, 'payment-event' as never);
      const pay = await post('/demo/payments', { user: 'user123', kind: 'success' });
      expect(pay.status).toBe(201);
      // Bob never signed in here: the demo names him as a merchant's backend would.
      expect(await toast).toMatchObject({ type: 'success', amount: '100', direction: 'in', counterparty: 'user456', counterpartyName: 'Bob (user456)' });
    } finally {
      socket.close();
    }
  });

  it('answers its own page only, and only known demo users', async () => {
    expect((await post('/demo/identity', { user: 'user123' }, 'https://evil.example')).status).toBe(403);
    // Sandboxed frames and file: pages send `Origin: null`; neither it nor other non-URLs may reach a 500.
    for (const origin of ['null', 'not a url', 'file://']) {
      const res = await post('/demo/identity', { user: 'user123' }, origin);
      expect(res.status, origin).toBe(403);
      expect(await json(res), origin).toMatchObject({ error: { code: 'ORIGIN_NOT_ALLOWED' } });
    }
    expect((await post('/demo/identity', { user: 'admin' })).status).toBe(400);
    expect((await post('/demo/payments', { user: 'user123', kind: 'steal' })).status).toBe(400);
  });
});

describe('production', () => {
  it('has no demo endpoints', async () => {
    const t = await startTestApp({ NODE_ENV: 'production' });
    try {
      const res = await fetch(`${t.url}/demo/identity`, { method: 'POST', headers: { 'content-type': 'application/json', origin: t.url }, body: '{"user":"user123"}' });
      expect(res.status).toBe(404);
      expect((await fetch(`${t.url}/demo/storefront.js`)).status).toBe(404);
      expect(await (await fetch(`${t.url}/`)).text()).not.toContain('/demo/storefront.js');
    } finally {
      await t.close();
    }
  });
});
