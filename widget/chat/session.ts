// The session: from the site key (plus the stored visitor token and the identity token) to a
// connected socket, and back again after every refusal or outage. It knows which refusals a fresh
// attempt can fix (a stale visitor token, a refused identity) and which are final (the site is not
// set up), and it settles identify() on the server's answer.
import { isTransient, retryDelay } from '../../protocol/retry.ts';
import type { ClientError, ClientErrorCode, Connection, ConnectionStatus } from '../connection.ts';
import { VeryChatError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../state/store.ts';
import type { UiState } from '../state/ui.ts';
import type { TokenStore } from '../storage.ts';
import type { Emit } from '../controller.ts';

export interface SessionOptions {
  siteKey: string;
  connection: Connection;
  tokens: TokenStore;
  ui: Store<UiState>;
  emit: Emit;
  log: Logger;
  /** An identity token given at boot. */
  identityToken: string | null;
}

export interface Session {
  /** The workspace's look (public: no session, no token), and whether this page may use the chat at all. */
  look(): Promise<void>;
  /** Start talking to the server, if not already. */
  start(): void;
  readonly started: boolean;
  readonly connected: boolean;
  /** Sign in as a customer: settles when the server accepts the token (or refuses it). */
  identify(token: string): Promise<void>;
  /** The identity token in use, until the server refuses it. */
  identity(): string | null;
  /** A session is up (the server's `session` event): the next failure starts its backoff afresh. */
  established(): void;
  /** Forget the visitor on this device and disconnect. */
  forget(): void;
  destroy(): void;
}

const AUTH: ReadonlySet<ClientErrorCode> = new Set(['AUTH_INVALID', 'AUTH_EXPIRED', 'AUTH_REQUIRED']);
/** Refusals no retry can change: the site is not set up for the chat (the merchant must act). */
export const SETUP_REFUSALS: ReadonlySet<ClientErrorCode> = new Set(['ORIGIN_NOT_ALLOWED', 'SITE_KEY_UNKNOWN']);

export function createSession(o: SessionOptions): Session {
  const { connection, tokens, ui, emit, log } = o;
  let started = false;
  let connected = false;
  let identityToken = o.identityToken;
  /** Set once the stored visitor token was refused and replaced, to avoid a loop. */
  let freshVisitorTried = false;
  let attempts = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** identify() calls waiting for the server's answer. */
  let waiting: { resolve(): void; reject(e: VeryChatError): void }[] = [];

  const patchUi = (patch: Partial<UiState>): void => ui.set((s) => ({ ...s, ...patch }));
  const settle = (error?: VeryChatError): void => {
    const list = waiting;
    waiting = [];
    for (const w of list) (error ? w.reject(error) : w.resolve());
  };

  const fatal = (error: ClientError): void => {
    if (SETUP_REFUSALS.has(error.code)) {
      // Said once, with the exact fix for the merchant; the widget stays shut on this page.
      if (ui.get().error?.code === error.code) return;
      void import('../misuse.ts').then(
        (m) => log.error(m.setupHint(error.code, o.siteKey, location.origin)),
        () => log.error(`${error.code}: ${error.message}`),
      );
    } else log.error(`${error.code}: ${error.message}`);
    patchUi({ status: 'failed', error });
    emit('error', { code: error.code, message: error.message });
    settle(new VeryChatError(error.code, error.message));
    connection.disconnect();
  };

  const retryLater = (retryAfterMs?: number): void => {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => void establish(), retryDelay(attempts++, retryAfterMs));
  };

  async function establish(): Promise<void> {
    if (!started) return;
    patchUi({ status: navigator.onLine === false ? 'offline' : 'connecting', error: null });
    const stored = tokens.get();
    const res = await connection.createSession({ siteKey: o.siteKey, ...(stored ? { visitorToken: stored } : {}) });
    if (!started) return; // logout() or shutdown() meanwhile
    if (!res.ok) {
      const { error } = res;
      if ((error.code === 'AUTH_INVALID' || error.code === 'AUTH_EXPIRED') && stored && !freshVisitorTried) {
        // The stored token belongs to another workspace key or expired: become a new visitor.
        freshVisitorTried = true;
        tokens.clear();
        return establish();
      }
      if (isTransient(error.code)) {
        log.debug('session request failed, retrying', error);
        patchUi({ status: error.code === 'NETWORK' && navigator.onLine === false ? 'offline' : 'reconnecting' });
        return retryLater(error.retryAfterMs);
      }
      return fatal(error);
    }
    tokens.set(res.visitorToken);
    patchUi({ workspaceName: res.workspace.name, settings: res.settings });
    // With an identity, the visitor token rides along so the server can move this visitor's
    // conversation over to the customer (they started chatting before logging in).
    connection.connect({ siteKey: o.siteKey, visitorToken: res.visitorToken, ...(identityToken ? { identityToken } : {}) });
  }

  const onStatus = (status: ConnectionStatus, error?: ClientError): void => {
    connected = status === 'connected';
    if (status !== 'refused') {
      if (ui.get().status !== 'failed' || status === 'connected') patchUi({ status, error: null });
      return;
    }
    if (!error) return;
    if (AUTH.has(error.code)) {
      if (identityToken) {
        // The merchant's JWT is bad or expired: tell the page (identify() rejects; it can call it
        // again with a fresh one) and carry on as the anonymous visitor meanwhile.
        log.error(`identify() token refused (${error.code}): ${error.message}`);
        emit('error', { code: error.code, message: error.message });
        settle(new VeryChatError(error.code, `identify(): ${error.message}`));
        identityToken = null;
        return void establish();
      }
      if (!freshVisitorTried) {
        freshVisitorTried = true;
        tokens.clear();
        return void establish();
      }
    }
    if (isTransient(error.code)) {
      patchUi({ status: 'reconnecting' });
      return retryLater(error.retryAfterMs);
    }
    fatal(error);
  };

  const stop = [
    connection.onStatus(onStatus),
    // The server closes a socket on purpose and says why first. A refusal for good (the origin was
    // removed, the workspace deleted) or of the identity is handled like a refused handshake; anything
    // else (a restart, a protocol error) the connection's own reconnect takes care of.
    connection.on('session-ended', (e) => void ((SETUP_REFUSALS.has(e.code) || AUTH.has(e.code)) && onStatus('refused', e))),
    // The server accepted our credentials: a pending identify() succeeded if we are now a customer.
    connection.on('session', (s) => void (s.role === 'customer' && identityToken && settle())),
  ];

  const session: Session = {
    async look() {
      const res = await connection.getSettings(o.siteKey);
      if (res.ok) ui.set((s) => ({ ...s, workspaceName: s.workspaceName ?? res.workspace.name, settings: s.settings ?? res.settings }));
      else if (SETUP_REFUSALS.has(res.error.code)) fatal(res.error);
    },
    start() {
      // A page the server refused for good stays refused: no retries, no queue that never leaves.
      if (started || SETUP_REFUSALS.has(ui.get().error?.code as ClientErrorCode)) return;
      started = true;
      void establish();
    },
    get started() {
      return started;
    },
    get connected() {
      return connected;
    },
    identify(token) {
      identityToken = token;
      freshVisitorTried = false;
      const answer = new Promise<void>((resolve, reject) => waiting.push({ resolve, reject }));
      if (started) void establish();
      else session.start();
      return answer;
    },
    identity: () => identityToken,
    established() {
      attempts = 0;
    },
    forget() {
      started = false;
      connected = false;
      identityToken = null;
      freshVisitorTried = false;
      clearTimeout(retryTimer);
      settle(new VeryChatError('CANCELLED', 'identify() was cancelled by logout().'));
      tokens.clear();
      connection.disconnect();
    },
    destroy() {
      started = false;
      clearTimeout(retryTimer);
      settle(new VeryChatError('CANCELLED', 'The widget was shut down.'));
      for (const u of stop) u();
      connection.disconnect();
    },
  };
  return session;
}
