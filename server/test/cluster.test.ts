// Two real server processes sharing PostgreSQL and Redis behave as one (Socket.io Redis adapter).
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { needs } from './support/needs.ts';
import { spawnServer, stopServer } from './support/server-process.ts';
import { connectSocket, nextEvent, request, type TestSocket } from './support/sockets.ts';

const ORIGIN = 'https://shop.example';

async function startNode(env: Record<string, string>) {
  const node = spawnServer({ PORT: '0', LOG_LEVEL: 'warn', ALLOWED_ORIGINS: ORIGIN, ...env });
  return { child: node.child, url: await node.ready, stdout: () => node.run.stdout };
}

needs('postgres', 'redis').describe('two nodes through Redis', () => {
  const children: ChildProcess[] = [];
  const sockets: TestSocket[] = [];
  let database: TestDatabase | undefined;
  afterAll(async () => {
    for (const s of sockets) s.close();
    await Promise.all(children.map(stopServer));
    await database?.drop();
  });

  it('a message sent through node A reaches a member connected to node B, and back', async () => {
    database = await createTestDatabase();
    // Both nodes share a key namespace of their own, apart from other runs using this Redis.
    const env = { DATABASE_URL: database.databaseUrl!, REDIS_URL: process.env.REDIS_URL!, REDIS_PREFIX: `test-${randomUUID().slice(0, 8)}` };
    const a = await startNode(env);
    children.push(a.child);
    const b = await startNode(env);
    children.push(b.child);
    const siteKey = /Demo site key\s+(pk_\S+)/.exec(a.stdout())![1]!;
    const password = /Agent password\s+(\S+)/.exec(a.stdout())![1]!;
    expect(b.stdout()).toContain(siteKey);

    const login = await fetch(`${b.url}/api/v1/agent/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ siteKey, email: 'demo@verychat.local', password }),
    });
    const { token } = (await login.json()) as { token: string };
    const session = await fetch(`${a.url}/api/v1/widget/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ORIGIN },
      body: JSON.stringify({ siteKey }),
    });
    const { visitorToken } = (await session.json()) as { visitorToken: string };

    const visitor = await connectSocket(a.url, { auth: { siteKey, visitorToken }, origin: ORIGIN });
    const agent = await connectSocket(b.url, { auth: { siteKey, agentToken: token } });
    sockets.push(visitor.socket, agent.socket);
    const started = await request(visitor.socket, 'start-conversation', {});
    if (!started.ok) throw new Error('start failed');
    const conversationId = started.conversation.id;

    const onB = nextEvent(agent.socket, 'message-received', (m) => m.conversationId === conversationId);
    await request(visitor.socket, 'send-message', { conversationId, clientMessageId: randomUUID(), text: 'via node A' });
    expect((await onB).text).toBe('via node A');

    await request(agent.socket, 'join-chat-room', { conversationId });
    const onA = nextEvent(visitor.socket, 'message-received', (m) => m.sender.type === 'agent');
    await fetch(`${b.url}/api/v1/conversations/${conversationId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'reply via node B' }),
    });
    expect((await onA).text).toBe('reply via node B');

    // Typing crosses nodes too.
    const typing = nextEvent(visitor.socket, 'typing');
    await request(agent.socket, 'typing', { conversationId, isTyping: true });
    expect((await typing).isTyping).toBe(true);
  }, 90_000);
});
