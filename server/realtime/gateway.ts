// Socket.io attached to Fastify's HTTP server: handshake authentication, command registration,
// the Publisher implementation, the optional Redis adapter, and a clean close with the app.
import type { FastifyInstance } from 'fastify';
import { Server, type Socket } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import { HandshakeAuth } from '../../protocol/chat.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../protocol/events.ts';
import { AppError, parseInput, toErrorBody } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { browserOrigin, type CorsOriginCheck } from '../cors.ts';
import type { Services } from '../services/index.ts';
import type { Principal } from '../services/principal.ts';
import type { Publisher } from '../services/publisher.ts';
import { rooms, userKey } from '../services/rooms.ts';
import type { Tier } from '../services/rate-limits.ts';
import { chatHandlers } from './chat.handlers.ts';
import { makeRegistrar, type CommandHandlers, type InFlight, type SocketData } from './handle.ts';
import { paymentHandlers, sendNotificationsOnJoin } from './payments.handlers.ts';

export interface RealtimeDeps {
  services: Services;
  logger: Logger;
  /** The same check as the REST API's CORS. */
  corsOrigin: CorsOriginCheck;
  /** This server's own origin: the agent console is served from it. */
  publicOrigin: string;
  trustProxy: boolean;
  /** Two connections (publish + subscribe) for the multi-node adapter. */
  redis?: { pub: Redis; sub: Redis; prefix: string };
}

export type VeryChatServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export function attachRealtime(fastify: FastifyInstance, deps: RealtimeDeps): { io: VeryChatServer; publisher: Publisher } {
  const { services } = deps;
  const io: VeryChatServer = new Server(fastify.server, {
    // Long-polling fallback needs CORS; the handshake itself checks the origin per workspace.
    cors: { origin: deps.corsOrigin, credentials: false },
    // Large enough to answer an oversized message with a coded error instead of dropping the connection.
    maxHttpBufferSize: 2 * 1024 * 1024,
    pingInterval: 20_000,
    pingTimeout: 20_000,
    connectionStateRecovery: undefined,
    serveClient: false,
  });
  if (deps.redis) io.adapter(createAdapter(deps.redis.pub, deps.redis.sub, { key: `${deps.redis.prefix}:sio` }));

  const inFlight: InFlight = new Set();
  const handlers: CommandHandlers = { ...chatHandlers(services.chat, services.rateLimits), ...paymentHandlers(services.notifications) };
  const registerCommands = makeRegistrar({ rateLimits: services.rateLimits, logger: deps.logger, inFlight, handlers });
  sendNotificationsOnJoin(io as unknown as Server, services.notifications, deps.logger);

  io.use(async (socket, next) => {
    try {
      await services.rateLimits.consume('handshake', 'visitor', clientIp(socket, deps.trustProxy));
      socket.data = await authenticate(socket, deps);
      next();
    } catch (err) {
      const body = toErrorBody(err);
      if (body.code === 'INTERNAL') deps.logger.error({ err }, 'socket handshake failed');
      // socket.io-client receives this as connect_error: message = code, data = { code, message }.
      const refusal = new Error(body.code) as Error & { data: unknown };
      refusal.data = body;
      next(refusal);
    }
  });

  io.on('connection', (socket) => {
    const data = socket.data;
    if (data.principal.kind === 'agent') void socket.join(rooms.agents(data.principal.workspaceId));
    registerCommands(socket as unknown as Socket);
    const p = data.principal;
    socket.emit('session', {
      role: p.kind,
      workspace: { id: p.workspaceId, name: data.workspaceName },
      userRoom: data.publicUserRoom,
      contactId: p.kind === 'agent' ? null : p.contactId,
      agentId: p.kind === 'agent' ? p.agentId : null,
    });
  });

  // Close sockets before Fastify closes the HTTP server: open WebSockets would keep it from closing.
  fastify.addHook('preClose', async () => {
    io.local.disconnectSockets(true);
    io.engine.close();
    // Commands already accepted finish (their writes land) before the database is closed.
    await Promise.allSettled([...inFlight]);
    await Promise.resolve(io.of('/').adapter.close?.());
  });

  const publisher: Publisher = {
    publish(roomNames, event, payload) {
      // Typed per event by the Publisher interface; socket.io's overloads can't follow the generic.
      (io.to(roomNames) as unknown as { emit(e: string, p: unknown): void }).emit(event, payload);
    },
  };
  return { io, publisher };
}

async function authenticate(socket: Socket, deps: RealtimeDeps): Promise<SocketData> {
  const { services } = deps;
  const { chat } = services;
  const auth = parseInput(HandshakeAuth, socket.handshake.auth ?? {});
  const ws = await services.workspaces.resolveSiteKey(auth.siteKey);
  const origin = browserOrigin(socket.handshake.headers, socket.handshake.secure);
  let principal: Principal;
  let tier: Tier;

  if (auth.agentToken) {
    const { agent } = await services.agents.authenticate(auth.agentToken);
    services.agents.assertWorkspace(agent, ws.id);
    // A bearer token is not sent by browsers on their own, so Origin only matters when a browser sends one.
    if (origin && origin !== deps.publicOrigin) services.workspaces.assertOrigin(ws, origin);
    principal = { kind: 'agent', workspaceId: ws.id, agentId: agent.id, name: agent.name };
    tier = 'agent';
  } else {
    services.workspaces.assertOrigin(ws, origin);
    if (auth.identityToken) {
      const identity = await services.tokens.verifyIdentityToken(ws, auth.identityToken);
      const contact = await chat.resolveContact(identity);
      if (auth.visitorToken) {
        const visitor = await services.tokens.verifyVisitorToken(ws, auth.visitorToken).catch(() => null);
        if (visitor) await chat.mergeVisitorInto(ws.id, visitor.visitorId, contact.id);
      }
      principal = { kind: 'customer', workspaceId: ws.id, externalId: identity.externalId, contactId: contact.id };
      tier = 'customer';
    } else if (auth.visitorToken) {
      const visitor = await services.tokens.verifyVisitorToken(ws, auth.visitorToken);
      const contactId = await chat.visitorContactId(visitor);
      principal = { kind: 'visitor', workspaceId: ws.id, visitorId: visitor.visitorId, contactId };
      tier = 'visitor';
    } else {
      throw new AppError('AUTH_REQUIRED', 'A visitor token, identity token or agent token is required.');
    }
  }
  const key = userKey(principal);
  return { principal, tier, joined: new Set(), userRoom: rooms.user(ws.id, key), publicUserRoom: key, workspaceName: ws.name };
}

function clientIp(socket: Socket, trustProxy: boolean): string {
  if (trustProxy) {
    const fwd = socket.handshake.headers['x-forwarded-for'];
    const first = (Array.isArray(fwd) ? fwd[0] : fwd)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return socket.handshake.address;
}
