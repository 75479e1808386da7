// The one wrapper every socket command goes through: rate limit, validate, call, acknowledge. Commands
// come from the protocol's table (payload schema, acked or not); handlers supply only what they do and
// which rate limits they spend. Any other event name is answered with UNKNOWN_EVENT.
import type { Socket } from 'socket.io';
import type { ZodType } from 'zod';
import { ERROR_CODES, type ErrorBody } from '../../protocol/errors.ts';
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
}

/** Strings longer than this anywhere in a payload are refused before validation even looks at it. */
const MAX_STRING = 64 * 1024;

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

/** Commands still running; shutdown waits for them so nothing accepted is cut off mid-write. */
export type InFlight = Set<Promise<unknown>>;

export function makeRegistrar(deps: { rateLimits: RateLimits; logger: Logger; inFlight: InFlight; handlers: CommandHandlers }) {
  return function registerCommands(socket: Socket): void {
    for (const name of Object.keys(COMMANDS) as CommandName[]) {
      // Payloads are untrusted: the listener takes unknown[] and validates, whatever the typed map says.
      socket.on(name, (...args: unknown[]) => {
        const run = handle(socket, name, args);
        deps.inFlight.add(run);
        void run.finally(() => deps.inFlight.delete(run));
      });
    }
    socket.onAny((event: string, ...args: unknown[]) => {
      if (isCommandName(event)) return;
      const ack = args.at(-1);
      if (typeof ack === 'function') {
        ack({ ok: false, error: { code: 'UNKNOWN_EVENT', message: `${ERROR_CODES.UNKNOWN_EVENT} (${String(event).slice(0, 64)})` } });
      }
    });
  };

  async function handle(socket: Socket, name: CommandName, args: unknown[]): Promise<void> {
    // Widened to "any command": `name` picks the schema and the handler of the same command.
    const { payload: schema, acked }: { payload: ZodType<Commands[CommandName]['payload']>; acked: boolean } = COMMANDS[name];
    const handler: CommandHandler<CommandName> = deps.handlers[name];
    const given = typeof args.at(-1) === 'function' ? (args.pop() as (reply: unknown) => void) : undefined;
    const ack = acked && given ? given : () => {};
    const data = socket.data as SocketData;
    try {
      for (const limit of handler.limits) {
        const key = limit.endsWith(':conn') ? socket.id : identityKey(data.principal);
        await deps.rateLimits.consume(limit, data.tier, key);
      }
      const raw = args[0];
      if (hasHugeString(raw, 0)) throw new AppError('PAYLOAD_TOO_LARGE', 'A field of this payload is too large.');
      const reply = await handler.run(parseInput(schema, raw ?? {}), { socket, data });
      ack({ ok: true, ...reply });
    } catch (err) {
      const error: ErrorBody = toErrorBody(err);
      if (error.code === 'INTERNAL') deps.logger.error({ err, event: name, socket: socket.id }, 'socket command failed');
      ack({ ok: false, error });
    }
  }
}

function hasHugeString(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return value.length > MAX_STRING;
  if (depth > 8 || value === null || typeof value !== 'object') return false;
  for (const v of Object.values(value as Record<string, unknown>)) if (hasHugeString(v, depth + 1)) return true;
  return false;
}
