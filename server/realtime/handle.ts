// The one wrapper every socket command goes through: rate limit, validate, call, acknowledge. Commands
// come from the protocol's table (payload schema, acked or not); handlers supply only what they do and
// which rate limits they spend. Any other event name spends the same per-connection budget and is answered
// with UNKNOWN_EVENT; a connection that keeps sending unknown or invalid requests is closed.
import type { Socket } from 'socket.io';
import type { ZodType } from 'zod';
import { ERROR_CODES, type ErrorBody, type ErrorCode } from '../../protocol/errors.ts';
import { COMMANDS, isCommandName, type CommandName, type Commands } from '../../protocol/events.ts';
import { AppError, parseInput, toErrorBody } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Principal } from '../services/principal.ts';
import type { LimitName, RateLimits, Tier } from '../services/rate-limits.ts';
import { identityKey } from '../services/rooms.ts';

export interface SocketData {
  principal: Principal;
  tier: Tier;
  /** Conversations this socket has joined; typing is only relayed into these. */
  joined: Set<string>;
  /** The user room this socket may join (its own). */
  userRoom: string;
  publicUserRoom: string;
  workspaceName: string;
  /** The client's address (TRUST_PROXY's rule): open sockets are capped per IP. */
  ip: string;
  /** The page's origin at the handshake; checked again when the workspace's origins change. */
  origin: string | undefined;
  /** Agents: the session the socket signed in with (a logout closes that session's sockets). */
  sessionId?: string;
  /** Agents: the conversation the console shows on this socket (`view-conversation`). */
  viewing?: string | null;
}

/** Answers that mean the client sent garbage; each spends the connection's `invalid:conn` budget. */
const INVALID: ReadonlySet<ErrorCode> = new Set(['VALIDATION_FAILED', 'PAYLOAD_TOO_LARGE', 'UNKNOWN_EVENT']);

export interface CommandContext {
  socket: Socket;
  data: SocketData;
}

export interface CommandHandler<K extends CommandName> {
  /** Spent in order before validation; `…:conn` limits count per connection, the others per identity. */
  limits: LimitName[];
  // Method syntax on purpose (its parameters are bivariant): the registrar holds every handler as a
  // CommandHandler<CommandName> and gives each only the payload its own command's schema accepted.
  run(payload: Commands[K]['payload'], ctx: CommandContext): Promise<Commands[K]['reply']>;
}

/** One handler per command in the table: a command without one is a type error. */
export type CommandHandlers = { [K in CommandName]: CommandHandler<K> };

/**
 * Commands in progress, and whether new ones are taken. Shutdown stops taking them, then waits for those
 * running, whose answers still reach their sockets (which close only afterwards).
 */
export class CommandTracker {
  private readonly running = new Set<Promise<unknown>>();
  private draining = false;

  /**
   * `max`: commands running at once; past it, or while `congested()` says what they wait for is backlogged,
   * `full` is true and new ones are refused (OVERLOADED).
   */
  constructor(
    private readonly max = Infinity,
    private readonly congested: () => boolean = () => false,
  ) {}

  get accepting(): boolean {
    return !this.draining;
  }

  get full(): boolean {
    return this.running.size >= this.max || this.congested();
  }

  track(run: Promise<unknown>): void {
    this.running.add(run);
    const done = () => void this.running.delete(run);
    run.then(done, done);
  }

  /** Stop taking commands; settles once the running ones have answered, or after `ms` (true if they all did). */
  drain(ms: number): Promise<boolean> {
    this.draining = true;
    return settledWithin(Promise.allSettled([...this.running]), ms);
  }
}

/** Whether `promise` settles within `ms`; waits no longer than that either way. */
export async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const, () => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Close a socket on purpose, telling the client why first (`session-ended`, then the disconnect). */
export function endSession(socket: Socket, code: ErrorCode, message: string = ERROR_CODES[code]): void {
  socket.emit('session-ended', { code, message } satisfies ErrorBody);
  socket.disconnect(true);
}

const RESTARTING: ErrorBody = { code: 'UNAVAILABLE', message: 'The server is restarting; reconnect and retry.' };
/** How long an overloaded server asks clients to wait, plus jitter so they do not all come back at once. */
const OVERLOADED_RETRY_MS = 500;
const overloaded = (): ErrorBody => ({ code: 'OVERLOADED', message: ERROR_CODES.OVERLOADED, retryAfterMs: OVERLOADED_RETRY_MS + Math.floor(Math.random() * OVERLOADED_RETRY_MS) });

export function makeRegistrar(deps: { rateLimits: RateLimits; logger: Logger; commands: CommandTracker; handlers: CommandHandlers }) {
  /**
   * One listener for every event, shared by all sockets (socket.io calls it with the socket as `this`): a
   * listener and a closure per command per socket were ~4 KB of every idle connection.
   */
  function dispatch(this: Socket, event: string, ...args: unknown[]): void {
    deps.commands.track(isCommandName(event) ? handle(this, event, args) : refuseUnknown(this, args));
  }
  return function registerCommands(socket: Socket): void {
    // Payloads are untrusted: handle() takes unknown[] and validates, whatever the typed map says.
    socket.onAny(dispatch);
  };

  async function handle(socket: Socket, name: CommandName, args: unknown[]): Promise<void> {
    // Widened to "any command": `name` picks the schema and the handler of the same command.
    const { payload: schema, acked }: { payload: ZodType<Commands[CommandName]['payload']>; acked: boolean } = COMMANDS[name];
    const handler: CommandHandler<CommandName> = deps.handlers[name];
    const given = typeof args.at(-1) === 'function' ? (args.pop() as (reply: unknown) => void) : undefined;
    const ack = acked && given ? given : () => {};
    if (!deps.commands.accepting) return ack({ ok: false, error: RESTARTING });
    // Counted before this one is tracked: refused at once, before any work (nothing stored).
    if (deps.commands.full) return ack({ ok: false, error: overloaded() });
    const data = socket.data as SocketData;
    try {
      for (const limit of handler.limits) {
        const key = limit.endsWith(':conn') ? socket.id : identityKey(data.principal);
        await deps.rateLimits.consume(limit, data.tier, key);
      }
      const reply = await handler.run(parseInput(schema, args[0] ?? {}), { socket, data });
      ack({ ok: true, ...reply });
    } catch (err) {
      const error: ErrorBody = toErrorBody(err);
      if (error.code === 'INTERNAL') deps.logger.error({ err, event: name, socket: socket.id }, 'socket command failed');
      ack({ ok: false, error });
      if (INVALID.has(error.code)) await strike(socket);
    }
  }

  /** An event no command has: it costs what a command costs, and counts as garbage. Its name is not repeated. */
  async function refuseUnknown(socket: Socket, args: unknown[]): Promise<void> {
    const given = args.at(-1);
    const ack = typeof given === 'function' ? (given as (reply: unknown) => void) : () => {};
    try {
      await deps.rateLimits.consume('command:conn', (socket.data as SocketData).tier, socket.id);
      ack({ ok: false, error: { code: 'UNKNOWN_EVENT', message: ERROR_CODES.UNKNOWN_EVENT } satisfies ErrorBody });
    } catch (err) {
      ack({ ok: false, error: toErrorBody(err) });
    }
    await strike(socket);
  }

  /** One more invalid request on this connection; past the budget, the connection is closed. */
  async function strike(socket: Socket): Promise<void> {
    try {
      await deps.rateLimits.consume('invalid:conn', (socket.data as SocketData).tier, socket.id);
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'RATE_LIMITED')) {
        deps.logger.warn({ err, socket: socket.id }, 'could not count an invalid request');
        return;
      }
      if (socket.connected) {
        deps.logger.info({ socket: socket.id }, 'closing a connection that kept sending invalid requests');
        endSession(socket, 'PROTOCOL_VIOLATION');
      }
    }
  }
}
