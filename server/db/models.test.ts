// Every model through Prisma on a freshly migrated database (PGlite, or PostgreSQL when
// DATABASE_URL is set), and the check that prisma/schema.prisma and the migrations agree.
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/support/database.ts';
import { defaultSchemaPath, diffMigrationsToSchema, type AuthorOptions } from './author.ts';
import { defaultMigrationsDir } from './migrate.ts';
import { openDatabase, type Database } from './client.ts';
import { Prisma } from './generated/client.ts';

let testDb: TestDatabase;
let db: Database;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = await openDatabase({ databaseUrl: testDb.databaseUrl, dataDir: testDb.dataDir });
  // The test database starts from a migrated template.
  expect(await db.migrate()).toEqual({ applied: [] });
});

afterAll(async () => {
  await db?.close();
  await testDb?.drop();
});

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

/** `anyOf`: the violated column, or the index name (what adapter-pg reports for primary keys). */
async function expectUniqueViolation(promise: Promise<unknown>, anyOf: string[]): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
  expect((err as Prisma.PrismaClientKnownRequestError).code).toBe('P2002');
  const meta = JSON.stringify((err as Prisma.PrismaClientKnownRequestError).meta ?? {});
  expect(anyOf.some((m) => meta.includes(m)), meta).toBe(true);
}

function workspaceData() {
  return {
    name: 'Shop',
    siteKey: unique('site'),
    secret: 'merchant-secret',
    visitorKey: 'visitor-key',
  };
}

async function graph() {
  const p = db.prisma;
  const workspace = await p.workspace.create({ data: workspaceData() });
  const agent = await p.agent.create({
    data: { workspaceId: workspace.id, email: `${unique('a')}@shop.example`, passwordHash: 'h', name: 'Ann' },
  });
  const contact = await p.contact.create({ data: { workspaceId: workspace.id, visitorId: unique('v') } });
  const conversation = await p.conversation.create({
    data: { workspaceId: workspace.id, contactId: contact.id, assigneeId: agent.id },
  });
  return { workspace, agent, contact, conversation };
}

describe('models round-trip', () => {
  it('Workspace: arrays, JSON and defaults', async () => {
    const settings = { theme: { color: '#123456', position: 'right' }, locale: 'fr', flags: [1, true, null], n: 1.5 };
    const data = {
      ...workspaceData(),
      allowedOrigins: ['https://shop.example', 'http://localhost:3000'],
      settings,
    };
    const created = await db.prisma.workspace.create({ data });
    expect(created).toMatchObject(data);
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.createdAt).toBeInstanceOf(Date);
    expect(await db.prisma.workspace.findUniqueOrThrow({ where: { id: created.id } })).toEqual(created);

    const defaults = await db.prisma.workspace.create({ data: workspaceData() });
    expect(defaults.allowedOrigins).toEqual([]);
    expect(defaults.settings).toEqual({});

    const updated = await db.prisma.workspace.update({
      where: { id: created.id },
      data: { allowedOrigins: { push: 'https://b.example' } },
    });
    expect(updated.allowedOrigins).toEqual([...data.allowedOrigins, 'https://b.example']);
    expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
  });

  it('Agent and AgentSession: enum, nullable timestamps with millisecond precision', async () => {
    const { workspace } = await graph();
    const agent = await db.prisma.agent.create({
      data: { workspaceId: workspace.id, email: 'owner@shop.example', passwordHash: 'scrypt$x', name: 'Olga', role: 'owner' },
    });
    expect(await db.prisma.agent.findUniqueOrThrow({ where: { id: agent.id } })).toEqual(agent);
    const plain = await db.prisma.agent.create({
      data: { workspaceId: workspace.id, email: 'agent@shop.example', passwordHash: 'h', name: 'Al' },
    });
    expect(plain.role).toBe('agent');

    const expiresAt = new Date('2031-02-03T04:05:06.789Z');
    const session = await db.prisma.agentSession.create({
      data: { agentId: agent.id, tokenHash: unique('tok'), expiresAt, lastUsedAt: new Date('2030-01-01T00:00:00.001Z') },
    });
    const read = await db.prisma.agentSession.findUniqueOrThrow({ where: { tokenHash: session.tokenHash } });
    expect(read).toEqual(session);
    expect(read.expiresAt.toISOString()).toBe('2031-02-03T04:05:06.789Z');
    expect(read.revokedAt).toBeNull();
    expect(read.lastUsedAt?.toISOString()).toBe('2030-01-01T00:00:00.001Z');
  });

  it('Contact: all fields, and all-null optional fields', async () => {
    const { workspace } = await graph();
    const full = await db.prisma.contact.create({
      data: {
        workspaceId: workspace.id,
        externalId: 'user-42',
        visitorId: 'vis-42',
        name: 'Zoë “quoted” Ünicode',
        email: 'zoe@example.com',
        lastSeenAt: new Date('2030-05-06T07:08:09.010Z'),
      },
    });
    expect(await db.prisma.contact.findUniqueOrThrow({ where: { id: full.id } })).toEqual(full);
    const bare = await db.prisma.contact.create({ data: { workspaceId: workspace.id } });
    expect(bare).toMatchObject({ externalId: null, visitorId: null, name: null, email: null, lastSeenAt: null });
    // NULLs are distinct in unique indexes: many anonymous contacts may lack both ids.
    await db.prisma.contact.create({ data: { workspaceId: workspace.id } });
  });

  it('Conversation, Message and ReadCursor: enums, JSON payloads, composite keys', async () => {
    const { conversation, contact, agent } = await graph();
    expect(conversation).toMatchObject({ status: 'open', mode: 'ai', lastSeq: 0, lastMessageAt: null, assigneeId: agent.id });
    const changed = await db.prisma.conversation.update({
      where: { id: conversation.id },
      data: { status: 'pending', mode: 'human', lastSeq: 2, lastMessageAt: new Date('2030-01-02T03:04:05.006Z') },
    });
    expect(await db.prisma.conversation.findUniqueOrThrow({ where: { id: conversation.id } })).toEqual(changed);

    const payload = { amount: '12.50', currency: 'EUR', items: [{ sku: 'A-1', qty: 2 }], paid: true, note: null };
    const m1 = await db.prisma.message.create({
      data: {
        conversationId: conversation.id,
        workspaceId: conversation.workspaceId,
        seq: 1,
        clientMessageId: 'c-1',
        senderType: 'contact',
        senderId: contact.id,
        text: 'Hello; it\'s me — "quotes" and émojis 🎉',
      },
    });
    const m2 = await db.prisma.message.create({
      data: {
        conversationId: conversation.id,
        workspaceId: conversation.workspaceId,
        seq: 2,
        clientMessageId: 'c-2',
        senderType: 'system',
        kind: 'payment',
        text: 'Payment received',
        payload,
      },
    });
    expect(m1).toMatchObject({ kind: 'text', payload: null, senderId: contact.id });
    const messages = await db.prisma.message.findMany({ where: { conversationId: conversation.id }, orderBy: { seq: 'asc' } });
    expect(messages).toEqual([m1, m2]);
    expect(messages[1]!.payload).toEqual(payload);

    const cursor = await db.prisma.readCursor.create({
      data: { conversationId: conversation.id, participantType: 'agent', participantId: agent.id, lastReadSeq: 2 },
    });
    expect(cursor.lastDeliveredSeq).toBe(0);
    const key = { conversationId: conversation.id, participantType: 'agent' as const, participantId: agent.id };
    expect(
      await db.prisma.readCursor.findUniqueOrThrow({ where: { conversationId_participantType_participantId: key } }),
    ).toEqual(cursor);
    // Same participant id as a contact is a different cursor.
    await db.prisma.readCursor.create({
      data: { conversationId: conversation.id, participantType: 'contact', participantId: agent.id },
    });
  });
});

describe('constraints the schema declares', () => {
  it('Message: (conversationId, seq) and (conversationId, clientMessageId) are unique per conversation', async () => {
    const a = await graph();
    const b = await graph();
    const base = { senderType: 'contact' as const, text: 't' };
    await db.prisma.message.create({ data: { ...base, conversationId: a.conversation.id, workspaceId: a.conversation.workspaceId, seq: 1, clientMessageId: 'x' } });
    await expectUniqueViolation(
      db.prisma.message.create({ data: { ...base, conversationId: a.conversation.id, workspaceId: a.conversation.workspaceId, seq: 1, clientMessageId: 'y' } }),
      ['seq'],
    );
    await expectUniqueViolation(
      db.prisma.message.create({ data: { ...base, conversationId: a.conversation.id, workspaceId: a.conversation.workspaceId, seq: 2, clientMessageId: 'x' } }),
      ['clientMessageId'],
    );
    // Both are scoped to the conversation.
    await db.prisma.message.create({ data: { ...base, conversationId: b.conversation.id, workspaceId: b.conversation.workspaceId, seq: 1, clientMessageId: 'x' } });
  });

  it('Agent email is unique per workspace; Workspace siteKey and AgentSession tokenHash are unique', async () => {
    const a = await graph();
    const b = await graph();
    const agent = { email: 'same@shop.example', passwordHash: 'h', name: 'n' };
    await db.prisma.agent.create({ data: { ...agent, workspaceId: a.workspace.id } });
    await expectUniqueViolation(db.prisma.agent.create({ data: { ...agent, workspaceId: a.workspace.id } }), ['email']);
    await db.prisma.agent.create({ data: { ...agent, workspaceId: b.workspace.id } });

    await expectUniqueViolation(
      db.prisma.workspace.create({ data: { ...workspaceData(), siteKey: a.workspace.siteKey } }),
      ['siteKey'],
    );
    const tokenHash = unique('tok');
    await db.prisma.agentSession.create({ data: { agentId: a.agent.id, tokenHash, expiresAt: new Date() } });
    await expectUniqueViolation(
      db.prisma.agentSession.create({ data: { agentId: b.agent.id, tokenHash, expiresAt: new Date() } }),
      ['tokenHash'],
    );
  });

  it('Contact externalId and visitorId are unique per workspace', async () => {
    const a = await graph();
    const b = await graph();
    await db.prisma.contact.create({ data: { workspaceId: a.workspace.id, externalId: 'u1' } });
    await expectUniqueViolation(db.prisma.contact.create({ data: { workspaceId: a.workspace.id, externalId: 'u1' } }), [
      'externalId',
    ]);
    await expectUniqueViolation(
      db.prisma.contact.create({ data: { workspaceId: a.workspace.id, visitorId: a.contact.visitorId } }),
      ['visitorId'],
    );
    await db.prisma.contact.create({ data: { workspaceId: b.workspace.id, externalId: 'u1' } });
  });

  it('ReadCursor primary key is (conversation, participantType, participantId)', async () => {
    const { conversation, agent } = await graph();
    const data = { conversationId: conversation.id, participantType: 'agent' as const, participantId: agent.id };
    await db.prisma.readCursor.create({ data });
    await expectUniqueViolation(db.prisma.readCursor.create({ data }), ['participantId', 'ReadCursor_pkey']);
  });

  it('foreign keys: a conversation needs an existing contact', async () => {
    const { workspace } = await graph();
    const err = await db.prisma.conversation
      .create({ data: { workspaceId: workspace.id, contactId: '00000000-0000-4000-8000-000000000000' } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    expect((err as Prisma.PrismaClientKnownRequestError).code).toBe('P2003');
  });

  it('deleting a workspace cascades to everything under it', async () => {
    const g = await graph();
    const other = await graph();
    await db.prisma.agentSession.create({ data: { agentId: g.agent.id, tokenHash: unique('tok'), expiresAt: new Date() } });
    await db.prisma.message.create({
      data: { conversationId: g.conversation.id, workspaceId: g.conversation.workspaceId, seq: 1, clientMessageId: 'c', senderType: 'contact', text: 't' },
    });
    await db.prisma.readCursor.create({
      data: { conversationId: g.conversation.id, participantType: 'contact', participantId: g.contact.id },
    });

    await db.prisma.workspace.delete({ where: { id: g.workspace.id } });

    const p = db.prisma;
    expect(await p.agent.count({ where: { workspaceId: g.workspace.id } })).toBe(0);
    expect(await p.agentSession.count({ where: { agentId: g.agent.id } })).toBe(0);
    expect(await p.contact.count({ where: { workspaceId: g.workspace.id } })).toBe(0);
    expect(await p.conversation.count({ where: { workspaceId: g.workspace.id } })).toBe(0);
    expect(await p.message.count({ where: { conversationId: g.conversation.id } })).toBe(0);
    expect(await p.readCursor.count({ where: { conversationId: g.conversation.id } })).toBe(0);
    // Nothing else was touched.
    expect(await p.conversation.count({ where: { id: other.conversation.id } })).toBe(1);
  });

  it('deleting a contact removes its conversations; deleting an agent only unassigns them', async () => {
    const g = await graph();
    await db.prisma.message.create({
      data: { conversationId: g.conversation.id, workspaceId: g.conversation.workspaceId, seq: 1, clientMessageId: 'c', senderType: 'contact', text: 't' },
    });
    await db.prisma.agent.delete({ where: { id: g.agent.id } });
    expect(await db.prisma.conversation.findUniqueOrThrow({ where: { id: g.conversation.id } })).toMatchObject({
      assigneeId: null,
    });

    await db.prisma.contact.delete({ where: { id: g.contact.id } });
    expect(await db.prisma.conversation.count({ where: { id: g.conversation.id } })).toBe(0);
    expect(await db.prisma.message.count({ where: { conversationId: g.conversation.id } })).toBe(0);
  });
});

describe('prisma/schema.prisma and prisma/migrations', () => {
  /** The drift check: null when the committed migrations produce exactly the schema, else the SQL missing. */
  async function drift(options: AuthorOptions = {}): Promise<string | null> {
    const diff = await diffMigrationsToSchema(options);
    // The engine's own verdict, and nothing but its "empty" note for SQL.
    return diff.empty && diff.sql === EMPTY_MIGRATION ? null : diff.sql;
  }
  const EMPTY_MIGRATION = '-- This is an empty migration.\n';

  it('agree: the migrations produce exactly the schema (run `npm run db:new <name>` after editing it)', async () => {
    expect(await drift(), 'schema.prisma differs from what the migrations build').toBeNull();
  });

  describe('the check fails on drift', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'verychat-drift-'));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    /** The repository's schema with one edit, written to a file of its own. */
    async function editedSchema(name: string, from: string | RegExp, to: string): Promise<AuthorOptions> {
      const schema = await readFile(defaultSchemaPath, 'utf8');
      const edited = schema.replace(from, to);
      expect(edited, 'the edit applies').not.toBe(schema);
      const schemaPath = join(dir, `${name}.prisma`);
      await writeFile(schemaPath, edited);
      return { schemaPath };
    }

    /** A copy of the committed migrations, changed by `change`. */
    async function editedMigrations(name: string, change: (migrationsDir: string) => Promise<void>): Promise<AuthorOptions> {
      const migrationsDir = join(dir, name);
      await cp(defaultMigrationsDir, migrationsDir, { recursive: true });
      await change(migrationsDir);
      return { migrationsDir };
    }

    it('a column in the schema that no migration adds', async () => {
      const sql = await drift(await editedSchema('column', /model Workspace \{/, 'model Workspace {\n  plan String @default("free")'));
      expect(sql).toContain('ALTER TABLE "Workspace" ADD COLUMN');
      expect(sql).toContain('"plan"');
    });

    it('a default changed in the schema only', async () => {
      // Whatever the column alignment prisma format gave the model.
      const sql = await drift(await editedSchema('default', /(\n {2}settings +Json +)@default\("\{\}"\)/, '$1@default("[]")'));
      expect(sql).toContain('"settings" SET DEFAULT');
    });

    it('a migration the schema does not describe', async () => {
      const options = await editedMigrations('extra', async (migrations) => {
        await mkdir(join(migrations, '29990101000000_stray_index'));
        await writeFile(join(migrations, '29990101000000_stray_index', 'migration.sql'), 'CREATE INDEX "Workspace_name_idx" ON "Workspace"("name");\n');
      });
      expect(await drift(options)).toContain('DROP INDEX "Workspace_name_idx"');
    });

    it('a committed migration edited afterwards', async () => {
      const options = await editedMigrations('edited', async (migrations) => {
        const [first] = (await readdir(migrations)).filter((name) => name !== 'migration_lock.toml').sort();
        const file = join(migrations, first!, 'migration.sql');
        const sql = await readFile(file, 'utf8');
        const edited = sql.replace('"name" TEXT NOT NULL', '"name" VARCHAR(80) NOT NULL');
        expect(edited, 'the edit applies').not.toBe(sql);
        await writeFile(file, edited);
      });
      expect(await drift(options)).toContain('"name" SET DATA TYPE TEXT');
    });
  });
});
