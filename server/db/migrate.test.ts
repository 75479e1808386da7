// The migration runner and openDatabase against real databases: PGlite always, PostgreSQL when
// DATABASE_URL is set (each test creates and drops its own database there).
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrlFor } from '../test/support/database.ts';
import { needs } from '../test/support/needs.ts';
import { DatabaseLockedError, openDatabase } from './client.ts';
import {
  ADVISORY_LOCK_KEY,
  checksum,
  defaultMigrationsDir,
  deployMigrations,
  MigrationError,
  migrationStatus,
  pgliteSession,
  pgSession,
  readMigrations,
  resolveMigration,
  type SqlSession,
} from './migrate.ts';

const DATABASE_URL = process.env.DATABASE_URL?.trim() || undefined;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function tempDir(prefix = 'verychat-migrate-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A migrations directory holding exactly these scripts. */
async function migrationsDir(files: Record<string, string>): Promise<string> {
  const dir = await tempDir();
  for (const [name, sql] of Object.entries(files)) await writeMigration(dir, name, sql);
  return dir;
}

async function writeMigration(dir: string, name: string, sql: string): Promise<void> {
  await mkdir(join(dir, name), { recursive: true });
  await writeFile(join(dir, name, 'migration.sql'), sql);
}

async function expectMigrationError(promise: Promise<unknown>, code: string): Promise<MigrationError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MigrationError);
  expect((err as MigrationError).code).toBe(code);
  return err as MigrationError;
}

interface Row {
  id: string;
  checksum: string;
  migration_name: string;
  started_at: Date;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
  applied_steps_count: number;
}

const rowsOf = (s: SqlSession) => s.query<Row>('SELECT * FROM _prisma_migrations ORDER BY started_at, migration_name');

async function tableExists(s: SqlSession, name: string): Promise<boolean> {
  const [row] = await s.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [`"${name}"`]);
  return row?.t != null;
}

// --- Backends ---------------------------------------------------------------------------------------

interface Backend {
  name: string;
  /** Registers the backend's suite: always, or only with what it needs. */
  describe: (name: string, body: () => void) => void;
  /** A fresh, empty database, dropped after the test. */
  empty(): Promise<SqlSession>;
}

let emptyPglite: Promise<Blob> | undefined;

const pgliteBackend: Backend = {
  name: 'PGlite',
  describe,
  async empty() {
    // initdb takes seconds; a copy of an empty cluster does not.
    let db: PGlite;
    if (emptyPglite) {
      db = await PGlite.create('memory://', { loadDataDir: await emptyPglite });
    } else {
      db = await PGlite.create('memory://');
      emptyPglite = db.dumpDataDir('none');
      await emptyPglite;
    }
    cleanups.push(() => db.close());
    return pgliteSession(db);
  },
};

/** A new database on the DATABASE_URL server, dropped WITH (FORCE) after the test. */
async function scratchPostgres(): Promise<string> {
  const name = `verychat_migtest_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  cleanups.push(async () => {
    const a = new pg.Client({ connectionString: DATABASE_URL });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await a.end();
  });
  return databaseUrlFor(DATABASE_URL!, name);
}

async function pgClient(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  cleanups.push(() => client.end());
  return client;
}

const postgresBackend: Backend = {
  name: 'PostgreSQL',
  describe: needs('postgres').describe,
  async empty() {
    return pgSession(await pgClient(await scratchPostgres()));
  },
};

// --- Runner behaviour, on each backend --------------------------------------------------------------

for (const backend of [pgliteBackend, postgresBackend]) {
  backend.describe(`migration runner on ${backend.name}`, () => {
    it("applies the project's migrations to an empty database, then does nothing", async () => {
      const s = await backend.empty();
      const local = await readMigrations(defaultMigrationsDir);
      expect(local.length).toBeGreaterThan(0);

      const first = await deployMigrations(s, { migrationsDir: defaultMigrationsDir });
      expect(first.applied).toEqual(local.map((m) => m.name));
      for (const table of ['Workspace', 'Agent', 'AgentSession', 'Contact', 'Conversation', 'Message', 'ReadCursor']) {
        expect(await tableExists(s, table), table).toBe(true);
      }

      const rows = await rowsOf(s);
      expect(rows.map((r) => r.migration_name)).toEqual(local.map((m) => m.name));
      for (const [i, r] of rows.entries()) {
        expect(r.checksum).toBe(checksum(local[i]!.script));
        expect(r.checksum).toMatch(/^[0-9a-f]{64}$/);
        expect(r.id).toMatch(/^[0-9a-f-]{36}$/);
        expect(r.finished_at).toBeInstanceOf(Date);
        expect(r.finished_at!.getTime()).toBeGreaterThanOrEqual(r.started_at.getTime());
        expect(r.applied_steps_count).toBe(1);
        expect(r.logs).toBeNull();
        expect(r.rolled_back_at).toBeNull();
      }

      expect(await deployMigrations(s, { migrationsDir: defaultMigrationsDir })).toEqual({ applied: [] });
      expect(await rowsOf(s)).toHaveLength(local.length);
      expect(await migrationStatus(s, { migrationsDir: defaultMigrationsDir })).toEqual({
        applied: local.map((m) => m.name),
        pending: [],
        failed: [],
        edited: [],
        missing: [],
      });
    });

    it('upgrading a database with messages gives each one its conversation’s workspace (message_workspace)', async () => {
      const s = await backend.empty();
      const all = await readMigrations(defaultMigrationsDir);
      const at = all.findIndex((m) => m.name.endsWith('_message_workspace'));
      expect(at).toBeGreaterThan(0);
      const dir = await migrationsDir(Object.fromEntries(all.slice(0, at).map((m) => [m.name, m.script])));
      await deployMigrations(s, { migrationsDir: dir });
      const ids = ['10000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000002'];
      for (const [i, ws] of ids.entries()) {
        await s.query(`INSERT INTO "Workspace" ("id", "name", "siteKey", "secret", "visitorKey", "updatedAt") VALUES ($1, 'W', $2, 's', 'v', now())`, [ws, `pk_${i}`]);
        await s.query(`INSERT INTO "Contact" ("id", "workspaceId", "externalId", "updatedAt") VALUES ($1, $2, 'u', now())`, [`2000000${i}-0000-4000-8000-000000000000`, ws]);
        await s.query(`INSERT INTO "Conversation" ("id", "workspaceId", "contactId", "updatedAt") VALUES ($1, $2, $3, now())`, [`3000000${i}-0000-4000-8000-000000000000`, ws, `2000000${i}-0000-4000-8000-000000000000`]);
        for (const seq of [1, 2]) {
          await s.query(`INSERT INTO "Message" ("id", "conversationId", "seq", "clientMessageId", "senderType", "text") VALUES ($1, $2, $3, $4, 'contact', 't')`, [
            `4000000${i}-0000-4000-8000-00000000000${seq}`,
            `3000000${i}-0000-4000-8000-000000000000`,
            seq,
            `c${seq}`,
          ]);
        }
      }
      for (const m of all.slice(at)) await writeMigration(dir, m.name, m.script);
      await deployMigrations(s, { migrationsDir: dir });
      const rows = await s.query<{ id: string; workspaceId: string }>(`SELECT "id", "workspaceId"::text AS "workspaceId" FROM "Message" ORDER BY "id"`);
      expect(rows.map((r) => r.workspaceId)).toEqual([ids[0], ids[0], ids[1], ids[1]]);
      await expect(s.query(`INSERT INTO "Message" ("id", "conversationId", "seq", "clientMessageId", "senderType", "text") VALUES (gen_random_uuid(), $1, 3, 'c3', 'contact', 't')`, [`30000000-0000-4000-8000-000000000000`])).rejects.toThrow(/workspaceId/);
    });

    it('applies pending migrations in name order, each script whole (semicolons in literals and bodies)', async () => {
      const s = await backend.empty();
      // Written out of order on purpose; 002 needs 001's table.
      const dir = await migrationsDir({
        '003_c': `INSERT INTO t (v) VALUES (f());`,
        '001_a': `CREATE TABLE t (v TEXT NOT NULL);\nINSERT INTO t (v) VALUES ('semi;colon');`,
        '002_b': `CREATE FUNCTION f() RETURNS TEXT LANGUAGE plpgsql AS $$ BEGIN RETURN 'x;y'; END; $$;`,
      });
      expect((await deployMigrations(s, { migrationsDir: dir })).applied).toEqual(['001_a', '002_b', '003_c']);
      expect((await s.query<{ v: string }>('SELECT v FROM t ORDER BY v')).map((r) => r.v)).toEqual(['semi;colon', 'x;y']);

      await writeMigration(dir, '004_d', `INSERT INTO t (v) VALUES ('four');`);
      expect((await deployMigrations(s, { migrationsDir: dir })).applied).toEqual(['004_d']);
    });

    it('records a failing migration with its logs, rolls its script back, and blocks later deploys', async () => {
      const s = await backend.empty();
      const dir = await migrationsDir({
        '001_ok': 'CREATE TABLE ok1 (id INT);',
        '002_bad': 'CREATE TABLE half (id INT);\nSELECT * FROM no_such_table;',
        '003_later': 'CREATE TABLE later (id INT);',
      });
      const err = await expectMigrationError(deployMigrations(s, { migrationsDir: dir }), 'MIGRATION_FAILED');
      expect(err.migration).toBe('002_bad');
      expect(err.message).toContain('no_such_table');

      const rows = await rowsOf(s);
      expect(rows.map((r) => r.migration_name)).toEqual(['001_ok', '002_bad']);
      const bad = rows[1]!;
      expect(bad.finished_at).toBeNull();
      expect(bad.rolled_back_at).toBeNull();
      expect(bad.applied_steps_count).toBe(0);
      expect(bad.logs).toContain('42P01');
      expect(bad.logs).toContain('no_such_table');
      // One implicit transaction: the statement before the error is gone too.
      expect(await tableExists(s, 'half')).toBe(false);
      expect(await tableExists(s, 'ok1')).toBe(true);
      expect(await tableExists(s, 'later')).toBe(false);

      const blocked = await expectMigrationError(
        deployMigrations(s, { migrationsDir: dir }),
        'MIGRATION_FAILED_PREVIOUSLY',
      );
      expect(blocked.message).toContain('002_bad');
      expect(blocked.message).toContain('--rolled-back 002_bad');
      expect(await tableExists(s, 'later')).toBe(false);

      expect(await migrationStatus(s, { migrationsDir: dir })).toMatchObject({
        applied: ['001_ok'],
        failed: ['002_bad'],
        pending: ['003_later'],
      });

      // Fixed and marked rolled back: the next deploy retries it.
      await writeMigration(dir, '002_bad', 'CREATE TABLE half (id INT);');
      await resolveMigration(s, { migrationsDir: dir, name: '002_bad', as: 'rolled-back' });
      expect((await deployMigrations(s, { migrationsDir: dir })).applied).toEqual(['002_bad', '003_later']);
      const after = (await rowsOf(s)).filter((r) => r.migration_name === '002_bad');
      expect(after).toHaveLength(2);
      expect(after.filter((r) => r.rolled_back_at !== null)).toHaveLength(1);
      expect(after.filter((r) => r.finished_at !== null)).toHaveLength(1);
      expect((await migrationStatus(s, { migrationsDir: dir })).failed).toEqual([]);
    });

    it('resolve --applied skips a failed migration that was completed by hand', async () => {
      const s = await backend.empty();
      const dir = await migrationsDir({ '001_bad': 'SELECT 1/0;', '002_next': 'CREATE TABLE next1 (id INT);' });
      await expectMigrationError(deployMigrations(s, { migrationsDir: dir }), 'MIGRATION_FAILED');
      await resolveMigration(s, { migrationsDir: dir, name: '001_bad', as: 'applied' });
      expect((await deployMigrations(s, { migrationsDir: dir })).applied).toEqual(['002_next']);
      expect(await migrationStatus(s, { migrationsDir: dir })).toMatchObject({
        applied: ['001_bad', '002_next'],
        failed: [],
        edited: [],
      });
      await expectMigrationError(
        resolveMigration(s, { migrationsDir: dir, name: '001_bad', as: 'applied' }),
        'MIGRATION_ALREADY_APPLIED',
      );
      await expectMigrationError(
        resolveMigration(s, { migrationsDir: dir, name: '002_next', as: 'rolled-back' }),
        'MIGRATION_NOT_FAILED',
      );
    });

    it('status reports pending, edited (ignoring line endings) and missing migrations', async () => {
      const s = await backend.empty();
      const dir = await migrationsDir({
        '001_a': 'CREATE TABLE a (id INT);\nCREATE TABLE a2 (id INT);\n',
        '002_b': 'CREATE TABLE b (id INT);\n',
      });
      expect(await migrationStatus(s, { migrationsDir: dir })).toEqual({
        applied: [],
        pending: ['001_a', '002_b'],
        failed: [],
        edited: [],
        missing: [],
      });
      // status never creates the table
      expect(await tableExists(s, '_prisma_migrations')).toBe(false);

      await deployMigrations(s, { migrationsDir: dir });
      await writeMigration(dir, '003_c', 'CREATE TABLE c (id INT);');
      expect(await migrationStatus(s, { migrationsDir: dir })).toMatchObject({ pending: ['003_c'], edited: [] });

      await writeMigration(dir, '001_a', 'CREATE TABLE a (id INT);\r\nCREATE TABLE a2 (id INT);\r\n');
      expect((await migrationStatus(s, { migrationsDir: dir })).edited).toEqual([]);

      await writeMigration(dir, '002_b', 'CREATE TABLE b (id BIGINT);\n');
      expect((await migrationStatus(s, { migrationsDir: dir })).edited).toEqual(['002_b']);
      // deploy never checks checksums (as Prisma's): an edited migration is not re-run
      expect((await deployMigrations(s, { migrationsDir: dir })).applied).toEqual(['003_c']);

      await rm(join(dir, '001_a'), { recursive: true });
      expect(await migrationStatus(s, { migrationsDir: dir })).toEqual({
        applied: ['002_b', '003_c'],
        pending: [],
        failed: [],
        edited: ['002_b'],
        missing: ['001_a'],
      });
    });

    it('refuses a schema that has tables but no migrations table', async () => {
      const s = await backend.empty();
      await s.exec('CREATE TABLE legacy (id INT)');
      const dir = await migrationsDir({ '001_a': 'CREATE TABLE a (id INT);' });
      const err = await expectMigrationError(deployMigrations(s, { migrationsDir: dir }), 'SCHEMA_NOT_EMPTY');
      expect(err.message).toContain('legacy');
      expect(await tableExists(s, '_prisma_migrations')).toBe(false);
      expect(await tableExists(s, 'a')).toBe(false);
    });
  });
}

// --- Concurrency and the advisory lock (PostgreSQL only: PGlite has a single session) ---------------

needs('postgres').describe('migration runner on PostgreSQL: locking', () => {
  it('concurrent deploys on one database do not race: all succeed, each migration runs once', async () => {
    const url = await scratchPostgres();
    const dir = await migrationsDir({
      // The sleep widens the window in which an unlocked runner would apply 001 twice.
      '001_a': 'CREATE TABLE a (id INT); SELECT pg_sleep(0.2);',
      '002_b': 'INSERT INTO a VALUES (1);',
    });
    const sessions = await Promise.all([1, 2, 3, 4].map(async () => pgSession(await pgClient(url))));
    const results = await Promise.all(sessions.map((s) => deployMigrations(s, { migrationsDir: dir })));
    expect(results.flatMap((r) => r.applied).sort()).toEqual(['001_a', '002_b']);
    expect(results.filter((r) => r.applied.length === 2)).toHaveLength(1);
    const s = sessions[0]!;
    expect((await rowsOf(s)).map((r) => r.migration_name)).toEqual(['001_a', '002_b']);
    expect(await s.query('SELECT * FROM a')).toHaveLength(1);
  });

  it('gives up with MIGRATION_LOCK_TIMEOUT while another session holds the lock', async () => {
    const url = await scratchPostgres();
    const holder = await pgClient(url);
    await holder.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK_KEY]);
    const s = pgSession(await pgClient(url));
    const dir = await migrationsDir({ '001_a': 'CREATE TABLE a (id INT);' });
    // The holder keeps the lock until after this: a runner ignoring lockTimeoutMs would hang into the test timeout.
    const err = await expectMigrationError(
      deployMigrations(s, { migrationsDir: dir, lockTimeoutMs: 300 }),
      'MIGRATION_LOCK_TIMEOUT',
    );
    expect(err.message).toContain(String(ADVISORY_LOCK_KEY));
    expect(await tableExists(s, '_prisma_migrations')).toBe(false);
    // The lock_timeout was transaction-local: the session is unaffected.
    expect((await s.query<{ lock_timeout: string }>('SHOW lock_timeout'))[0]!.lock_timeout).toBe('0');

    await holder.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK_KEY]);
    expect((await deployMigrations(s, { migrationsDir: dir, lockTimeoutMs: 300 })).applied).toEqual(['001_a']);
  });

  it('releases the lock after success and after failure', async () => {
    const url = await scratchPostgres();
    const s = pgSession(await pgClient(url));
    const other = await pgClient(url);
    const tryLock = async () => {
      const { rows } = await other.query('SELECT pg_try_advisory_lock($1) AS ok', [ADVISORY_LOCK_KEY]);
      if (rows[0].ok) await other.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK_KEY]);
      return rows[0].ok as boolean;
    };
    await deployMigrations(s, { migrationsDir: await migrationsDir({ '001_a': 'SELECT 1;' }) });
    expect(await tryLock()).toBe(true);
    await expectMigrationError(
      deployMigrations(s, { migrationsDir: await migrationsDir({ '001_a': 'SELECT 1;', '002_b': 'SELEC 1;' }) }),
      'MIGRATION_FAILED',
    );
    expect(await tryLock()).toBe(true);
    await expectMigrationError(
      deployMigrations(s, { migrationsDir: await migrationsDir({ '001_a': 'SELECT 1;' }) }),
      'MIGRATION_FAILED_PREVIOUSLY',
    );
    expect(await tryLock()).toBe(true);
  });
});

// --- openDatabase ---------------------------------------------------------------------------------

describe('openDatabase with PGlite', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'verychat-open-test-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates and migrates an empty data directory, then reopens it with nothing to do', async () => {
    const logs: string[] = [];
    const db = await openDatabase({ dataDir, log: (m) => logs.push(m) });
    const local = await readMigrations(defaultMigrationsDir);
    try {
      expect(db.kind).toBe('pglite');
      expect((await db.migrate()).applied).toEqual(local.map((m) => m.name));
      expect(logs).toEqual(local.map((m) => `Applied migration ${m.name}`));
      await db.ping();
      await db.prisma.workspace.create({ data: { name: 'Kept', siteKey: 'kept', secret: 's', visitorKey: 'v' } });
    } finally {
      await db.close();
    }

    const again = await openDatabase({ dataDir });
    try {
      expect(await again.migrate()).toEqual({ applied: [] });
      expect(await again.status()).toMatchObject({ pending: [], failed: [], edited: [] });
      expect(await again.prisma.workspace.findUniqueOrThrow({ where: { siteKey: 'kept' } })).toMatchObject({
        name: 'Kept',
      });
    } finally {
      await again.close();
    }
  });

  it('holds the data directory: a second open fails while the first is open, and close is idempotent', async () => {
    const db = await openDatabase({ dataDir });
    const lockFile = join(dataDir, 'pgdata.lock');
    try {
      expect(await readFile(lockFile, 'utf8')).toBe(`${process.pid}\n`);
      const err = await openDatabase({ dataDir }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DatabaseLockedError);
      expect((err as Error).message).toContain(dataDir);
    } finally {
      await db.close();
    }
    await db.close();
    await expect(readFile(lockFile, 'utf8')).rejects.toThrow();
    await expect(db.ping()).rejects.toThrow(/closed/);
  });

  it("refuses a directory locked by another live process, naming it; takes over a dead process's lock", async () => {
    const lockFile = join(dataDir, 'pgdata.lock');
    // The parent (vitest's main process) is alive and is not us.
    await writeFile(lockFile, `${process.ppid}\n`);
    const err = await openDatabase({ dataDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseLockedError);
    expect((err as Error).message).toContain(String(process.ppid));
    expect((err as Error).message).toContain(dataDir);
    expect(await readFile(lockFile, 'utf8')).toBe(`${process.ppid}\n`);

    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    await writeFile(lockFile, `${dead}\n`);
    const db = await openDatabase({ dataDir });
    try {
      expect(await readFile(lockFile, 'utf8')).toBe(`${process.pid}\n`);
      expect(await db.migrate()).toEqual({ applied: [] });
    } finally {
      await db.close();
    }
  });
});

describe('openDatabase with PostgreSQL', () => {
  it('ping rejects when the server is unreachable', async () => {
    const db = await openDatabase({ databaseUrl: 'postgresql://postgres@127.0.0.1:1/nowhere', dataDir: tmpdir() });
    try {
      expect(db.kind).toBe('postgres');
      await expect(db.ping(3_000)).rejects.toThrow();
    } finally {
      await db.close();
    }
  });

  needs('postgres').it('migrates, answers ping, and honours ?schema=', async () => {
    const url = await scratchPostgres();
    const db = await openDatabase({ databaseUrl: url, dataDir: tmpdir() });
    try {
      const local = await readMigrations(defaultMigrationsDir);
      expect((await db.migrate()).applied).toEqual(local.map((m) => m.name));
      expect((await db.migrate()).applied).toEqual([]);
      await db.ping();
    } finally {
      await db.close();
    }
    await db.close();
    await expect(db.ping()).rejects.toThrow(/closed/);

    const scoped = await openDatabase({ databaseUrl: `${url}?schema=tenant_b`, dataDir: tmpdir() });
    try {
      expect((await scoped.migrate()).applied.length).toBeGreaterThan(0);
      await scoped.prisma.workspace.create({ data: { name: 'B', siteKey: 'b', secret: 's', visitorKey: 'v' } });
    } finally {
      await scoped.close();
    }
    const check = await pgClient(url);
    const { rows } = await check.query(`SELECT (SELECT count(*) FROM tenant_b."Workspace")::int AS b,
                                               (SELECT count(*) FROM public."Workspace")::int AS p`);
    expect(rows[0]).toEqual({ b: 1, p: 0 });
  });
});
