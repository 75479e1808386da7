// When the team usually replies, measured on the real database (PGlite, or PostgreSQL with DATABASE_URL).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replyTimeWording } from '../../../protocol/assistant-values.ts';
import type { Database } from '../../db/client.ts';
import { openWorkspaceDatabase } from '../../test/support/database.ts';
import { ReplyTimes } from './reply-time.ts';

let db: Database;
let workspaceId: string;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, workspaceId, close } = await openWorkspaceDatabase());
});
afterAll(() => close?.());

let n = 0;
/** A conversation handed over `ago` minutes ago for `reason`, with agent replies `replies` minutes after it. */
async function handoff(ws: string, ago: number, reason: string, replies: number[], other: { senderType: 'contact' | 'system'; after: number }[] = []) {
  const contact = await db.prisma.contact.create({ data: { workspaceId: ws, externalId: `c-${++n}` } });
  const at = new Date(Date.now() - ago * 60_000);
  const conversation = await db.prisma.conversation.create({ data: { workspaceId: ws, contactId: contact.id, mode: 'human', handoffAt: at, handoffReason: reason } });
  const rows = [
    // An agent's message before the handoff does not count as a reply to it.
    { senderType: 'agent' as const, after: -30 },
    ...replies.map((after) => ({ senderType: 'agent' as const, after })),
    ...other,
  ];
  await db.prisma.message.createMany({
    data: rows.map((r, i) => ({
      conversationId: conversation.id,
      workspaceId: ws,
      seq: i + 1,
      clientMessageId: `m-${n}-${i}`,
      senderType: r.senderType,
      text: 'x',
      createdAt: new Date(at.getTime() + r.after * 60_000),
    })),
  });
}

describe('ReplyTimes', () => {
  it('tells the merchant’s own words when set, else the median minutes to the first agent reply, else nothing', async () => {
    // A new one each time: each reads the database afresh (one keeps its measurement: the next test).
    const times = { of: (id: string) => new ReplyTimes(db.prisma).of(id) };
    expect(await times.of(workspaceId)).toBeUndefined();

    // Four handoffs are too few to promise anything.
    for (const first of [10, 20, 40, 90]) await handoff(workspaceId, 24 * 60, 'customer-asked', [first, first + 5], [{ senderType: 'contact', after: 1 }]);
    expect(await times.of(workspaceId)).toBeUndefined();
    await handoff(workspaceId, 48 * 60, 'offer-accepted', [30]);
    // First replies 10, 20, 30, 40, 90 → 30; the customer's own messages and a reply before the handoff do not count.
    expect(await times.of(workspaceId)).toEqual({ typicalMinutes: 30 });

    // Not counted: handoffs an agent's reply made (answered at once), unanswered ones, and those over 30 days old.
    for (let i = 0; i < 5; i++) await handoff(workspaceId, 60, 'agent-replied', [0]);
    await handoff(workspaceId, 60, 'customer-asked', []);
    for (let i = 0; i < 5; i++) await handoff(workspaceId, 31 * 24 * 60, 'customer-asked', [1]);
    expect(await times.of(workspaceId)).toEqual({ typicalMinutes: 30 });

    await db.prisma.workspace.update({ where: { id: workspaceId }, data: { settings: { replyTime: 'Usually within a day' } } });
    expect(await times.of(workspaceId)).toEqual({ text: 'Usually within a day' });
  });

  it('keeps a measurement for its time to live', async () => {
    let clock = 1_000; // lru-cache takes a start time of 0 for "no start"
    const times = new ReplyTimes(db.prisma, { ttlMs: 60_000, now: () => clock });
    const other = await db.prisma.workspace.create({ data: { name: 'Other', siteKey: 'pk_reply_other', secret: 'sk', visitorKey: 'vk' } });
    expect(await times.typicalMinutes(other.id)).toBeNull();
    for (let i = 0; i < 5; i++) await handoff(other.id, 600, 'customer-asked', [120]);
    expect(await times.typicalMinutes(other.id)).toBeNull();
    clock = 62_000;
    await new Promise((r) => setTimeout(r, 5)); // lru-cache reuses its last clock reading for 1 ms
    expect(await times.typicalMinutes(other.id)).toBe(120);
  });
});

describe('replyTimeWording', () => {
  it('words a measured time the way people say it', () => {
    expect([1, 5, 6, 14, 16, 30, 31, 60, 61, 89, 90, 23 * 60, 23.6 * 60, 36 * 60, 4 * 1440].map(replyTimeWording)).toEqual([
      { key: 'minutes', n: 5 },
      { key: 'minutes', n: 5 },
      { key: 'minutes', n: 10 },
      { key: 'minutes', n: 15 },
      { key: 'minutes', n: 30 },
      { key: 'minutes', n: 30 },
      { key: 'hour', n: 1 },
      { key: 'hour', n: 1 },
      { key: 'hours', n: 2 },
      { key: 'hours', n: 2 },
      { key: 'hours', n: 2 },
      { key: 'hours', n: 23 },
      { key: 'days', n: 1 },
      { key: 'days', n: 2 },
      { key: 'days', n: 4 },
    ]);
  });
});
