// Admin CLI: `npm run verychat -- <command> [args]` (the commands are in admin-commands.ts).
//
// Where a command runs: with DATABASE_URL, here, on PostgreSQL (running servers hear of the change through
// Redis when REDIS_URL is set). With the embedded database, here when no other process holds it; when a server
// holds it, inside that server, through its admin channel (admin-channel.ts). Exits 0, 1 (failed) or 2 (usage).
import { isAlive, openDatabase, DatabaseLockedError } from '../db/client.ts';
import { connectionProblem } from '../db/errors.ts';
import type { Config } from '../config.ts';
import { createServices } from '../services/index.ts';
import { createInvalidationBus } from '../services/invalidation.ts';
import { callAdminChannel, ChannelUnavailableError, readInfo } from './admin-channel.ts';
import { EXIT, parseAdminArgs, reportAdminError, runAdmin, type AdminIO } from './admin-commands.ts';
import { readProcessConfig } from './process-config.ts';

/** How long to wait for a server that holds the embedded database to open its admin channel (it may be migrating). */
const CHANNEL_WAIT_MS = 30_000;
const POLL_MS = 200;

const io: AdminIO = { out: (line) => console.log(line), err: (line) => console.error(line) };

async function main(argv: string[]): Promise<number> {
  // Help and usage errors need no database.
  try {
    const parsed = parseAdminArgs(argv);
    if (parsed.kind === 'help') {
      io.out(parsed.text);
      return EXIT.ok;
    }
  } catch (err) {
    return reportAdminError(err, io);
  }
  const config = readProcessConfig();
  if (!config) return EXIT.failed;
  try {
    // A server that held the database may stop while we wait for it: then open the database ourselves.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return await runHere(config, argv);
      } catch (err) {
        if (!(err instanceof DatabaseLockedError) || err.pid === process.pid) throw err;
        const exit = await runInServer(config.dataDir, err.pid, argv);
        if (exit !== 'holder-gone') return exit;
      }
    }
    throw new Error(`The embedded database in ${config.dataDir} keeps changing hands; try again.`);
  } catch (err) {
    const problem = connectionProblem(err, config.databaseUrl);
    return reportAdminError(problem ? new Error(problem) : err, io);
  }
}

/** Opens the database in this process and runs the command on services of its own. */
async function runHere(config: Readonly<Config>, argv: string[]): Promise<number> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  // The same kind of bus the servers use, so they forget what they cached about what we change.
  let warned = false;
  const invalidation = createInvalidationBus({
    redisUrl: config.redisUrl,
    prefix: config.redisPrefix,
    // One warning says it all (a Redis that is down fails every retry the same way).
    log: {
      warn: (obj, msg) => {
        if (warned) return;
        warned = true;
        const detail = (obj as { err?: unknown }).err;
        io.err(`Warning: ${msg}${detail ? ` (${String(detail)})` : ''}: running servers see changes when their caches expire.`);
      },
    },
  });
  try {
    await db.migrate();
    // baseUrl: invitation links name the console at the public URL.
    const services = createServices({ prisma: db.prisma, invalidation, secretGraceMs: config.secretGraceMs, baseUrl: () => config.publicUrl });
    return await runAdmin(argv, services, io);
  } finally {
    await invalidation.close();
    await db.close();
  }
}

/**
 * Runs the command inside the server process `pid` that holds the embedded database, once its admin channel
 * is up. 'holder-gone' when that process exits first (the caller opens the database itself).
 */
async function runInServer(dataDir: string, pid: number, argv: string[]): Promise<number | 'holder-gone'> {
  const deadline = Date.now() + CHANNEL_WAIT_MS;
  let told = false;
  for (;;) {
    if (!isAlive(pid)) return 'holder-gone';
    const info = readInfo(dataDir);
    if (info?.pid === pid) {
      try {
        return await callAdminChannel(info, argv, io);
      } catch (err) {
        // Nothing listening yet or any more: wait for the server to come up, or to be gone.
        if (!(err instanceof ChannelUnavailableError)) throw err;
      }
    }
    if (Date.now() > deadline) {
      throw new Error(
        `The embedded database in ${dataDir} is held by process ${pid}, which does not answer admin commands ` +
          `(no ${dataDir}/admin.json of its own). A VeryChat server opens its channel once started: if it is one, ` +
          'restart it; if it is something else, stop it.',
      );
    }
    if (!told) {
      io.err(`Process ${pid} holds the embedded database (a server still starting, or another admin command); waiting…`);
      told = true;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

// PGlite's close() resets process.exitCode (Emscripten's exit path), so the code is set after everything closed.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.exitCode = reportAdminError(err, io);
  },
);
