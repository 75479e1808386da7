// Opens the product's database: embedded PGlite under DATA_DIR by default, PostgreSQL when
// DATABASE_URL is set. Prisma goes through a driver adapter; migrations through ./migrate.ts.
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from './generated/client.ts';
import { openPgliteWorker, type PGliteLike } from './pglite-worker.ts';
import type { SqlRunner, SqlStatement } from './sql.ts';
import {
  defaultMigrationsDir,
  deployMigrations,
  migrationStatus,
  pgliteSession,
  pgSession,
  resolveMigration,
  type MigrationStatus,
  type SqlSession,
} from './migrate.ts';

export interface OpenDatabaseOptions {
  /** postgres:// URL; absent → PGlite in `dataDir/pgdata`. A `?schema=` parameter is honoured. */
  databaseUrl?: string;
  dataDir: string;
  /** Progress lines (applied migrations). */
  log?: (message: string) => void;
  migrationsDir?: string;
  /**
   * PGlite on this thread instead of its worker (tests that compare the two). By default it runs in a worker
   * thread, so the WASM Postgres never blocks the caller's event loop.
   */
  pgliteInThread?: boolean;
}

export interface Database {
  kind: 'pglite' | 'postgres';
  prisma: PrismaClient;
  migrate(): Promise<{ applied: string[] }>;
  status(): Promise<MigrationStatus>;
  /** `prisma migrate resolve` for a failed migration, after the database was fixed by hand. */
  resolve(name: string, as: 'rolled-back' | 'applied'): Promise<void>;
  /** Rejects when the database does not answer within timeoutMs (default 5 s) or is closed. */
  ping(timeoutMs?: number): Promise<void>;
  /** The hot paths' own statements, beside Prisma (see SqlRunner). */
  sql: SqlRunner;
  /**
   * What autovacuum does on PostgreSQL (there: nothing to do, answers []): VACUUM (ANALYZE) of the tables with
   * enough dead rows, ANALYZE of those that changed or grew enough. PGlite runs it by itself every minute;
   * answers the tables it vacuumed or analyzed.
   */
  maintain(): Promise<string[]>;
  /** Idempotent. */
  close(): Promise<void>;
}

/** Connections of the hot-path pool on PostgreSQL (Prisma keeps its own pool for everything else). */
const SQL_POOL_SIZE = 2;

export class DatabaseLockedError extends Error {
  readonly code = 'DATABASE_LOCKED';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      pid === process.pid
        ? `The PGlite database in ${dataDir} is already open in this process`
        : `The PGlite database in ${dataDir} is in use by process ${pid}. PGlite allows one process per data ` +
            `directory: stop that process, or give this one another DATA_DIR (or a DATABASE_URL).`,
    );
    this.name = 'DatabaseLockedError';
  }
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const migrationsDir = options.migrationsDir ?? defaultMigrationsDir;
  const migrationOptions = { migrationsDir, log: options.log };
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, migrationOptions)
    : openPglite(options.dataDir, migrationOptions, options.pgliteInThread === true);
}

type MigrationOptions = { migrationsDir: string; log?: (message: string) => void };

/**
 * PGlite has no autovacuum. Nothing ever ANALYZEd its tables: the planner kept guessing at near-empty ones,
 * and with a merchant's data grown a customer's payment by hash prefix walked all 100,000 payments through the
 * hash index instead of the customer's 50 (233 ms → 0.8 ms once analyzed). Nothing VACUUMed them either, so
 * the rows every message update leaves dead (Conversation's) were never reclaimed. Autovacuum's own rules
 * decide: VACUUM (ANALYZE) at dead rows above 50 + 20 % of the table, ANALYZE at rows changed since the last
 * one above 50 + 10 %. PGlite does not keep those counts across a restart, so a table is also analyzed when
 * it has grown 10 % (and 8 pages) past the size its last ANALYZE saw.
 */
const PGLITE_MAINTAIN_EVERY_MS = 60_000;
/**
 * Every query waits while a pass runs (one session), so a pass waits for a quiet moment: no query for a
 * second. Under constant traffic it runs anyway once the last one is this old.
 */
const PGLITE_QUIET_MS = 1_000;
const PGLITE_MAINTAIN_AT_LEAST_EVERY_MS = 10 * 60_000;
const PGLITE_STATISTICS_TARGET = 25;

async function maintainTables(session: SqlSession): Promise<string[]> {
  // The session's counts reach pg_stat_user_tables at most once a second unless a flush is asked for.
  await session.query('SELECT pg_stat_force_next_flush()');
  const tables = await session.query<{ schemaname: string; relname: string; vacuum: boolean }>(
    `SELECT s."schemaname", s."relname", s."n_dead_tup" > 50 + 0.2 * GREATEST(c."reltuples", 0) AS "vacuum"
       FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s."relid"
      WHERE s."n_dead_tup" > 50 + 0.2 * GREATEST(c."reltuples", 0)
         OR s."n_mod_since_analyze" > 50 + 0.1 * GREATEST(c."reltuples", 0)
         OR pg_relation_size(c.oid) / current_setting('block_size')::int > 8 + 1.1 * c."relpages"
      ORDER BY s."relname"`,
  );
  if (!tables.length) return [];
  // Every other query waits while this runs (PGlite is one session): a quarter of the default sample (7,500
  // rows instead of 30,000) keeps an ANALYZE of 100,000 payments near 80 ms instead of 280 ms, and is plenty
  // for plans that look rows up by id.
  await session.query(`SET default_statistics_target = ${PGLITE_STATISTICS_TARGET}`);
  try {
    for (const t of tables) {
      const name = `${quoteIdent(t.schemaname)}.${quoteIdent(t.relname)}`;
      await session.query(t.vacuum ? `VACUUM (ANALYZE) ${name}` : `ANALYZE ${name}`);
    }
  } finally {
    await session.query('RESET default_statistics_target');
  }
  return tables.map((t) => t.relname);
}

async function openPglite(dataDir: string, migrationOptions: MigrationOptions, inThread: boolean): Promise<Database> {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const lock = acquireDirLock(dir);
  let db: PGliteLike;
  try {
    const pgdata = join(dir, 'pgdata');
    db = inThread ? await PGlite.create(pgdata) : await openPgliteWorker(pgdata);
  } catch (e) {
    lock.release();
    throw e;
  }
  // Prisma and the runner share this one instance: PGlite is a single session. Their use of it is timed, so
  // the maintenance pass (on the instance itself) can wait for a quiet moment.
  let lastUsed = 0;
  const used = new Proxy(db, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (prop !== 'query' && prop !== 'exec' && prop !== 'transaction' && prop !== 'sql') return value.bind(target);
      return (...args: unknown[]) => {
        lastUsed = Date.now();
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  const session = pgliteSession(used);
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(used as PGlite) });
  let closing: Promise<void> | undefined;
  // One pass at a time; a failed pass (the database closing) waits for the next tick.
  let maintaining: Promise<string[]> | null = null;
  let lastPass = Date.now();
  // On the instance itself, so its own statements do not count as use.
  const maintenance = pgliteSession(db);
  const maintain = () =>
    (maintaining ??= maintainTables(maintenance).finally(() => {
      maintaining = null;
      lastPass = Date.now();
    }));
  const maintainer = setInterval(() => {
    const now = Date.now();
    if (now - lastUsed < PGLITE_QUIET_MS && now - lastPass < PGLITE_MAINTAIN_AT_LEAST_EVERY_MS) return;
    void maintain().catch(() => {});
  }, PGLITE_MAINTAIN_EVERY_MS);
  maintainer.unref();
  return {
    kind: 'pglite',
    prisma,
    sql: { query: <T>(s: SqlStatement, params: unknown[]) => session.query<T>(s.text, params) },
    maintain,
    async migrate() {
      const result = await deployMigrations(session, migrationOptions);
      // PGlite learns the array types (enum[] parameters, e.g. Database.sql's) when it opens: types the
      // migrations just created must be read again, or the first start of a new database fails on them.
      if (result.applied.length) await db.refreshArrayTypes();
      // Statistics for what an earlier run (or an import) left unanalyzed, without holding up the start.
      void maintain().catch(() => {});
      return result;
    },
    status: () => migrationStatus(session, migrationOptions),
    resolve: (name, as) => resolveMigration(session, { ...migrationOptions, name, as }),
    async ping(timeoutMs = 5_000) {
      if (closing || db.closed) throw new Error('Database is closed');
      await withTimeout(db.query('SELECT 1'), timeoutMs, 'PGlite ping');
    },
    close() {
      clearInterval(maintainer);
      closing ??= (async () => {
        try {
          await maintaining?.catch(() => {});
          await prisma.$disconnect().catch(() => {});
          if (!db.closed) await db.close();
        } finally {
          lock.release();
        }
      })();
      return closing;
    },
  };
}

async function openPostgres(databaseUrl: string, migrationOptions: MigrationOptions): Promise<Database> {
  const { url, schema } = splitSchemaParam(databaseUrl);
  const runnerUrl = schema ? withSearchPath(url, schema) : url;
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }, schema ? { schema } : undefined) });
  const pool = new pg.Pool({ connectionString: sqlPoolUrl(runnerUrl), max: SQL_POOL_SIZE, idleTimeoutMillis: 30_000 });
  pool.on('error', () => {}); // an idle connection dropped: the pool replaces it; queries report their own errors
  let closed = false;
  let closing: Promise<void> | undefined;

  // Migrations use their own short-lived connection: the advisory lock is per session.
  const withSession = async <T>(fn: (s: SqlSession) => Promise<T>): Promise<T> => {
    if (closed) throw new Error('Database is closed');
    const client = new pg.Client({ connectionString: runnerUrl, connectionTimeoutMillis: 10_000 });
    client.on('error', () => {}); // a dropped connection surfaces through the pending query
    await client.connect();
    try {
      // Prisma creates a missing schema before its first migration.
      if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
      return await fn(pgSession(client));
    } finally {
      await client.end().catch(() => {});
    }
  };

  return {
    kind: 'postgres',
    prisma,
    // Autovacuum does it on PostgreSQL.
    maintain: async () => [],
    sql: {
      async query<T>(s: SqlStatement, params: unknown[]) {
        if (closed) throw new Error('Database is closed');
        return (await pool.query<T & pg.QueryResultRow>({ name: s.name, text: s.text, values: params })).rows;
      },
    },
    migrate: () => withSession((s) => deployMigrations(s, migrationOptions)),
    status: () => withSession((s) => migrationStatus(s, migrationOptions)),
    resolve: (name, as) => withSession((s) => resolveMigration(s, { ...migrationOptions, name, as })),
    async ping(timeoutMs = 5_000) {
      if (closed) throw new Error('Database is closed');
      await withTimeout(prisma.$executeRawUnsafe('SELECT 1'), timeoutMs, 'PostgreSQL ping');
    },
    close() {
      closed = true;
      closing ??= Promise.all([prisma.$disconnect(), pool.end().catch(() => {})]).then(() => {});
      return closing;
    },
  };
}

/**
 * How Database.sql's pool connects (PostgreSQL). The hot statements' plans do not depend on their parameters
 * (arrays of ids): planned once per connection, not on every call (planning was a third of a batch's time in
 * the database). Every one of them looks rows up by key, and a plan is kept for the connection's life: made on
 * a new, near-empty database (tables the planner guesses at ~400 rows) it hashed the whole Message table on
 * every batch, slower with every message stored (a batch took 3 ms at first and 18 ms 20 s later at 1,000
 * msg/s) until the next ANALYZE replanned it. Without sequential scans on this pool, the plans are index
 * look-ups whatever the statistics say (sql-plans.db.test.ts).
 */
export function sqlPoolUrl(runnerUrl: string): string {
  return withServerOptions(runnerUrl, '-c plan_cache_mode=force_generic_plan -c enable_seqscan=off');
}

/**
 * Adds `options=-c search_path=<schema>` so every statement on the connection, including the
 * migration runner's unqualified ones, lands in that schema. (pg ignores Prisma's `?schema=`.)
 */
export function withSearchPath(databaseUrl: string, schema: string): string {
  return withServerOptions(databaseUrl, `-c search_path=${quoteIdent(schema)}`);
}

/** Adds settings to the URL's `options` (pg lets the connection string's win over its own config). */
function withServerOptions(databaseUrl: string, options: string): string {
  const u = new URL(databaseUrl);
  u.searchParams.set('options', [u.searchParams.get('options'), options].filter(Boolean).join(' '));
  return u.toString();
}

function splitSchemaParam(databaseUrl: string): { url: string; schema?: string } {
  const u = new URL(databaseUrl);
  const schema = u.searchParams.get('schema') ?? undefined;
  if (!schema) return { url: databaseUrl };
  u.searchParams.delete('schema');
  return { url: u.toString(), schema };
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// --- One process per PGlite directory -----------------------------------------------------------
// Two PGlite instances on one directory corrupt it, and PGlite does not lock it itself.

const heldLocks = new Set<string>();
let exitHookInstalled = false;

function acquireDirLock(dir: string): { release(): void } {
  const path = join(dir, 'pgdata.lock');
  if (heldLocks.has(path)) throw new DatabaseLockedError(dir, process.pid);
  const mine = `${process.pid}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, mine);
      } finally {
        closeSync(fd);
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 5) throw e;
    }
    const content = readIfExists(path);
    if (content === null) continue; // released meanwhile
    const pid = Number.parseInt(content, 10);
    // Our own pid in the file means a previous life of this process (e.g. pid 1 in a container).
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) throw new DatabaseLockedError(dir, pid);
    // Stale: move it aside atomically so only one contender removes it, and check we moved the
    // stale file and not a lock someone created in between.
    const aside = `${path}.stale-${process.pid}-${attempt}`;
    try {
      renameSync(path, aside);
    } catch {
      continue;
    }
    if (readIfExists(aside) !== content) {
      renameSync(aside, path);
      continue;
    }
    unlinkSync(aside);
  }
  heldLocks.add(path);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const p of heldLocks) removeIfMine(p);
    });
  }
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      heldLocks.delete(path);
      removeIfMine(path);
    },
  };
}

function removeIfMine(path: string): void {
  if (readIfExists(path) === `${process.pid}\n`) {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  }
}

function readIfExists(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
