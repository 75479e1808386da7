// A fresh, already migrated database for each caller: a new database on the DATABASE_URL server,
// or a new PGlite data directory. Both start from a template migrated once per set of migrations
// (initdb alone takes seconds), so `openDatabase(...).migrate()` on them is a quick no-op.
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { isAlive, openDatabase, type Database } from '../../db/client.ts';
import { checksum, defaultMigrationsDir, deployMigrations, pgSession, readMigrations } from '../../db/migrate.ts';
import type { SqlRunner, SqlStatement } from '../../db/sql.ts';

export interface TestDatabase {
  kind: 'pglite' | 'postgres';
  /** Set for PostgreSQL: a database of its own on the DATABASE_URL server. */
  databaseUrl?: string;
  /** Always a fresh temporary directory (PGlite keeps its files in `dataDir/pgdata`). */
  dataDir: string;
  /** Removes the database and dataDir. Close any openDatabase() on it first. */
  drop(): Promise<void>;
}

/** PostgreSQL when DATABASE_URL is set, else PGlite; `{ embedded: true }` asks for PGlite whatever is set. */
export async function createTestDatabase(opts: { embedded?: boolean } = {}): Promise<TestDatabase> {
  const url = opts.embedded ? undefined : process.env.DATABASE_URL?.trim();
  const key = await migrationsKey();
  return url ? createPostgresDatabase(url, key) : createPgliteDatabase(key);
}

/** Changes whenever a migration is added or edited, so a stale template is never used. */
async function migrationsKey(): Promise<string> {
  const hash = createHash('sha256').update('runner-v1\n');
  for (const m of await readMigrations(defaultMigrationsDir)) hash.update(`${m.name} ${checksum(m.script)}\n`);
  return hash.digest('hex').slice(0, 16);
}

function uniqueSuffix(): string {
  return `${process.pid}_${randomBytes(4).toString('hex')}`;
}

// --- PostgreSQL: CREATE DATABASE ... TEMPLATE <migrated template> ---------------------------------

/** Serialises template building and cloning across vitest workers (per server database). */
const TEMPLATE_LOCK = 72707370;

async function createPostgresDatabase(serverUrl: string, key: string): Promise<TestDatabase> {
  const template = `verychat_tpl_${key}`;
  const name = `verychat_test_${uniqueSuffix()}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'verychat-test-'));
  await withAdmin(serverUrl, async (admin) => {
    await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    try {
      const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
      if (found.rowCount === 0) await buildPostgresTemplate(admin, serverUrl, template);
      // Fails if anyone is connected to the template: only this lock's holder ever is.
      await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
    } finally {
      await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
    }
  });
  let dropped = false;
  return {
    kind: 'postgres',
    databaseUrl: databaseUrlFor(serverUrl, name),
    dataDir,
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdmin(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function buildPostgresTemplate(admin: pg.Client, serverUrl: string, template: string): Promise<void> {
  // Migrated under another name and renamed, so a template that exists is always complete.
  const building = `${template}_build_${uniqueSuffix()}`;
  await admin.query(`CREATE DATABASE "${building}"`);
  try {
    const client = new pg.Client({ connectionString: databaseUrlFor(serverUrl, building) });
    await client.connect();
    try {
      await deployMigrations(pgSession(client), { migrationsDir: defaultMigrationsDir });
    } finally {
      await client.end();
    }
    await admin.query(`ALTER DATABASE "${building}" RENAME TO "${template}"`);
  } catch (e) {
    await admin.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`).catch(() => {});
    throw e;
  }
}

export function databaseUrlFor(serverUrl: string, database: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

async function withAdmin<T>(serverUrl: string, fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

// --- PGlite: copy a migrated data directory ------------------------------------------------------

async function createPgliteDatabase(key: string): Promise<TestDatabase> {
  const template = await ensurePgliteTemplate(key);
  const dataDir = await mkdtemp(join(tmpdir(), 'verychat-test-'));
  try {
    await copyTree(join(template, 'pgdata'), join(dataDir, 'pgdata'));
  } catch (e) {
    await rm(dataDir, { recursive: true, force: true });
    throw e;
  }
  return {
    kind: 'pglite',
    dataDir,
    drop: () => rm(dataDir, { recursive: true, force: true }),
  };
}

const COMPLETE = 'template-complete';

/** Built once per set of migrations and shared by every worker and later runs. */
async function ensurePgliteTemplate(key: string): Promise<string> {
  const template = join(tmpdir(), `verychat-pglite-template-${key}`);
  const lock = `${template}.lock`;
  const deadline = Date.now() + 120_000;
  // initdb is CPU-heavy: one worker builds while the others wait for it.
  while (!(await exists(join(template, COMPLETE)))) {
    if (await tryLock(lock)) {
      try {
        if (!(await exists(join(template, COMPLETE)))) await buildPgliteTemplate(template);
      } finally {
        await rm(lock, { recursive: true, force: true });
      }
    } else if (Date.now() > deadline) {
      // A stuck builder must not stall the suite: build our own copy (the rename below is atomic).
      await buildPgliteTemplate(template);
    } else {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return template;
}

/** mkdir is atomic; a lock left by a dead process is removed. */
async function tryLock(lock: string): Promise<boolean> {
  try {
    await mkdir(lock);
    await writeFile(join(lock, 'pid'), String(process.pid));
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const pid = Number(await readFile(join(lock, 'pid'), 'utf8').catch(() => ''));
    if (pid > 0 && !isAlive(pid)) await rm(lock, { recursive: true, force: true });
    return false;
  }
}


async function buildPgliteTemplate(template: string): Promise<void> {
  // Built under another name and renamed, so a template with its marker is always complete.
  const building = `${template}.build-${uniqueSuffix()}`;
  try {
    const db = await openDatabase({ dataDir: building });
    try {
      await db.migrate();
    } finally {
      await db.close();
    }
    await writeFile(join(building, COMPLETE), `${new Date().toISOString()}\n`);
    await rename(building, template).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e;
      // A directory left without its marker (an interrupted build) is replaced.
      if (!(await exists(join(template, COMPLETE)))) {
        await rm(template, { recursive: true, force: true });
        await rename(building, template);
      }
    });
  } finally {
    await rm(building, { recursive: true, force: true });
  }
}

/** Parallel copy: about twice as fast as fs.cp for PGlite's ~1000 small files. */
async function copyTree(from: string, to: string): Promise<void> {
  const files: [string, string][] = [];
  const walk = async (a: string, b: string): Promise<void> => {
    await mkdir(b, { recursive: true });
    for (const entry of await readdir(a, { withFileTypes: true })) {
      if (entry.isDirectory()) await walk(join(a, entry.name), join(b, entry.name));
      else files.push([join(a, entry.name), join(b, entry.name)]);
    }
  };
  await walk(from, to);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const [a, b] = files[next++]!;
      await copyFile(a, b, constants.COPYFILE_FICLONE);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** A runner that counts the statements it is asked to run (batching tests: how many statements a burst took). */
export function countingSqlRunner(runner: SqlRunner): SqlRunner & { calls: number } {
  const counted = {
    calls: 0,
    query<T>(s: SqlStatement, params: unknown[]) {
      counted.calls++;
      return runner.query<T>(s, params);
    },
  };
  return counted;
}

/** A fresh database, open, with one workspace in it (the batching statements' tests); close() also drops it. */
export async function openWorkspaceDatabase(): Promise<{ db: Database; workspaceId: string; close(): Promise<void> }> {
  const testDb = await createTestDatabase();
  const db = await openDatabase({ databaseUrl: testDb.databaseUrl, dataDir: testDb.dataDir });
  const workspace = await db.prisma.workspace.create({ data: { name: 'W', siteKey: `pk_${randomBytes(8).toString('hex')}`, secret: 'sk_test', visitorKey: 'vk_test' } });
  return {
    db,
    workspaceId: workspace.id,
    close: async () => {
      await db.close();
      await testDb.drop();
    },
  };
}
