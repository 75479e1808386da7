// The process: configuration, database, app, listen, and a graceful stop. Everything else is in createApp.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startAdminChannel } from './cli/admin-channel.ts';
import { runAdmin } from './cli/admin-commands.ts';
import { readProcessConfig } from './cli/process-config.ts';
import { openDatabase } from './db/client.ts';
import { connectionProblem } from './db/errors.ts';
import { createApp } from './app.ts';
import { createLogger, logFormatFor } from './logger.ts';
import { REPO_ROOT } from './paths.ts';
import { lanOrigins, prepareStartup, startupBanner, syncDemoLanOrigins } from './services/bootstrap.ts';

const SHUTDOWN_TIMEOUT_MS = 10_000;

async function main(): Promise<void> {
  const t0 = performance.now();
  const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  const config = readProcessConfig(version);
  if (!config) process.exit(1);

  const logger = createLogger(config.logLevel, undefined, logFormatFor(config.env));
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log: (m) => logger.info(m) });
  const { applied } = await db.migrate().catch(async (err: unknown) => {
    const problem = connectionProblem(err, config.databaseUrl);
    await db.close();
    throw problem ? new Error(problem) : err;
  });
  if (applied.length) logger.info({ applied }, 'database migrated');

  const app = await createApp(config, { db, logger });
  if (db.kind === 'pglite') {
    // This process holds the embedded database, so `npm run verychat` commands run here (cli/admin-channel.ts).
    const channel = await startAdminChannel({ dataDir: config.dataDir, log: logger, run: (argv, io) => runAdmin(argv, app.services, io) }).catch(
      (err: unknown) => {
        logger.warn({ err }, 'admin channel unavailable: npm run verychat needs this server stopped');
        return null;
      },
    );
    if (channel) app.fastify.addHook('onClose', () => channel.close());
  }
  const startup = await prepareStartup(db.prisma, app.services, { demo: config.demo, origins: config.demoOrigins });
  app.services.assistant.search.warmDefaults();
  await app.fastify.listen({ port: config.port, host: config.host });

  const address = app.fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = config.publicUrl.replace(`:${config.port}`, `:${port}`);
  const dbDescription = db.kind === 'pglite' ? `embedded PGlite in ${path.resolve(config.dataDir)}` : 'PostgreSQL (DATABASE_URL)';
  // The demo storefront opened from a phone on the same network: its page's origin is this machine's address.
  const lan = startup.demo ? lanOrigins(config.host, port) : [];
  if (startup.demo) await syncDemoLanOrigins(db.prisma, app.services, startup.demo.workspace.id, lan);
  process.stdout.write(`\n${startupBanner(url, startup, dbDescription, lan)}\n\n`);
  logger.info({ url, startupMs: Math.round(performance.now() - t0), version }, 'ready');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    try {
      // Stops accepting, lets in-flight requests finish, closes sockets (onClose hooks), then the database.
      await app.fastify.close();
      await db.close();
      logger.info('stopped');
      process.exitCode = 0;
    } catch (err) {
      logger.error({ err }, 'error during shutdown');
      process.exitCode = 1;
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error('VeryChat failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
