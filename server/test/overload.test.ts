// Graceful overload: past MAX_RUNNING_COMMANDS an instance refuses new socket commands at once with
// OVERLOADED and retryAfterMs instead of queueing them without bound; nothing refused is stored, everything
// accepted is, in order, and a retry of a refused message (same client id) goes through once there is room.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CommandReply } from '../../protocol/events.ts';
import { identityToken, seedWorkspace, startTestApp, type TestApp } from './support/app.ts';
import { connectSocket, request, startConversation, type TestSocket } from './support/sockets.ts';

const ORIGIN = 'https://shop.example';
let t: TestApp;
const open: TestSocket[] = [];

beforeAll(async () => {
  // Rate limits out of the way: the capacity bound is what is under test.
  t = await startTestApp({ MAX_RUNNING_COMMANDS: '3', RATE_LIMIT_MULTIPLIER: '1000' });
});
afterAll(async () => {
  for (const s of open) s.close();
  await t?.close();
});

it('past its capacity the server refuses at once with OVERLOADED and retryAfterMs; refused messages are not stored, accepted ones are, and a retry succeeds', async () => {
  const seed = await seedWorkspace(t, [ORIGIN]);
  const sub = `busy-${randomUUID().slice(0, 8)}`;
  const token = await identityToken(seed.workspace.secret, sub, { name: 'Busy' });
  const devices = await Promise.all(Array.from({ length: 4 }, () => connectSocket(t.url, { auth: { siteKey: seed.workspace.siteKey, identityToken: token }, origin: ORIGIN })));
  open.push(...devices.map((d) => d.socket));
  const conversationId = (await startConversation(devices[0]!.socket)).conversation.id;

  // 40 messages at once from four devices: at most three run at a time.
  const attempts = Array.from({ length: 40 }, (_, i) => ({ socket: devices[i % 4]!.socket, clientMessageId: randomUUID(), text: `m${i}` }));
  const replies: CommandReply<'send-message'>[] = await Promise.all(attempts.map((a) => request(a.socket, 'send-message', { conversationId, clientMessageId: a.clientMessageId, text: a.text })));
  const refused = replies.flatMap((r, i) => (r.ok ? [] : [{ error: r.error, attempt: attempts[i]! }]));
  const accepted = replies.flatMap((r) => (r.ok ? [r.message] : []));
  expect(refused.length).toBeGreaterThan(0);
  expect(accepted.length).toBeGreaterThan(0);
  for (const { error } of refused) {
    expect(error.code).toBe('OVERLOADED');
    expect(error.retryAfterMs).toBeGreaterThanOrEqual(500);
    expect(error.retryAfterMs).toBeLessThan(1000);
  }

  const stored = await t.db.prisma.message.findMany({ where: { conversationId }, orderBy: { seq: 'asc' } });
  expect(stored.map((m) => m.clientMessageId).sort()).toEqual(accepted.map((m) => m.clientMessageId).sort());
  expect(stored.map((m) => m.seq)).toEqual(stored.map((_, i) => i + 1));

  // The refused ones, retried one at a time as the widget's outbox does, all go through, once each.
  for (const { attempt } of refused) {
    const again = await request(attempt.socket, 'send-message', { conversationId, clientMessageId: attempt.clientMessageId, text: attempt.text });
    expect(again.ok && again.duplicate).toBe(false);
  }
  const all = await t.db.prisma.message.findMany({ where: { conversationId }, orderBy: { seq: 'asc' } });
  expect(new Set(all.map((m) => m.clientMessageId)).size).toBe(40);
  expect(all.map((m) => m.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
});

it('while the database stalls, new commands are refused at once once writes have waited too long; the waiting ones are stored when it resumes', async () => {
  // Its own server: MAX_RUNNING_COMMANDS out of the way, only the database's backlog counts here.
  const app = await startTestApp({ RATE_LIMIT_MULTIPLIER: '1000' });
  try {
    const seed = await seedWorkspace(app, [ORIGIN]);
    const token = await identityToken(seed.workspace.secret, `stall-${randomUUID().slice(0, 8)}`, { name: 'Stall' });
    const { socket } = await connectSocket(app.url, { auth: { siteKey: seed.workspace.siteKey, identityToken: token }, origin: ORIGIN });
    open.push(socket);
    const conversationId = (await startConversation(socket)).conversation.id;
    const send = (text: string, clientMessageId = randomUUID()) => request(socket, 'send-message', { conversationId, clientMessageId, text });

    expect((await send('before the stall')).ok).toBe(true);
    // Another session holds the conversation's row: the next write waits for it (PGlite, one session, waits too).
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const locked = new Promise<void>((ready) => {
      void app.db.prisma.$transaction(
        async (tx) => {
          await tx.$queryRaw`SELECT "id" FROM "Conversation" WHERE "id" = ${conversationId}::uuid FOR UPDATE`;
          ready();
          await held;
        },
        { timeout: 20_000 },
      );
    });
    await locked;
    const waiting = send('written once the database resumes');
    await new Promise((r) => setTimeout(r, 400));
    let waitingSettled = false;
    void waiting.finally(() => (waitingSettled = true));
    const refused = await send('refused');
    // Refused at once: while the write before it still waits for the locked row (released only below).
    expect(waitingSettled).toBe(false);
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.code).toBe('OVERLOADED');
      expect(refused.error.retryAfterMs).toBeGreaterThanOrEqual(500);
    }
    release();
    const first = await waiting;
    expect(first.ok && first.message.seq).toBe(2);
    const after = await send('accepted again');
    expect(after.ok && after.message.seq).toBe(3);
    expect(await app.db.prisma.message.count({ where: { conversationId } })).toBe(3);
  } finally {
    await app.close();
  }
});
