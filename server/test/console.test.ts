// The agent console's server (issue 10) through its real entry points: a real server, real socket.io
// clients, the real database (PGlite by default, PostgreSQL with DATABASE_URL). Cookie sign-in and CSRF,
// invites, workspace isolation, the assignment race, note privacy, the state machine, views, counts and
// keyset pages, search, viewers and typing, and conversations started by an agent.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboxPage, InboxRowDto } from '../../protocol/console.ts';
import { agentToken, identityToken, json, seedWorkspace, startTestApp, visitorToken, type TestApp } from './support/app.ts';
import { connectSocket, handshakeError, nextEvent, request, startConversation, type TestSocket } from './support/sockets.ts';

const ORIGIN = 'https://shop.example';
let t: TestApp;
let own: string;
const open: TestSocket[] = [];
type Seeded = Awaited<ReturnType<typeof seedWorkspace>>;

beforeAll(async () => {
  // The snooze test wakes due snoozes by hand and counts them: the background sweep stays out of its way.
  t = await startTestApp({ REDIS_URL: process.env.REDIS_URL }, { snoozeSweepMs: 60 * 60_000 });
  own = t.app.services.publicOrigin();
});
afterAll(async () => {
  for (const s of open) s.close();
  await t?.close();
});

async function login(seeded: Seeded, opts: { email?: string; password?: string } = {}) {
  const res = await fetch(`${t.url}/api/v1/agent/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: own },
    body: JSON.stringify({ siteKey: seeded.workspace.siteKey, email: opts.email ?? seeded.agent.email, password: opts.password ?? seeded.password }),
  });
  expect(res.status).toBe(200);
  const setCookie = res.headers.get('set-cookie') ?? '';
  return { body: await json(res), setCookie, cookie: setCookie.split(';')[0]! };
}

/** A console request: cookie, CSRF header and our Origin (each can be left out to test the refusals). */
function consoleFetch(path: string, cookie: string, init: { method?: string; body?: unknown; csrf?: boolean; origin?: string | null } = {}) {
  const headers: Record<string, string> = { cookie };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.csrf !== false) headers['x-verychat-csrf'] = '1';
  if (init.origin !== null) headers.origin = init.origin ?? own;
  return fetch(`${t.url}${path}`, { method: init.method ?? 'GET', headers, ...(init.body !== undefined && { body: JSON.stringify(init.body) }) });
}

function bearer(token: string, path: string, init: { method?: string; body?: unknown } = {}) {
  return fetch(`${t.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, ...(init.body !== undefined && { 'content-type': 'application/json' }) },
    ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
  });
}

async function agentSocket(seeded: Seeded, token?: string) {
  const tok = token ?? (await agentToken(t, seeded.workspace.siteKey, seeded.agent.email, seeded.password));
  const { socket } = await connectSocket(t.url, { auth: { siteKey: seeded.workspace.siteKey, agentToken: tok } });
  open.push(socket);
  return { socket, token: tok };
}

async function customer(ws: Seeded['workspace'], sub: string) {
  const token = await identityToken(ws.secret, sub, { name: `Customer ${sub}` });
  const { socket } = await connectSocket(t.url, { auth: { siteKey: ws.siteKey, identityToken: token }, origin: ORIGIN });
  open.push(socket);
  const start = await startConversation(socket);
  return { socket, conversationId: start.conversation.id, token };
}

async function say(socket: TestSocket, conversationId: string, text: string) {
  const r = await request(socket, 'send-message', { conversationId, clientMessageId: randomUUID(), text });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.message;
}

async function row(token: string, view: string, id: string): Promise<InboxRowDto | undefined> {
  const page = (await json(await bearer(token, `/api/v1/inbox?view=${view}&limit=100`))) as InboxPage;
  return page.rows.find((r) => r.id === id);
}

describe('sign-in, cookie and CSRF', () => {
  it('login sets an HttpOnly SameSite=Strict cookie that /me accepts; changes need the header and our Origin', async () => {
    const seeded = await seedWorkspace(t);
    const { setCookie, cookie } = await login(seeded);
    expect(setCookie).toMatch(/^vc_session=vca_/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).not.toMatch(/Secure/i); // plain HTTP here

    const me = await json(await consoleFetch('/api/v1/agent/me', cookie));
    expect(me.agent.email).toBe(seeded.agent.email);
    expect(me.workspace.siteKey).toBe(seeded.workspace.siteKey);

    const { conversationId } = await customer(seeded.workspace, `csrf-${randomUUID()}`);
    const path = `/api/v1/conversations/${conversationId}/notes`;
    const noHeader = await consoleFetch(path, cookie, { method: 'POST', body: { text: 'x' }, csrf: false });
    expect(noHeader.status).toBe(403);
    expect((await json(noHeader)).error.code).toBe('CSRF_REJECTED');
    const crossOrigin = await consoleFetch(path, cookie, { method: 'POST', body: { text: 'x' }, origin: 'https://evil.example' });
    expect(crossOrigin.status).toBe(403);
    expect((await json(crossOrigin)).error.code).toBe('CSRF_REJECTED');
    const noOrigin = await consoleFetch(path, cookie, { method: 'POST', body: { text: 'x' }, origin: null });
    expect(noOrigin.status).toBe(403);
    const ok = await consoleFetch(path, cookie, { method: 'POST', body: { text: 'from the console' } });
    expect(ok.status).toBe(201);
    // Bearer clients keep working without the header.
    const token = await agentToken(t, seeded.workspace.siteKey, seeded.agent.email, seeded.password);
    expect((await bearer(token, path, { method: 'POST', body: { text: 'from the API' } })).status).toBe(201);
    // A login from another origin gets a token, never the cookie.
    const elsewhere = await fetch(`${t.url}/api/v1/agent/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ siteKey: seeded.workspace.siteKey, email: seeded.agent.email, password: seeded.password }),
    });
    expect(elsewhere.headers.get('set-cookie')).toBeNull();
  });

  it('a socket signs in with the cookie from our origin only; logout closes that session’s sockets at once', async () => {
    const seeded = await seedWorkspace(t);
    const { cookie } = await login(seeded);
    const foreign = await handshakeError(t.url, { auth: { siteKey: seeded.workspace.siteKey }, origin: 'https://evil.example', headers: { cookie } });
    expect(foreign.code).toBe('CSRF_REJECTED');
    const none = await handshakeError(t.url, { auth: { siteKey: seeded.workspace.siteKey }, origin: own });
    expect(none.code).not.toBe('CONNECTED');

    const tab1 = await connectSocket(t.url, { auth: { siteKey: seeded.workspace.siteKey }, origin: own, headers: { cookie } });
    const tab2 = await connectSocket(t.url, { auth: { siteKey: seeded.workspace.siteKey }, origin: own, headers: { cookie } });
    open.push(tab1.socket, tab2.socket);
    expect(tab1.session.role).toBe('agent');
    // Another session of the same agent (an API client) is not signed out by this logout.
    const other = await agentSocket(seeded);

    const ended = nextEvent(tab2.socket, 'session-ended');
    const disconnected = new Promise((resolve) => tab2.socket.once('disconnect', resolve));
    const out = await consoleFetch('/api/v1/agent/logout', cookie, { method: 'POST' });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/vc_session=;/);
    expect((await ended).code).toBe('AUTH_INVALID');
    await disconnected;
    await expect.poll(() => tab1.socket.connected).toBe(false);
    expect(other.socket.connected).toBe(true);
    expect((await consoleFetch('/api/v1/agent/me', cookie)).status).toBe(401);
  });

  it('owners and admins invite; the link works once and signs the new agent in', async () => {
    const seeded = await seedWorkspace(t);
    const plain = await agentToken(t, seeded.workspace.siteKey, seeded.agent.email, seeded.password);
    const refused = await bearer(plain, '/api/v1/agent/invites', { method: 'POST', body: { email: 'new@shop.example' } });
    expect(refused.status).toBe(403);
    await t.app.services.agents.create(seeded.workspace.id, { email: 'boss@shop.example', name: 'Boss', password: seeded.password, role: 'admin' });
    const admin = await agentToken(t, seeded.workspace.siteKey, 'boss@shop.example', seeded.password);
    const res = await bearer(admin, '/api/v1/agent/invites', { method: 'POST', body: { email: 'New@Shop.example' } });
    expect(res.status).toBe(201);
    const invite = await json(res);
    expect(invite.url.startsWith(`${own}/support/invite/vci_`)).toBe(true);
    const token = invite.url.split('/').pop();
    const accept = () =>
      fetch(`${t.url}/api/v1/agent/invites/accept`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: own },
        body: JSON.stringify({ token, name: 'Nia New', password: 'a long enough password' }),
      });
    const [a, b] = await Promise.all([accept(), accept()]);
    expect([a.status, b.status].sort()).toEqual([201, 401]);
    const winner = a.status === 201 ? a : b;
    expect(winner.headers.get('set-cookie')).toMatch(/^vc_session=/);
    expect((await json(winner)).agent).toMatchObject({ email: 'new@shop.example', role: 'agent', workspaceId: seeded.workspace.id });
  });
});

describe('inbox', () => {
  it('an agent sees only their own workspace', async () => {
    const a = await seedWorkspace(t);
    const b = await seedWorkspace(t);
    const tokenB = await agentToken(t, b.workspace.siteKey, b.agent.email, b.password);
    const { socket, conversationId } = await customer(a.workspace, `iso-${randomUUID()}`);
    await say(socket, conversationId, 'isolation canary walrus');
    for (const path of [`/api/v1/conversations/${conversationId}/thread`]) expect((await bearer(tokenB, path)).status).toBe(403);
    expect((await bearer(tokenB, `/api/v1/conversations/${conversationId}/assign`, { method: 'POST', body: { assigneeId: 'me' } })).status).toBe(403);
    expect((await bearer(tokenB, `/api/v1/conversations/${conversationId}/notes`, { method: 'POST', body: { text: 'x' } })).status).toBe(403);
    expect((await bearer(tokenB, `/api/v1/conversations/${conversationId}/status`, { method: 'POST', body: { status: 'resolved' } })).status).toBe(403);
    expect(await row(tokenB, 'open', conversationId)).toBeUndefined();
    const search = await json(await bearer(tokenB, '/api/v1/search?q=walrus'));
    expect(search.hits).toEqual([]);
    const { socket: agentB } = await agentSocket(b, tokenB);
    const thread = await request(agentB, 'load-thread', { conversationId });
    expect(thread.ok).toBe(false);
  });

  it('of many concurrent claims exactly one wins; the others get CONFLICT naming the winner', async () => {
    const seeded = await seedWorkspace(t);
    const { conversationId } = await customer(seeded.workspace, `race-${randomUUID()}`);
    const tokens = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const email = `racer${i}@shop.example`;
        await t.app.services.agents.create(seeded.workspace.id, { email, name: `Racer ${i}`, password: seeded.password });
        return agentToken(t, seeded.workspace.siteKey, email, seeded.password);
      }),
    );
    const results = await Promise.all(
      tokens.map(async (tok) => {
        const res = await bearer(tok, `/api/v1/conversations/${conversationId}/assign`, { method: 'POST', body: { assigneeId: 'me' } });
        return { status: res.status, body: await json(res) };
      }),
    );
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    const winner = winners[0]!.body.conversation.assignee;
    for (const loser of results.filter((r) => r.status !== 200)) {
      expect(loser.status).toBe(409);
      expect(loser.body.error.code).toBe('CONFLICT');
      expect(loser.body.error.assignee).toEqual(winner);
    }
    // Compare-and-set on the expected assignee: a stale view loses too.
    const stale = await bearer(tokens[0]!, `/api/v1/conversations/${conversationId}/assign`, { method: 'POST', body: { assigneeId: 'me', expectedAssigneeId: null } });
    expect(stale.status === 409 || winner.id === (await json(await bearer(tokens[0]!, '/api/v1/agent/me'))).agent.id).toBe(true);
  });

  it('a note reaches agents only: no customer frame, history or list carries it', async () => {
    const seeded = await seedWorkspace(t);
    const cust = await customer(seeded.workspace, `note-${randomUUID()}`);
    await say(cust.socket, cust.conversationId, 'where is my money');
    const frames: string[] = [];
    cust.socket.onAny((event: string, ...args: unknown[]) => frames.push(`${event} ${JSON.stringify(args)}`));
    const { socket: agent, token } = await agentSocket(seeded);
    const secret = `internal-${randomUUID()}`;
    const heard = nextEvent(agent, 'note-added', (n) => n.text.includes(secret));
    const added = await request(agent, 'add-note', { conversationId: cust.conversationId, clientNoteId: randomUUID(), text: `Customer seems upset ${secret}` });
    expect(added.ok).toBe(true);
    await heard.catch(() => {
      throw new Error('note-added not heard');
    });
    // A reply after the note, so the customer's socket is certainly caught up past it.
    const delivered = nextEvent(cust.socket, 'message-received', (m) => m.text === 'Looking into it');
    const replied = await bearer(token, `/api/v1/conversations/${cust.conversationId}/messages`, { method: 'POST', body: { text: 'Looking into it' } });
    expect(replied.status).toBe(201);
    await delivered;

    const thread = await json(await bearer(token, `/api/v1/conversations/${cust.conversationId}/thread`));
    expect(thread.notes.map((n: { text: string }) => n.text)).toEqual([`Customer seems upset ${secret}`]);
    expect(thread.messages.some((m: { text: string }) => m.text.includes(secret))).toBe(false);
    expect(thread.notes[0].afterSeq).toBe(1);

    const history = await request(cust.socket, 'load-history', { conversationId: cust.conversationId });
    const list = await request(cust.socket, 'list-conversations', {});
    const again = await request(cust.socket, 'start-conversation', {});
    const rest = await fetch(`${t.url}/api/v1/widget/conversations`, { headers: { authorization: `Bearer ${cust.token}`, origin: ORIGIN } }).then((r) => r.text());
    for (const seen of [JSON.stringify(history), JSON.stringify(list), JSON.stringify(again), rest, ...frames]) expect(seen).not.toContain(secret);
    // The inbox preview is the last customer-visible message, never a note.
    expect((await row(token, 'open', cust.conversationId))?.preview?.text).toBe('Looking into it');
  });

  it('needs reply, mine and unassigned follow handoff and reply; counts and rows go out live', async () => {
    const seeded = await seedWorkspace(t);
    const { socket: agent, token } = await agentSocket(seeded);
    const cust = await customer(seeded.workspace, `views-${randomUUID()}`);
    const updated = nextEvent(agent, 'conversation-updated', (e) => e.conversation.id === cust.conversationId && e.views.includes('needs-reply'));
    const counted = nextEvent(agent, 'inbox-counts', (e) => e.counts['needs-reply'] === 1);
    await say(cust.socket, cust.conversationId, 'I need a person');
    const handoff = await request(cust.socket, 'request-handoff', { conversationId: cust.conversationId });
    expect(handoff.ok).toBe(true);
    const event = await updated;
    expect(event.conversation).toMatchObject({ mode: 'human', status: 'open', assignee: null, handoff: { reason: 'offer-accepted' } });
    expect(event.conversation.waitingSince).not.toBeNull();
    expect(event.conversation).not.toHaveProperty('unread');
    expect(event.views).toEqual(expect.arrayContaining(['needs-reply', 'unassigned', 'open']));
    await counted;
    const before = await json(await bearer(token, '/api/v1/inbox/counts'));
    expect(before.counts).toMatchObject({ 'needs-reply': 1, unassigned: 1, mine: 0, assistant: 0, open: 1 });
    expect(before.counts.unread).toBe(1);
    const listed = await row(token, 'needs-reply', cust.conversationId);
    expect(listed?.unread).toBeGreaterThan(0);

    // The agent reads, then replies: nobody waits any more, and a reply claims an unassigned conversation.
    const read = await request(agent, 'mark-read', { conversationId: cust.conversationId, seq: listed!.lastSeq });
    expect(read.ok).toBe(true);
    await json(await bearer(token, `/api/v1/conversations/${cust.conversationId}/messages`, { method: 'POST', body: { text: 'Hi, Ada here' } }));
    const after = await json(await bearer(token, '/api/v1/inbox/counts'));
    expect(after.counts).toMatchObject({ 'needs-reply': 0, unassigned: 0, mine: 1, unread: 0 });
    const mine = await row(token, 'mine', cust.conversationId);
    expect(mine).toMatchObject({ unread: 0, waitingSince: null, assignee: { id: seeded.agent.id } });
    // The customer writes again: waiting again, unread 1 for the agent.
    await say(cust.socket, cust.conversationId, 'thanks, one more thing');
    expect(await row(token, 'needs-reply', cust.conversationId)).toMatchObject({ unread: 1 });
  });

  it('keyset pages never repeat or skip a row while conversations arrive', async () => {
    const seeded = await seedWorkspace(t);
    const token = await agentToken(t, seeded.workspace.siteKey, seeded.agent.email, seeded.password);
    const post = (i: string) => t.app.chat.postToCustomer(seeded.workspace.id, `page-${i}`, { clientMessageId: randomUUID(), text: `hello ${i}` });
    for (let i = 0; i < 7; i++) await post(`a${i}`);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: InboxPage = await json(await bearer(token, `/api/v1/inbox?view=open&limit=3${cursor ? `&cursor=${cursor}` : ''}`));
      seen.push(...page.rows.map((r) => r.id));
      cursor = page.nextCursor;
      // New conversations arrive while the agent scrolls.
      if (pages++ === 0) await Promise.all([post('b1'), post('b2'), post('b3')]);
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(7);
    const bad = await bearer(token, '/api/v1/inbox?view=open&cursor=garbage');
    expect(bad.status).toBe(400);
  });

  it('snooze until a time wakes; snooze until reply, pending and resolved wake on the customer’s message', async () => {
    const seeded = await seedWorkspace(t);
    const token = await agentToken(t, seeded.workspace.siteKey, seeded.agent.email, seeded.password);
    const cust = await customer(seeded.workspace, `snooze-${randomUUID()}`);
    await say(cust.socket, cust.conversationId, 'hello');
    const status = async (body: object) =>
      json(await bearer(token, `/api/v1/conversations/${cust.conversationId}/status`, { method: 'POST', body }));

    const until = new Date(Date.now() + 400).toISOString();
    expect((await status({ status: 'snoozed', snoozedUntil: until })).conversation).toMatchObject({ status: 'snoozed', snoozedUntil: until });
    expect(await row(token, 'snoozed', cust.conversationId)).toBeDefined();
    expect(await row(token, 'open', cust.conversationId)).toBeUndefined();
    // The customer sees an open conversation all along.
    const described = await request(cust.socket, 'join-chat-room', { conversationId: cust.conversationId });
    expect(described.ok && described.conversation.status).toBe('open');
    await new Promise((r) => setTimeout(r, 450));
    expect(await t.app.services.inbox.wakeDueSnoozes()).toBeGreaterThanOrEqual(1);
    expect(await row(token, 'open', cust.conversationId)).toMatchObject({ status: 'open', snoozedUntil: null });

    for (const next of [{ status: 'snoozed' }, { status: 'pending' }, { status: 'resolved' }]) {
      expect((await status(next)).conversation.status).toBe(next.status);
      await say(cust.socket, cust.conversationId, `back after ${next.status}`);
      expect(await row(token, 'open', cust.conversationId)).toMatchObject({ status: 'open', snoozedUntil: null, resolvedAt: null });
    }
    expect((await status({ status: 'snoozed', snoozedUntil: new Date(Date.now() - 1000).toISOString() })).error.code).toBe('VALIDATION_FAILED');
  });
});

describe('console real time', () => {
  it('viewers follow view-conversation and disconnects; agent typing reaches agents, not the customer', async () => {
    const seeded = await seedWorkspace(t);
    await t.app.services.agents.create(seeded.workspace.id, { email: 'bea@shop.example', name: 'Bea', password: seeded.password });
    const ada = await agentSocket(seeded);
    const bea = await agentSocket(seeded, await agentToken(t, seeded.workspace.siteKey, 'bea@shop.example', seeded.password));
    const cust = await customer(seeded.workspace, `view-${randomUUID()}`);
    const customerFrames: string[] = [];
    cust.socket.onAny((event: string) => customerFrames.push(event));

    const seen = nextEvent(bea.socket, 'viewers', (v) => v.conversationId === cust.conversationId && v.agents.length === 1);
    const reply = await request(ada.socket, 'view-conversation', { conversationId: cust.conversationId });
    expect(reply.ok && reply.viewers.map((a) => a.name)).toEqual(['Ada Agent']);
    expect((await seen).agents[0]!.id).toBe(seeded.agent.id);

    const typing = nextEvent(bea.socket, 'agent-typing', (e) => e.conversationId === cust.conversationId);
    expect((await request(ada.socket, 'console-typing', { conversationId: cust.conversationId, isTyping: true, target: 'note' })).ok).toBe(true);
    expect(await typing).toMatchObject({ agent: { name: 'Ada Agent' }, isTyping: true, target: 'note' });

    const gone = nextEvent(bea.socket, 'viewers', (v) => v.conversationId === cust.conversationId && v.agents.length === 0);
    ada.socket.close();
    await gone;
    expect(customerFrames).not.toContain('agent-typing');
    expect(customerFrames).not.toContain('viewers');
    // Customers cannot use console commands.
    const refused = await request(cust.socket, 'inbox-list', { view: 'open' });
    expect(!refused.ok && refused.error.code).toBe('FORBIDDEN');
  });

  it('one agent has one console budget, spent alike over HTTP and over their socket', async () => {
    const seeded = await seedWorkspace(t);
    const ada = await agentSocket(seeded);
    const points = t.app.services.rateLimits.points('console:identity', 'agent');
    // Spent over HTTP (bearer requests), all but one…
    for (let i = 0; i < points - 1; i++) expect((await bearer(ada.token, '/api/v1/inbox?view=open&limit=1')).status).toBe(200);
    // …the last one over the socket, and then neither way has any left.
    expect((await request(ada.socket, 'inbox-list', { view: 'open', limit: 1 })).ok).toBe(true);
    const refused = await request(ada.socket, 'inbox-list', { view: 'open', limit: 1 });
    expect(!refused.ok && refused.error.code).toBe('RATE_LIMITED');
    const http = await bearer(ada.token, '/api/v1/inbox?view=open&limit=1');
    expect(http.status).toBe(429);
    expect(((await json(http)) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
  });

  it('a resync after a reconnect: the list, counts and the thread since the last seq held', async () => {
    const seeded = await seedWorkspace(t);
    const { socket: agent } = await agentSocket(seeded);
    const cust = await customer(seeded.workspace, `resync-${randomUUID()}`);
    await say(cust.socket, cust.conversationId, 'one');
    const first = await request(agent, 'load-thread', { conversationId: cust.conversationId });
    if (!first.ok) throw new Error(JSON.stringify(first.error));
    const held = first.messages.at(-1)!.seq;
    await say(cust.socket, cust.conversationId, 'two');
    await request(agent, 'add-note', { conversationId: cust.conversationId, clientNoteId: randomUUID(), text: 'noted' });
    const since = await request(agent, 'load-thread', { conversationId: cust.conversationId, afterSeq: held });
    expect(since.ok && since.messages.map((m) => m.text)).toEqual(['two']);
    expect(since.ok && since.notes.map((n) => n.text)).toEqual(['noted']);
    const list = await request(agent, 'inbox-list', { view: 'open' });
    expect(list.ok && list.rows.some((r) => r.id === cust.conversationId && r.preview?.text === 'two')).toBe(true);
    const counts = await request(agent, 'get-inbox-counts', {});
    expect(counts.ok && counts.counts.open).toBe(1);
  });
});

describe('search', () => {
  it('finds message text (full-text, prefix), a customer by email and a payment by transaction-hash prefix', async () => {
    const seeded = await seedWorkspace(t);
    const token = await agentToken(t, seeded.workspace.siteKey, seeded.agent.email, seeded.password);
    const sub = `search-${randomUUID()}`;
    const cust = await customer(seeded.workspace, sub);
    await say(cust.socket, cust.conversationId, 'hello');
    const m = await say(cust.socket, cust.conversationId, 'My refund for the zebrafish order is missing');
    await t.db.prisma.contact.updateMany({ where: { workspaceId: seeded.workspace.id, externalId: sub }, data: { email: 'Zed_Customer@example.com' } });
    const txHash = `0xabcdef${randomUUID().replace(/-/g, '')}`;
    await t.db.prisma.payment.create({
      data: {
        workspaceId: seeded.workspace.id,
        reference: `pay-${randomUUID()}`,
        status: 'failed',
        amount: '12.50',
        token: 'USDC',
        payerId: sub,
        payeeId: 'shop',
        txHash,
        failureCode: 'insufficient_funds',
        occurredAt: new Date(),
        initiatedAt: new Date(),
      },
    });

    const text = await json(await bearer(token, '/api/v1/search?q=zebra%20refund'));
    expect(text.partial).toBe(false);
    expect(text.hits).toContainEqual(expect.objectContaining({ type: 'message', conversationId: cust.conversationId, seq: m.seq }));

    const email = await json(await bearer(token, `/api/v1/search?q=${encodeURIComponent('zed_customer@')}`));
    expect(email.hits).toContainEqual(expect.objectContaining({ type: 'contact', conversationId: cust.conversationId }));
    // LIKE wildcards are literal: "_" matches only an underscore.
    expect((await json(await bearer(token, '/api/v1/search?q=zed%25customer'))).hits.filter((h: { type: string }) => h.type === 'contact')).toEqual([]);

    const hash = await json(await bearer(token, `/api/v1/search?q=${txHash.slice(0, 12).toUpperCase()}`));
    const hit = hash.hits.find((h: { type: string }) => h.type === 'payment');
    expect(hit).toMatchObject({ conversationId: cust.conversationId, payment: { txHash, status: 'failed', token: 'USDC' } });
    expect(hit.payment.amount).toMatch(/^12\.50*$/);
    expect((await bearer(token, '/api/v1/search?q=')).status).toBe(400);
  });
});

describe('conversations started by an agent', () => {
  it('reach a connected customer live, and a disconnected one (with a resolved conversation) on their next visit', async () => {
    const seeded = await seedWorkspace(t);
    const token = await agentToken(t, seeded.workspace.siteKey, seeded.agent.email, seeded.password);

    const liveSub = `out-live-${randomUUID()}`;
    const live = await customer(seeded.workspace, liveSub);
    expect((await request(live.socket, 'join-user-room', {})).ok).toBe(true);
    const started = nextEvent(live.socket, 'conversation-started');
    const res = await bearer(token, '/api/v1/conversations', {
      method: 'POST',
      body: { externalId: liveSub, text: 'Hi! About your order' },
    });
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(body.conversation).toMatchObject({ mode: 'human', status: 'open', assignee: { id: seeded.agent.id } });
    const event = await started;
    expect(event.conversation.id).toBe(body.conversation.id);
    expect(event.message.text).toBe('Hi! About your order');
    expect(body.conversation.id).not.toBe(live.conversationId);
    const joined = await request(live.socket, 'join-chat-room', { conversationId: event.conversation.id });
    expect(joined.ok).toBe(true);

    // A customer who is away and whose only conversation is resolved.
    const sub = `out-away-${randomUUID()}`;
    const away = await customer(seeded.workspace, sub);
    await say(away.socket, away.conversationId, 'old question');
    await bearer(token, `/api/v1/conversations/${away.conversationId}/status`, { method: 'POST', body: { status: 'resolved' } });
    away.socket.close();
    const out = await json(await bearer(token, '/api/v1/conversations', { method: 'POST', body: { externalId: sub, text: 'We found your payment' } }));
    expect(out.conversation.id).not.toBe(away.conversationId);
    const back = await customer(seeded.workspace, sub);
    expect(back.conversationId).toBe(out.conversation.id);
    const history = await request(back.socket, 'load-history', { conversationId: back.conversationId });
    expect(history.ok && history.messages.map((m) => m.text)).toEqual(['We found your payment']);

    // By payment id: its payer; unknown payments are NOT_FOUND; exactly one way of naming the customer.
    expect((await bearer(token, '/api/v1/conversations', { method: 'POST', body: { paymentId: 'nope', text: 'x' } })).status).toBe(404);
    expect((await bearer(token, '/api/v1/conversations', { method: 'POST', body: { externalId: sub, contactId: randomUUID(), text: 'x' } })).status).toBe(400);
  });

  it('reach an anonymous visitor live too (a visitor is in their own user room from the start)', async () => {
    const seeded = await seedWorkspace(t);
    const token = await agentToken(t, seeded.workspace.siteKey, seeded.agent.email, seeded.password);
    const { socket } = await connectSocket(t.url, { auth: { siteKey: seeded.workspace.siteKey, visitorToken: await visitorToken(t, seeded.workspace.siteKey, ORIGIN) }, origin: ORIGIN });
    open.push(socket);
    const first = await startConversation(socket);
    const asked = await say(socket, first.conversation.id, 'is anyone there?');
    const started = nextEvent(socket, 'conversation-started');
    const res = await bearer(token, '/api/v1/conversations', { method: 'POST', body: { contactId: asked.sender.id, text: 'Hello from the team' } });
    expect(res.status).toBe(201);
    expect((await started).message.text).toBe('Hello from the team');
  });
});
