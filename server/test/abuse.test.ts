// Limits that hold against a client probing the running server: the handshake's size and shape, frame size,
// unknown events and garbage, error replies that never repeat the input, bounded caches, open sockets per IP
// and per identity, the widget's HTTP calls, new conversations, and no contact row per handshake.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PrismaClient } from '../db/generated/client.ts';
import { WorkspaceService } from '../services/workspaces.service.ts';
import { identityToken, json, seedWorkspace, startTestApp, type TestApp } from './support/app.ts';
import { io as ioClient } from 'socket.io-client';
import { connectSocket, handshakeError, nextEvent, request, type TestSocket } from './support/sockets.ts';

const ORIGIN = 'https://shop.example';
let t: TestApp;
let siteKey: string;
let secret: string;
const open: TestSocket[] = [];

/**
 * Every limit at a fifth (handshakes 12 a minute per IP, 2 sockets per visitor, 10 per IP, 4 invalid requests
 * per connection, …), and the test as the proxy: each test claims client addresses of its own.
 */
beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_MULTIPLIER: '0.2', TRUST_PROXY: 'loopback' });
  ({ siteKey, secret } = (await seedWorkspace(t, [ORIGIN])).workspace);
});
afterAll(async () => {
  for (const s of open) s.close();
  await t?.close();
});

let nextIp = 1;
/** A client address no other test uses. */
const newIp = () => `198.51.100.${nextIp++}`;

async function visitorTokenFrom(ip: string): Promise<string> {
  const res = await fetch(`${t.url}/api/v1/widget/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: ORIGIN, 'x-forwarded-for': ip },
    body: JSON.stringify({ siteKey }),
  });
  return (await json(res)).visitorToken as string;
}

async function connectFrom(ip: string, auth: Record<string, unknown>) {
  const c = await connectSocket(t.url, { auth: { siteKey, ...auth }, origin: ORIGIN, headers: { 'x-forwarded-for': ip } });
  open.push(c.socket);
  return c;
}

const refusalFrom = (ip: string, auth: Record<string, unknown>) =>
  handshakeError(t.url, { auth: { siteKey, ...auth }, origin: ORIGIN, headers: { 'x-forwarded-for': ip } });

const emitWithAck = (socket: TestSocket, event: string, payload: unknown): Promise<any> =>
  (socket as unknown as { timeout(ms: number): { emitWithAck(e: string, p: unknown): Promise<unknown> } }).timeout(10_000).emitWithAck(event, payload);

const disconnected = (socket: TestSocket) => new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));

describe('the handshake', () => {
  it('refuses fields besides the credentials, without repeating them, and keeps nothing of it', async () => {
    const ip = newIp();
    const visitorToken = await visitorTokenFrom(ip);
    const extra = await refusalFrom(ip, { visitorToken, padding: 'p'.repeat(6 * 1024) });
    expect(extra.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(extra).length).toBeLessThan(500);
    expect(JSON.stringify(extra)).not.toContain('padding');

    const c = await connectFrom(ip, { visitorToken });
    const serverSide = [...t.app.io.of('/').sockets.values()].find((s) => s.id === c.socket.id)!;
    // The credentials were checked at the handshake; none of its payload stays for the socket's life.
    expect(serverSide.handshake.auth).toEqual({});
  });

  it('refuses an oversized auth before validating it, and drops one larger than a frame', async () => {
    const ip = newIp();
    const visitorToken = await visitorTokenFrom(ip);
    expect((await refusalFrom(ip, { visitorToken: `${visitorToken}${'x'.repeat(9 * 1024)}` })).code).toBe('PAYLOAD_TOO_LARGE');
    const before = t.app.io.of('/').sockets.size;
    // 1 MiB (accepted, and kept for the socket's life, before frames were capped): the transport closes
    // before socket.io even parses it, and the client hears no answer, only the connection closing.
    const huge = ioClient(t.url, {
      auth: { siteKey, visitorToken, padding: 'p'.repeat(1024 * 1024) },
      transports: ['websocket'],
      extraHeaders: { origin: ORIGIN, 'x-forwarded-for': ip },
      reconnection: false,
      forceNew: true,
    });
    const outcome = await new Promise<string>((resolve) => {
      huge.once('connect', () => resolve('connected'));
      huge.once('connect_error', (err) => resolve(`refused: ${err.message}`));
      huge.io.once('close', (reason) => resolve(`closed: ${reason}`));
    });
    huge.close();
    expect(outcome).toMatch(/^closed: transport (close|error)$/);
    expect(t.app.io.of('/').sockets.size).toBe(before);
  });
});

describe('frames and garbage', () => {
  it('answers a 5,000-key object with a short error, never the keys', async () => {
    const ip = newIp();
    const { socket } = await connectFrom(ip, { visitorToken: await visitorTokenFrom(ip) });
    const payload = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`key${i}`, 0]));
    const reply = await emitWithAck(socket, 'start-conversation', payload);
    expect(reply.error.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(reply).length).toBeLessThan(500);
    expect(JSON.stringify(reply)).not.toContain('key4999');
    // Over HTTP too (a 20,000-key body is within the body limit).
    const res = await fetch(`${t.url}/api/v1/widget/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ORIGIN, 'x-forwarded-for': ip },
      body: JSON.stringify({ siteKey, ...Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`key${i}`, 0])) }),
    });
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(text.length).toBeLessThan(500);
    expect(text).toContain('20000 unknown fields');
  });

  it('closes a connection that sends a frame larger than the cap; others carry on', async () => {
    const ip = newIp();
    const token = await visitorTokenFrom(ip);
    const big = await connectFrom(ip, { visitorToken: token });
    const bystander = await connectFrom(newIp(), { visitorToken: await visitorTokenFrom(newIp()) });
    const gone = disconnected(big.socket);
    (big.socket as unknown as { emit(e: string, p: unknown): void }).emit('send-message', {
      conversationId: randomUUID(),
      clientMessageId: randomUUID(),
      text: 'y'.repeat(100 * 1024),
    });
    expect(await gone).toMatch(/transport (close|error)/);
    expect((await request(bystander.socket, 'start-conversation', {})).ok).toBe(true);
  });

  it('counts unknown events against the command budget, and closes a connection that keeps sending garbage', async () => {
    const ip = newIp();
    const { socket } = await connectFrom(ip, { visitorToken: await visitorTokenFrom(ip) });
    // 12 commands per 10 s per connection: 3 unknown events spend 3 of them.
    for (let i = 0; i < 3; i++) expect((await emitWithAck(socket, `no-such-event-${i}`, {})).error).toEqual({ code: 'UNKNOWN_EVENT', message: 'No such event.' });
    const codes: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await request(socket, 'load-history', { conversationId: randomUUID() });
      codes.push(r.ok ? 'ok' : r.error.code);
    }
    expect(codes).toEqual([...Array(9).fill('FORBIDDEN'), 'RATE_LIMITED']);
    // 4 invalid requests a minute are tolerated; the next one closes the connection, saying why.
    const ended = nextEvent(socket, 'session-ended');
    const gone = disconnected(socket);
    const raw = socket as unknown as { emit(e: string): void };
    raw.emit('no-such-event');
    raw.emit('no-such-event');
    expect(await ended).toMatchObject({ code: 'PROTOCOL_VIOLATION' });
    expect(await gone).toBe('io server disconnect');
  });
});

describe('caches', () => {
  it('do not keep origins that cannot be allowed: requests with distinct 4 KB origins leave nothing cached', async () => {
    const before = t.app.services.workspaces.cachedEntries;
    for (let i = 0; i < 300; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, j) => fetch(`${t.url}/health`, { headers: { origin: `https://${'a'.repeat(4000)}${i + j}.example` } })),
      );
    }
    expect(t.app.services.workspaces.cachedEntries).toBe(before);
  });

  it('are bounded: distinct well-formed origins push the least recently used out', async () => {
    const queries: unknown[] = [];
    const prisma = { workspace: { findFirst: async () => (queries.push(1), null) } } as unknown as PrismaClient;
    const workspaces = new WorkspaceService(prisma, { cacheMax: 50 });
    for (let i = 0; i < 500; i++) expect(await workspaces.isOriginKnown(`https://shop${i}.example`)).toBe(false);
    expect(workspaces.cachedEntries).toBe(50);
    // The newest are cached, the oldest were dropped.
    await workspaces.isOriginKnown('https://shop499.example');
    expect(queries).toHaveLength(500);
    await workspaces.isOriginKnown('https://shop0.example');
    expect(queries).toHaveLength(501);
  });
});

describe('per-IP and per-identity caps', () => {
  it('caps the open sockets of one visitor, and frees a place when one closes', async () => {
    const ip = newIp();
    const visitorToken = await visitorTokenFrom(ip);
    const first = await connectFrom(ip, { visitorToken });
    await connectFrom(ip, { visitorToken });
    expect(await refusalFrom(ip, { visitorToken })).toMatchObject({ code: 'CONNECTION_LIMIT' });
    // The same visitor from elsewhere (another device) is the same identity.
    expect(await refusalFrom(newIp(), { visitorToken })).toMatchObject({ code: 'CONNECTION_LIMIT' });
    first.socket.close();
    await vi.waitFor(async () => expect((await refusalFrom(newIp(), { visitorToken })).code).toBe('CONNECTED'), { timeout: 5_000 });
  });

  it('caps the open sockets of one client address', async () => {
    const ip = newIp();
    for (let i = 0; i < 10; i++) await connectFrom(ip, { identityToken: await identityToken(secret, `crowd-${i}`) });
    expect(await refusalFrom(ip, { identityToken: await identityToken(secret, 'crowd-10') })).toMatchObject({ code: 'CONNECTION_LIMIT' });
    // Another address is not affected.
    const elsewhere = newIp();
    await connectFrom(elsewhere, { identityToken: await identityToken(secret, 'crowd-10') });
  });

  it('rate-limits the widget session and settings per client address', async () => {
    const ip = newIp();
    const session = () =>
      fetch(`${t.url}/api/v1/widget/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: ORIGIN, 'x-forwarded-for': ip },
        body: JSON.stringify({ siteKey }),
      }).then((r) => r.status);
    const settings = () => fetch(`${t.url}/api/v1/widget/settings?siteKey=${siteKey}`, { headers: { origin: ORIGIN, 'x-forwarded-for': ip } }).then((r) => r.status);
    const sessions = [];
    for (let i = 0; i < 13; i++) sessions.push(await session());
    expect(sessions).toEqual([...Array(12).fill(200), 429]);
    const looks = [];
    for (let i = 0; i < 25; i++) looks.push(await settings());
    expect(looks).toEqual([...Array(24).fill(200), 429]);
  });

  it('limits new conversations (forceNew) per person', async () => {
    const ip = newIp();
    const { socket } = await connectFrom(ip, { identityToken: await identityToken(secret, 'restless') });
    const codes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await request(socket, 'start-conversation', { forceNew: true });
      codes.push(r.ok ? 'ok' : r.error.code);
    }
    expect(codes).toEqual(['ok', 'ok', 'RATE_LIMITED']);
  });
});

describe('visitor contacts', () => {
  it('are stored on the first message, not on handshakes or opened conversations', async () => {
    const count = () => t.db.prisma.contact.count();
    const conversations = () => t.db.prisma.conversation.count();
    const [contactsBefore, conversationsBefore] = [await count(), await conversations()];
    const ip = newIp();
    const visitorToken = await visitorTokenFrom(ip);
    const tab1 = await connectFrom(ip, { visitorToken });
    const tab2 = await connectFrom(ip, { visitorToken });
    const s1 = await request(tab1.socket, 'start-conversation', {});
    const s2 = await request(tab2.socket, 'start-conversation', {});
    if (!s1.ok || !s2.ok) throw new Error('start failed');
    // Both tabs agree on the conversation before it exists, and on who the visitor is.
    expect(s2.conversation.id).toBe(s1.conversation.id);
    expect(s1.conversation).toMatchObject({ lastSeq: 0, contact: { id: tab1.session.contactId } });
    expect((await request(tab1.socket, 'load-history', { conversationId: s1.conversation.id })).ok).toBe(true);
    expect(await request(tab1.socket, 'mark-read', { conversationId: s1.conversation.id, seq: 0 })).toMatchObject({ ok: true, seq: 0 });
    expect([await count(), await conversations()]).toEqual([contactsBefore, conversationsBefore]);

    // The first message stores both, under those ids, and reaches the other tab live.
    const onTab2 = nextEvent(tab2.socket, 'message-received');
    const sent = await request(tab1.socket, 'send-message', { conversationId: s1.conversation.id, clientMessageId: randomUUID(), text: 'first words' });
    expect(sent.ok && sent.message.seq).toBe(1);
    expect((await onTab2).text).toBe('first words');
    expect([await count(), await conversations()]).toEqual([contactsBefore + 1, conversationsBefore + 1]);
    const stored = await t.db.prisma.conversation.findUniqueOrThrow({ where: { id: s1.conversation.id } });
    expect(stored.contactId).toBe(tab1.session.contactId);
    // Nobody else can write into someone's not-yet-stored conversation.
    const other = await connectFrom(newIp(), { visitorToken: await visitorTokenFrom(newIp()) });
    const s3 = await request(other.socket, 'start-conversation', {});
    expect(s3.ok && s3.conversation.id).not.toBe(s1.conversation.id);
    const intrusion = await request(other.socket, 'send-message', { conversationId: s1.conversation.id, clientMessageId: randomUUID(), text: 'hi' });
    expect(!intrusion.ok && intrusion.error.code).toBe('FORBIDDEN');
  });
});
