// Two real server processes sharing PostgreSQL and Redis behave as one (Socket.io Redis adapter).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../paths.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { needs } from './support/needs.ts';
import { connectSocket, nextEvent, request, type TestSocket } from './support/sockets.ts';

const ORIGIN = 'https://shop.example';

function startNode(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; stdout: () => string }> {
  const child = spawn(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['server/main.ts'], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ALLOWED_ORIGINS: ORIGIN, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', () => {
      const m = /VeryChat is running at (\S+)/.exec(out);
      if (m) resolve({ child, url: m[1]!.replace('localhost', '127.0.0.1'), stdout: () => out });
    });
    child.on('exit', (code) => reject(new Error(`node exited (${code}): ${out}`)));
  });
}

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

needs('postgres', 'redis').describe('two nodes through Redis', () => {
  const children: ChildProcess[] = [];
  const sockets: TestSocket[] = [];
  let database: TestDatabase | undefined;
  afterAll(async () => {
    for (const s of sockets) s.close();
    await Promise.all(children.map(stop));
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
