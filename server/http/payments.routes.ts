// Payments over REST: the signed ingestion endpoint for merchants' backends, and the agents' list.
import type { FastifyInstance } from 'fastify';
import { ListPaymentsQuery, PaymentEventInput, SIGNATURE_HEADER, SITE_KEY_HEADER } from '../../protocol/payments.ts';
import { AppError, parseInput } from '../errors.ts';
import type { Services } from '../services/index.ts';
import { verifyPaymentSignature } from '../services/payments/signature.ts';
import { requireAgent } from './auth.ts';

const EVENT_BODY_LIMIT = 64 * 1024;

export async function paymentRoutes(app: FastifyInstance, services: Services, deps: { now: () => number }) {
  const { payments, rateLimits } = services;

  // Own scope: this route keeps the body as the raw bytes received, because the signature covers exactly them.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: EVENT_BODY_LIMIT }, (_request, body, done) => done(null, body));

    // A server-to-server call: the browser headers (helmet), CORS and compression of a small JSON answer only
    // cost time per event here (measured by bench:payments).
    const serverToServer = { helmet: false, compress: false, config: { cors: false } } as const;
    scope.post('/api/v1/payments/events', { bodyLimit: EVENT_BODY_LIMIT, ...serverToServer }, async (request, reply) => {
      const siteKey = request.headers[SITE_KEY_HEADER.toLowerCase()];
      if (typeof siteKey !== 'string' || !siteKey) throw new AppError('AUTH_REQUIRED', `The ${SITE_KEY_HEADER} header is required.`);
      const ws = await services.workspaces.resolveSiteKey(siteKey);
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      verifyPaymentSignature(services.workspaces.acceptedSecrets(ws), request.headers[SIGNATURE_HEADER.toLowerCase()], raw, deps.now());
      await rateLimits.consume('payments:workspace', 'agent', ws.id);
      const event = parseInput(PaymentEventInput, parseJson(raw));
      const result = await payments.ingest(ws.id, event);
      if (result.replayed) void reply.header('idempotent-replayed', 'true');
      return reply.status(result.status).type('application/json; charset=utf-8').send(result.body);
    });
  });

  app.get('/api/v1/payments', async (request) => {
    const { agent } = await requireAgent(services, request);
    return payments.listForWorkspace(agent.workspaceId, parseInput(ListPaymentsQuery, request.query));
  });
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new AppError('VALIDATION_FAILED', 'The body is not valid JSON.');
  }
}
