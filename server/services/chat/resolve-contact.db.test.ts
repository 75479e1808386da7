// A customer's connection finds or creates their contact in one statement and writes only what changed: the
// last-seen time at most every five minutes, a new name or email at once. Each call here uses a fresh
// ChatService, so no in-memory cache hides what the database does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/client.ts';
import type { SqlRunner } from '../../db/sql.ts';
import { openWorkspaceDatabase } from '../../test/support/database.ts';
import type { Publisher } from '../publisher.ts';
import { ChatService } from './chat.service.ts';

let db: Database;
let workspaceId: string;
let close: (() => Promise<void>) | undefined;
const publisher: Publisher = { publish() {}, occupied: async () => false };

beforeAll(async () => ({ db, workspaceId, close } = await openWorkspaceDatabase()));
afterAll(() => close?.());

const resolve = (externalId: string, profile: { name?: string; email?: string } = {}) =>
  new ChatService(db.prisma, publisher, { sql: db.sql }).resolveContact({ kind: 'customer', workspaceId, externalId, ...profile });
const stored = (externalId: string) => db.prisma.contact.findUniqueOrThrow({ where: { workspaceId_externalId: { workspaceId, externalId } } });

describe('ChatService.resolveContact', () => {
  it('creates the contact once, with the token’s profile and a last-seen time', async () => {
    const created = await resolve('u1', { name: 'Ana', email: 'ana@example.com' });
    expect(created).toMatchObject({ workspaceId, externalId: 'u1', name: 'Ana', email: 'ana@example.com' });
    expect(created.lastSeenAt).toBeInstanceOf(Date);
    const again = await resolve('u1', { name: 'Ana' });
    expect(again.id).toBe(created.id);
    expect(await db.prisma.contact.count({ where: { workspaceId, externalId: 'u1' } })).toBe(1);
  });

  it('writes nothing for a customer seen recently with the same profile; the last-seen time once it is old', async () => {
    await resolve('u2', { name: 'Bo' });
    const recent = new Date(Date.now() - 60_000);
    await db.prisma.contact.update({ where: { workspaceId_externalId: { workspaceId, externalId: 'u2' } }, data: { lastSeenAt: recent } });
    const before = await stored('u2');
    const returned = await resolve('u2', { name: 'Bo' });
    expect(returned.lastSeenAt).toEqual(recent);
    expect(await stored('u2')).toEqual(before);
    // Older than the precision (five minutes): written again.
    await db.prisma.contact.update({ where: { id: before.id }, data: { lastSeenAt: new Date(Date.now() - 6 * 60_000) } });
    const seen = await resolve('u2');
    expect(Date.now() - seen.lastSeenAt!.getTime()).toBeLessThan(60_000);
    expect(seen.name).toBe('Bo');
  });

  it('stores a new name or email at once and keeps what the token leaves out', async () => {
    await resolve('u3', { name: 'Cy', email: 'cy@example.com' });
    expect(await resolve('u3', { name: 'Cyrus' })).toMatchObject({ name: 'Cyrus', email: 'cy@example.com' });
    expect(await stored('u3')).toMatchObject({ name: 'Cyrus', email: 'cy@example.com' });
    expect(await resolve('u3', { email: 'c@example.com' })).toMatchObject({ name: 'Cyrus', email: 'c@example.com' });
  });

  it('many first connections of one new customer at once make one contact', async () => {
    const all = await Promise.all(Array.from({ length: 8 }, () => resolve('u4', { name: 'Di' })));
    expect(new Set(all.map((c) => c.id)).size).toBe(1);
    expect(await db.prisma.contact.count({ where: { workspaceId, externalId: 'u4' } })).toBe(1);
  });

  it('customers connecting together share one statement, each gets their own contact, a repeat waits its turn', async () => {
    await resolve('u5', { name: 'Ed' });
    const calls: number[] = [];
    const runner: SqlRunner = {
      query: (statement, params) => {
        calls.push((params[0] as unknown[]).length);
        return db.sql.query(statement, params);
      },
    };
    const chat = new ChatService(db.prisma, publisher, { sql: runner });
    const ids = ['u5', 'u6', 'u7', 'u8', 'u6'];
    const got = await Promise.all(ids.map((externalId, i) => chat.resolveContact({ kind: 'customer', workspaceId, externalId, name: `N${i}` })));
    // Four customers in the first statement; u6's second connection in the next, after its first is stored.
    expect(calls).toEqual([4, 1]);
    expect(got.map((c) => c.externalId)).toEqual(ids);
    expect(got.map((c) => c.name)).toEqual(['N0', 'N1', 'N2', 'N3', 'N4']);
    expect(got[4]!.id).toBe(got[1]!.id);
    expect((await stored('u5')).id).toBe(got[0]!.id);
    expect(await stored('u6')).toMatchObject({ name: 'N4' });
  });
});
