// Typed socket.io-client helpers for tests that talk to a real server.
import { io as connect, type Socket } from 'socket.io-client';
import type { CommandName, CommandReply, Commands, ServerEvents, ClientToServerEvents, ServerToClientEvents } from '../../../protocol/events.ts';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface ConnectOptions {
  auth: Record<string, unknown>;
  origin?: string;
  /** More request headers, as a browser would send them. */
  headers?: Record<string, string>;
  transports?: ('websocket' | 'polling')[];
}

/** Connect and wait for the server's `session` event (or the refusal). */
export function connectSocket(url: string, opts: ConnectOptions): Promise<{ socket: TestSocket; session: ServerEvents['session'] }> {
  const socket: TestSocket = connect(url, {
    auth: opts.auth,
    transports: opts.transports ?? ['websocket'],
    extraHeaders: { ...opts.headers, ...(opts.origin && { origin: opts.origin }) },
    reconnection: false,
    forceNew: true,
    timeout: 5_000,
  });
  return new Promise((resolve, reject) => {
    socket.once('session', (session) => resolve({ socket, session }));
    socket.once('connect_error', (err: Error & { data?: unknown }) => {
      socket.close();
      reject(err);
    });
  });
}

/** The refusal a handshake gets: `{ code, message }` from connect_error's data. */
export async function handshakeError(url: string, opts: ConnectOptions): Promise<{ code: string; message: string }> {
  try {
    const { socket } = await connectSocket(url, opts);
    socket.close();
    return { code: 'CONNECTED', message: '' };
  } catch (err) {
    const e = err as Error & { data?: { code: string; message: string } };
    return e.data ?? { code: e.message, message: e.message };
  }
}

export function request<K extends CommandName>(socket: TestSocket, name: K, payload: Commands[K]['payload'] | unknown): Promise<CommandReply<K>> {
  return (socket as unknown as { timeout(ms: number): { emitWithAck(e: string, p: unknown): Promise<CommandReply<K>> } })
    .timeout(10_000)
    .emitWithAck(name, payload);
}

/** start-conversation, throwing on a refusal: its reply (conversation, newest page). */
export async function startConversation(socket: TestSocket) {
  const r = await request(socket, 'start-conversation', {});
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r;
}

/** Resolve with the next `event` matching `filter`, or reject after `ms`. */
export function nextEvent<E extends keyof ServerEvents>(
  socket: TestSocket,
  event: E,
  filter: (payload: ServerEvents[E]) => boolean = () => true,
  ms = 5_000,
): Promise<ServerEvents[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, handler as never);
      reject(new Error(`no ${event} within ${ms} ms`));
    }, ms);
    const handler = (payload: ServerEvents[E]) => {
      if (!filter(payload)) return;
      clearTimeout(timer);
      socket.off(event, handler as never);
      resolve(payload);
    };
    socket.on(event, handler as never);
  });
}

/** Collect every `event` until stopped. */
export function collect<E extends keyof ServerEvents>(socket: TestSocket, event: E) {
  const items: ServerEvents[E][] = [];
  const handler = (p: ServerEvents[E]) => items.push(p);
  socket.on(event, handler as never);
  return { items, stop: () => socket.off(event, handler as never) };
}

/**
 * For asserting that something does NOT arrive, which has no event to wait for: gives a wrong delivery `ms`
 * to show up first. Arrivals are awaited (nextEvent, vi.waitFor), never slept on.
 */
export const quietPeriod = (ms: number) => new Promise((r) => setTimeout(r, ms));
