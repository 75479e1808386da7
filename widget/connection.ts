// Everything the widget says to the server goes through a Connection: the REST session call and
// the socket. This file is the only socket.io-client user (loaded on first connect, see
// socket-io.ts); the controller sees the interface below, and unit tests hand it a fake.
import type { Socket } from 'socket.io-client';
import type { ErrorBody, ErrorCode } from '../protocol/errors.ts';
import type { ClientToServerEvents, CommandName, Commands, ServerEvents, ServerToClientEvents } from '../protocol/events.ts';
import type { WidgetSessionRequest, WidgetSessionResponse, WidgetSettingsResponse } from '../protocol/rest.ts';
import { loadIo, type Io } from './socket-io.ts';

/** The server's codes plus the ones the client itself produces. */
/** Client-side codes: OFFLINE, TIMEOUT, NETWORK, BAD_RESPONSE (transport); CANCELLED (superseded by logout or shutdown). */
export type ClientErrorCode = ErrorCode | 'OFFLINE' | 'TIMEOUT' | 'NETWORK' | 'BAD_RESPONSE' | 'CANCELLED';
export interface ClientError {
  code: ClientErrorCode;
  message: string;
  retryAfterMs?: number;
}
export type Result<T extends object> = ({ ok: true } & T) | { ok: false; error: ClientError };

/**
 * `refused`: the server turned the handshake down (bad site key, origin, credentials, rate limit);
 * socket.io does not retry that on its own, so the controller decides.
 */
export type ConnectionStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'refused';

export interface SocketAuth {
  siteKey: string;
  visitorToken?: string;
  identityToken?: string;
}

export interface Connection {
  /** The workspace's look (public, cacheable): the launcher's first paint needs nothing else. */
  getSettings(siteKey: string): Promise<Result<WidgetSettingsResponse>>;
  createSession(body: WidgetSessionRequest): Promise<Result<WidgetSessionResponse>>;
  /** Connects, or reconnects with new credentials. */
  connect(auth: SocketAuth): void;
  disconnect(): void;
  /** Never rejects: transport problems come back as OFFLINE / TIMEOUT errors. */
  request<K extends CommandName>(name: K, payload: Commands[K]['payload']): Promise<Result<Commands[K]['reply']>>;
  on<K extends keyof ServerEvents>(name: K, listener: (payload: ServerEvents[K]) => void): () => void;
  onStatus(listener: (status: ConnectionStatus, error?: ClientError) => void): () => void;
}

export interface ConnectionOptions {
  apiUrl: string;
  /** Per-request ack timeout. */
  timeoutMs?: number;
  win?: Window;
  fetch?: typeof fetch;
  /** Where socket.io-client comes from (lazily, by default). */
  loadIo?: () => Promise<Io>;
  log?: (...args: unknown[]) => void;
}

type AnyListener = (...args: unknown[]) => void;
type WidgetSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const isResult = (value: unknown): value is Result<object> =>
  typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean';

const errorOf = (value: unknown): ErrorBody | null => {
  const e = (value as { error?: ErrorBody } | null)?.error;
  return e && typeof e.code === 'string' ? e : null;
};

export function createConnection({
  apiUrl,
  timeoutMs = 10_000,
  win = window,
  fetch: doFetch = win.fetch.bind(win),
  loadIo: getIo = loadIo,
  log = () => {},
}: ConnectionOptions): Connection {
  const base = new URL(apiUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  const statusListeners = new Set<(status: ConnectionStatus, error?: ClientError) => void>();
  let status: ConnectionStatus = 'idle';
  let everConnected = false;
  let wanted = false;
  let kickTimer: ReturnType<typeof setTimeout> | undefined;

  const setStatus = (next: ConnectionStatus, error?: ClientError): void => {
    if (next === status && !error) return;
    status = next;
    log('connection', next, error ?? '');
    for (const l of [...statusListeners]) l(next, error);
  };

  /** Server-event listeners, kept here so they survive until (and across) the socket's creation. */
  const listeners: [string, AnyListener][] = [];
  let socket: WidgetSocket | null = null;
  let auth: SocketAuth | null = null;
  let loadingIo = false;

  function createSocket(io: Io): WidgetSocket {
    // The API URL's path is a prefix for socket.io's path, not a namespace (io() would read it as one).
    const s: WidgetSocket = io(base.origin, {
      path: `${basePath}/socket.io/`,
      autoConnect: false,
      // WebSocket first; if it cannot open (proxy, firewall), fall back to HTTP long-polling.
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 15_000,
      randomizationFactor: 0.5,
    });
    s.on('connect', () => {
      everConnected = true;
      setStatus('connected');
    });
    s.on('disconnect', (reason) => {
      // Our own disconnect() / reconnect-with-new-credentials set the status themselves.
      if (!wanted || reason === 'io client disconnect') return;
      // The server closed the socket on purpose (restart, kick): socket.io will not come back by
      // itself after that, so try again after a pause.
      if (reason === 'io server disconnect') {
        clearTimeout(kickTimer);
        kickTimer = setTimeout(() => wanted && s.connect(), 2000);
      }
      setStatus(win.navigator.onLine === false ? 'offline' : 'reconnecting');
    });
    s.on('connect_error', (err: Error & { data?: unknown }) => {
      if (!s.active) {
        // A refusal from the server's handshake middleware: err.message is the code, err.data the body.
        const body = errorOf({ error: err.data }) ?? { code: err.message as ErrorCode, message: err.message };
        return setStatus('refused', { code: body.code, message: body.message, retryAfterMs: body.retryAfterMs });
      }
      if (win.navigator.onLine === false) return setStatus('offline');
      setStatus(everConnected ? 'reconnecting' : 'connecting');
    });
    for (const [name, l] of listeners) (s.on as (ev: string, fn: AnyListener) => void).call(s, name, l);
    return s;
  }

  function open(): void {
    if (!socket || !auth || !wanted) return;
    socket.auth = { ...auth };
    if (socket.connected || socket.active) socket.disconnect();
    setStatus(win.navigator.onLine === false ? 'offline' : everConnected ? 'reconnecting' : 'connecting');
    socket.connect();
  }

  const onOnline = (): void => {
    if (wanted && socket && !socket.connected && !socket.active) socket.connect();
  };
  const onOffline = (): void => {
    if (wanted && !socket?.connected) setStatus('offline');
  };
  win.addEventListener('online', onOnline);
  win.addEventListener('offline', onOffline);

  /** A REST call: the JSON body when it has the expected shape, else the server's coded error (or ours). */
  async function call<T extends object>(path: string, init: RequestInit, valid: (json: T) => boolean): Promise<Result<T>> {
    try {
      const res = await doFetch(`${base.origin}${basePath}${path}`, { ...init, credentials: 'omit' });
      const json: unknown = await res.json().catch(() => null);
      if (res.ok && json && typeof json === 'object' && valid(json as T)) return { ok: true, ...(json as T) };
      const error = errorOf(json);
      const retryAfter = Number(res.headers.get('retry-after'));
      return {
        ok: false,
        error: error
          ? { code: error.code, message: error.message, retryAfterMs: error.retryAfterMs ?? (retryAfter > 0 ? retryAfter * 1000 : undefined) }
          : { code: 'BAD_RESPONSE', message: `Unexpected response (HTTP ${res.status})` },
      };
    } catch (e) {
      return { ok: false, error: { code: 'NETWORK', message: e instanceof Error ? e.message : String(e) } };
    }
  }

  return {
    getSettings: (siteKey) =>
      call(`/api/v1/widget/settings?siteKey=${encodeURIComponent(siteKey)}`, {}, (json: WidgetSettingsResponse) => typeof json.settings?.color === 'string'),
    createSession: (body) =>
      call(
        '/api/v1/widget/session',
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
        (json: WidgetSessionResponse) => typeof json.visitorToken === 'string',
      ),


    connect(credentials) {
      wanted = true;
      auth = credentials;
      clearTimeout(kickTimer);
      if (socket) return open();
      setStatus(win.navigator.onLine === false ? 'offline' : 'connecting');
      if (loadingIo) return; // open() runs with the latest credentials once it arrives.
      loadingIo = true;
      getIo().then(
        (io) => {
          loadingIo = false;
          socket ??= createSocket(io);
          open();
        },
        (e: unknown) => {
          loadingIo = false;
          // Reported like any network failure: the controller retries with backoff.
          log('could not load socket.io-client', e);
          if (wanted) setStatus('refused', { code: 'NETWORK', message: e instanceof Error ? e.message : String(e) });
        },
      );
    },

    disconnect() {
      wanted = false;
      clearTimeout(kickTimer);
      socket?.disconnect();
      setStatus('idle');
    },

    request(name, payload) {
      // Never let socket.io buffer a command while offline: it would replay it on reconnect behind
      // our back, and the outbox already resends (with the same client id) when it should.
      const s = socket;
      if (!s?.connected) return Promise.resolve({ ok: false, error: { code: 'OFFLINE', message: 'Not connected' } });
      return new Promise((resolve) => {
        // The generic event map cannot be narrowed per K at this call site; the signature above is typed.
        const timed = s.timeout(timeoutMs) as unknown as {
          emit(ev: string, p: unknown, ack: (err: Error | null, reply: unknown) => void): void;
        };
        timed.emit(name, payload, (err, reply) => {
          if (err) {
            // Also called when the socket drops with the ack still pending.
            const offline = !s.connected;
            return resolve({ ok: false, error: { code: offline ? 'OFFLINE' : 'TIMEOUT', message: err.message } });
          }
          resolve(isResult(reply) ? (reply as Result<Commands[typeof name]['reply']>) : { ok: false, error: { code: 'BAD_RESPONSE', message: 'Malformed acknowledgement' } });
        });
      });
    },

    on(name, listener) {
      const entry: [string, AnyListener] = [name, listener as AnyListener];
      listeners.push(entry);
      if (socket) (socket.on as (ev: string, fn: AnyListener) => void).call(socket, ...entry);
      return () => {
        const i = listeners.indexOf(entry);
        if (i >= 0) listeners.splice(i, 1);
        if (socket) (socket.off as (ev: string, fn: AnyListener) => void).call(socket, ...entry);
      };
    },

    onStatus(listener) {
      statusListeners.add(listener);
      return () => void statusListeners.delete(listener);
    },
  };
}
