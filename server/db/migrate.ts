// Applies prisma/migrations the way `prisma migrate deploy` does, without Prisma's native schema
// engine (it cannot be downloaded offline). Same `_prisma_migrations` table, checksums and
// advisory lock, so the Prisma CLI can take over the same database at any time.
// Reference: prisma-engines sql_migration_persistence.rs, checksum.rs, apply_migrations.rs.
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from '../paths.ts';
import type { PGlite } from '@electric-sql/pglite';
import type { ClientBase } from 'pg';

/** One database connection. Session state (the advisory lock) must persist between calls. */
export interface SqlSession {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs a whole script as ONE simple query: an implicit transaction unless it has its own BEGIN/COMMIT. */
  exec(script: string): Promise<void>;
}

export function pgSession(client: ClientBase): SqlSession {
  return {
    async query<T>(sql: string, params: unknown[] = []) {
      return (await client.query(sql, params)).rows as T[];
    },
    async exec(script: string) {
      // No parameters → pg uses the simple query protocol.
      await client.query(script);
    },
  };
}

export function pgliteSession(db: Pick<PGlite, 'query' | 'exec'>): SqlSession {
  return {
    async query<T>(sql: string, params: unknown[] = []) {
      return (await db.query<T>(sql, params)).rows;
    },
    async exec(script: string) {
      await db.exec(script);
    },
  };
}

export type MigrationErrorCode =
  | 'MIGRATION_FAILED' // P3018
  | 'MIGRATION_FAILED_PREVIOUSLY' // P3009
  | 'MIGRATION_LOCK_TIMEOUT'
  | 'SCHEMA_NOT_EMPTY' // P3005
  | 'MIGRATIONS_DIR_INVALID'
  | 'MIGRATION_NOT_FOUND'
  | 'MIGRATION_NOT_FAILED'
  | 'MIGRATION_ALREADY_APPLIED';

export class MigrationError extends Error {
  constructor(
    readonly code: MigrationErrorCode,
    message: string,
    readonly migration?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

export interface MigrationOptions {
  migrationsDir: string;
  /** How long to wait for another deploy to finish. Prisma uses 10 s. */
  lockTimeoutMs?: number;
  log?: (message: string) => void;
}

export interface LocalMigration {
  name: string;
  script: string;
}

export interface MigrationStatus {
  applied: string[];
  /** In the directory, not yet applied. */
  pending: string[];
  /** Started and never finished (and not resolved). */
  failed: string[];
  /** Applied, but migration.sql changed since. */
  edited: string[];
  /** Recorded as applied in the database but absent from the directory. */
  missing: string[];
}

/** <repo>/prisma/migrations, found from this file so any working directory works. */
export const defaultMigrationsDir = resolve(REPO_ROOT, 'prisma/migrations');

/** Prisma's constant (prisma-engines postgres flavour). */
export const ADVISORY_LOCK_KEY = 72707369;
const TABLE = '_prisma_migrations';
const RESOLVE_HINT = 'npx tsx server/cli/db.ts resolve';

interface MigrationRow {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  started_at: Date;
  logs: string | null;
}

/** Migration directories sorted by name, as Prisma lists them. */
export async function readMigrations(migrationsDir: string): Promise<LocalMigration[]> {
  let entries;
  try {
    entries = await readdir(migrationsDir, { withFileTypes: true });
  } catch (e) {
    throw new MigrationError('MIGRATIONS_DIR_INVALID', `Cannot read the migrations directory ${migrationsDir}`, undefined, {
      cause: e,
    });
  }
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const out: LocalMigration[] = [];
  for (const name of names) {
    const file = join(migrationsDir, name, 'migration.sql');
    try {
      out.push({ name, script: await readFile(file, 'utf8') });
    } catch (e) {
      throw new MigrationError('MIGRATIONS_DIR_INVALID', `Migration directory ${name} has no readable migration.sql`, name, {
        cause: e,
      });
    }
  }
  return out;
}

export function checksum(script: string): string {
  return createHash('sha256').update(script, 'utf8').digest('hex');
}

/** Prisma also accepts line-ending conversions and its old unpadded hex format (checksum.rs). */
export function scriptMatchesChecksum(script: string, recorded: string): boolean {
  const variants = new Set([script, script.replace(/\r\n/g, '\n'), script.replace(/\r?\n/g, '\r\n')]);
  for (const v of variants) {
    const bytes = createHash('sha256').update(v, 'utf8').digest();
    if (bytes.toString('hex') === recorded) return true;
    if ([...bytes].map((b) => b.toString(16)).join('') === recorded) return true;
  }
  return false;
}

export async function deployMigrations(session: SqlSession, options: MigrationOptions): Promise<{ applied: string[] }> {
  const log = options.log ?? (() => {});
  const local = await readMigrations(options.migrationsDir);
  return withAdvisoryLock(session, options.lockTimeoutMs ?? 10_000, async () => {
    await ensureMigrationsTable(session);
    const rows = await readRows(session);
    const failed = rows.filter((r) => r.finished_at === null && r.rolled_back_at === null);
    if (failed.length > 0) throw failedPreviouslyError(failed);

    const done = new Set(rows.filter((r) => r.rolled_back_at === null).map((r) => r.migration_name));
    const applied: string[] = [];
    for (const m of local) {
      if (done.has(m.name)) continue;
      await applyOne(session, m);
      applied.push(m.name);
      log(`Applied migration ${m.name}`);
    }
    return { applied };
  });
}

export async function migrationStatus(session: SqlSession, options: MigrationOptions): Promise<MigrationStatus> {
  const local = await readMigrations(options.migrationsDir);
  const rows = (await tableExists(session)) ? await readRows(session) : [];
  const live = rows.filter((r) => r.rolled_back_at === null);
  const localNames = new Set(local.map((m) => m.name));
  const status: MigrationStatus = { applied: [], pending: [], failed: [], edited: [], missing: [] };
  for (const m of local) {
    const mine = live.filter((r) => r.migration_name === m.name);
    const finished = mine.find((r) => r.finished_at !== null);
    if (finished) {
      status.applied.push(m.name);
      if (!scriptMatchesChecksum(m.script, finished.checksum)) status.edited.push(m.name);
    } else if (mine.length > 0) {
      status.failed.push(m.name);
    } else {
      status.pending.push(m.name);
    }
  }
  for (const r of live) {
    if (localNames.has(r.migration_name)) continue;
    if (r.finished_at === null) status.failed.push(r.migration_name);
    else if (!status.missing.includes(r.migration_name)) status.missing.push(r.migration_name);
  }
  return status;
}

/**
 * `prisma migrate resolve`: after fixing the database by hand, record a failed migration as
 * rolled back (it will be retried) or as applied (it will be skipped).
 */
export async function resolveMigration(
  session: SqlSession,
  options: MigrationOptions & { name: string; as: 'rolled-back' | 'applied' },
): Promise<void> {
  const { name } = options;
  const local = await readMigrations(options.migrationsDir);
  await withAdvisoryLock(session, options.lockTimeoutMs ?? 10_000, async () => {
    await ensureMigrationsTable(session);
    const rows = (await readRows(session)).filter((r) => r.migration_name === name && r.rolled_back_at === null);
    const failed = rows.filter((r) => r.finished_at === null);
    if (options.as === 'rolled-back') {
      if (failed.length === 0) {
        throw new MigrationError('MIGRATION_NOT_FAILED', `Migration ${name} is not recorded as failed; nothing to roll back`, name);
      }
    } else {
      const m = local.find((l) => l.name === name);
      if (!m) throw new MigrationError('MIGRATION_NOT_FOUND', `Migration ${name} is not in ${options.migrationsDir}`, name);
      if (rows.some((r) => r.finished_at !== null)) {
        throw new MigrationError('MIGRATION_ALREADY_APPLIED', `Migration ${name} is already recorded as applied`, name);
      }
      await session.query(
        `INSERT INTO ${TABLE} (id, checksum, started_at, finished_at, migration_name, applied_steps_count)
         VALUES ($1, $2, now(), now(), $3, 0)`,
        [randomUUID(), checksum(m.script), name],
      );
    }
    await session.query(
      `UPDATE ${TABLE} SET rolled_back_at = now()
       WHERE migration_name = $1 AND finished_at IS NULL AND rolled_back_at IS NULL`,
      [name],
    );
  });
}

async function applyOne(session: SqlSession, m: LocalMigration): Promise<void> {
  const id = randomUUID();
  // Recorded before the script runs and outside its transaction, so a failure stays visible.
  await session.query(`INSERT INTO ${TABLE} (id, checksum, started_at, migration_name) VALUES ($1, $2, now(), $3)`, [
    id,
    checksum(m.script),
    m.name,
  ]);
  try {
    await session.exec(m.script);
  } catch (e) {
    // A script with its own BEGIN can leave the session in an aborted transaction.
    await session.exec('ROLLBACK').catch(() => {});
    const logs = formatDbError(e);
    await session.query(`UPDATE ${TABLE} SET logs = $1 WHERE id = $2`, [logs, id]);
    throw new MigrationError(
      'MIGRATION_FAILED',
      `Migration ${m.name} failed to apply. New migrations cannot be applied before the error is recovered from.\n${logs}`,
      m.name,
      { cause: e },
    );
  }
  await session.query(
    `UPDATE ${TABLE} SET applied_steps_count = applied_steps_count + 1, finished_at = now() WHERE id = $1`,
    [id],
  );
}

async function withAdvisoryLock<T>(session: SqlSession, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  try {
    // SET LOCAL keeps the timeout out of the session; the session-level lock outlives the COMMIT.
    await session.exec(`BEGIN; SET LOCAL lock_timeout = '${Math.max(1, Math.floor(timeoutMs))}ms'`);
    await session.query(`SELECT pg_advisory_lock(${ADVISORY_LOCK_KEY})`);
    await session.exec('COMMIT');
  } catch (e) {
    await session.exec('ROLLBACK').catch(() => {});
    if ((e as { code?: string }).code === '55P03') {
      throw new MigrationError(
        'MIGRATION_LOCK_TIMEOUT',
        `Timed out after ${timeoutMs} ms waiting for the migration lock (pg_advisory_lock(${ADVISORY_LOCK_KEY})). ` +
          'Another deploy is running, or a session still holds the lock: look for it in pg_locks (objid = 72707369).',
        undefined,
        { cause: e },
      );
    }
    throw e;
  }
  try {
    return await fn();
  } finally {
    await session.query(`SELECT pg_advisory_unlock(${ADVISORY_LOCK_KEY})`).catch(() => {});
  }
}

async function tableExists(session: SqlSession): Promise<boolean> {
  const rows = await session.query<{ exists: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = current_schema() AND c.relname = $1 AND c.relkind IN ('r', 'p')) AS "exists"`,
    [TABLE],
  );
  return rows[0]?.exists === true;
}

async function ensureMigrationsTable(session: SqlSession): Promise<void> {
  if (await tableExists(session)) return;
  const existing = await session.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
     UNION ALL
     SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
       WHERE n.nspname = current_schema() AND t.typtype = 'e'
     ORDER BY 1 LIMIT 6`,
  );
  if (existing.length > 0) {
    const names = existing.slice(0, 5).map((r) => r.name);
    throw new MigrationError(
      'SCHEMA_NOT_EMPTY',
      `The database schema is not empty (it has ${names.join(', ')}${existing.length > 5 ? ', …' : ''}) and has no ` +
        `${TABLE} table, so its history is unknown. Use an empty database, or baseline this one by marking the ` +
        `migrations it already contains as applied (${RESOLVE_HINT} --applied <name>).`,
    );
  }
  await session.exec(
    `CREATE TABLE ${TABLE} (
      id VARCHAR(36) PRIMARY KEY NOT NULL,
      checksum VARCHAR(64) NOT NULL,
      finished_at TIMESTAMPTZ,
      migration_name VARCHAR(255) NOT NULL,
      logs TEXT,
      rolled_back_at TIMESTAMPTZ,
      started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      applied_steps_count INTEGER NOT NULL DEFAULT 0
    )`,
  );
}

async function readRows(session: SqlSession): Promise<MigrationRow[]> {
  return session.query<MigrationRow>(
    `SELECT id, checksum, migration_name, finished_at, rolled_back_at, started_at, logs
     FROM ${TABLE} ORDER BY started_at, migration_name`,
  );
}

function failedPreviouslyError(failed: MigrationRow[]): MigrationError {
  const lines = failed.map((r) => `  ${r.migration_name} (started ${new Date(r.started_at).toISOString()})`);
  const first = failed[0]!.migration_name;
  return new MigrationError(
    'MIGRATION_FAILED_PREVIOUSLY',
    `Failed migrations are recorded in the database, so new migrations will not be applied:\n${lines.join('\n')}\n` +
      `Its error is in the logs column of ${TABLE}. Fix the database by hand, then either\n` +
      `  ${RESOLVE_HINT} --rolled-back ${first}   (undone; it will be applied again), or\n` +
      `  ${RESOLVE_HINT} --applied ${first}       (completed by hand; it will be skipped)\n` +
      '(equivalent to `prisma migrate resolve`).',
    first,
  );
}

/** Close to what Prisma stores in `logs`. */
function formatDbError(e: unknown): string {
  const err = e as { code?: string; severity?: string; message?: string; detail?: string; hint?: string; position?: string };
  const lines = [];
  if (err.code) lines.push(`Database error code: ${err.code}`, '');
  lines.push('Database error:', `${err.severity ?? 'ERROR'}: ${err.message ?? String(e)}`);
  if (err.detail) lines.push(`DETAIL: ${err.detail}`);
  if (err.hint) lines.push(`HINT: ${err.hint}`);
  if (err.position) lines.push(`Position: ${err.position}`);
  return lines.join('\n');
}

/** Exists and is a directory. */
export async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
