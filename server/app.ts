// Composition root: builds the Fastify app and every service from config + dependencies. Never listens.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import cors from '@fastify/cors';
import compress from '@fastify/compress';
import { SITE_KEY_HEADER } from '../protocol/values.ts';
import type { Config } from './config.ts';
import type { Database } from './db/client.ts';
import { createLogger, type Logger } from './logger.ts';
import { createServices, type Services } from './services/index.ts';
import { registerErrorHandling } from './http/errors.ts';
import { healthRoutes } from './http/health.routes.ts';
import { agentRoutes } from './http/agent.routes.ts';
import { widgetRoutes } from './http/widget.routes.ts';
import { pageRoutes } from './http/pages.routes.ts';
import { demoRoutes } from './http/demo.routes.ts';
import { conversationRoutes } from './http/conversations.routes.ts';
import { staticRoutes } from './http/static.routes.ts';
import { attachRealtime, type VeryChatServer } from './realtime/gateway.ts';
import { ChatService } from './services/chat/chat.service.ts';
import { NotificationService } from './services/notifications/notifications.service.ts';
import { PaymentService } from './services/payments/payments.service.ts';
import { ReceiptService } from './services/payments/receipts.service.ts';
import { paymentRoutes } from './http/payments.routes.ts';
import { receiptRoutes } from './http/receipts.routes.ts';
import { LatePublisher } from './services/publisher.ts';
import { RateLimits } from './services/rate-limits.ts';
import { Redis } from 'ioredis';

export interface AppDeps {
  db: Database;
  /** A ready logger (tests pass a silent one); otherwise built from config.logLevel. */
  logger?: Logger;
  now?: () => number;
}

export interface App {
  fastify: FastifyInstance;
  services: Services;
  chat: ChatService;
  payments: PaymentService;
  notifications: NotificationService;
  io: VeryChatServer;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export async function createApp(config: Readonly<Config>, deps: AppDeps): Promise<App> {
  const now = deps.now ?? Date.now;
  const fastify = Fastify({
    loggerInstance: (deps.logger ?? createLogger(config.logLevel)) as FastifyBaseLogger,
    bodyLimit: 256 * 1024,
    trustProxy: config.env === 'production',
    // Keep a caller's request id (from a proxy) when it is sane, so logs line up across hops.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    return503OnClosing: true,
  });
  const services = createServices(deps.db.prisma, now);
  const publicOrigin = new URL(config.publicUrl).origin;
  const redis = config.redisUrl ? connectRedis(config.redisUrl, fastify.log as Logger) : undefined;
  const rateLimits = new RateLimits({ redis: redis?.limiter, prefix: config.redisPrefix, multiplier: config.rateLimitMultiplier });
  const publisher = new LatePublisher();
  const chat = new ChatService(deps.db.prisma, publisher);
  // Receipt links use the public URL; with PORT=0 (tests, benches) its port is known only once listening.
  const baseUrl = () => {
    const address = fastify.server.address();
    return typeof address === 'object' && address ? config.publicUrl.replace(/:0$/, `:${address.port}`) : config.publicUrl;
  };
  const notifications = new NotificationService(deps.db.prisma, publisher);
  const payments = new PaymentService({ prisma: deps.db.prisma, publisher, notifications, cards: chat, baseUrl });
  const receipts = new ReceiptService(deps.db.prisma, { tokens: services.tokens, agents: services.agents, baseUrl });

  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });

  await fastify.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // The widget injects its CSS into a shadow root as <style>.
        styleSrc: ["'self'", "'unsafe-inline'"],
        connectSrc: ["'self'", 'ws:', 'wss:'],
        imgSrc: ["'self'", 'data:'],
        frameAncestors: ["'none'"],
      },
    },
    // The widget's scripts and API are loaded from merchants' origins.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    crossOriginEmbedderPolicy: false,
  });

  // CORS reflects only origins some workspace allows (or our own); each route then checks the
  // origin against its own workspace, so one merchant's origin cannot act on another's data.
  await fastify.register(cors, {
    origin: (origin, cb) => {
      if (!origin || origin === publicOrigin) return cb(null, true);
      services.workspaces.isOriginKnown(origin).then(
        (known) => cb(null, known),
        (err: Error) => cb(err, false),
      );
    },
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['content-type', 'authorization', 'x-request-id', SITE_KEY_HEADER.toLowerCase()],
    exposedHeaders: ['x-request-id', 'retry-after'],
    maxAge: 600,
  });
  await fastify.register(compress, { threshold: 1024 });

  registerErrorHandling(fastify);
  healthRoutes(fastify, { db: deps.db, version: config.version, startedAt: now() });
  agentRoutes(fastify, services, rateLimits);
  widgetRoutes(fastify, services);
  pageRoutes(fastify, { prisma: deps.db.prisma, demo: config.demo });
  if (config.demo) demoRoutes(fastify, { prisma: deps.db.prisma, payments, rateLimits, publicOrigin });
  conversationRoutes(fastify, { services, chat, rateLimits });
  await paymentRoutes(fastify, { services, payments, rateLimits, now });
  receiptRoutes(fastify, { receipts });
  await staticRoutes(fastify);

  const realtime = attachRealtime(fastify, {
    services,
    chat,
    notifications,
    rateLimits,
    logger: fastify.log as Logger,
    publicOrigin,
    trustProxy: config.env === 'production',
    ...(redis && { redis: { pub: redis.pub, sub: redis.sub, prefix: config.redisPrefix } }),
  });
  publisher.attach(realtime.publisher);
  fastify.addHook('onClose', async () => {
    await payments.flush();
    publisher.attach(null);
    if (redis) await Promise.allSettled([redis.pub.quit(), redis.sub.quit(), redis.limiter.quit()]);
  });

  return { fastify, services, chat, payments, notifications, io: realtime.io };
}

function connectRedis(url: string, log: Logger) {
  const make = (role: string) => {
    const client = new Redis(url, { maxRetriesPerRequest: 2, enableOfflineQueue: role !== 'limiter' });
    // ioredis reconnects by itself; log instead of crashing on transient errors.
    client.on('error', (err: Error) => log.warn({ role, err: err.message }, 'redis error'));
    return client;
  };
  return { pub: make('pub'), sub: make('sub'), limiter: make('limiter') };
}
