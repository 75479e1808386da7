// The agent console on two server processes behind one PostgreSQL and Redis (agents land on whichever
// instance their load balancer picks): viewers, typing, rows and counts, the assignment race and logout
// all cross instances, as they do on one (console.test.ts).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Services } from '../services/index.ts';
import { agentToken, identityToken } from './support/app.ts';
import { startTwoInstances, type TwoInstances } from './support/cluster.ts';
import { needs } from './support/needs.ts';
import { connectSocket, nextEvent, request, startConversation, type TestSocket } from './support/sockets.ts';

const ORIGIN = 'https://shop.example';
const PASSWORD = 'correct horse battery staple';

needs('postgres', 'redis').describe('the console across two instances behind Redis', () => {
  const open: TestSocket[] = [];
  let two: TwoInstances | undefined;
  let admin: Services;
  let a: string;
  let b: string;

  beforeAll(async () => {
    two = await startTwoInstances();
    ({ admin, a, b } = two);
  }, 120_000);
  afterAll(async () => {
    for (const s of open) s.close();
    await two?.stop();
  });

  /** A workspace with two agents, Ada and Bea. */
  async function team() {
    const ws = await admin.workspaces.create({ name: `Cluster ${randomUUID().slice(0, 6)}`, allowedOrigins: [ORIGIN] });
    const tag = randomUUID().slice(0, 6);
    const ada = (await admin.agents.create(ws.id, { email: `ada-${tag}@shop.example`, name: 'Ada', password: PASSWORD })).agent;
    const bea = (await admin.agents.create(ws.id, { email: `bea-${tag}@shop.example`, name: 'Bea', password: PASSWORD })).agent;
    return { ws, ada, bea };
  }

  async function agentOn(url: string, siteKey: string, email: string) {
    const token = await agentToken({ url }, siteKey, email, PASSWORD);
    const { socket } = await connectSocket(url, { auth: { siteKey, agentToken: token } });
    open.push(socket);
    return { socket, token };
  }

  async function customerOn(url: string, ws: { siteKey: string; secret: string }) {
    const sub = `c-${randomUUID().slice(0, 8)}`;
    const { socket } = await connectSocket(url, { auth: { siteKey: ws.siteKey, identityToken: await identityToken(ws.secret, sub, { name: 'Carla' }) }, origin: ORIGIN });
    open.push(socket);
    return { socket, conversationId: (await startConversation(socket)).conversation.id };
  }

  it('viewers and typing: an agent on A shows on B, and leaves when the socket closes', async () => {
    const { ws, ada, bea } = await team();
    const onA = await agentOn(a, ws.siteKey, ada.email);
    const onB = await agentOn(b, ws.siteKey, bea.email);
    const cust = await customerOn(a, ws);

    const seen = nextEvent(onB.socket, 'viewers', (v) => v.conversationId === cust.conversationId && v.agents.length === 1);
    expect((await request(onA.socket, 'view-conversation', { conversationId: cust.conversationId })).ok).toBe(true);
    expect((await seen).agents).toEqual([{ id: ada.id, name: 'Ada' }]);
    // Bea opens it on B: both are listed, from either instance.
    const both = await request(onB.socket, 'view-conversation', { conversationId: cust.conversationId });
    expect(both.ok && both.viewers.map((v) => v.name).sort()).toEqual(['Ada', 'Bea']);

    const typing = nextEvent(onB.socket, 'agent-typing', (e) => e.conversationId === cust.conversationId);
    expect((await request(onA.socket, 'console-typing', { conversationId: cust.conversationId, isTyping: true, target: 'reply' })).ok).toBe(true);
    expect(await typing).toMatchObject({ agent: { id: ada.id, name: 'Ada' }, isTyping: true, target: 'reply' });

    const left = nextEvent(onB.socket, 'viewers', (v) => v.conversationId === cust.conversationId && v.agents.length === 1);
    onA.socket.close();
    expect((await left).agents).toEqual([{ id: bea.id, name: 'Bea' }]);
  });

  it('a customer writing and asking for a person on A: the row, the counts and the agent’s unread reach B', async () => {
    const { ws, bea } = await team();
    const onB = await agentOn(b, ws.siteKey, bea.email);
    const row = nextEvent(onB.socket, 'conversation-updated', (e) => e.conversation.preview?.text === 'Hello from A');
    const withAssistant = nextEvent(onB.socket, 'inbox-counts', (e) => e.counts.assistant === 1);
    const cust = await customerOn(a, ws);
    const sent = await request(cust.socket, 'send-message', { conversationId: cust.conversationId, clientMessageId: randomUUID(), text: 'Hello from A' });
    expect(sent.ok).toBe(true);
    expect((await row).conversation.id).toBe(cust.conversationId);
    await withAssistant;
    // Handed to the team: it needs a reply, and it is unread for Bea (computed by the server, per agent).
    const handed = nextEvent(onB.socket, 'inbox-counts', (e) => e.counts['needs-reply'] === 1 && (e.agents[bea.id]?.unread ?? 0) === 1);
    expect((await request(cust.socket, 'request-handoff', { conversationId: cust.conversationId })).ok).toBe(true);
    expect((await handed).counts.assistant).toBe(0);
  });

  it('Ada on A and Bea on B take the same conversation at once: exactly one wins, and both see who', async () => {
    const { ws, ada, bea } = await team();
    const onA = await agentOn(a, ws.siteKey, ada.email);
    const onB = await agentOn(b, ws.siteKey, bea.email);
    const cust = await customerOn(a, ws);
    await request(cust.socket, 'send-message', { conversationId: cust.conversationId, clientMessageId: randomUUID(), text: 'Anyone?' });
    const assigned = (s: TestSocket) => nextEvent(s, 'conversation-updated', (e) => e.conversation.id === cust.conversationId && e.conversation.assignee !== null);
    const seenOnA = assigned(onA.socket);
    const seenOnB = assigned(onB.socket);
    const [ra, rb] = await Promise.all([
      request(onA.socket, 'assign-conversation', { conversationId: cust.conversationId, assigneeId: 'me' }),
      request(onB.socket, 'assign-conversation', { conversationId: cust.conversationId, assigneeId: 'me' }),
    ]);
    expect([ra.ok, rb.ok].filter(Boolean)).toHaveLength(1);
    const winner = ra.ok ? ada : bea;
    const loser = ra.ok ? rb : ra;
    expect(!loser.ok && loser.error).toMatchObject({ code: 'CONFLICT', assignee: { id: winner.id, name: winner.name } });
    expect((await seenOnA).conversation.assignee?.id).toBe(winner.id);
    expect((await seenOnB).conversation.assignee?.id).toBe(winner.id);
  });

  it('signing out on A closes that session’s socket on B at once; the agent’s other session stays', async () => {
    const { ws, ada } = await team();
    const first = await agentOn(b, ws.siteKey, ada.email);
    const other = await agentOn(b, ws.siteKey, ada.email);
    const ended = nextEvent(first.socket, 'session-ended');
    const closed = new Promise<void>((resolve) => first.socket.on('disconnect', () => resolve()));
    const out = await fetch(`${a}/api/v1/agent/logout`, { method: 'POST', headers: { authorization: `Bearer ${first.token}` } });
    expect(out.status).toBe(204);
    expect((await ended).code).toBe('AUTH_INVALID');
    await closed;
    expect(other.socket.connected).toBe(true);
    expect((await request(other.socket, 'get-inbox-counts', {})).ok).toBe(true);
  });
});
