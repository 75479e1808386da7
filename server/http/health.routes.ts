import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/client.ts';
import { QUIET_ROUTE } from '../logger.ts';

export function healthRoutes(app: FastifyInstance, deps: { db: Database; version: string; startedAt: number }) {
  app.get('/health', QUIET_ROUTE, async (request, reply) => {
    const started = performance.now();
    let database: { kind: string; ok: boolean; latencyMs?: number; error?: string };
    try {
      await deps.db.ping(2_000);
      database = { kind: deps.db.kind, ok: true, latencyMs: Math.round(performance.now() - started) };
    } catch (err) {
      request.log.warn({ err }, 'health check: database unreachable');
      // The cause goes to the log only: connection errors can name hosts and users.
      database = { kind: deps.db.kind, ok: false, error: 'unreachable' };
    }
    const ok = database.ok;
    return reply
      .status(ok ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({
        status: ok ? 'ok' : 'unhealthy',
        version: deps.version,
        uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000),
        database,
      });
  });
}
