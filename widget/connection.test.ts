// @vitest-environment happy-dom
// The Connection over a fake socket.io `io`: what the widget's status becomes when the socket
// connects, drops and comes back, is kicked by the server, is refused at the handshake, or the
// device goes offline; and how requests behave meanwhile.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ClientError, ConnectionStatus } from './connection.ts';
import { createConnection } from './connection.ts';
import type { Io } from './socket-io.ts';

type Handler = (...args: unknown[]) => void;

/** Just enough of a socket.io-client Socket: events, connect/disconnect, acks with a timeout. */
class FakeSocket {
  connected = false;
  active = false;
  auth: unknown = null;
  connects = 0;
  emitted: { event: string; payload: unknown }[] = [];
  /** How the "server" answers an emit; undefined = never (the ack times out). */
  reply: ((event: string, payload: unknown) => unknown) | undefined = () => ({ ok: true });
  private handlers = new Map<string, Set<Handler>>();
  constructor(
    readonly uri: string,
    readonly opts: Record<string, unknown>,
  ) {}
  on(event: string, fn: Handler) {
    (this.handlers.get(event) ?? this.handlers.set(event, new Set()).get(event)!).add(fn);
    return this;
  }
  off(event: string, fn: Handler) {
    this.handlers.get(event)?.delete(fn);
    return this;
  }
  fire(event: string, ...args: unknown[]) {
    for (const fn of [...(this.handlers.get(event) ?? [])]) fn(...args);
  }
  connect() {
    this.connects++;
    this.active = true;
  }
  disconnect() {
    const was = this.connected;
    this.connected = false;
    this.active = false;
    if (was) this.fire('disconnect', 'io client disconnect');
  }
  timeout(ms: number) {
    return {
      emit: (event: string, payload: unknown, ack: (err: Error | null, reply?: unknown) => void) => {
        this.emitted.push({ event, payload });
        if (this.reply) queueMicrotask(() => ack(null, this.reply!(event, payload)));
        else setTimeout(() => ack(new Error('operation has timed out')), ms);
      },
    };
  }
  // What the server does to the socket:
  serverAccepts() {
    this.connected = true;
    this.fire('connect');
  }
  serverDrops(reason: string) {
    this.connected = false;
    if (reason === 'io server disconnect') this.active = false; // socket.io does not reconnect by itself then
    this.fire('disconnect', reason);
  }
  serverRefuses(code: string, message: string) {
    this.active = false;
    const err = Object.assign(new Error(code), { data: { code, message } });
    this.fire('connect_error', err);
  }
}

function setup(opts: { timeoutMs?: number } = {}) {
  const sockets: FakeSocket[] = [];
  const io = ((uri: string, o: Record<string, unknown>) => {
    const s = new FakeSocket(uri, o);
    sockets.push(s);
    return s;
  }) as unknown as Io;
  const connection = createConnection({ apiUrl: 'https://chat.example/prefix', win: window, loadIo: async () => io, timeoutMs: opts.timeoutMs ?? 1000 });
  const statuses: [ConnectionStatus, ClientError | undefined][] = [];
  connection.onStatus((s, e) => statuses.push([s, e]));
  const socket = async (): Promise<FakeSocket> => {
    await vi.waitFor(() => expect(sockets).toHaveLength(1));
    return sockets[0]!;
  };
  return { connection, statuses, socket, sockets, last: () => statuses.at(-1)?.[0] };
}

const setOnline = (online: boolean) => {
  Object.defineProperty(window.navigator, 'onLine', { configurable: true, get: () => online });
  window.dispatchEvent(new Event(online ? 'online' : 'offline'));
};

afterEach(() => {
  setOnline(true);
  vi.useRealTimers();
});

describe('the connection', () => {
  it('connects with the credentials, to the API URL’s path prefix, WebSocket first', async () => {
    const { connection, socket, last } = setup();
    connection.connect({ siteKey: 'pk_1', visitorToken: 'v' });
    const s = await socket();
    expect(s.uri).toBe('https://chat.example');
    expect(s.opts).toMatchObject({ path: '/prefix/socket.io/', transports: ['websocket', 'polling'], autoConnect: false });
    expect(s.auth).toEqual({ siteKey: 'pk_1', visitorToken: 'v' });
    expect(last()).toBe('connecting');
    s.serverAccepts();
    expect(last()).toBe('connected');
  });

  it('reports a dropped connection as reconnecting, then connected again, on the same socket', async () => {
    const { connection, socket, last, sockets } = setup();
    connection.connect({ siteKey: 'pk_1' });
    const s = await socket();
    s.serverAccepts();
    s.serverDrops('transport close');
    expect(last()).toBe('reconnecting');
    s.serverAccepts(); // socket.io's own reconnection
    expect(last()).toBe('connected');
    expect(sockets).toHaveLength(1);
  });

  it('comes back by itself two seconds after the server kicked it (a restart), which socket.io does not do', async () => {
    const { connection, socket, last } = setup();
    connection.connect({ siteKey: 'pk_1' });
    const s = await socket();
    s.serverAccepts();
    vi.useFakeTimers();
    s.serverDrops('io server disconnect');
    expect(last()).toBe('reconnecting');
    expect(s.connects).toBe(1);
    vi.advanceTimersByTime(1999);
    expect(s.connects).toBe(1);
    vi.advanceTimersByTime(1);
    expect(s.connects).toBe(2);
  });

  it('passes a handshake refusal on with the server’s code and message, and does not retry by itself', async () => {
    const { connection, socket, statuses } = setup();
    connection.connect({ siteKey: 'pk_1' });
    const s = await socket();
    s.serverRefuses('ORIGIN_NOT_ALLOWED', 'Origin https://x is not allowed for this workspace.');
    expect(statuses.at(-1)).toEqual(['refused', { code: 'ORIGIN_NOT_ALLOWED', message: 'Origin https://x is not allowed for this workspace.', retryAfterMs: undefined }]);
    expect(s.connects).toBe(1);
  });

  it('goes offline with the device, and reconnects when it is back', async () => {
    const { connection, socket, last } = setup();
    connection.connect({ siteKey: 'pk_1' });
    const s = await socket();
    s.serverAccepts();
    setOnline(false);
    s.serverDrops('transport close');
    expect(last()).toBe('offline');
    s.active = false; // socket.io gave up meanwhile
    setOnline(true);
    expect(s.connects).toBe(2);
  });

  it('answers requests while disconnected at once with OFFLINE, never queuing them for later', async () => {
    const { connection, socket } = setup();
    connection.connect({ siteKey: 'pk_1' });
    const s = await socket();
    await expect(connection.request('typing', { conversationId: 'c', isTyping: true })).resolves.toEqual({ ok: false, error: { code: 'OFFLINE', message: 'Not connected' } });
    expect(s.emitted).toEqual([]);
  });

  it('turns a missing ack into TIMEOUT, an ack lost to a drop into OFFLINE, and a malformed one into BAD_RESPONSE', async () => {
    const { connection, socket } = setup({ timeoutMs: 20 });
    connection.connect({ siteKey: 'pk_1' });
    const s = await socket();
    s.serverAccepts();
    s.reply = undefined;
    await expect(connection.request('typing', { conversationId: 'c', isTyping: true })).resolves.toMatchObject({ ok: false, error: { code: 'TIMEOUT' } });
    const pending = connection.request('typing', { conversationId: 'c', isTyping: false });
    s.serverDrops('transport close');
    await expect(pending).resolves.toMatchObject({ ok: false, error: { code: 'OFFLINE' } });
    s.serverAccepts();
    s.reply = () => 'not an ack';
    await expect(connection.request('typing', { conversationId: 'c', isTyping: true })).resolves.toMatchObject({ ok: false, error: { code: 'BAD_RESPONSE' } });
  });

  it('keeps server-event listeners across the socket’s creation, and stops them when removed', async () => {
    const { connection, socket } = setup();
    const seen: unknown[] = [];
    const off = connection.on('message-received', (m) => seen.push(m));
    connection.connect({ siteKey: 'pk_1' });
    const s = await socket();
    s.fire('message-received', { id: 'm1' });
    off();
    s.fire('message-received', { id: 'm2' });
    expect(seen).toEqual([{ id: 'm1' }]);
  });

  it('reconnects with new credentials on the same socket, and disconnect() is final until connect() again', async () => {
    const { connection, socket, last } = setup();
    connection.connect({ siteKey: 'pk_1', visitorToken: 'v' });
    const s = await socket();
    s.serverAccepts();
    connection.connect({ siteKey: 'pk_1', visitorToken: 'v', identityToken: 'jwt' });
    expect(s.auth).toEqual({ siteKey: 'pk_1', visitorToken: 'v', identityToken: 'jwt' });
    expect(s.connects).toBe(2);
    connection.disconnect();
    expect(last()).toBe('idle');
    s.active = false;
    setOnline(true); // coming online does not reconnect a connection nobody wants
    expect(s.connects).toBe(2);
  });
});
