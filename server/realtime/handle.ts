// The one wrapper every socket command goes through: rate limit, validate, call, acknowledge.
import type { Socket } from 'socket.io';
import type { ZodType } from 'zod';
import type { ErrorBody } from '../../protocol/errors.ts';
import type { CommandName, Commands } from '../../protocol/events.ts';
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

/** Commands still running; shutdown waits for them so nothing accepted is cut off mid-write. */
export type InFlight = Set<Promise<unknown>>;

export function makeRegistrar(deps: { rateLimits: RateLimits; logger: Logger; inFlight: InFlight }) {
  return function register<K extends CommandName>(
    socket: Socket,
    name: K,
    schema: ZodType<Commands[K]['payload']>,
    limits: LimitName[],
    fn: (payload: Commands[K]['payload'], ctx: CommandContext) => Promise<Commands[K]['reply']>,
  ): void {
    // Payloads are untrusted: the listener takes unknown[] and validates, whatever the typed map says.
    (socket as unknown as { on(event: string, fn: (...args: unknown[]) => void): void }).on(name, (...args: unknown[]) => {
      const run = handle(args);
      deps.inFlight.add(run);
      void run.finally(() => deps.inFlight.delete(run));
    });

    async function handle(args: unknown[]): Promise<void> {
      const ack = typeof args.at(-1) === 'function' ? (args.pop() as (reply: unknown) => void) : () => {};
      const data = socket.data as SocketData;
      try {
        for (const limit of limits) {
          const key = limit.endsWith(':conn') ? socket.id : identityKey(data.principal);
          await deps.rateLimits.consume(limit, data.tier, key);
        }
        const raw = args[0];
        if (hasHugeString(raw, 0)) throw new AppError('PAYLOAD_TOO_LARGE', 'A field of this payload is too large.');
        const payload = parseInput(schema, raw ?? {});
        const reply = await fn(payload, { socket, data });
        ack({ ok: true, ...reply });
      } catch (err) {
        const error: ErrorBody = toErrorBody(err);
        if (error.code === 'INTERNAL') deps.logger.error({ err, event: name, socket: socket.id }, 'socket command failed');
        ack({ ok: false, error });
      }
    }
  };
}

function hasHugeString(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return value.length > MAX_STRING;
  if (depth > 8 || value === null || typeof value !== 'object') return false;
  for (const v of Object.values(value as Record<string, unknown>)) if (hasHugeString(v, depth + 1)) return true;
  return false;
}
