// The console's sidebar and admin routes (issue 10 points 5 and 9) through the real server and database
// (PGlite by default, PostgreSQL with DATABASE_URL): the customer sidebar with payments, canned replies and
// their rendering, knowledge base admin and the unanswered questions, workspace settings, origins and the
// secret rotation. Roles, workspace isolation and the console's CSRF rule on every change.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContactSidebarResponse, KbArticleDto } from '../../protocol/console.ts';
import { deliver, paymentEvent } from './payments.support.ts';
import { agentToken, identityToken, json, seedWorkspace, startTestApp, visitorToken, type TestApp } from './support/app.ts';
import { connectSocket, request, startConversation, type TestSocket } from './support/sockets.ts';

const ORIGIN = 'https://shop.example';
let t: TestApp;
let own: string;
const open: TestSocket[] = [];
type Seeded = Awaited<ReturnType<typeof seedWorkspace>>;

beforeAll(async () => {
  t = await startTestApp({ REDIS_URL: process.env.REDIS_URL });
  own = t.app.services.publicOrigin();
});
afterAll(async () => {
  for (const s of open) s.close();
  await t?.close();
});

/** A workspace with an agent (role agent) and an owner, each with a bearer token. */
async function team() {
  const seeded = await seedWorkspace(t);
  const ownerEmail = `owner-${randomUUID().slice(0, 8)}@shop.example`;
  await t.app.services.agents.create(seeded.workspace.id, { email: ownerEmail, name: 'Olga Owner', password: seeded.password, role: 'owner' });
  const agent = await agentToken(t, seeded.workspace.siteKey, seeded.agent.email, seeded.password);
  const owner = await agentToken(t, seeded.workspace.siteKey, ownerEmail, seeded.password);
  return { ...seeded, ownerEmail, tokens: { agent, owner } };
}

async function cookieOf(seeded: Seeded, email: string) {
  const res = await fetch(`${t.url}/api/v1/agent/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: own },
    body: JSON.stringify({ siteKey: seeded.workspace.siteKey, email, password: seeded.password }),
  });
  expect(res.status).toBe(200);
  return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
}

function bearer(token: string, path: string, init: { method?: string; body?: unknown } = {}) {
  return fetch(`${t.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, ...(init.body !== undefined && { 'content-type': 'application/json' }) },
    ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
  });
}

function consoleFetch(path: string, cookie: string, init: { method?: string; body?: unknown; csrf?: boolean; origin?: string } = {}) {
  const headers: Record<string, string> = { cookie, origin: init.origin ?? own };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.csrf !== false) headers['x-verychat-csrf'] = '1';
  return fetch(`${t.url}${path}`, { method: init.method ?? 'GET', headers, ...(init.body !== undefined && { body: JSON.stringify(init.body) }) });
}

async function customer(ws: Seeded['workspace'], sub: string, name = `Customer ${sub}`) {
  const token = await identityToken(ws.secret, sub, { name });
  const { socket } = await connectSocket(t.url, { auth: { siteKey: ws.siteKey, identityToken: token }, origin: ORIGIN });
  open.push(socket);
  const start = await startConversation(socket);
  const r = await request(socket, 'send-message', { conversationId: start.conversation.id, clientMessageId: randomUUID(), text: `hello from ${sub}` });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return { socket, conversationId: start.conversation.id as string };
}

async function contactIdOf(token: string, conversationId: string): Promise<string> {
  const page = await json(await bearer(token, `/api/v1/conversations/${conversationId}/thread`));
  return page.conversation.contact.id;
}

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

describe('customer sidebar', () => {
  it('shows who, previous conversations and payments: failed and pending pinned, exact amounts, reason in words, receipts', async () => {
    const w = await team();
    const sub = `cust-${randomUUID().slice(0, 8)}`;
    const { conversationId } = await customer(w.workspace, sub, 'Carla Customer');
    // Oldest first: succeeded (with a receipt), failed, a refund-less success, pending; and someone else's.
    const ok = paymentEvent({ payer: sub, payee: 'shop', amount: '249.900', token: 'VRC', occurredAt: minutesAgo(50), txHash: 'abcdef0123456789' });
    expect((await deliver(t, w.workspace, ok)).status).toBe(201);
    const failed = paymentEvent({
      type: 'payment.failed',
      payer: sub,
      payee: 'shop',
      amount: '10.000000000000000001',
      occurredAt: minutesAgo(40),
      failure: { code: 'insufficient_funds', message: 'Balance too low' },
    });
    expect((await deliver(t, w.workspace, failed)).status).toBe(201);
    const incoming = paymentEvent({ payer: 'shop', payee: sub, amount: '5', occurredAt: minutesAgo(5) });
    expect((await deliver(t, w.workspace, incoming)).status).toBe(201);
    const pending = paymentEvent({ type: 'payment.pending', payer: sub, payee: 'shop', amount: '7.5', occurredAt: minutesAgo(30) });
    expect((await deliver(t, w.workspace, pending)).status).toBe(201);
    expect((await deliver(t, w.workspace, paymentEvent({ payer: 'someone-else', payee: 'shop', amount: '999' }))).status).toBe(201);
    // The same user id in another workspace is another customer.
    const other = await team();
    expect((await deliver(t, other.workspace, paymentEvent({ payer: sub, payee: 'shop', amount: '1234' }))).status).toBe(201);

    const contactId = await contactIdOf(w.tokens.agent, conversationId);
    const res = await bearer(w.tokens.agent, `/api/v1/contacts/${contactId}`);
    expect(res.status).toBe(200);
    const body = (await json(res)) as ContactSidebarResponse;
    expect(body.contact).toMatchObject({ id: contactId, name: 'Carla Customer', externalId: sub, identified: true });
    expect(body.contact.firstSeenAt).toBeTruthy();
    expect(body.contact.lastSeenAt).toBeTruthy();
    expect(body.conversations.map((c) => c.id)).toEqual([conversationId]);
    // Payment cards are messages of the conversation too: the last one is the preview.
    expect(body.conversations[0]!.preview?.text).toBe('Payment received: 5 VRC from shop');

    expect(body.payments.map((p) => [p.status, p.amount])).toEqual([
      ['pending', '7.5'],
      ['failed', '10.000000000000000001'],
      ['succeeded', '5'],
      ['succeeded', '249.9'],
    ]);
    expect(body.morePayments).toBe(false);
    const f = body.payments[1]!;
    expect(f.failure).toEqual({ code: 'insufficient_funds', message: 'Balance too low', reason: 'Insufficient balance', article: 'failed-insufficient-balance' });
    // In the agent's language when asked (the console sends its own).
    const es = (await json(await bearer(w.tokens.agent, `/api/v1/contacts/${contactId}?lang=es`))) as ContactSidebarResponse;
    expect(es.payments[1]!.failure?.reason).toBe('Saldo insuficiente');
    expect((await bearer(w.tokens.agent, `/api/v1/contacts/${contactId}?lang=fr`)).status).toBe(400);
    expect(body.payments[2]!.direction).toBe('in');
    const paid = body.payments[3]!;
    expect(paid.direction).toBe('out');
    expect(paid.txHash).toBe('abcdef0123456789');
    expect(paid.receipt).not.toBeNull();

    // The agent's link opens with the console's cookie (and not without a credential); the customer's link alone.
    const cookie = await cookieOf(w, w.agent.email);
    expect((await fetch(paid.receipt!.url)).status).toBe(404);
    expect((await fetch(paid.receipt!.url, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(paid.receipt!.customerUrl)).status).toBe(200);
    // Another workspace's agent cookie opens nothing.
    const otherCookie = await cookieOf(other, other.agent.email);
    expect((await fetch(paid.receipt!.url, { headers: { cookie: otherCookie } })).status).toBe(404);
    // The console reads it with the cookie too.
    expect((await consoleFetch(`/api/v1/contacts/${contactId}`, cookie)).status).toBe(200);

    // Workspace isolation: another workspace's agent gets NOT_FOUND.
    const foreign = await bearer(other.tokens.agent, `/api/v1/contacts/${contactId}`);
    expect(foreign.status).toBe(404);
    expect((await json(foreign)).error.code).toBe('NOT_FOUND');
    expect((await bearer(w.tokens.agent, `/api/v1/contacts/not-a-uuid`)).status).toBe(400);
    expect((await fetch(`${t.url}/api/v1/contacts/${contactId}`)).status).toBe(401);
  });

  it('an anonymous visitor has no payments', async () => {
    const w = await team();
    const token = await visitorToken(t, w.workspace.siteKey, ORIGIN);
    const { socket } = await connectSocket(t.url, { auth: { siteKey: w.workspace.siteKey, visitorToken: token }, origin: ORIGIN });
    open.push(socket);
    const start = await startConversation(socket);
    await request(socket, 'send-message', { conversationId: start.conversation.id, clientMessageId: randomUUID(), text: 'hi' });
    const contactId = await contactIdOf(w.tokens.agent, start.conversation.id);
    const body = (await json(await bearer(w.tokens.agent, `/api/v1/contacts/${contactId}`))) as ContactSidebarResponse;
    expect(body.contact.identified).toBe(false);
    expect(body.payments).toEqual([]);
  });
});

describe('canned replies', () => {
  it('CRUD by owners and admins, read by every agent, unique shortcuts, CSRF, rendering from that conversation only', async () => {
    const w = await team();
    const body = { shortcut: 'Refund-Info', title: 'Refund info', text: 'Hi {{customer.name}}, your payment of {{payment.amount}} is {{payment.status}}. {{unknown.var}}' };
    // Agents read but do not change them.
    const denied = await bearer(w.tokens.agent, '/api/v1/canned-replies', { method: 'POST', body });
    expect(denied.status).toBe(403);
    expect((await json(denied)).error.code).toBe('FORBIDDEN');
    const created = await bearer(w.tokens.owner, '/api/v1/canned-replies', { method: 'POST', body });
    expect(created.status).toBe(201);
    const reply = await json(created);
    expect(reply).toMatchObject({ shortcut: 'refund-info', title: 'Refund info', createdBy: { name: 'Olga Owner' } });
    const dup = await bearer(w.tokens.owner, '/api/v1/canned-replies', { method: 'POST', body: { ...body, shortcut: 'refund-info' } });
    expect(dup.status).toBe(409);
    expect((await bearer(w.tokens.owner, '/api/v1/canned-replies', { method: 'POST', body: { ...body, shortcut: '/refund' } })).status).toBe(400);
    expect((await bearer(w.tokens.owner, '/api/v1/canned-replies', { method: 'POST', body: { ...body, shortcut: 'long', text: 'x'.repeat(2001) } })).status).toBe(400);

    const list = await json(await bearer(w.tokens.agent, '/api/v1/canned-replies'));
    expect(list.cannedReplies.map((c: { shortcut: string }) => c.shortcut)).toEqual(['refund-info']);

    // Cookie changes need the CSRF header and our Origin.
    const cookie = await cookieOf(w, w.ownerEmail);
    const path = `/api/v1/canned-replies/${reply.id}`;
    const edit = { ...body, shortcut: 'refund', title: 'Refunds' };
    expect((await consoleFetch(path, cookie, { method: 'PUT', body: edit, csrf: false })).status).toBe(403);
    expect((await consoleFetch(path, cookie, { method: 'PUT', body: edit, origin: 'https://evil.example' })).status).toBe(403);
    const put = await consoleFetch(path, cookie, { method: 'PUT', body: edit });
    expect(put.status).toBe(200);
    expect((await json(put)).shortcut).toBe('refund');

    // Rendering: the conversation's customer and their latest payment; never another workspace's conversation.
    const sub = `canned-${randomUUID().slice(0, 8)}`;
    const { conversationId } = await customer(w.workspace, sub, 'Rita');
    await deliver(t, w.workspace, paymentEvent({ type: 'payment.failed', payer: sub, payee: 'shop', amount: '12.50', failure: { code: 'x', message: 'no' } }));
    const rendered = await json(await bearer(w.tokens.agent, `${path}/render`, { method: 'POST', body: { conversationId } }));
    expect(rendered.text).toBe('Hi Rita, your payment of 12.5 VRC is failed. {{unknown.var}}');
    expect(rendered.missing).toEqual([]);
    const other = await team();
    const { conversationId: foreignConversation } = await customer(other.workspace, `x-${randomUUID().slice(0, 6)}`);
    expect((await bearer(w.tokens.agent, `${path}/render`, { method: 'POST', body: { conversationId: foreignConversation } })).status).toBe(404);
    expect((await bearer(other.tokens.owner, path, { method: 'DELETE' })).status).toBe(404);

    expect((await consoleFetch(path, cookie, { method: 'DELETE' })).status).toBe(204);
    expect((await json(await bearer(w.tokens.agent, '/api/v1/canned-replies'))).cannedReplies).toEqual([]);
  });

  it('the demo workspace starts with three canned replies', async () => {
    const { bootstrapDemo } = await import('../services/bootstrap.ts');
    const result = await bootstrapDemo(t.db.prisma, t.app.services, { origins: [ORIGIN] });
    const list = await t.app.services.canned.list(result.workspace.id);
    expect(list.map((c) => c.shortcut).sort()).toEqual(['hello', 'payment-status', 'thanks']);
  });
});

describe('knowledge base admin', () => {
  it('lists effective articles with their origin, overrides, archives and restores (validated, owners and admins only)', async () => {
    const w = await team();
    expect((await bearer(w.tokens.agent, '/api/v1/kb/articles?lang=en')).status).toBe(403);
    const list = (await json(await bearer(w.tokens.owner, '/api/v1/kb/articles?lang=en'))).articles as KbArticleDto[];
    const def = list.find((a) => a.slug === 'payment-failed-why')!;
    expect(def).toMatchObject({ origin: 'default', hasDefault: true, language: 'en' });

    const slugPath = '/api/v1/kb/articles/en/store-opening-hours';
    const article = { category: 'account', title: 'When is the store open?', alternatives: ['opening hours'], tags: ['hours'], answer: 'We are open every day from 9 to 18.', details: '' };
    const bad = await bearer(w.tokens.owner, slugPath, { method: 'PUT', body: { ...article, category: 'Not A Slug' } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await json(bad))).toContain('KB_CATEGORY');
    const put = await bearer(w.tokens.owner, slugPath, { method: 'PUT', body: article });
    expect(put.status).toBe(200);
    expect(await json(put)).toMatchObject({ slug: 'store-opening-hours', origin: 'workspace', hasDefault: false });
    const search = await t.app.services.assistant.searchArticles(w.workspace.id, 'en', 'when is the store open');
    expect(search[0]?.slug).toBe('store-opening-hours');

    const archived = await json(await bearer(w.tokens.owner, '/api/v1/kb/articles/en/payment-failed-why/archive', { method: 'POST' }));
    expect(archived.origin).toBe('archived');
    expect(await t.app.services.assistant.getArticle(w.workspace.id, 'en', 'payment-failed-why')).toBeNull();
    const restored = await json(await bearer(w.tokens.owner, '/api/v1/kb/articles/en/payment-failed-why/restore', { method: 'POST' }));
    expect(restored.origin).toBe('default');
    expect((await bearer(w.tokens.owner, '/api/v1/kb/articles/en/payment-failed-why/restore', { method: 'POST' })).status).toBe(404);
    expect((await bearer(w.tokens.owner, '/api/v1/kb/articles/en/no-such-article')).status).toBe(404);
  });

  it('lists unanswered questions with a best guess; adding one as an alternative phrasing makes the next identical question find it', async () => {
    const w = await team();
    const question = 'my parrot squawks at the blue checkout button';
    const ask = (queryId: string) =>
      t.app.services.assistant.ask({ workspaceId: w.workspace.id, principal: { kind: 'visitor' }, text: question, locale: 'en', queryId });
    const before = await ask(randomUUID());
    await ask(randomUUID());
    expect(before.answer.route === 'faq' && before.answer.sources.articles.includes('payment-failed-why')).toBe(false);

    const res = await bearer(w.tokens.owner, '/api/v1/assistant/unanswered?since=7d');
    expect(res.status).toBe(200);
    const body = await json(res);
    const hit = body.questions.find((q: { question: string }) => q.question === question);
    expect(hit).toMatchObject({ language: 'en', count: 2 });
    expect((await bearer(w.tokens.agent, '/api/v1/assistant/unanswered')).status).toBe(403);

    const added = await bearer(w.tokens.owner, '/api/v1/assistant/unanswered/alternative', { method: 'POST', body: { question, lang: 'en', slug: 'payment-failed-why' } });
    expect(added.status).toBe(200);
    const article = await json(added);
    expect(article.origin).toBe('workspace');
    expect(article.alternatives).toContain(question);
    const after = await ask(randomUUID());
    expect(after.answer.route).toBe('faq');
    expect(after.answer.sources.articles[0]).toBe('payment-failed-why');
  });
});

describe('workspace settings', () => {
  it('reads and changes settings and origins; rotates the secret once shown and never logged', async () => {
    const w = await team();
    expect((await bearer(w.tokens.agent, '/api/v1/workspace/settings')).status).toBe(403);
    const got = await json(await bearer(w.tokens.owner, '/api/v1/workspace/settings'));
    expect(got).toMatchObject({ name: 'Test Shop', siteKey: w.workspace.siteKey, allowedOrigins: [ORIGIN], previousSecretExpiresAt: null });
    expect(JSON.stringify(got)).not.toContain(w.workspace.secret);

    const cookie = await cookieOf(w, w.ownerEmail);
    const patch = { name: 'Renamed Shop', color: '#112233', greeting: 'Hola!', replyTime: 'Usually within an hour', position: 'left' };
    expect((await consoleFetch('/api/v1/workspace/settings', cookie, { method: 'PUT', body: patch, csrf: false })).status).toBe(403);
    const put = await json(await consoleFetch('/api/v1/workspace/settings', cookie, { method: 'PUT', body: patch }));
    expect(put).toMatchObject(patch);
    expect((await bearer(w.tokens.owner, '/api/v1/workspace/settings', { method: 'PUT', body: { color: 'red' } })).status).toBe(400);
    // The widget sees it at once.
    const widget = await json(await fetch(`${t.url}/api/v1/widget/settings?siteKey=${w.workspace.siteKey}`, { headers: { origin: ORIGIN } }));
    expect(JSON.stringify(widget)).toContain('#112233');

    const added = await json(await bearer(w.tokens.owner, '/api/v1/workspace/origins', { method: 'POST', body: { origin: 'HTTPS://Blog.Example/' } }));
    expect(added.allowedOrigins).toEqual([ORIGIN, 'https://blog.example']);
    expect((await bearer(w.tokens.owner, '/api/v1/workspace/origins', { method: 'POST', body: { origin: 'not an origin' } })).status).toBe(400);
    const removed = await json(await bearer(w.tokens.owner, '/api/v1/workspace/origins', { method: 'DELETE', body: { origin: 'https://blog.example' } }));
    expect(removed.allowedOrigins).toEqual([ORIGIN]);

    const rotated = await consoleFetch('/api/v1/workspace/secret/rotate', cookie, { method: 'POST', body: { graceHours: 2 } });
    expect(rotated.status).toBe(200);
    expect(rotated.headers.get('cache-control')).toBe('no-store');
    const { secret, previousSecretExpiresAt } = await json(rotated);
    expect(secret).toMatch(/\S{20,}/);
    expect(secret).not.toBe(w.workspace.secret);
    expect(Date.parse(previousSecretExpiresAt) - Date.now()).toBeGreaterThan(1.9 * 3_600_000);
    // Both secrets sign payment events during the grace period; ending it leaves the new one only.
    expect((await deliver(t, { siteKey: w.workspace.siteKey, secret: w.workspace.secret }, paymentEvent())).status).toBe(201);
    expect((await json(await bearer(w.tokens.owner, '/api/v1/workspace/settings'))).previousSecretExpiresAt).toBe(previousSecretExpiresAt);
    expect((await bearer(w.tokens.owner, '/api/v1/workspace/secret/end-rotation', { method: 'POST' })).status).toBe(200);
    expect((await deliver(t, { siteKey: w.workspace.siteKey, secret: w.workspace.secret }, paymentEvent())).status).toBe(401);
    expect((await deliver(t, { siteKey: w.workspace.siteKey, secret }, paymentEvent())).status).toBe(201);
    expect((await bearer(w.tokens.owner, '/api/v1/workspace/secret/end-rotation', { method: 'POST' })).status).toBe(404);
    expect(t.logs.some((l) => l.includes(secret))).toBe(false);
  });
});
