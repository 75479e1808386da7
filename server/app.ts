// Composition root: builds the Fastify app and every service from config + dependencies. Never listens.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import cors from '@fastify/cors';
import compress from '@fastify/compress';
import cookie from '@fastify/cookie';
import { consoleRoutes } from './http/console.routes.ts';
import { consoleAdminRoutes } from './http/console-admin.routes.ts';
import { CSRF_HEADER } from '../protocol/console.ts';
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
import { paymentRoutes } from './http/payments.routes.ts';
import { receiptRoutes } from './http/receipts.routes.ts';
import { helpRoutes } from './http/help.routes.ts';
import { helpCenterRoutes } from './http/help-center.routes.ts';
import { assistantRoutes } from './http/assistant.routes.ts';
import { supportRoutes } from './http/support.routes.ts';
import { attachRealtime, type VeryChatServer } from './realtime/gateway.ts';
import { corsOriginCheck } from './cors.ts';
import { proxyRule } from './proxy.ts';
import { createInvalidationBus } from './services/invalidation.ts';
import { Redis } from 'ioredis';

/** The widget's pre-socket REST calls (settings, session): see the CORS delegator below. */
const WIDGET_API = '/api/v1/widget/';

export interface AppDeps {
  db: Database;
  /** A ready logger (tests pass a silent one); otherwise built from config.logLevel. */
  logger?: Logger;
  now?: () => number;
  /** How often this instance wakes due snoozes (tests that wake them by hand set it out of their way). */
  snoozeSweepMs?: number;
}

/** `chat`, `payments` and `notifications` are shortcuts into `services`, for tests. */
export interface App extends Pick<Services, 'chat' | 'payments' | 'notifications'> {
  fastify: FastifyInstance;
  services: Services;
  io: VeryChatServer;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** On shutdown, how long HTTP requests still running after the sockets closed may take. */
const HTTP_GRACE_MS = 2_500;

export async function createApp(config: Readonly<Config>, deps: AppDeps): Promise<App> {
  const now = deps.now ?? Date.now;
  // One rule for request.ip/protocol here and for the socket handshake (TRUST_PROXY).
  const proxy = proxyRule(config.trustProxy);
  const fastify = Fastify({
    loggerInstance: (deps.logger ?? createLogger(config.logLevel)) as FastifyBaseLogger,
    bodyLimit: 256 * 1024,
    trustProxy: proxy.fastify,
    // Keep a caller's request id (from a proxy) when it is sane, so logs line up across hops.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    return503OnClosing: true,
  });
  const publicOrigin = new URL(config.publicUrl).origin;
  const redis = config.redisUrl ? connectRedis(config.redisUrl, fastify.log as Logger) : undefined;
  const invalidation = createInvalidationBus({ redisUrl: config.redisUrl, prefix: config.redisPrefix, log: fastify.log });
  // Listening before other instances' changes can arrive would let this one cache what they just changed.
  await invalidation.ready;
  const services = createServices({
    prisma: deps.db.prisma,
    sql: deps.db.sql,
    now,
    // With PORT=0 (tests, benches) the public URL's port is known only once listening.
    baseUrl: () => {
      const address = fastify.server.address();
      return typeof address === 'object' && address ? config.publicUrl.replace(/:0$/, `:${address.port}`) : config.publicUrl;
    },
    rateLimits: { redis: redis?.limiter, prefix: config.redisPrefix, multiplier: config.rateLimitMultiplier },
    invalidation,
    secretGraceMs: config.secretGraceMs,
    ...(deps.snoozeSweepMs !== undefined && { snoozeSweepMs: deps.snoozeSweepMs }),
    // Passed whole: its key is not enumerable, so a spread would lose it.
    llm: config.llm,
    log: fastify.log,
  });
  const corsOrigin = corsOriginCheck(services.workspaces, publicOrigin);

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
        // HTTPS only, below: over plain HTTP it would send the page's own scripts to an https:// that isn't there.
        upgradeInsecureRequests: null,
      },
    },
    hsts: false,
    // Same-origin requests keep their Referer (nothing is sent across origins): on plain-HTTP LAN addresses
    // browsers send no Sec-Fetch-Site, and the Referer is how a page of ours is recognised (cors.ts).
    referrerPolicy: { policy: 'same-origin' },
    // The widget's scripts and API are loaded from merchants' origins.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    crossOriginEmbedderPolicy: false,
  });
  // Behind a proxy TRUST_PROXY does not name, every client looks like the proxy and shares its per-IP limits
  // (handshakes, open sockets, logins): say so once, where the operator looks. (A client can send the header
  // too; then the warning is merely early.)
  let warnedForwarded = false;
  fastify.addHook('onRequest', async (request) => {
    if (warnedForwarded || request.headers['x-forwarded-for'] === undefined || proxy.fromTrustedProxy(request.raw)) return;
    warnedForwarded = true;
    request.log.warn(
      { peer: request.raw.socket.remoteAddress },
      'X-Forwarded-For from a peer TRUST_PROXY does not trust: ignored, so clients behind it share its address and per-IP limits; set TRUST_PROXY if it is your proxy',
    );
  });

  // What only makes sense over HTTPS (the connection's, or a trusted proxy's): a page opened over plain HTTP,
  // such as the demo storefront by LAN address from a phone, must keep loading its scripts over HTTP.
  fastify.addHook('onRequest', async (request, reply) => {
    if (proxy.protocol(request.raw) !== 'https') return;
    void reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    // Helmet has written the policy on the raw response by now (its hook runs first).
    const csp = reply.raw.getHeader('content-security-policy');
    if (typeof csp === 'string') reply.raw.setHeader('content-security-policy', `${csp};upgrade-insecure-requests`);
  });

  const corsOptions = {
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['content-type', 'authorization', 'x-request-id', SITE_KEY_HEADER.toLowerCase(), CSRF_HEADER.toLowerCase()],
    exposedHeaders: ['x-request-id', 'retry-after'],
    maxAge: 600,
  };
  await fastify.register(cors, {
    // The widget's two calls before its socket may be read from any origin: they carry no credentials,
    // check the origin against the site key's workspace themselves, and a page that is not allowed must be
    // able to read the coded refusal to say "not available here" (and tell the merchant the fix) instead of
    // taking a blocked response for an outage and retrying forever.
    delegator: async (request: { url?: string }) => ({ ...corsOptions, origin: request.url?.startsWith(WIDGET_API) ? true : corsOrigin }),
  });
  await fastify.register(compress, { threshold: 1024 });
  // The console's session cookie (read on every request; set by login, cleared by logout).
  await fastify.register(cookie);

  registerErrorHandling(fastify);
  healthRoutes(fastify, { db: deps.db, version: config.version, startedAt: now() });
  agentRoutes(fastify, services, { proxy });
  widgetRoutes(fastify, services, { proxy });
  helpRoutes(fastify, services, { proxy });
  pageRoutes(fastify, { prisma: deps.db.prisma, demo: config.demo });
  if (config.demo) demoRoutes(fastify, services, { prisma: deps.db.prisma, publicOrigin });
  conversationRoutes(fastify, services);
  consoleRoutes(fastify, services);
  consoleAdminRoutes(fastify, services);
  assistantRoutes(fastify, services);
  await paymentRoutes(fastify, services, { now });
  receiptRoutes(fastify, services);
  helpCenterRoutes(fastify, services, { prisma: deps.db.prisma, demo: config.demo, proxy });
  await staticRoutes(fastify);
  await supportRoutes(fastify);

  const realtime = attachRealtime(fastify, {
    services,
    logger: fastify.log as Logger,
    corsOrigin,
    publicOrigin,
    proxy,
    maxRunningCommands: config.maxRunningCommands,
    ...(redis && { redis: { pub: redis.pub, sub: redis.sub, prefix: config.redisPrefix } }),
  });
  services.publisher.attach(realtime.publisher);
  services.inbox.start();
  // Runs after the gateway's: sockets are closed by now. Requests still running get a moment more, then their
  // connections are cut: a client that stopped reading its response (or never finished sending its body)
  // must not hold the process until the supervisor kills it.
  fastify.addHook('preClose', async () => {
    setTimeout(() => fastify.server.closeAllConnections(), HTTP_GRACE_MS).unref();
  });
  fastify.addHook('onClose', async () => {
    services.inbox.close();
    await services.payments.flush();
    services.publisher.attach(null);
    if (redis) await Promise.allSettled([redis.pub.quit(), redis.sub.quit(), redis.limiter.quit()]);
    await invalidation.close();
  });

  const { chat, payments, notifications } = services;
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
