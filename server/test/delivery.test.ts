// Every device sees every message: races between a device (re)joining and a message being stored, a node
// that committed a message but never published it, a shutdown with commands in flight, and catching up
// from the last seq a device holds.
import { randomUUID } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MessageDto } from '../../protocol/chat.ts';
import type { Principal } from '../services/principal.ts';
import { rooms } from '../services/rooms.ts';
import { identityToken, seedWorkspace, startTestApp, type TestApp } from './support/app.ts';
import { collect, connectSocket, handshakeError, nextEvent, request, startConversation as start, type TestSocket } from './support/sockets.ts';

const ORIGIN = 'https://shop.example';
let t: TestApp;
let seed: Awaited<ReturnType<typeof seedWorkspace>>;
const open: TestSocket[] = [];

beforeAll(async () => {
  t = await startTestApp();
  seed = await seedWorkspace(t, [ORIGIN]);
});
afterAll(async () => {
  for (const s of open) s.close();
  await t?.close();
});

async function device(app: TestApp, sub: string) {
  const token = await identityToken(seed.workspace.secret, sub);
  const c = await connectSocket(app.url, { auth: { siteKey: seed.workspace.siteKey, identityToken: token }, origin: ORIGIN });
  open.push(c.socket);
  return c;
}

const agent = (): Principal => ({ kind: 'agent', workspaceId: seed.workspace.id, agentId: seed.agent.id, name: seed.agent.name });

describe('joining a conversation', () => {
  it('reads the page after joining the room: a message stored meanwhile is in the page or arrives live', async () => {
    const phone = await device(t, 'joiner');
    const { conversation } = await start(phone.socket);
    const laptop = await device(t, 'joiner');
    const live = collect(laptop.socket, 'message-received');

    // Store a message at the moment the laptop's socket is being added to the conversation's room.
    const adapter = t.app.io.of('/').adapter;
    const addAll = adapter.addAll.bind(adapter);
    let stored: MessageDto | undefined;
    adapter.addAll = async (id, names) => {
      if (id === laptop.socket.id && names.has(rooms.conversation(conversation.id)) && !stored) {
        stored = (await t.app.chat.send(agent(), conversation.id, { clientMessageId: randomUUID(), text: 'while you were joining' })).message;
      }
      return addAll(id, names);
    };
    try {
      const page = await start(laptop.socket);
      expect(stored).toBeDefined();
      const seen = [...page.messages, ...live.items].map((m) => m.id);
      expect(seen).toContain(stored!.id);
      expect(page.conversation.lastSeq).toBe(stored!.seq);
    } finally {
      adapter.addAll = addAll;
    }
  });
});

describe('a retry of a stored message', () => {
  it('publishes it again, so devices that never received it live get it now', async () => {
    const phone = await device(t, 'retrier');
    const laptop = await device(t, 'retrier');
    const { conversation } = await start(phone.socket);
    await start(laptop.socket);
    const clientMessageId = randomUUID();
    // The node stored the message and died before publishing it: nothing went out.
    const publisher = t.app.services.publisher;
    publisher.publish = () => {};
    const principal: Principal = { kind: 'customer', workspaceId: seed.workspace.id, externalId: 'retrier', contactId: conversation.contact.id };
    try {
      await t.app.chat.send(principal, conversation.id, { clientMessageId, text: 'lost in publishing' });
    } finally {
      delete (publisher as { publish?: unknown }).publish;
    }
    // The phone never got its ack and sends again (to any node): the laptop hears of it now.
    const onLaptop = nextEvent(laptop.socket, 'message-received', (m) => m.clientMessageId === clientMessageId);
    const retry = await request(phone.socket, 'send-message', { conversationId: conversation.id, clientMessageId, text: 'lost in publishing' });
    expect(retry.ok && retry.duplicate).toBe(true);
    expect((await onLaptop).id).toBe(retry.ok && retry.message.id);
  });
});

describe('catching up', () => {
  it('loads everything after the last seq a device holds, oldest first, page by page', async () => {
    const phone = await device(t, 'catcher');
    const { conversation } = await start(phone.socket);
    // Seven messages: the agent's first reply takes the conversation over (seq 1, its system line), then six.
    for (let i = 1; i <= 6; i++) await t.app.chat.send(agent(), conversation.id, { clientMessageId: `catch-up-${i}`, text: `m${i}` });
    const page = (afterSeq: number, limit: number) => request(phone.socket, 'load-history', { conversationId: conversation.id, afterSeq, limit });
    const first = await page(2, 3);
    expect(first.ok && first.messages.map((m) => m.seq)).toEqual([3, 4, 5]);
    expect(first.ok && first.hasMore).toBe(true);
    const rest = await page(5, 3);
    expect(rest.ok && rest.messages.map((m) => m.seq)).toEqual([6, 7]);
    expect(rest.ok && rest.hasMore).toBe(false);
    // A window: after 2 and before 5.
    const window = await request(phone.socket, 'load-history', { conversationId: conversation.id, afterSeq: 2, beforeSeq: 5 });
    expect(window.ok && window.messages.map((m) => m.seq)).toEqual([3, 4]);
  });
});

describe('graceful shutdown', () => {
  it('lets accepted commands finish and be answered before sockets close; new ones are refused meanwhile', async () => {
    const app = await startTestApp();
    const s = await seedWorkspace(app, [ORIGIN]);
    const token = await identityToken(s.workspace.secret, 'last-words');
    const auth = { siteKey: s.workspace.siteKey, identityToken: token };
    const c = await connectSocket(app.url, { auth, origin: ORIGIN });
    open.push(c.socket);
    const { conversation } = await start(c.socket);

    // A send that is still being written when the shutdown begins.
    const { chat } = app.app;
    const send = chat.send.bind(chat);
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    chat.send = async (...args: Parameters<typeof send>) => {
      entered();
      await gate;
      return send(...args);
    };
    const ended = nextEvent(c.socket, 'session-ended', () => true, 20_000);
    const acked = request(c.socket, 'send-message', { conversationId: conversation.id, clientMessageId: randomUUID(), text: 'said as the server stops' });
    await inside;
    const closing = app.close();
    // Shutting down: new connections are turned away (and would be commands on open ones).
    await vi.waitFor(async () => expect((await handshakeError(app.url, { auth, origin: ORIGIN })).code).toBe('UNAVAILABLE'), { timeout: 10_000 });
    release();
    const reply = await acked;
    expect(reply.ok && reply.message.text).toBe('said as the server stops');
    expect(await ended).toMatchObject({ code: 'UNAVAILABLE' });
    await closing;
  });
});

describe('shutdown with a stalled HTTP client', () => {
  it('is not held up by a request that never finishes', async () => {
    const app = await startTestApp();
    const { port } = new URL(app.url);
    const headersIn = new Promise<void>((resolve) => app.app.fastify.server.once('request', () => resolve()));
    // Announces a body it never sends: without a cut-off the server waits for it forever.
    const client = tcpConnect(Number(port), '127.0.0.1', () =>
      client.write('POST /api/v1/agent/login HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"si'),
    );
    const cut = new Promise<void>((resolve) => client.on('close', () => resolve()));
    client.on('error', () => {});
    await headersIn;
    await app.close();
    await cut;
  });
});
