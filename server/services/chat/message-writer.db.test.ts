// The group-commit writer on a real database (PostgreSQL when DATABASE_URL is set, else PGlite), through the
// driver's own runner and through Prisma's: batching, gap-free sequences, retries, and failure isolation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/client.ts';
import { prismaSqlRunner } from '../../db/sql.ts';
import { countingSqlRunner, openWorkspaceDatabase } from '../../test/support/database.ts';
import { MessageWriter, type MessageToStore } from './message-writer.ts';

let db: Database;
let workspaceId: string;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => ({ db, workspaceId, close } = await openWorkspaceDatabase()));
afterAll(() => close?.());

async function conversations(n: number, status: 'open' | 'resolved' = 'open', mode: 'ai' | 'human' = 'ai'): Promise<string[]> {
  const contact = await db.prisma.contact.create({ data: { workspaceId, externalId: `c-${Math.random()}` } });
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = await db.prisma.conversation.create({ data: { workspaceId, contactId: contact.id, status, mode } });
    ids.push(c.id);
  }
  return ids;
}

const message = (conversationId: string, clientMessageId: string, over: Partial<MessageToStore> = {}): MessageToStore => ({
  conversationId,
  clientMessageId,
  senderType: 'contact',
  senderId: null,
  kind: 'text',
  text: `hello ${clientMessageId}`,
  payload: null,
  onlyInAiMode: false,
  ...over,
});

describe.each([
  ['the driver runner', () => db.sql],
  ['Prisma', () => prismaSqlRunner(db.prisma)],
])('MessageWriter through %s', (_name, runner) => {
  it('stores messages that arrive together in one statement, each with its conversation’s next seq', async () => {
    const ids = await conversations(20);
    const sql = countingSqlRunner(runner());
    const writer = new MessageWriter(sql);
    const rows = await Promise.all(ids.map((id, i) => writer.write(message(id, `m${i}`, { payload: { amount: '12.50', i } }))));
    expect(sql.calls).toBe(1);
    rows.forEach((row, i) => {
      expect(row).toMatchObject({ conversationId: ids[i], seq: 1, clientMessageId: `m${i}`, text: `hello m${i}`, reopened: false });
      expect(row!.payload).toEqual({ amount: '12.50', i });
      expect(row!.createdAt).toBeInstanceOf(Date);
    });
    // What it returns is what a later read gives back.
    const read = await db.prisma.message.findMany({ where: { id: { in: rows.map((r) => r!.id) } } });
    for (const row of rows) {
      const { reopened: _, ...fields } = row!;
      expect(read.find((m) => m.id === row!.id)).toMatchObject(fields);
    }
    const stored = await db.prisma.conversation.findMany({ where: { id: { in: ids } } });
    expect(stored.every((c) => c.lastSeq === 1 && c.waitingSince !== null)).toBe(true);
  });

  it('keeps every conversation gap-free and in hand-over order', async () => {
    const ids = await conversations(5);
    const writer = new MessageWriter(runner());
    // Several messages per conversation at once: each is stored in the order it was handed over.
    await Promise.all(ids.flatMap((id) => Array.from({ length: 8 }, (_, i) => writer.write(message(id, `k${i}`)))));
    for (const id of ids) {
      const stored = await db.prisma.message.findMany({ where: { conversationId: id }, orderBy: { seq: 'asc' } });
      expect(stored.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(stored.map((m) => m.clientMessageId)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7']);
      expect((await db.prisma.conversation.findUniqueOrThrow({ where: { id } })).lastSeq).toBe(8);
    }
  });

  it('stores one sender’s messages to one conversation together, numbered in order; another sender waits for the next statement', async () => {
    const [id] = await conversations(1, 'resolved', 'human');
    const agent = await db.prisma.agent.create({ data: { workspaceId, email: `a-${Math.random()}@example.com`, name: 'Ag', passwordHash: 'x' } });
    const sql = countingSqlRunner(runner());
    const writer = new MessageWriter(sql);
    const senders: Partial<MessageToStore>[] = [{}, {}, {}, { senderType: 'agent', senderId: agent.id }, { senderType: 'agent', senderId: agent.id }, {}];
    const rows = await Promise.all(senders.map((over, i) => writer.write(message(id!, `s${i}`, over))));
    expect(rows.map((r) => r?.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    // Customer ×3, agent ×2, customer: three statements; only the first message reopened the conversation.
    expect(sql.calls).toBe(3);
    expect(rows.map((r) => r?.reopened)).toEqual([true, false, false, false, false, false]);
    const c = await db.prisma.conversation.findUniqueOrThrow({ where: { id: id! } });
    expect(c).toMatchObject({ lastSeq: 6, status: 'open', mode: 'ai', assigneeId: agent.id });
    // The agent's replies ended the wait; the customer's last message started a new one.
    expect(c.waitingSince!.getTime()).toBeGreaterThanOrEqual(c.lastAgentMessageAt!.getTime());
  });

  it('stores a retry once (null the second time) and leaves the sequence as it was', async () => {
    const [id] = await conversations(1);
    const writer = new MessageWriter(runner());
    expect((await writer.write(message(id!, 'same')))?.seq).toBe(1);
    expect(await writer.write(message(id!, 'same'))).toBeNull();
    expect((await writer.write(message(id!, 'next')))?.seq).toBe(2);
  });

  it('stores an assistant answer only in assistant mode, and reports a reopened conversation', async () => {
    const [human] = await conversations(1, 'open', 'human');
    const [resolved] = await conversations(1, 'resolved', 'human');
    const writer = new MessageWriter(runner());
    const [answer, reopening] = await Promise.all([
      writer.write(message(human!, 'a1', { senderType: 'assistant', onlyInAiMode: true })),
      writer.write(message(resolved!, 'r1')),
    ]);
    expect(answer).toBeNull();
    expect(reopening).toMatchObject({ seq: 1, reopened: true });
    expect(await db.prisma.conversation.findUniqueOrThrow({ where: { id: resolved! } })).toMatchObject({ status: 'open', mode: 'ai' });
    expect((await db.prisma.conversation.findUniqueOrThrow({ where: { id: human! } })).lastSeq).toBe(0);
  });

  it('a message the database refuses fails alone: the others of its batch are stored', async () => {
    const ids = await conversations(3);
    const sql = countingSqlRunner(runner());
    const writer = new MessageWriter(sql);
    const results = await Promise.allSettled([
      writer.write(message(ids[0]!, 'ok0')),
      // Not a message kind: the whole statement fails, then each message is tried alone.
      writer.write(message(ids[1]!, 'bad', { kind: 'not-a-kind' as MessageToStore['kind'] })),
      writer.write(message(ids[2]!, 'ok2')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(sql.calls).toBe(4);
    const counts = await Promise.all(ids.map((id) => db.prisma.message.count({ where: { conversationId: id } })));
    expect(counts).toEqual([1, 0, 1]);
    expect((await db.prisma.conversation.findUniqueOrThrow({ where: { id: ids[1]! } })).lastSeq).toBe(0);
  });
});
