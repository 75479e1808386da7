// Database CLI: `npm run db:deploy`, `npm run db:status`, `npm run db:new <name>`, and
// `npx tsx server/cli/db.ts resolve --rolled-back|--applied <name>`. Never touches the network.
import { relative } from 'node:path';
import { createMigration, MIGRATION_NAME } from '../db/author.ts';
import { DatabaseLockedError, openDatabase, type Database } from '../db/client.ts';
import { connectionProblem } from '../db/errors.ts';
import { defaultMigrationsDir, MigrationError, type MigrationStatus } from '../db/migrate.ts';
import { readProcessConfig } from './process-config.ts';

const USAGE = `Usage:
  npm run db:deploy                 apply pending migrations
  npm run db:status                 list migrations; exit code 1 unless all are applied
  npm run db:new <name>             write prisma/migrations/<timestamp>_<name>/ from prisma/schema.prisma
  npx tsx server/cli/db.ts resolve --rolled-back <name> | --applied <name>
                                    after fixing a failed migration by hand (like prisma migrate resolve)
Environment: DATABASE_URL (PostgreSQL) or DATA_DIR (embedded PGlite, default .verychat).`;

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'deploy':
      return withDatabase(async (db) => {
        const { applied } = await db.migrate();
        console.log(applied.length ? `Applied ${applied.length} migration(s).` : 'No pending migrations.');
        return 0;
      });
    case 'status':
      return withDatabase(async (db) => printStatus(await db.status()));
    case 'new':
      return newMigration(args);
    case 'resolve': {
      const [flag, name] = args;
      if ((flag !== '--rolled-back' && flag !== '--applied') || !name) return usage();
      return withDatabase(async (db) => {
        await db.resolve(name, flag === '--applied' ? 'applied' : 'rolled-back');
        console.log(`Recorded ${name} as ${flag.slice(2)}.`);
        return 0;
      });
    }
    default:
      return usage();
  }
}

function usage(): number {
  console.error(USAGE);
  return 2;
}

async function withDatabase(fn: (db: Database) => Promise<number>): Promise<number> {
  const config = readProcessConfig();
  if (!config) return 1;
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    log: (m) => console.log(m),
  });
  try {
    console.log(
      db.kind === 'postgres' ? 'Database: PostgreSQL (DATABASE_URL)' : `Database: PGlite in ${config.dataDir}/pgdata`,
    );
    return await fn(db);
  } catch (err) {
    // A missing database, a refused connection: one line saying what to do, not a driver's stack trace.
    const problem = connectionProblem(err, config.databaseUrl);
    if (!problem) throw err;
    console.error(`Error: ${problem}`);
    return 1;
  } finally {
    await db.close();
  }
}

function printStatus(s: MigrationStatus): number {
  const rows: [string, string][] = [];
  const edited = new Set(s.edited);
  for (const n of s.applied) rows.push([n, edited.has(n) ? 'applied, EDITED since' : 'applied']);
  for (const n of s.failed) rows.push([n, 'FAILED']);
  for (const n of s.pending) rows.push([n, 'pending']);
  for (const n of s.missing) rows.push([n, 'applied, NOT IN the migrations directory']);
  rows.sort((a, b) => a[0].localeCompare(b[0]));
  const width = Math.max(9, ...rows.map((r) => r[0].length));
  console.log(`Migrations in ${relative(process.cwd(), defaultMigrationsDir) || '.'}:`);
  console.log(`  ${'MIGRATION'.padEnd(width)}  STATE`);
  for (const [name, state] of rows) console.log(`  ${name.padEnd(width)}  ${state}`);

  const problems: string[] = [];
  if (s.pending.length) problems.push(`${s.pending.length} pending: run npm run db:deploy`);
  if (s.failed.length) problems.push(`${s.failed.length} failed: fix the database, then resolve (see npm run db:deploy)`);
  if (s.edited.length) problems.push(`${s.edited.length} edited after being applied: restore the applied file, add a new migration instead`);
  if (s.missing.length) problems.push(`${s.missing.length} applied but missing locally: this code is older than the database`);
  if (problems.length === 0) {
    console.log(`Database is up to date (${s.applied.length} migration(s)).`);
    return 0;
  }
  for (const p of problems) console.log(p);
  return 1;
}

async function newMigration(args: string[]): Promise<number> {
  const name = args[0];
  if (!name || args.length > 1) return usage();
  if (!MIGRATION_NAME.test(name)) {
    console.error(`Invalid migration name "${name}": use lower-case letters, digits and underscores (e.g. add_payments).`);
    return 2;
  }
  const result = await createMigration(name);
  if (!result.created) {
    console.log('No schema changes: prisma/schema.prisma matches the migrations. Nothing written.');
    return 0;
  }
  console.log(`Created ${relative(process.cwd(), result.dir)}/migration.sql. Review it, then run npm run db:deploy.`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof MigrationError) console.error(`Error (${e.code}): ${e.message}`);
    else if (e instanceof DatabaseLockedError) console.error(`Error: ${e.message}`);
    else console.error(e);
    process.exitCode = 1;
  },
);
