// The process: configuration, database, app, listen, and a graceful stop. Everything else is in createApp.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from './config.ts';
import { openDatabase } from './db/client.ts';
import { createApp } from './app.ts';
import { createLogger, logFormatFor } from './logger.ts';
import { REPO_ROOT } from './paths.ts';
import { prepareStartup, startupBanner } from './services/bootstrap.ts';

const SHUTDOWN_TIMEOUT_MS = 10_000;

async function main(): Promise<void> {
  const t0 = performance.now();
  if (existsSync('.env')) process.loadEnvFile('.env');
  const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

  let config;
  try {
    config = loadConfig(process.env, version);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }

  const logger = createLogger(config.logLevel, undefined, logFormatFor(config.env));
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log: (m) => logger.info(m) });
  const { applied } = await db.migrate();
  if (applied.length) logger.info({ applied }, 'database migrated');

  const app = await createApp(config, { db, logger });
  const startup = await prepareStartup(db.prisma, app.services, { demo: config.demo, origins: config.demoOrigins });
  await app.fastify.listen({ port: config.port, host: config.host });

  const address = app.fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = config.publicUrl.replace(`:${config.port}`, `:${port}`);
  const dbDescription = db.kind === 'pglite' ? `embedded PGlite in ${path.resolve(config.dataDir)}` : 'PostgreSQL (DATABASE_URL)';
  process.stdout.write(`\n${startupBanner(url, startup, dbDescription)}\n\n`);
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
