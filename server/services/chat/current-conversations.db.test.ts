// Customers' current conversations read in one statement (PostgreSQL when DATABASE_URL is set, else PGlite):
// the same conversation, with the same fields and types, as ChatService's Prisma query picks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/client.ts';
import { countingSqlRunner, openWorkspaceDatabase } from '../../test/support/database.ts';
import { CurrentConversations } from './current-conversations.ts';

let db: Database;
let workspaceId: string;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => ({ db, workspaceId, close } = await openWorkspaceDatabase()));
afterAll(() => close?.());

/** What ChatService asked Prisma for before: the open, pending or snoozed conversation with the newest message. */
const viaPrisma = (contactId: string) =>
  db.prisma.conversation.findFirst({
    where: { contactId, status: { in: ['open', 'pending', 'snoozed'] } },
    orderBy: { lastMessageAt: 'desc' },
    include: { contact: true },
  });

const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000);

describe('CurrentConversations', () => {
  it('finds each customer’s current conversation as Prisma does, everyone asked together in one statement', async () => {
    const customers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        db.prisma.contact.create({ data: { workspaceId, externalId: `user-${i}`, name: i % 2 ? `Name ${i}` : null, lastSeenAt: at(i) } }),
      ),
    );
    for (const [i, c] of customers.entries()) {
      // A newer resolved one, an older open one, and the current one (pending or snoozed for some).
      await db.prisma.conversation.create({ data: { workspaceId, contactId: c.id, status: 'resolved', lastMessageAt: at(0), resolvedAt: at(0) } });
      await db.prisma.conversation.create({ data: { workspaceId, contactId: c.id, status: 'open', lastMessageAt: at(30) } });
      const status = (['open', 'pending', 'snoozed'] as const)[i % 3]!;
      await db.prisma.conversation.create({
        data: { workspaceId, contactId: c.id, status, lastMessageAt: at(5), lastSeq: i + 1, waitingSince: at(6), ...(status === 'snoozed' && { snoozedUntil: at(-60) }) },
      });
    }
    const sql = countingSqlRunner(db.sql);
    const reader = new CurrentConversations(sql);
    const found = await Promise.all(customers.map((c) => reader.find(workspaceId, c.externalId!)));
    expect(sql.calls).toBe(1);
    for (const [i, c] of customers.entries()) {
      const expected = await viaPrisma(c.id);
      expect(expected!.lastSeq).toBe(i + 1);
      expect(found[i]).toEqual(expected);
      expect(found[i]!.contact.lastSeenAt).toBeInstanceOf(Date);
    }
  });

  it('is null for a customer without a contact, or whose conversations are all resolved', async () => {
    const resolvedOnly = await db.prisma.contact.create({ data: { workspaceId, externalId: 'resolved-only' } });
    await db.prisma.conversation.create({ data: { workspaceId, contactId: resolvedOnly.id, status: 'resolved', lastMessageAt: at(1) } });
    const other = await db.prisma.workspace.create({ data: { name: 'Other', siteKey: `pk_o_${Date.now()}`, secret: 'sk_o', visitorKey: 'vk_o' } });
    const reader = new CurrentConversations(db.sql);
    expect(await Promise.all([reader.find(workspaceId, 'nobody'), reader.find(workspaceId, 'resolved-only'), reader.find(other.id, 'user-1')])).toEqual([
      null,
      null,
      null,
    ]);
    // The same customer asked twice at once: one answer for both.
    const [a, b] = await Promise.all([reader.find(workspaceId, 'user-1'), reader.find(workspaceId, 'user-1')]);
    expect(a).not.toBeNull();
    expect(b).toEqual(a);
  });

  it('creates new customers’ contacts and first conversations in one statement, as the locked path would', async () => {
    const sql = countingSqlRunner(db.sql);
    const reader = new CurrentConversations(sql);
    const keys = Array.from({ length: 10 }, (_, i) => `new-${i}-${Date.now()}`);
    const created = await Promise.all(keys.map((k) => reader.create(workspaceId, k)));
    expect(sql.calls).toBe(1);
    for (const [i, k] of keys.entries()) {
      const contact = await db.prisma.contact.findUniqueOrThrow({ where: { workspaceId_externalId: { workspaceId, externalId: k } } });
      expect(await db.prisma.conversation.count({ where: { contactId: contact.id } })).toBe(1);
      const expected = await viaPrisma(contact.id);
      expect(expected).toMatchObject({ status: 'open', mode: 'ai', lastSeq: 0, workspaceId });
      expect(created[i]).toEqual(expected);
      // And the read finds it from now on.
      expect(await reader.find(workspaceId, k)).toEqual(expected);
    }
  });

  it('creates nothing for a contact that exists, and one conversation when the same new customer is created twice at once', async () => {
    const reader = new CurrentConversations(db.sql);
    const existing = await db.prisma.contact.create({ data: { workspaceId, externalId: `exists-${Date.now()}` } });
    expect(await reader.create(workspaceId, existing.externalId!)).toBeNull();
    expect(await db.prisma.conversation.count({ where: { contactId: existing.id } })).toBe(0);
    const key = `twice-${Date.now()}`;
    const [first, second] = await Promise.all([reader.create(workspaceId, key), reader.create(workspaceId, key)]);
    expect(first).not.toBeNull();
    expect(second).toBeNull();
    expect(await db.prisma.conversation.count({ where: { contact: { workspaceId, externalId: key } } })).toBe(1);
  });
});
