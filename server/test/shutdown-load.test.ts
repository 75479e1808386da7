// Shutdown under load: SIGTERM while 20 customers send as fast as they can (far past what the server
// answers at once). The process exits by itself, cleanly, well within its 10 s limit, and every message it
// acknowledged is in the database afterwards; nothing it did not acknowledge is half-stored (seqs gap-free).
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { afterAll, expect, it } from 'vitest';
import { openDatabase } from '../db/client.ts';
import { identityToken } from './support/app.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { spawnServer, stopServer } from './support/server-process.ts';

const ORIGIN = 'https://shop.example';
const CUSTOMERS = 20;
/** Sends each customer keeps in flight: 400 at once, past MAX_RUNNING_COMMANDS below. */
const IN_FLIGHT = 20;

const children: ChildProcess[] = [];
const sockets: Socket[] = [];
let database: TestDatabase | undefined;
afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all(children.map(stopServer));
  await database?.drop();
});

it('SIGTERM under load: exits cleanly within its limit, and every acknowledged message is stored once, gap-free', async () => {
  database = await createTestDatabase();
  const node = spawnServer({
    PORT: '0',
    LOG_LEVEL: 'warn',
    ALLOWED_ORIGINS: ORIGIN,
    RATE_LIMIT_MULTIPLIER: '1000',
    MAX_RUNNING_COMMANDS: '200',
    DATA_DIR: database.dataDir,
    ...(database.databaseUrl && { DATABASE_URL: database.databaseUrl }),
  });
  children.push(node.child);
  const url = await node.ready;
  const siteKey = /Demo site key\s+(pk_\S+)/.exec(node.run.stdout)![1]!;
  const secret = /Demo secret\s+(sk_\S+)/.exec(node.run.stdout)![1]!;

  const acked = new Map<string, { conversationId: string; seq: number }>();
  const refusals = new Map<string, number>();
  let stopping = false;
  const customers = await Promise.all(
    Array.from({ length: CUSTOMERS }, async (_, i) => {
      const socket = io(url, {
        auth: { siteKey, identityToken: await identityToken(secret, `load-${i}-${randomUUID().slice(0, 6)}`) },
        transports: ['websocket'],
        extraHeaders: { origin: ORIGIN },
        reconnection: false,
        forceNew: true,
      });
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('session', () => resolve());
        socket.once('connect_error', reject);
      });
      const started = await socket.timeout(5_000).emitWithAck('start-conversation', {});
      return { socket, conversationId: started.conversation.id as string };
    }),
  );

  // Each customer keeps IN_FLIGHT sends going until the server closes its socket.
  const senders = customers.flatMap(({ socket, conversationId }) =>
    Array.from({ length: IN_FLIGHT }, async () => {
      while (socket.connected) {
        const clientMessageId = randomUUID();
        const reply = await socket
          .timeout(12_000)
          .emitWithAck('send-message', { conversationId, clientMessageId, text: `load ${clientMessageId}` })
          .catch(() => null);
        if (!reply) return; // closed before an answer: not acknowledged
        if (reply.ok) acked.set(clientMessageId, { conversationId, seq: reply.message.seq });
        else {
          refusals.set(reply.error.code, (refusals.get(reply.error.code) ?? 0) + 1);
          if (reply.error.code === 'OVERLOADED') await new Promise((r) => setTimeout(r, 20));
        }
        if (stopping && !socket.connected) return;
      }
    }),
  );

  await new Promise((r) => setTimeout(r, 1_500));
  const ackedBeforeStop = acked.size;
  expect(ackedBeforeStop).toBeGreaterThan(100);
  stopping = true;
  const signalled = performance.now();
  node.child.kill('SIGTERM');
  const run = await node.exited;
  const exitMs = performance.now() - signalled;
  await Promise.all(senders);

  expect(run.code).toBe(0);
  expect(exitMs).toBeLessThan(8_000);
  expect(run.stdout + run.stderr).not.toMatch(/shutdown timed out/);
  // Only the refusals of a busy or stopping server.
  for (const code of refusals.keys()) expect(['OVERLOADED', 'UNAVAILABLE']).toContain(code);

  const db = await openDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
  try {
    const stored = await db.prisma.message.findMany({
      where: { conversationId: { in: customers.map((c) => c.conversationId) } },
      select: { clientMessageId: true, conversationId: true, seq: true },
    });
    const byClientId = new Map(stored.map((m) => [m.clientMessageId, m]));
    for (const [clientMessageId, ack] of acked) expect(byClientId.get(clientMessageId)).toEqual({ clientMessageId, ...ack });
    for (const { conversationId } of customers) {
      const seqs = stored.filter((m) => m.conversationId === conversationId).map((m) => m.seq).sort((a, b) => a - b);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    }
  } finally {
    await db.close();
  }
}, 60_000);
