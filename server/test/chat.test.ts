// Real-time chat end to end: a real server on an ephemeral port, real socket.io clients.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MessageDto } from '../../protocol/chat.ts';
import { COMMANDS, type CommandName } from '../../protocol/events.ts';
import { agentToken, identityToken, json, seedWorkspace, startTestApp, visitorToken, type TestApp } from './support/app.ts';
import { collect, connectSocket, handshakeError, nextEvent, quietPeriod, request, startConversation as start, type TestSocket } from './support/sockets.ts';

const ORIGIN = 'https://shop.example';
let t: TestApp;
let seed: Awaited<ReturnType<typeof seedWorkspace>>;
let agentTok: string;
const open: TestSocket[] = [];

async function visitor(token?: string) {
  const tok = token ?? (await visitorToken(t, seed.workspace.siteKey));
  const c = await connectSocket(t.url, { auth: { siteKey: seed.workspace.siteKey, visitorToken: tok }, origin: ORIGIN });
  open.push(c.socket);
  return { ...c, token: tok };
}

async function customer(sub: string) {
  const tok = await identityToken(seed.workspace.secret, sub, { name: `Customer ${sub}` });
  const c = await connectSocket(t.url, { auth: { siteKey: seed.workspace.siteKey, identityToken: tok }, origin: ORIGIN });
  open.push(c.socket);
  return c;
}

async function agent() {
  const c = await connectSocket(t.url, { auth: { siteKey: seed.workspace.siteKey, agentToken: agentTok } });
  open.push(c.socket);
  return c;
}

async function send(socket: TestSocket, conversationId: string, text: string, clientMessageId = randomUUID()) {
  return request(socket, 'send-message', { conversationId, clientMessageId, text });
}

beforeAll(async () => {
  t = await startTestApp();
  seed = await seedWorkspace(t, [ORIGIN]);
  agentTok = await agentToken(t, seed.workspace.siteKey, seed.agent.email, seed.password);
});
afterAll(async () => {
  for (const s of open) s.close();
  await t?.close();
});

describe('conversation flow', () => {
  it('a visitor starts a conversation, sends, and the agent receives, replies and is received', async () => {
    const v = await visitor();
    expect(v.session).toMatchObject({ role: 'visitor', workspace: { name: 'Test Shop' }, agentId: null });
    const a = await agent();
    expect(a.session.role).toBe('agent');

    const started = await start(v.socket);
    expect(started.created).toBe(true);
    expect(started.messages).toEqual([]);
    const conversationId = started.conversation.id;

    const agentGets = nextEvent(a.socket, 'message-received', (m) => m.conversationId === conversationId);
    const sent = await send(v.socket, conversationId, '  Hello,\u0007 where is my order?  ');
    expect(sent.ok).toBe(true);
    if (!sent.ok) return;
    expect(sent.duplicate).toBe(false);
    expect(sent.message).toMatchObject({ seq: 1, text: 'Hello, where is my order?', sender: { type: 'contact' }, kind: 'text' });
    expect(await agentGets).toEqual(sent.message);

    expect((await request(a.socket, 'join-chat-room', { conversationId })).ok).toBe(true);
    const visitorGets = nextEvent(v.socket, 'message-received', (m) => m.sender.type === 'agent');
    const reply = await send(a.socket, conversationId, 'It ships today.');
    // The agent's first reply takes the conversation over from the assistant: its system line comes first.
    expect(reply.ok && reply.message.seq).toBe(3);
    const got = await visitorGets;
    expect(got).toMatchObject({ text: 'It ships today.', seq: 3, sender: { type: 'agent', id: seed.agent.id, name: 'Ada Agent' } });

    // A returning visitor (same token, new connection) resumes the same conversation with its history.
    const again = await visitor(v.token);
    const resumed = await start(again.socket);
    expect(resumed.created).toBe(false);
    expect(resumed.conversation.id).toBe(conversationId);
    expect(resumed.messages.map((m) => m.text)).toEqual(['Hello, where is my order?', 'Ada Agent joined the conversation.', 'It ships today.']);
  });

  it('delivers to the sender’s other tabs, not back to the sending one (its ack carries the message)', async () => {
    const tab1 = await visitor();
    const tab2 = await visitor(tab1.token);
    const { conversation } = await start(tab1.socket);
    await start(tab2.socket);
    const tab1Gets = collect(tab1.socket, 'message-received');
    const tab2Gets = nextEvent(tab2.socket, 'message-received');
    const sent = await send(tab1.socket, conversation.id, 'from tab 1');
    expect(sent.ok && sent.message.text).toBe('from tab 1');
    expect((await tab2Gets).id).toBe(sent.ok && sent.message.id);
    // Deliveries to one socket keep their order: once tab 2's answer reaches tab 1, an echo would have too.
    const back = nextEvent(tab1.socket, 'message-received');
    const answer = await send(tab2.socket, conversation.id, 'from tab 2');
    expect((await back).id).toBe(answer.ok && answer.message.id);
    expect(tab1Gets.items.map((m) => m.text)).toEqual(['from tab 2']);
  });

  it('an identified customer finds the same conversation on any device', async () => {
    const phone = await customer('user-42');
    const laptop = await customer('user-42');
    expect(phone.session).toMatchObject({ role: 'customer', userRoom: 'user-user-42' });
    const a = await start(phone.socket);
    await send(phone.socket, a.conversation.id, 'from my phone');
    const b = await start(laptop.socket);
    expect(b.conversation.id).toBe(a.conversation.id);
    expect(b.messages.at(-1)?.text).toBe('from my phone');
    expect(b.conversation.contact.name).toBe('Customer user-42');
  });

  it('a customer’s reconnects write nothing while their last-seen time is fresh; a new name is written at once', async () => {
    const sub = `seen-${randomUUID().slice(0, 8)}`;
    const where = { workspaceId_externalId: { workspaceId: seed.workspace.id, externalId: sub } };
    await customer(sub);
    const first = await t.db.prisma.contact.findUniqueOrThrow({ where });
    // Marked older than it is: a write on the next connection would move it to now.
    const marked = new Date(first.lastSeenAt!.getTime() - 60_000);
    await t.db.prisma.contact.update({ where, data: { lastSeenAt: marked } });
    await customer(sub);
    await customer(sub);
    expect((await t.db.prisma.contact.findUniqueOrThrow({ where })).lastSeenAt).toEqual(marked);
    // The token now carries another name: stored, with the time.
    const renamed = await identityToken(seed.workspace.secret, sub, { name: 'New Name' });
    open.push((await connectSocket(t.url, { auth: { siteKey: seed.workspace.siteKey, identityToken: renamed }, origin: ORIGIN })).socket);
    const after = await t.db.prisma.contact.findUniqueOrThrow({ where });
    expect(after.name).toBe('New Name');
    expect(after.lastSeenAt!.getTime()).toBeGreaterThan(marked.getTime());
  });

  it('a new customer connecting on several devices at once gets one contact and one conversation', async () => {
    const devices = await Promise.all([customer('rush-1'), customer('rush-1'), customer('rush-1')]);
    const started = await Promise.all(devices.map((d) => start(d.socket)));
    expect(new Set(started.map((s) => s.conversation.id)).size).toBe(1);
    expect(started.filter((s) => s.created)).toHaveLength(1);
    expect(await t.db.prisma.contact.count({ where: { workspaceId: seed.workspace.id, externalId: 'rush-1' } })).toBe(1);
  });

  it('a visitor who identifies keeps the conversation started anonymously', async () => {
    const v = await visitor();
    const { conversation } = await start(v.socket);
    await send(v.socket, conversation.id, 'before login');
    const tok = await identityToken(seed.workspace.secret, 'user-merge');
    const c = await connectSocket(t.url, {
      auth: { siteKey: seed.workspace.siteKey, identityToken: tok, visitorToken: v.token },
      origin: ORIGIN,
    });
    open.push(c.socket);
    const resumed = await start(c.socket);
    expect(resumed.conversation.id).toBe(conversation.id);
    expect(resumed.messages.map((m) => m.text)).toContain('before login');
  });
});

describe('a customer’s conversations', () => {
  it('a guest who signs in keeps both the guest conversation and the customer’s older one: listed, resumable, one customer for agents', async () => {
    // The customer chatted before, on another device.
    const earlier = await customer('user-two-threads');
    const old = await start(earlier.socket);
    await send(earlier.socket, old.conversation.id, 'my older question');
    // Later, as a guest, then signing in.
    const v = await visitor();
    const guest = await start(v.socket);
    await send(v.socket, guest.conversation.id, 'asked as a guest');
    const tok = await identityToken(seed.workspace.secret, 'user-two-threads');
    const c = await connectSocket(t.url, { auth: { siteKey: seed.workspace.siteKey, identityToken: tok, visitorToken: v.token }, origin: ORIGIN });
    open.push(c.socket);
    const now = await start(c.socket);
    expect(now.others).toBe(1);

    const list = await request(c.socket, 'list-conversations', {});
    if (!list.ok) throw new Error(list.error.message);
    expect(list.conversations.map((x) => x.lastMessage?.text).sort()).toEqual(['asked as a guest', 'my older question']);
    expect(list.conversations.map((x) => x.lastMessageAt)).toEqual([...list.conversations.map((x) => x.lastMessageAt)].sort().reverse());

    // Either can be picked up again, with its history.
    const other = list.conversations.find((x) => x.id !== now.conversation.id)!;
    const resumed = await request(c.socket, 'start-conversation', { conversationId: other.id });
    expect(resumed.ok && resumed.conversation.id).toBe(other.id);
    expect(resumed.ok && resumed.messages.map((m) => m.text)).toEqual([other.lastMessage!.text]);
    expect(resumed.ok && resumed.others).toBe(1);

    // Nobody else's: another customer cannot resume or list them.
    const stranger = await customer('user-stranger');
    expect(await request(stranger.socket, 'start-conversation', { conversationId: other.id })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const theirs = await request(stranger.socket, 'list-conversations', {});
    expect(theirs.ok && theirs.conversations).toEqual([]);

    // The agent API shows both under the one customer.
    const res = await json(
      await fetch(`${t.url}/api/v1/conversations?contactId=${now.conversation.contact.id}`, { headers: { authorization: `Bearer ${agentTok}` } }),
    );
    expect(res.conversations.map((x: { id: string }) => x.id).sort()).toEqual([now.conversation.id, other.id].sort());
  });
});

describe('message pipeline', () => {
  it('is idempotent: a retry with the same client id returns the original message', async () => {
    const v = await visitor();
    const { conversation } = await start(v.socket);
    const id = randomUUID();
    const first = await send(v.socket, conversation.id, 'pay me', id);
    const retries = await Promise.all([send(v.socket, conversation.id, 'pay me', id), send(v.socket, conversation.id, 'pay me', id)]);
    expect(first.ok && first.duplicate).toBe(false);
    for (const r of retries) {
      expect(r.ok && r.duplicate).toBe(true);
      expect(r.ok && r.message.id).toBe(first.ok && first.message.id);
    }
    expect(await t.db.prisma.message.count({ where: { conversationId: conversation.id } })).toBe(1);
    const c = await t.db.prisma.conversation.findUniqueOrThrow({ where: { id: conversation.id } });
    expect(c.lastSeq).toBe(1);
  });

  it('keeps sequence numbers gap-free and in one order for every member under concurrent senders', async () => {
    const v = await visitor();
    const tab2 = await visitor(v.token);
    const a = await agent();
    const { conversation } = await start(v.socket);
    await start(tab2.socket);
    const seenByVisitor = collect(v.socket, 'message-received');
    const seenByAgent = collect(a.socket, 'message-received');
    // A sender's own messages come back in its acks, not as broadcasts: count both.
    const acked = new Map<TestSocket, number[]>([[v.socket, []], [tab2.socket, []], [a.socket, []]]);
    const sendFrom = async (socket: TestSocket, text: string, id?: ReturnType<typeof randomUUID>) => {
      const r = await send(socket, conversation.id, text, id);
      if (r.ok) acked.get(socket)!.push(r.message.seq);
      return r;
    };
    // A visitor's conversation is stored with their first message; from then on an agent can join it.
    await sendFrom(v.socket, 'first');
    expect((await request(a.socket, 'join-chat-room', { conversationId: conversation.id })).ok).toBe(true);
    const n = 8;
    const sends: Promise<unknown>[] = [];
    const dupId = randomUUID();
    for (let i = 0; i < n; i++) {
      sends.push(sendFrom(v.socket, `v${i}`), sendFrom(tab2.socket, `t${i}`), sendFrom(a.socket, `a${i}`));
    }
    // Concurrent duplicates must not burn sequence numbers.
    sends.push(sendFrom(v.socket, 'dup', dupId), sendFrom(tab2.socket, 'dup', dupId));
    const results = (await Promise.all(sends)) as { ok: boolean }[];
    expect(results.every((r) => r.ok)).toBe(true);
    // Every message, the duplicate once, and the system line of the agent taking over from the assistant.
    const total = 3 * n + 2 + 1;
    const rows = await t.db.prisma.message.findMany({ where: { conversationId: conversation.id }, orderBy: { seq: 'asc' } });
    const all = rows.map((r) => r.seq);
    expect(all).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    // A retry that finds its message stored publishes it again (a device may have missed it); clients keep
    // the first copy of each id, as here.
    const firstOfEach = (items: MessageDto[]) => items.filter((m, i) => items.findIndex((x) => x.id === m.id) === i);
    const agentSeqs = () => firstOfEach(seenByAgent.items.filter((m) => m.conversationId === conversation.id)).map((m) => m.seq);
    const visitorSeqs = () => firstOfEach(seenByVisitor.items).map((m) => m.seq);
    const held = (broadcast: number[], socket: TestSocket) => [...new Set([...broadcast, ...acked.get(socket)!])].sort((x, y) => x - y);
    // Until every broadcast has arrived: each member then holds every message, once.
    await vi.waitFor(() => expect([held(visitorSeqs(), v.socket), held(agentSeqs(), a.socket)]).toEqual([all, all]), { timeout: 5_000, interval: 20 });
    // The broadcasts arrived in seq order (a reordering fails here), and none echoed a member's own message.
    // (Leaving out the duplicate: its second publish is a late re-delivery, to devices that may have missed it.)
    const dupSeq = rows.find((r) => r.text === 'dup')!.seq;
    const inOrder = (xs: number[]) => xs.filter((x) => x !== dupSeq).every((x, i, ys) => i === 0 || ys[i - 1]! < x);
    expect(inOrder(visitorSeqs()) && inOrder(agentSeqs())).toBe(true);
    expect(agentSeqs().filter((seq) => acked.get(a.socket)!.includes(seq))).toEqual([]);
  });

  it('paginates history by sequence number', async () => {
    const v = await customer('pager');
    const { conversation } = await start(v.socket);
    // Written through the service: 25 socket sends would (rightly) hit the rate limit.
    const principal = { kind: 'customer' as const, workspaceId: seed.workspace.id, externalId: 'pager', contactId: conversation.contact.id };
    for (let i = 1; i <= 25; i++) await t.app.chat.send(principal, conversation.id, { clientMessageId: `page-${i}-xxxx`, text: `m${i}` });
    const newest = await request(v.socket, 'load-history', { conversationId: conversation.id, limit: 10 });
    expect(newest.ok).toBe(true);
    if (!newest.ok) return;
    expect(newest.messages.map((m) => m.seq)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    expect(newest.hasMore).toBe(true);
    const older = await request(v.socket, 'load-history', { conversationId: conversation.id, beforeSeq: 16, limit: 10 });
    const oldest = await request(v.socket, 'load-history', { conversationId: conversation.id, beforeSeq: 6, limit: 10 });
    expect(older.ok && older.messages.map((m) => m.seq)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(oldest.ok && oldest.messages.map((m: MessageDto) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(oldest.ok && oldest.hasMore).toBe(false);
  });

  it('publishes read and delivered status to the room, and never moves a cursor back', async () => {
    const v = await visitor();
    const a = await agent();
    const { conversation } = await start(v.socket);
    await request(a.socket, 'join-chat-room', { conversationId: conversation.id });
    await send(v.socket, conversation.id, 'one');
    await send(v.socket, conversation.id, 'two');
    const delivered = nextEvent(v.socket, 'message-status', (e) => e.status === 'delivered');
    await request(a.socket, 'mark-read', { conversationId: conversation.id, seq: 2, status: 'delivered' });
    expect(await delivered).toEqual({ conversationId: conversation.id, reader: 'agent', seq: 2, status: 'delivered' });
    const read = nextEvent(v.socket, 'message-status', (e) => e.status === 'read');
    const ack = await request(a.socket, 'mark-read', { conversationId: conversation.id, seq: 99 });
    expect(ack.ok && ack.seq).toBe(2); // capped at the last message
    expect(await read).toMatchObject({ reader: 'agent', seq: 2 });
    const back = await request(a.socket, 'mark-read', { conversationId: conversation.id, seq: 1 });
    expect(back.ok && back.seq).toBe(2);
    const described = await request(v.socket, 'join-chat-room', { conversationId: conversation.id });
    expect(described.ok && described.conversation.read).toEqual({ contact: 0, agent: 2 });
  });

  it('relays typing to the others in the room, not back to the typist, and stores nothing', async () => {
    const v = await customer('typist');
    const a = await agent();
    const { conversation } = await start(v.socket);
    await request(a.socket, 'join-chat-room', { conversationId: conversation.id });
    const visitorTyping = collect(v.socket, 'typing');
    const agentSees = nextEvent(a.socket, 'typing');
    expect((await request(v.socket, 'typing', { conversationId: conversation.id, isTyping: true })).ok).toBe(true);
    expect(await agentSees).toMatchObject({ conversationId: conversation.id, isTyping: true, sender: { type: 'contact' } });
    const visitorSees = nextEvent(v.socket, 'typing');
    await request(a.socket, 'typing', { conversationId: conversation.id, isTyping: true });
    expect(await visitorSees).toMatchObject({ sender: { type: 'agent', name: 'Ada Agent' } });
    await quietPeriod(100);
    expect(visitorTyping.items.filter((e) => e.sender.type === 'contact')).toEqual([]);
    expect(await t.db.prisma.message.count({ where: { conversationId: conversation.id } })).toBe(0);
  });

  it('works over the long-polling fallback', async () => {
    const tok = await visitorToken(t, seed.workspace.siteKey);
    const c = await connectSocket(t.url, { auth: { siteKey: seed.workspace.siteKey, visitorToken: tok }, origin: ORIGIN, transports: ['polling'] });
    open.push(c.socket);
    const { conversation } = await start(c.socket);
    const r = await send(c.socket, conversation.id, 'over polling');
    expect(r.ok && r.message.text).toBe('over polling');
  });
});

describe('handshake refusals', () => {
  it('refuses an unknown site key, a foreign origin, no origin and missing credentials', async () => {
    const tok = await visitorToken(t, seed.workspace.siteKey);
    expect((await handshakeError(t.url, { auth: { siteKey: 'pk_unknown', visitorToken: tok }, origin: ORIGIN })).code).toBe('SITE_KEY_UNKNOWN');
    expect((await handshakeError(t.url, { auth: { siteKey: seed.workspace.siteKey, visitorToken: tok }, origin: 'https://evil.example' })).code).toBe('ORIGIN_NOT_ALLOWED');
    expect((await handshakeError(t.url, { auth: { siteKey: seed.workspace.siteKey, visitorToken: tok } })).code).toBe('ORIGIN_NOT_ALLOWED');
    expect((await handshakeError(t.url, { auth: { siteKey: seed.workspace.siteKey }, origin: ORIGIN })).code).toBe('AUTH_REQUIRED');
    expect((await handshakeError(t.url, { auth: { nope: 1 }, origin: ORIGIN })).code).toBe('VALIDATION_FAILED');
  });

  it('accepts a same-origin long-polling handshake, which browsers send without an Origin header', async () => {
    // The demo storefront (or /help) served by this server: its polling GETs carry Sec-Fetch-Site instead.
    await t.app.services.workspaces.addOrigin(seed.workspace.siteKey, t.url);
    const tok = await visitorToken(t, seed.workspace.siteKey);
    const auth = { siteKey: seed.workspace.siteKey, visitorToken: tok };
    const c = await connectSocket(t.url, { auth, headers: { 'sec-fetch-site': 'same-origin' }, transports: ['polling'] });
    open.push(c.socket);
    expect(c.session.role).toBe('visitor');
    // Only a browser's same-origin mark stands in for the Origin; a cross-site request still needs one.
    expect((await handshakeError(t.url, { auth, headers: { 'sec-fetch-site': 'cross-site' }, transports: ['polling'] })).code).toBe('ORIGIN_NOT_ALLOWED');
  });

  it('refuses forged and expired identity tokens', async () => {
    const forged = await identityToken('sk_not_the_secret_000000000000000000', 'user-1');
    const expired = await identityToken(seed.workspace.secret, 'user-1', { iat: Math.floor(Date.now() / 1000) - 7200, ttl: 600 });
    const auth = (identityToken: string) => ({ auth: { siteKey: seed.workspace.siteKey, identityToken }, origin: ORIGIN });
    expect((await handshakeError(t.url, auth(forged))).code).toBe('AUTH_INVALID');
    expect((await handshakeError(t.url, auth(expired))).code).toBe('AUTH_EXPIRED');
  });

  it('refuses an agent of workspace A on workspace B', async () => {
    const other = await t.app.services.workspaces.create({ name: 'B', allowedOrigins: [ORIGIN] });
    expect((await handshakeError(t.url, { auth: { siteKey: other.siteKey, agentToken: agentTok } })).code).toBe('FORBIDDEN');
    expect((await handshakeError(t.url, { auth: { siteKey: seed.workspace.siteKey, agentToken: 'vca_forged' } })).code).toBe('AUTH_INVALID');
  });
});

describe('room authorization', () => {
  it('keeps customers out of other customers’ rooms and conversations', async () => {
    const alice = await customer('alice');
    const bob = await customer('bob');
    const aliceConv = await start(alice.socket);
    const join = await request(bob.socket, 'join-chat-room', { conversationId: aliceConv.conversation.id });
    expect(!join.ok && join.error.code).toBe('FORBIDDEN');
    const sendIn = await send(bob.socket, aliceConv.conversation.id, 'let me in');
    expect(!sendIn.ok && sendIn.error.code).toBe('FORBIDDEN');
    const hist = await request(bob.socket, 'load-history', { conversationId: aliceConv.conversation.id });
    expect(!hist.ok && hist.error.code).toBe('FORBIDDEN');
    const typing = await request(bob.socket, 'typing', { conversationId: aliceConv.conversation.id, isTyping: true });
    expect(!typing.ok && typing.error.code).toBe('FORBIDDEN');
    const room = await request(bob.socket, 'join-user-room', { userId: 'alice' });
    expect(!room.ok && room.error.code).toBe('FORBIDDEN');
    const own = await request(bob.socket, 'join-user-room', { userId: 'bob' });
    expect(own.ok && own.room).toBe('user-bob');
    const missing = await request(bob.socket, 'join-chat-room', { conversationId: randomUUID() });
    expect(!missing.ok && missing.error.code).toBe('FORBIDDEN');
  });

  it('keeps an agent out of another workspace’s conversations', async () => {
    const other = await t.app.services.workspaces.create({ name: 'Other shop', allowedOrigins: [ORIGIN] });
    const tok = await visitorToken(t, other.siteKey);
    const outsider = await connectSocket(t.url, { auth: { siteKey: other.siteKey, visitorToken: tok }, origin: ORIGIN });
    open.push(outsider.socket);
    const { conversation } = await start(outsider.socket);
    const a = await agent();
    const join = await request(a.socket, 'join-chat-room', { conversationId: conversation.id });
    expect(!join.ok && join.error.code).toBe('FORBIDDEN');
    const res = await fetch(`${t.url}/api/v1/conversations/${conversation.id}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agentTok}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hi' }),
    });
    expect(res.status).toBe(403);
  });
});

describe('validation', () => {
  it('refuses bad payloads with coded acks and keeps the connection and other users working', async () => {
    const v = await visitor();
    const other = await visitor();
    const { conversation } = await start(v.socket);
    const id = conversation.id;
    const cases: [unknown, string][] = [
      [{ conversationId: id, clientMessageId: randomUUID(), text: 'x'.repeat(4001) }, 'VALIDATION_FAILED'],
      [{ conversationId: id, clientMessageId: randomUUID(), text: '   \u0000\u0001  ' }, 'VALIDATION_FAILED'],
      [{ conversationId: id, clientMessageId: randomUUID(), text: 42 }, 'VALIDATION_FAILED'],
      [{ conversationId: id, text: 'no client id' }, 'VALIDATION_FAILED'],
      [{ conversationId: 'not-a-uuid', clientMessageId: randomUUID(), text: 'x' }, 'VALIDATION_FAILED'],
      [{ conversationId: id, clientMessageId: randomUUID(), text: 'x', extra: true }, 'VALIDATION_FAILED'],
      ['a string', 'VALIDATION_FAILED'],
      [null, 'VALIDATION_FAILED'],
    ];
    for (const [payload, code] of cases) {
      const r = await request(v.socket, 'send-message', payload);
      expect(r.ok ? 'ok' : r.error.code, JSON.stringify(payload).slice(0, 60)).toBe(code);
    }
    const unknown = await (v.socket as unknown as { timeout(ms: number): { emitWithAck(e: string, p: unknown): Promise<any> } })
      .timeout(5000)
      .emitWithAck('drop-database', {});
    expect(unknown).toMatchObject({ ok: false, error: { code: 'UNKNOWN_EVENT' } });
    // Every command in the protocol's table has a handler, fed by that table's schema. The table outgrew one
    // connection's budget of invalid requests (the console's commands): a fresh connection every 15.
    const names = Object.keys(COMMANDS);
    for (let i = 0; i < names.length; i += 15) {
      const prober = i === 0 ? other : await visitor();
      for (const name of names.slice(i, i + 15)) {
        const r = await request(prober.socket, name as CommandName, { notAField: true });
        expect(r.ok ? 'ok' : r.error.code, name).toBe('VALIDATION_FAILED');
      }
    }
    // Exactly 4000 characters is fine, and the same connection still works.
    const max = await send(v.socket, id, 'z'.repeat(4000));
    expect(max.ok).toBe(true);
    expect(v.socket.connected).toBe(true);
    const o = await start(other.socket);
    expect((await send(other.socket, o.conversation.id, 'still fine')).ok).toBe(true);
    expect(await t.db.prisma.message.count({ where: { conversationId: id } })).toBe(1);
  });
});

describe('rate limits', () => {
  it('refuses a flooding visitor with retryAfterMs while another user is unaffected', async () => {
    const flooder = await visitor();
    const bystander = await visitor();
    const f = await start(flooder.socket);
    const b = await start(bystander.socket);
    const results = await Promise.all(Array.from({ length: 14 }, (_, i) => send(flooder.socket, f.conversation.id, `spam ${i}`)));
    const limited = results.filter((r) => !r.ok);
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    expect(limited.length).toBe(4);
    for (const r of limited) {
      expect(!r.ok && r.error.code).toBe('RATE_LIMITED');
      expect(!r.ok && r.error.retryAfterMs).toBeGreaterThan(0);
    }
    expect((await send(bystander.socket, b.conversation.id, 'hello')).ok).toBe(true);
    // Identified customers get a higher limit than anonymous visitors.
    const c = await customer('big-spender');
    const cc = await start(c.socket);
    const customerResults = await Promise.all(Array.from({ length: 14 }, (_, i) => send(c.socket, cc.conversation.id, `msg ${i}`)));
    expect(customerResults.every((r) => r.ok)).toBe(true);
  });
});

describe('agent REST API', () => {
  it('lists conversations, reads history and replies into the live room', async () => {
    const v = await visitor();
    const { conversation } = await start(v.socket);
    await send(v.socket, conversation.id, 'need help');
    const auth = { authorization: `Bearer ${agentTok}` };
    const list = await json(await fetch(`${t.url}/api/v1/conversations?limit=100`, { headers: auth }));
    expect(list.conversations.map((c: { id: string }) => c.id)).toContain(conversation.id);
    const history = await json(await fetch(`${t.url}/api/v1/conversations/${conversation.id}/messages`, { headers: auth }));
    expect(history.messages.map((m: MessageDto) => m.text)).toEqual(['need help']);

    const arrives = nextEvent(v.socket, 'message-received', (m) => m.sender.type === 'agent');
    const res = await fetch(`${t.url}/api/v1/conversations/${conversation.id}/messages`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'On it!', clientMessageId: 'rest-reply-0001' }),
    });
    expect(res.status).toBe(201);
    expect((await arrives).text).toBe('On it!');
    const retry = await fetch(`${t.url}/api/v1/conversations/${conversation.id}/messages`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'On it!', clientMessageId: 'rest-reply-0001' }),
    });
    expect(retry.status).toBe(200);
    expect((await json(retry)).duplicate).toBe(true);
    expect((await fetch(`${t.url}/api/v1/conversations`)).status).toBe(401);
  });

  it('pages the conversation list with a cursor', async () => {
    const auth = { authorization: `Bearer ${agentTok}` };
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { conversations: { id: string }[]; nextCursor: string | null } = await json(
        await fetch(`${t.url}/api/v1/conversations?limit=3${cursor ? `&cursor=${cursor}` : ''}`, { headers: auth }),
      );
      for (const c of page.conversations) {
        expect(seen.has(c.id)).toBe(false);
        seen.add(c.id);
      }
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 50);
    // Every conversation with a message, once; empty ones (a widget merely connected) are not listed.
    expect(seen.size).toBe(await t.db.prisma.conversation.count({ where: { workspaceId: seed.workspace.id, lastSeq: { gt: 0 } } }));
    const empty = await t.db.prisma.conversation.findMany({ where: { workspaceId: seed.workspace.id, lastSeq: 0 } });
    expect(empty.length).toBeGreaterThan(0);
    for (const c of empty) expect(seen.has(c.id)).toBe(false);
    expect(pages).toBeGreaterThan(1);
  });
});

describe('persistence', () => {
  it('keeps conversations and messages across a server restart', async () => {
    const { createTestDatabase } = await import('./support/database.ts');
    const database = await createTestDatabase();
    try {
      const first = await startTestApp({}, { database });
      const s1 = await seedWorkspace(first, [ORIGIN]);
      const tok = await visitorToken(first, s1.workspace.siteKey);
      const c1 = await connectSocket(first.url, { auth: { siteKey: s1.workspace.siteKey, visitorToken: tok }, origin: ORIGIN });
      const r = await request(c1.socket, 'start-conversation', {});
      const conversationId = r.ok ? r.conversation.id : '';
      await request(c1.socket, 'send-message', { conversationId, clientMessageId: randomUUID(), text: 'remember me' });
      c1.socket.close();
      await first.close();

      const second = await startTestApp({}, { database });
      try {
        const c2 = await connectSocket(second.url, { auth: { siteKey: s1.workspace.siteKey, visitorToken: tok }, origin: ORIGIN });
        const resumed = await request(c2.socket, 'start-conversation', {});
        expect(resumed.ok && resumed.conversation.id).toBe(conversationId);
        expect(resumed.ok && resumed.messages.map((m) => m.text)).toEqual(['remember me']);
        c2.socket.close();
      } finally {
        await second.close();
      }
    } finally {
      await database.drop();
    }
  });
});

describe('handshake rate limit', () => {
  it('refuses handshakes from one IP past the limit, with retryAfterMs', async () => {
    const fresh = await startTestApp();
    try {
      const s = await seedWorkspace(fresh, [ORIGIN]);
      const tok = await visitorToken(fresh, s.workspace.siteKey);
      const opts = { auth: { siteKey: s.workspace.siteKey, visitorToken: tok }, origin: ORIGIN };
      const codes: string[] = [];
      for (let i = 0; i < 62; i++) codes.push((await handshakeError(fresh.url, opts)).code);
      expect(codes.slice(0, 60).every((c) => c === 'CONNECTED')).toBe(true);
      expect(codes.slice(60)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
      const refusal = (await handshakeError(fresh.url, opts)) as { code: string; retryAfterMs?: number };
      expect(refusal.retryAfterMs).toBeGreaterThan(0);
    } finally {
      await fresh.close();
    }
  });
});
