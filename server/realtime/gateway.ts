// Socket.io attached to Fastify's HTTP server: handshake authentication and limits, command registration,
// the Publisher implementation, the optional Redis adapter, open sockets kept in line with changes made
// anywhere (invalidation bus), and a graceful close with the app.
import type { FastifyInstance } from 'fastify';
import { Server, type Socket } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import { HandshakeAuth } from '../../protocol/chat.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../protocol/events.ts';
import { AppError, parseInput, toErrorBody } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { browserOrigin, type CorsOriginCheck } from '../cors.ts';
import type { ProxyRule } from '../proxy.ts';
import type { Services } from '../services/index.ts';
import type { Invalidation } from '../services/invalidation.ts';
import type { Principal } from '../services/principal.ts';
import type { Publisher } from '../services/publisher.ts';
import { identityKey, rooms, userKey } from '../services/rooms.ts';
import type { RateLimits, Tier } from '../services/rate-limits.ts';
import { chatHandlers } from './chat.handlers.ts';
import { CommandTracker, endSession, makeRegistrar, settledWithin, type CommandHandlers, type SocketData } from './handle.ts';
import { paymentHandlers, sendNotificationsOnJoin } from './payments.handlers.ts';
import { assistantHandlers } from './assistant.handlers.ts';
import { announceViewers, consoleHandlers } from './console.handlers.ts';
import fastifyCookie from '@fastify/cookie';
import { cookieToken } from '../http/auth.ts';

export interface RealtimeDeps {
  services: Services;
  logger: Logger;
  /** The same check as the REST API's CORS. */
  corsOrigin: CorsOriginCheck;
  /** This server's own origin: the agent console is served from it. */
  publicOrigin: string;
  /** The same proxy rule as HTTP: the client's address and the page's protocol. */
  proxy: ProxyRule;
  /** Two connections (publish + subscribe) for the multi-node adapter. */
  redis?: { pub: Redis; sub: Redis; prefix: string };
  /** Commands running at once before new ones get OVERLOADED (MAX_RUNNING_COMMANDS). */
  maxRunningCommands?: number;
}

export type VeryChatServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/**
 * Largest frame (one event with its payload, or the handshake) a client may send; a larger one closes the
 * connection. The largest legitimate frame, a message of 4,000 characters written as JSON escapes, stays
 * under 50 KiB.
 */
export const MAX_FRAME_BYTES = 64 * 1024;
/** The handshake's `auth`: a site key and one token. */
const MAX_AUTH_BYTES = 8 * 1024;
/**
 * On shutdown: how long accepted commands may take to finish, then how long sockets get to close. With the
 * HTTP grace after them (app.ts), within the 10 s main.ts allows.
 */
const DRAIN_MS = 4_000;
const CLOSE_MS = 1_500;
const ANSWERS_DRAIN_MS = 1_000;

export function attachRealtime(fastify: FastifyInstance, deps: RealtimeDeps): { io: VeryChatServer; publisher: Publisher } {
  const { services } = deps;
  const io: VeryChatServer = new Server(fastify.server, {
    // Long-polling fallback needs CORS; the handshake itself checks the origin per workspace.
    cors: { origin: deps.corsOrigin, credentials: false },
    maxHttpBufferSize: MAX_FRAME_BYTES,
    pingInterval: 20_000,
    pingTimeout: 20_000,
    connectionStateRecovery: undefined,
    serveClient: false,
  });
  if (deps.redis) io.adapter(createAdapter(deps.redis.pub, deps.redis.sub, { key: `${deps.redis.prefix}:sio` }));
  const local = () => io.of('/').sockets as Map<string, Socket>;

  const commands = new CommandTracker(deps.maxRunningCommands, () => services.chat.congested);
  const counts = new OpenSockets(services.rateLimits);
  const handlers: CommandHandlers = {
    ...chatHandlers(services.chat, services.rateLimits),
    ...paymentHandlers(services.notifications),
    ...assistantHandlers(services.assistantChat),
    ...consoleHandlers(services.inbox, services.chat),
  };
  const registerCommands = makeRegistrar({ rateLimits: services.rateLimits, logger: deps.logger, commands, handlers });
  sendNotificationsOnJoin(io as unknown as Server, services.notifications, deps.logger);

  io.use(async (socket, next) => {
    try {
      if (!commands.accepting) throw new AppError('UNAVAILABLE', 'The server is restarting; reconnect in a moment.');
      const ip = deps.proxy.ip(socket.request);
      await services.rateLimits.consume('handshake', 'visitor', ip);
      const data = await authenticate(socket, deps, ip);
      counts.assertRoom(data);
      socket.data = data;
      // Checked and no longer needed: nothing the client put in the handshake stays for the socket's life.
      socket.handshake.auth = {};
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
    // Counted from here on ('disconnect' always follows); handshakes that raced past the check leave again.
    counts.add(data);
    socket.on('disconnect', () => counts.remove(data));
    if (counts.over(data)) return endSession(socket as unknown as Socket, 'CONNECTION_LIMIT');
    // A visitor is in their own user room from the start: an agent may start a conversation with them
    // (conversation-started). A customer's widget joins theirs with join-user-room when it is ready for the
    // notifications catch-up that joining sends (payments.handlers.ts).
    if (data.principal.kind === 'visitor') void socket.join(data.userRoom);
    if (data.principal.kind === 'agent') {
      const { workspaceId } = data.principal;
      // Agents are always in their own room too (their other tabs' read marks arrive there).
      void socket.join([rooms.agents(workspaceId), data.userRoom]);
      socket.on('disconnect', () => {
        // Rooms are left by now: the others see this console gone from the conversation it showed.
        if (data.viewing) void announceViewers(io.of('/'), workspaceId, data.viewing).catch(() => {});
      });
    }
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

  // A change made on any instance (or by the admin CLI) applies to the sockets open here at once.
  const unsubscribe = services.invalidation.subscribe((event) => {
    void applyToSockets(event).catch((err: unknown) => deps.logger.warn({ err, event: event.type }, 'could not apply a change to open sockets'));
  });

  async function applyToSockets(event: Invalidation): Promise<void> {
    const sockets = [...local().values()];
    switch (event.type) {
      case 'workspace': {
        const mine = sockets.filter((s) => dataOf(s).principal.workspaceId === event.workspaceId);
        if (!mine.length) return;
        const ws = event.deleted ? null : await services.workspaces.resolveSiteKey(event.siteKey).catch(() => null);
        for (const s of mine) {
          if (!ws) endSession(s, 'SITE_KEY_UNKNOWN', 'This workspace no longer exists.');
          else if (originChecked(dataOf(s), services.publicOrigin()) && !services.workspaces.allowsOrigin(ws, dataOf(s).origin)) {
            endSession(s, 'ORIGIN_NOT_ALLOWED', 'This page’s origin is no longer allowed for the workspace.');
          }
        }
        return;
      }
      case 'agent':
        for (const s of sockets) {
          const p = dataOf(s).principal;
          if (p.kind === 'agent' && p.agentId === event.agentId) endSession(s, 'AUTH_INVALID', 'Your session has ended; sign in again.');
        }
        return;
      case 'session':
        // One signed-out session (logout): its tabs close at once, the agent's other sessions stay.
        for (const s of sockets) {
          if (dataOf(s).sessionId === event.sessionId) endSession(s, 'AUTH_INVALID', 'You signed out.');
        }
        return;
      case 'conversations-moved':
        // The anonymous identity's other tabs stop receiving the conversations now owned by the customer.
        for (const s of sockets) {
          const data = dataOf(s);
          if (data.principal.kind === 'agent' || data.principal.contactId !== event.fromContactId) continue;
          for (const id of event.conversationIds) {
            data.joined.delete(id);
            void s.leave(rooms.conversation(id));
          }
        }
        return;
      case 'all':
        return;
    }
  }

  // Before Fastify closes the HTTP server (open WebSockets would keep it from closing).
  fastify.addHook('preClose', async () => {
    unsubscribe();
    // New handshakes and commands are refused from now on (UNAVAILABLE: the client retries elsewhere or
    // later); commands already accepted finish, and their answers go out over the still-open sockets.
    const finished = await commands.drain(DRAIN_MS);
    if (!finished) deps.logger.warn('shutdown: some socket commands were still running');
    // Answers the assistant is composing for accepted questions go out too (the embedded engine takes
    // milliseconds; an LLM answer still running is cut short and its question stays for a retry).
    if (!(await services.assistantChat.drain(ANSWERS_DRAIN_MS))) deps.logger.warn('shutdown: some assistant answers were cut short');
    services.assistantChat.close();
    const sockets = [...local().values()];
    const closed = Promise.all(sockets.map((s) => connectionClosed(s)));
    for (const s of sockets) endSession(s, 'UNAVAILABLE', 'The server is restarting; reconnect in a moment.');
    await settledWithin(closed, CLOSE_MS);
    io.engine.close();
    await Promise.resolve(io.of('/').adapter.close?.());
  });

  const publisher: Publisher = {
    publish(roomNames, event, payload, opts) {
      // Every socket is in a room named by its id (on every instance, with Redis): `except` skips it.
      const to = opts?.except ? io.to(roomNames).except(opts.except) : io.to(roomNames);
      // Typed per event by the Publisher interface; socket.io's overloads can't follow the generic.
      (to as unknown as { emit(e: string, p: unknown): void }).emit(event, payload);
    },
    async occupied(room) {
      // This instance first (no round trip); with Redis, the others answer fetchSockets.
      if (io.of('/').adapter.rooms.get(room)?.size) return true;
      if (!deps.redis) return false;
      return (await io.in(room).fetchSockets()).length > 0;
    },
  };
  return { io, publisher };
}

const dataOf = (s: Socket) => s.data as SocketData;

/** Whether the page's origin matters for this socket: always for customers, for agents when a browser sent one. */
function originChecked(data: SocketData, publicOrigin: string): boolean {
  return data.principal.kind !== 'agent' || (data.origin !== undefined && data.origin !== publicOrigin);
}

async function authenticate(socket: Socket, deps: RealtimeDeps, ip: string): Promise<SocketData> {
  const { services } = deps;
  const { chat } = services;
  const auth = parseInput(HandshakeAuth, boundedAuth(socket.handshake.auth));
  const ws = await services.workspaces.resolveSiteKey(auth.siteKey);
  const origin = browserOrigin(socket.request, deps.proxy);
  let principal: Principal;
  let tier: Tier;
  let sessionId: string | undefined;
  // The console (same origin) signs its socket in with the session cookie. Only when the handshake carries
  // no token at all: a widget on a page of this origin (the demo storefront) sends the cookie too, and
  // stays the visitor it says it is. A cookie from another origin's page is refused outright.
  const cookie = auth.agentToken || auth.visitorToken || auth.identityToken ? undefined : cookieToken(parseCookies(socket.request.headers.cookie));
  if (cookie && origin !== services.publicOrigin()) {
    throw new AppError('CSRF_REJECTED', 'The console’s session cookie is accepted from the console’s own origin only.');
  }
  const agentToken = auth.agentToken ?? cookie;

  if (agentToken) {
    const session = await services.agents.authenticate(agentToken);
    const { agent } = session;
    services.agents.assertWorkspace(agent, ws.id);
    principal = { kind: 'agent', workspaceId: ws.id, agentId: agent.id, name: agent.name };
    tier = 'agent';
    sessionId = session.sessionId;
  } else {
    // Before any token is looked at: a page the workspace does not allow gets nothing done in its name.
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
      // No row yet: visitors become contacts when they first write.
      const contactId = await chat.visitorContactId(visitor);
      principal = { kind: 'visitor', workspaceId: ws.id, visitorId: visitor.visitorId, contactId };
      tier = 'visitor';
    } else {
      throw new AppError('AUTH_REQUIRED', 'A visitor token, identity token or agent token is required.');
    }
  }
  const data: SocketData = {
    principal,
    tier,
    joined: new Set(),
    userRoom: rooms.user(ws.id, userKey(principal)),
    publicUserRoom: userKey(principal),
    workspaceName: ws.name,
    ip,
    origin,
    ...(sessionId && { sessionId }),
  };
  // Agents: a bearer token is not sent by browsers on their own, so Origin only matters when a browser sends one.
  if (originChecked(data, services.publicOrigin())) services.workspaces.assertOrigin(ws, origin);
  return data;
}

function parseCookies(header: string | undefined): Record<string, string> | undefined {
  if (!header || header.length > MAX_AUTH_BYTES) return undefined;
  return fastifyCookie.parse(header);
}

/** The handshake's `auth`, refused before validation when it is larger than any valid one. */
function boundedAuth(auth: unknown): unknown {
  let size: number;
  try {
    size = JSON.stringify(auth ?? {}).length;
  } catch {
    size = Infinity;
  }
  if (size > MAX_AUTH_BYTES) throw new AppError('PAYLOAD_TOO_LARGE', 'The handshake is too large.');
  return auth ?? {};
}

/**
 * Open sockets on this instance per client IP and per identity. Keys live only while a socket is open, so
 * the maps are bounded by the open sockets themselves.
 */
class OpenSockets {
  private readonly open = new Map<string, number>();
  constructor(private readonly limits: Pick<RateLimits, 'connectionCap'>) {}

  private keys(d: SocketData): [key: string, cap: number][] {
    const keys: [string, number][] = [[`id:${identityKey(d.principal)}`, this.limits.connectionCap(d.tier)]];
    if (d.principal.kind !== 'agent') keys.push([`ip:${d.ip}`, this.limits.connectionCap('ip')]);
    return keys;
  }

  /** Throws CONNECTION_LIMIT when one more socket would be one too many. */
  assertRoom(d: SocketData): void {
    if (this.keys(d).some(([key, cap]) => (this.open.get(key) ?? 0) >= cap)) throw new AppError('CONNECTION_LIMIT');
  }
  over(d: SocketData): boolean {
    return this.keys(d).some(([key, cap]) => (this.open.get(key) ?? 0) > cap);
  }
  add(d: SocketData): void {
    for (const [key] of this.keys(d)) this.open.set(key, (this.open.get(key) ?? 0) + 1);
  }
  remove(d: SocketData): void {
    for (const [key] of this.keys(d)) {
      const n = (this.open.get(key) ?? 0) - 1;
      if (n > 0) this.open.set(key, n);
      else this.open.delete(key);
    }
  }
}

/** Settles when the socket's connection (its transport) has closed. */
function connectionClosed(socket: Socket): Promise<void> {
  const conn = socket.conn as unknown as { readyState: string; once(event: 'close', fn: () => void): void };
  if (conn.readyState === 'closed') return Promise.resolve();
  return new Promise((resolve) => conn.once('close', () => resolve()));
}
