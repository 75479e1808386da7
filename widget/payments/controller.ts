// Payments for identified customers: joins the customer's user room whenever a session starts as a
// customer (the chat window may stay closed: the chat controller connects identified customers at
// once), turns `payment-event`s into toasts and unread notifications, keeps the bell's list in step
// with the server (`notifications`, `notifications-read`), and sends read marks, again after a
// reconnect if they could not leave. Part of the lazily loaded payments chunk: the app creates it
// once the session says "customer" (widget.tsx), passing that session along.
import type { SessionEvent } from '../../protocol/chat.ts';
import { MAX_READ_IDS } from '../../protocol/limits.ts';
import { isTransient, retryDelay } from '../../protocol/retry.ts';
import type { GetNotifications, NotificationDto, PaymentEventDto } from '../../protocol/payments.ts';
import { RECEIPT_LANG_PARAM, RECEIPT_LINK_PARAM } from '../../protocol/values.ts';
import type { Connection, ConnectionStatus, Result } from '../connection.ts';
import type { Emit } from '../controller.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../state/store.ts';
import type { VeryChatNotification, VeryChatNotifications, VeryChatPayment } from '../types.ts';
import { addPayment, applyPage, applyRead, asPayment, dismissToast, initialPaymentsState, markRead, type PaymentsState } from './state.ts';

/** The bell loads this many per page. */
export const NOTIFICATIONS_PAGE = 20;

export interface PaymentsOptions {
  connection: Connection;
  store: Store<PaymentsState>;
  emit: Emit;
  log: Logger;
  /** Origin (and path prefix) of the VeryChat server: receipts are served there. */
  apiUrl: string;
  /** The identity token the session uses, if the customer is identified. */
  identity(): string | null;
  /** The connection as it is now: the app loads this module after the session event. */
  status: ConnectionStatus;
  session: SessionEvent | null;
  /** How long API calls wait for a connection. */
  waitMs?: number;
}

export interface Payments {
  /** The newest page (or the one before `before`) from the server; empty for anonymous visitors. */
  getNotifications(query?: GetNotifications): Promise<Result<VeryChatNotifications>>;
  /** Marks `ids` (or all) read at once here; the server and other devices follow. Resolves the unread count. */
  markRead(ids?: readonly string[]): Promise<number>;
  /** The bell opened: load the first full page if only the unread catch-up is here. */
  list(): void;
  /** The bell's "show older". */
  loadOlder(): void;
  dismissToast(id: string): void;
  /** The receipt page of a payment with the customer's receipt link, in `locale`; null without a receipt link. */
  receiptUrl(payment: PaymentEventDto, locale?: string): string | null;
  /** Forget everything (logout). */
  reset(): void;
  destroy(): void;
}

export function createPayments(o: PaymentsOptions): Payments {
  const { connection, store, emit, log } = o;
  const waitMs = o.waitMs ?? 10_000;
  const base = new URL(o.apiUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  let connected = o.status === 'connected';
  /** The current session, while connected. */
  let session: SessionEvent | null = connected ? o.session : null;
  let room: string | null = null;
  /** Read marks not yet acknowledged by the server. */
  let pendingRead: Set<string> | 'all' | null = null;
  let joinTimer: ReturnType<typeof setTimeout> | undefined;
  const waiters = new Set<() => void>();

  const isCustomer = (): boolean => connected && session?.role === 'customer';
  const wake = (): void => {
    for (const w of [...waiters]) w();
  };

  /** Waits until a session decides whether we are a customer; false on timeout. */
  const whenSession = (): Promise<boolean> =>
    new Promise((resolve) => {
      if (connected && session) return resolve(true);
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        waiters.delete(check);
        resolve(ok);
      };
      const check = (): void => void (connected && session && done(true));
      const timer = setTimeout(() => done(false), waitMs);
      waiters.add(check);
    });

  /**
   * The server's receipt URL carries the customer's receipt link (`?k=`: that receipt, that customer, for a
   * while; minted afresh whenever notifications and history are read). Never the identity token: URLs end up
   * in browser history and logs. The page is opened on the VeryChat server only: a URL pointing anywhere
   * else is rebuilt from the receipt id on the server's address, with the same link.
   */
  function receiptUrl(p: PaymentEventDto, locale?: string): string | null {
    if (!p.receiptId || !p.receiptUrl) return null;
    let url: URL;
    try {
      url = new URL(p.receiptUrl, base);
    } catch {
      return null;
    }
    const link = url.searchParams.get(RECEIPT_LINK_PARAM);
    if (!link) return null;
    if (url.origin !== base.origin) url = new URL(`${basePath}/receipts/${encodeURIComponent(p.receiptId)}`, base);
    url.search = '';
    url.searchParams.set(RECEIPT_LINK_PARAM, link);
    // The page in the widget's language, not only the browser's.
    if (locale) url.searchParams.set(RECEIPT_LANG_PARAM, locale);
    return url.href;
  }

  const publicPayment = (p: PaymentEventDto): VeryChatPayment => ({
    type: p.type,
    message: p.message,
    amount: p.amount,
    token: p.token,
    direction: p.direction,
    status: p.status,
    paymentId: p.paymentId,
    reference: p.reference,
    notificationId: p.notificationId,
    counterparty: p.counterparty,
    counterpartyName: p.counterpartyName ?? null,
    timestamp: p.timestamp,
    memo: p.memo ?? null,
    failure: p.failure ?? null,
    txHash: p.txHash ?? null,
    receiptId: p.receiptId ?? null,
    receiptNumber: p.receiptNumber ?? null,
    receiptUrl: receiptUrl(p),
  });
  const publicNotification = (n: NotificationDto): VeryChatNotification => ({
    id: n.id,
    kind: n.kind,
    read: n.read,
    createdAt: n.createdAt,
    payment: publicPayment(n.payment),
  });
  const publicPage = (list: readonly NotificationDto[], unreadCount: number, hasMore: boolean): VeryChatNotifications => ({
    notifications: list.map(publicNotification),
    unreadCount,
    hasMore,
  });

  async function join(attempt = 0): Promise<void> {
    clearTimeout(joinTimer);
    if (!isCustomer()) return;
    const res = await connection.request('join-user-room', {});
    if (res.ok) return void flushReads();
    log.debug('join-user-room failed', res.error);
    if (isTransient(res.error.code) && isCustomer()) {
      joinTimer = setTimeout(() => void join(attempt + 1), retryDelay(attempt, res.error.retryAfterMs));
    }
  }

  /** Our optimistic marks reach the server (and through it, the other devices). */
  async function flushReads(): Promise<void> {
    const pending = pendingRead;
    if (!pending || !isCustomer()) return;
    pendingRead = null;
    const batches = pending === 'all' ? [null] : chunk([...pending], MAX_READ_IDS);
    for (const ids of batches) {
      const res = await connection.request('mark-notifications-read', ids ? { ids } : { all: true });
      if (res.ok) {
        store.set((s) => applyRead(s, res));
        continue;
      }
      log.debug('mark-notifications-read failed', res.error);
      if (isTransient(res.error.code)) {
        // Again after the next (re)connect, or the next mark.
        pendingRead = ids === null || pendingRead === 'all' ? 'all' : new Set([...(pendingRead ?? []), ...ids]);
        return;
      }
      // Refused (e.g. an id that is not this customer's): take the server's view again.
      void refresh();
    }
  }

  async function refresh(): Promise<void> {
    const res = await connection.request('get-notifications', { unread: true, limit: NOTIFICATIONS_PAGE });
    if (res.ok) store.set((s) => applyPage(s, res, 'catch-up'));
  }

  async function fetchPage(kind: 'first' | 'older'): Promise<void> {
    const s = store.get();
    if (s.loading || !isCustomer() || (kind === 'first' && s.listed) || (kind === 'older' && (!s.hasMore || !s.cursor))) return;
    store.set((st) => ({ ...st, loading: true }));
    const res = await connection.request('get-notifications', kind === 'older' ? { before: s.cursor!, limit: NOTIFICATIONS_PAGE } : { limit: NOTIFICATIONS_PAGE });
    if (res.ok) store.set((st) => applyPage(st, res, kind));
    else {
      log.debug('get-notifications failed', res.error);
      store.set((st) => ({ ...st, loading: false }));
    }
  }

  const reset = (): void => {
    clearTimeout(joinTimer);
    pendingRead = null;
    room = null;
    store.set(initialPaymentsState());
  };

  function onSession(s: SessionEvent): void {
    session = s;
    // Another customer (identify() with someone else) or none any more: start over.
    if (room !== null && room !== s.userRoom) reset();
    room = s.userRoom;
    const customer = s.role === 'customer';
    if (store.get().customer !== customer) store.set((st) => ({ ...st, customer }));
    wake();
    void join();
  }

  // Announce list and count changes to the page (`notifications`, `unread-notifications`).
  let announced = store.get();
  const unsubscribe = [
    store.subscribe((s) => {
      const before = announced;
      announced = s;
      if (s.notifications !== before.notifications || s.unreadCount !== before.unreadCount) {
        if (s.customer || before.customer) emit('notifications', publicPage(s.notifications, s.unreadCount, s.hasMore));
      }
      if (s.unreadCount !== before.unreadCount) emit('unread-notifications', s.unreadCount);
    }),
    connection.onStatus((status) => {
      connected = status === 'connected';
      if (!connected) session = null;
    }),
    connection.on('session', onSession),
    connection.on('payment-event', (event) => {
      const payment = asPayment(event);
      if (!payment) return log.debug('ignored a malformed payment-event', event);
      store.set((s) => addPayment({ ...s, customer: true }, payment));
      emit('payment', publicPayment(payment));
    }),
    connection.on('notifications', (page) => store.set((s) => applyPage(s, page, 'catch-up'))),
    connection.on('notifications-read', (event) => store.set((s) => applyRead(s, event))),
  ];

  if (session) onSession(session);

  return {
    async getNotifications(query = {}) {
      const empty = { ok: true as const, ...publicPage([], 0, false) };
      if (!o.identity()) return empty;
      if (!(await whenSession())) return { ok: false, error: { code: 'OFFLINE', message: 'Not connected to VeryChat.' } };
      if (!isCustomer()) return empty;
      const res = await connection.request('get-notifications', query);
      if (!res.ok) return res;
      store.set((s) => applyPage(s, res, 'other'));
      const list = (Array.isArray(res.notifications) ? res.notifications : []).filter((n) => asPayment(n?.payment));
      return { ok: true, ...publicPage(list, res.unreadCount, res.hasMore) };
    },
    async markRead(ids) {
      if (!store.get().customer && !o.identity()) return 0;
      if (ids && ids.length === 0) return store.get().unreadCount;
      store.set((s) => markRead(s, ids ?? 'all'));
      pendingRead = !ids || pendingRead === 'all' ? 'all' : new Set([...(pendingRead ?? []), ...ids]);
      await flushReads();
      return store.get().unreadCount;
    },
    list: () => void fetchPage('first'),
    loadOlder: () => void fetchPage('older'),
    dismissToast: (id) => store.set((s) => dismissToast(s, id)),
    receiptUrl,
    reset,
    destroy() {
      clearTimeout(joinTimer);
      for (const u of unsubscribe) u();
      waiters.clear();
    },
  };
}

function chunk<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
