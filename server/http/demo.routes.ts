// Demo-only helpers for the storefront served at `/`: sign in as a demo customer, simulate payments.
// Registered only when config.demo is on (never with NODE_ENV=production unless DEMO=on), and they act
// only on the workspace bootstrap created (settings.demo), which is what a merchant backend would do.
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { normalizeOrigin } from '../config.ts';
import type { PrismaClient } from '../db/generated/client.ts';
import { AppError, parseInput } from '../errors.ts';
import { QUIET_ROUTE } from '../logger.ts';
import { REPO_ROOT } from '../paths.ts';
import { signIdentityToken } from '../sdk/index.ts';
import type { Services } from '../services/index.ts';
import { findDemoWorkspace } from '../services/bootstrap.ts';

export const DEMO_USERS = { user123: 'Alice (user123)', user456: 'Bob (user456)' } as const;
const DemoUser = z.enum(Object.keys(DEMO_USERS) as [keyof typeof DEMO_USERS, ...(keyof typeof DEMO_USERS)[]]);

export function demoRoutes(
  app: FastifyInstance,
  services: Services,
  deps: { prisma: PrismaClient; publicOrigin: string },
) {
  async function demoWorkspace(request: FastifyRequest) {
    // Same-origin only: these are buttons on our own demo page, not an API.
    const origin = request.headers.origin;
    const host = request.headers.host;
    // normalizeOrigin answers null for what is no http(s) origin, such as the `Origin: null` of sandboxed frames.
    const normalized = origin === undefined ? null : normalizeOrigin(origin);
    const sameOrigin = origin === deps.publicOrigin || (host !== undefined && normalized !== null && new URL(normalized).host === host);
    if (!sameOrigin) throw new AppError('ORIGIN_NOT_ALLOWED', 'Demo endpoints answer the demo page only.');
    await services.rateLimits.consume('command:conn', 'visitor', `demo:${request.ip}`);
    const ws = await findDemoWorkspace(deps.prisma);
    if (!ws) throw new AppError('NOT_FOUND', 'No demo workspace.');
    return ws;
  }

  app.get('/demo/storefront.js', QUIET_ROUTE, async (_request, reply) => {
    const js = await readFile(path.join(REPO_ROOT, 'examples', 'storefront', 'demo.js'), 'utf8');
    return reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(js);
  });

  app.post('/demo/identity', async (request) => {
    const { user } = parseInput(z.object({ user: DemoUser }).strict(), request.body);
    const ws = await demoWorkspace(request);
    const token = await signIdentityToken({ secret: ws.secret, sub: user, name: DEMO_USERS[user], expiresIn: 3600 });
    return { user, name: DEMO_USERS[user], token };
  });

  app.post('/demo/payments', async (request, reply) => {
    const body = parseInput(z.object({ user: DemoUser, kind: z.enum(['success', 'failure']) }).strict(), request.body);
    const ws = await demoWorkspace(request);
    const other: keyof typeof DEMO_USERS = body.user === 'user123' ? 'user456' : 'user123';
    const id = `demo_${randomUUID()}`;
    const event =
      body.kind === 'success'
        ? { id, type: 'payment.succeeded' as const, amount: '100', token: 'VRC', payer: other, payee: body.user, memo: 'Order #1042' }
        : {
            id,
            type: 'payment.failed' as const,
            amount: '42.5',
            token: 'VRC',
            payer: body.user,
            payee: other,
            failure: { code: 'insufficient_funds', message: 'Insufficient balance in the wallet.' },
          };
    // Named as a merchant's backend would name them: the other demo customer may never have signed in.
    const names = { payerName: DEMO_USERS[event.payer], payeeName: DEMO_USERS[event.payee] };
    const result = await services.payments.ingest(ws.id, { ...event, ...names, occurredAt: new Date().toISOString() });
    return reply.status(result.status).type('application/json').send(result.body);
  });
}
