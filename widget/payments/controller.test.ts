// The payments controller against a scripted connection: joining the user room as a customer,
// payment events, the unread catch-up, read marks in both directions (this device and others),
// receipt URLs, and the API's page fetches.
import { describe, expect, it } from 'vitest';
import type { Emit } from '../controller.ts';
import { createLogger } from '../log.ts';
import { createStore } from '../state/store.ts';
import { CUSTOMER_SESSION, RECEIPT_LINK, createFakeConnection, notification, notificationId, paymentEvent, settle } from '../test/fake-connection.ts';
import { createPayments } from './controller.ts';
import { initialPaymentsState } from './state.ts';

function setup(opts: { identity?: string | null; apiUrl?: string; connected?: boolean } = {}) {
  const connection = createFakeConnection();
  connection.session = CUSTOMER_SESSION;
  const store = createStore(initialPaymentsState());
  const events: [string, unknown][] = [];
  const emit: Emit = (event, payload) => void events.push([event, payload]);
  const identity = opts.identity === undefined ? 'jwt.of.customer' : opts.identity;
  if (opts.connected) connection.setStatus('connected');
  const payments = createPayments({
    connection,
    store,
    emit,
    log: createLogger(false, { debug() {}, warn() {}, error() {} }),
    apiUrl: opts.apiUrl ?? 'https://chat.example/vc',
    identity: () => identity,
    status: connection.status,
    session: opts.connected ? CUSTOMER_SESSION : null,
    waitMs: 50,
  });
  const named = (name: string) => events.filter(([e]) => e === name).map(([, p]) => p);
  return { connection, store, events, named, payments };
}

describe('joining the user room', () => {
  it('joins as soon as a customer session starts, and again after a reconnect', async () => {
    const { connection } = setup();
    connection.connectNow();
    await settle();
    expect(connection.sent('join-user-room')).toEqual([{}]);
    connection.setStatus('reconnecting');
    connection.connectNow();
    await settle();
    expect(connection.sent('join-user-room')).toHaveLength(2);
  });

  it('joins at once when created after the session began (the chunk loads late)', async () => {
    const { connection, store } = setup({ connected: true });
    await settle();
    expect(connection.sent('join-user-room')).toEqual([{}]);
    expect(store.get().customer).toBe(true);
  });

  it('anonymous visitors do not join', async () => {
    const { connection, store } = setup({ identity: null });
    connection.session = { ...CUSTOMER_SESSION, role: 'visitor', userRoom: 'visitor-v1' };
    connection.connectNow();
    await settle();
    expect(connection.sent('join-user-room')).toEqual([]);
    expect(store.get().customer).toBe(false);
  });
});

describe('payment events', () => {
  it('become a toast, an unread notification and a `payment` event with a ready-to-open receipt URL', async () => {
    const { connection, store, named } = setup();
    connection.connectNow();
    await settle();
    connection.emit('payment-event', paymentEvent({ receiptId: 'r-9', receiptUrl: 'https://chat.example/vc/receipts/r-9?k=abc.def', counterpartyName: 'Alice' }));
    expect(store.get().toasts).toHaveLength(1);
    expect(store.get().unreadCount).toBe(1);
    expect(named('payment')).toEqual([
      expect.objectContaining({ amount: '100', token: 'VRC', counterparty: 'user123', counterpartyName: 'Alice', receiptUrl: 'https://chat.example/vc/receipts/r-9?k=abc.def' }),
    ]);
    expect(named('unread-notifications')).toEqual([1]);
    expect(named('notifications')).toEqual([expect.objectContaining({ unreadCount: 1, notifications: [expect.objectContaining({ read: false })] })]);
  });

  it('opens receipts with the server’s receipt link, never the identity token, in the widget’s language', () => {
    const { payments } = setup();
    const url = 'https://chat.example/vc/receipts/r-1?k=abc.def';
    expect(payments.receiptUrl(paymentEvent({ receiptUrl: url }))).toBe(url);
    expect(payments.receiptUrl(paymentEvent({ receiptUrl: url }), 'ar')).toBe(`${url}&lang=ar`);
    // Whatever else the URL carried is dropped; the link is all the page needs.
    expect(payments.receiptUrl(paymentEvent({ receiptUrl: `${url}&token=x&lang=zz` }), 'es')).toBe(`${url}&lang=es`);
    for (const p of [paymentEvent(), paymentEvent({ receiptUrl: url })]) expect(payments.receiptUrl(p, 'en')).not.toContain('jwt.of.customer');
  });

  it('opens the page on the VeryChat server only: a foreign receipt URL is rebuilt from the receipt id, with its link', () => {
    const { payments } = setup();
    const evil = paymentEvent({ receiptId: 'r 1/..', receiptUrl: 'https://evil.example/steal?k=abc.def' });
    expect(payments.receiptUrl(evil)).toBe('https://chat.example/vc/receipts/r%201%2F..?k=abc.def');
    expect(payments.receiptUrl(paymentEvent())).toBe(`https://chat.example/vc/receipts/r-1?k=${RECEIPT_LINK}`);
    expect(payments.receiptUrl(paymentEvent({ receiptUrl: 'javascript:alert(1)' }))).toBeNull();
  });

  it('has no receipt link without a receipt, or when the server sent no link (nothing that would open)', () => {
    const { payments } = setup();
    expect(payments.receiptUrl(paymentEvent({ receiptId: null }))).toBeNull();
    expect(payments.receiptUrl(paymentEvent({ receiptUrl: null }))).toBeNull();
    expect(payments.receiptUrl(paymentEvent({ receiptUrl: 'https://chat.example/vc/receipts/r-1' }))).toBeNull();
    expect(payments.receiptUrl(paymentEvent({ receiptUrl: 'http://[bad' }))).toBeNull();
  });

  it('ignores malformed events', async () => {
    const { connection, store, named } = setup();
    connection.connectNow();
    await settle();
    connection.emit('payment-event', { ...paymentEvent(), amount: 100 } as never);
    expect(store.get().toasts).toEqual([]);
    expect(named('payment')).toEqual([]);
  });
});

describe('read state across tabs and devices', () => {
  it('takes the unread catch-up after joining', async () => {
    const { connection, store } = setup();
    connection.connectNow();
    await settle();
    connection.emit('notifications', { unreadCount: 3, hasMore: false, notifications: [notification(paymentEvent())] });
    expect(store.get().unreadCount).toBe(3);
    expect(store.get().notifications).toHaveLength(1);
    expect(store.get().toasts).toEqual([]); // old news: no toast
  });

  it('follows `notifications-read` from another device', async () => {
    const { connection, store, named } = setup();
    connection.connectNow();
    await settle();
    const a = paymentEvent({ notificationId: notificationId(1) });
    const b = paymentEvent({ notificationId: notificationId(2) });
    connection.emit('payment-event', a);
    connection.emit('payment-event', b);
    connection.emit('notifications-read', { ids: [notificationId(1)], all: false, unreadCount: 1 });
    expect(store.get().notifications.find((n) => n.id === notificationId(1))!.read).toBe(true);
    expect(store.get().unreadCount).toBe(1);
    connection.emit('notifications-read', { ids: [], all: true, unreadCount: 0 });
    expect(store.get().unreadCount).toBe(0);
    expect(named('unread-notifications')).toEqual([1, 2, 1, 0]);
  });

  it('marks read here at once and tells the server, whose answer settles the count', async () => {
    const { connection, store, payments } = setup();
    connection.connectNow();
    await settle();
    for (const n of [1, 2, 3]) connection.emit('payment-event', paymentEvent({ notificationId: notificationId(n) }));
    connection.handlers['mark-notifications-read'] = (p) => ({ ok: true, ids: 'ids' in p ? p.ids : [], all: false, unreadCount: 5 });
    const count = payments.markRead([notificationId(1)]);
    expect(store.get().unreadCount).toBe(2); // optimistic
    await expect(count).resolves.toBe(5); // the server knows of more (not loaded here)
    expect(connection.sent('mark-notifications-read')).toEqual([{ ids: [notificationId(1)] }]);
    await payments.markRead();
    expect(connection.sent('mark-notifications-read').at(-1)).toEqual({ all: true });
  });

  it('keeps read marks made offline and sends them once back', async () => {
    const { connection, store, payments } = setup();
    connection.connectNow();
    await settle();
    connection.emit('payment-event', paymentEvent({ notificationId: notificationId(1) }));
    connection.setStatus('offline');
    await payments.markRead([notificationId(1)]);
    expect(store.get().unreadCount).toBe(0);
    expect(connection.sent('mark-notifications-read')).toEqual([]);
    connection.connectNow();
    await settle();
    expect(connection.sent('mark-notifications-read')).toEqual([{ ids: [notificationId(1)] }]);
  });

  it('splits long id lists into batches the server accepts', async () => {
    const { connection, payments } = setup();
    connection.connectNow();
    await settle();
    await payments.markRead(Array.from({ length: 150 }, (_, i) => notificationId(i + 1)));
    expect(connection.sent('mark-notifications-read').map((p) => (p as { ids: string[] }).ids.length)).toEqual([100, 50]);
  });

  it('takes the server view again when it refuses a mark', async () => {
    const { connection, payments } = setup();
    connection.connectNow();
    await settle();
    connection.handlers['mark-notifications-read'] = () => ({ ok: false, error: { code: 'VALIDATION_FAILED', message: 'bad id' } });
    await payments.markRead([notificationId(1)]);
    await settle();
    expect(connection.sent('get-notifications')).toEqual([{ unread: true, limit: 20 }]);
  });
});

describe('pages', () => {
  it('the bell loads the first full page once, then older ones from its cursor', async () => {
    const { connection, store, payments } = setup();
    connection.connectNow();
    await settle();
    const first = [1, 2].map((n) => notification(paymentEvent({ notificationId: notificationId(n), timestamp: `2026-01-0${3 - n}T10:00:00.000Z` })));
    connection.handlers['get-notifications'] = (q) =>
      q.before ? { ok: true, unreadCount: 1, hasMore: false, notifications: [] } : { ok: true, unreadCount: 1, hasMore: true, notifications: first };
    payments.list();
    payments.list(); // already loading: no second request
    await settle();
    payments.list(); // already listed
    payments.loadOlder();
    await settle();
    expect(connection.sent('get-notifications')).toEqual([{ limit: 20 }, { before: notificationId(2), limit: 20 }]);
    expect(store.get()).toMatchObject({ listed: true, hasMore: false, loading: false });
  });

  it('the API gets a page from the server, with receipt URLs, and waits for the connection first', async () => {
    const { connection, payments } = setup();
    connection.handlers['get-notifications'] = () => ({ ok: true, unreadCount: 4, hasMore: true, notifications: [notification(paymentEvent())] });
    const page = payments.getNotifications({ limit: 1 });
    connection.connectNow();
    const res = await page;
    expect(res).toMatchObject({ ok: true, unreadCount: 4, hasMore: true });
    expect(res.ok && res.notifications[0]!.payment.receiptUrl).toBe(`https://chat.example/vc/receipts/r-1?k=${RECEIPT_LINK}`);
    expect(connection.sent('get-notifications')).toEqual([{ limit: 1 }]);
  });

  it('the API answers an empty page for anonymous visitors, and OFFLINE when no connection comes', async () => {
    await expect(setup({ identity: null }).payments.getNotifications()).resolves.toEqual({ ok: true, notifications: [], unreadCount: 0, hasMore: false });
    await expect(setup().payments.getNotifications()).resolves.toMatchObject({ ok: false, error: { code: 'OFFLINE' } });
  });
});

describe('reset', () => {
  it('another customer on the same widget starts from nothing', async () => {
    const { connection, store } = setup();
    connection.connectNow();
    await settle();
    connection.emit('payment-event', paymentEvent());
    connection.session = { ...CUSTOMER_SESSION, userRoom: 'user-someone-else' };
    connection.connectNow();
    await settle();
    expect(store.get()).toMatchObject({ customer: true, notifications: [], toasts: [], unreadCount: 0 });
  });
});
