// @vitest-environment happy-dom
// Payments in the mounted widget (shadow root, real Preact tree, fake connection): toasts with the
// window closed, the bell and its list, read state following the server, payment cards in the chat.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Emit } from '../controller.ts';
import { createLogger } from '../log.ts';
import { CUSTOMER_SESSION, RECEIPT_LINK, createFakeConnection, drawn, message, notification, notificationId, paymentEvent, settle, type FakeConnection } from '../test/fake-connection.ts';
import { FEATURES } from '../features.ts';
import type { PaymentsFeature } from '../payments/payments.tsx';
import { mountWidget, type WidgetHandle } from '../widget.tsx';

// The chat window is a lazy chunk: compile it once up front so opening it takes a tick, not a transform.
beforeAll(() => import('./window.ts'));

let widget: WidgetHandle | null = null;
afterEach(() => {
  widget?.destroy();
  widget = null;
});

/** An identified customer (boot({ user })), connected, the chat window closed. */
async function mountCustomer(opts: { identified?: boolean } = {}): Promise<{ w: WidgetHandle; connection: FakeConnection; root: ShadowRoot; events: [string, unknown][] }> {
  localStorage.clear();
  const connection = createFakeConnection();
  const identified = opts.identified ?? true;
  if (identified) connection.session = CUSTOMER_SESSION;
  const events: [string, unknown][] = [];
  const emit: Emit = (event, payload) => void events.push([event, payload]);
  const w = mountWidget({
    doc: document,
    siteKey: 'pk_test',
    apiUrl: 'https://chat.example',
    appearance: {},
    consent: true,
    log: createLogger(false, { debug() {}, warn() {}, error() {} }),
    emit,
    connection,
    features: FEATURES,
    ...(identified ? { user: { token: 'customer.jwt' } } : {}),
  });
  widget = w;
  await drawn(w.root);
  connection.connectNow();
  await settle();
  if (identified) await vi.waitFor(() => expect(w.features.get('payments')).not.toBeNull());
  await settle();
  return { w, connection, root: w.root, events };
}

const open = async (root: ShadowRoot) => {
  root.querySelector<HTMLButtonElement>('.vc-launcher')!.click();
  await settle();
};
const key = (el: Element, k: string) => el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));

describe('payments in the widget', () => {
  it('an identified customer gets toasts with the chat window closed', async () => {
    const { root, connection, w } = await mountCustomer();
    expect(connection.sent('join-user-room')).toEqual([{}]);
    connection.emit('payment-event', paymentEvent({ amount: '123456789012345678901234567890.5' }));
    await settle();
    expect(w.ui.get().open).toBe(false);
    expect(root.querySelector('[role="dialog"]')).toBeNull();
    const toast = root.querySelector('.vc-toasts .vc-toast')!;
    expect(toast.querySelector('[role="status"]')!.textContent).toBe('Payment received123,456,789,012,345,678,901,234,567,890.5 VRC from user123');
    expect(toast.querySelector('a')!.getAttribute('href')).toBe(`https://chat.example/receipts/r-1?k=${RECEIPT_LINK}&lang=en`);
  });

  it('a toast without a receipt opens the chat, and acting on a toast reads its notification', async () => {
    const { root, connection, w } = await mountCustomer();
    connection.emit('payment-event', paymentEvent({ receiptId: null, status: 'pending' }));
    await settle();
    root.querySelector<HTMLButtonElement>('.vc-toast button.vc-toast-action')!.click();
    await settle();
    expect(w.ui.get().open).toBe(true);
    expect(root.querySelector('.vc-toast')).toBeNull();
    expect(connection.sent('mark-notifications-read')).toHaveLength(1);
  });

  it('anonymous visitors neither join a user room nor download the payments chunk', async () => {
    const { connection, w } = await mountCustomer({ identified: false });
    await settle();
    expect(connection.sent('join-user-room')).toEqual([]);
    expect(w.features.get('payments')).toBeNull();
  });

  it('the bell in the header shows the unread count, and follows reads made on another device', async () => {
    const { root, connection } = await mountCustomer();
    connection.emit('notifications', { unreadCount: 3, hasMore: false, notifications: [1, 2, 3].map((n) => notification(paymentEvent({ notificationId: notificationId(n) }))) });
    await open(root);
    const bell = root.querySelector('.vc-bell')!;
    expect(bell.getAttribute('aria-label')).toBe('Notifications, 3 unread');
    expect(bell.querySelector('.vc-badge')!.textContent).toBe('3');
    connection.emit('notifications-read', { ids: [notificationId(1), notificationId(2)], all: false, unreadCount: 1 });
    await settle();
    expect(bell.getAttribute('aria-label')).toBe('Notifications, 1 unread');
    connection.emit('notifications-read', { ids: [], all: true, unreadCount: 0 });
    await settle();
    expect(bell.getAttribute('aria-label')).toBe('Notifications');
    expect(bell.querySelector('.vc-badge')).toBeNull();
  });

  it('the bell opens the list in place of the messages; Escape goes back to the chat, then closes', async () => {
    const { root, connection, w } = await mountCustomer();
    connection.handlers['get-notifications'] = () => ({ ok: true, unreadCount: 1, hasMore: false, notifications: [notification(paymentEvent({ notificationId: notificationId(7) }))] });
    await open(root);
    root.querySelector<HTMLButtonElement>('.vc-bell')!.click();
    await settle();
    await settle();
    expect(connection.sent('get-notifications')).toEqual([{ limit: 20 }]);
    expect(root.querySelector('[role="log"]')).toBeNull();
    // The list is a chunk of its own, fetched on this first open.
    await vi.waitFor(() => expect(root.getElementById('vc-notes-title')).not.toBeNull());
    await settle();
    expect(root.activeElement).toBe(root.getElementById('vc-notes-title'));
    expect(root.querySelector('.vc-bell')!.getAttribute('aria-expanded')).toBe('true');
    const item = root.querySelector(`[data-id="${notificationId(7)}"]`)!;
    [...item.querySelectorAll('button')].find((b) => b.textContent === 'Mark as read')!.click();
    await settle();
    expect(connection.sent('mark-notifications-read')).toEqual([{ ids: [notificationId(7)] }]);
    key(root.getElementById('vc-notes-title')!, 'Escape');
    await settle();
    expect(root.querySelector('[role="log"]')).not.toBeNull();
    expect(root.activeElement).toBe(root.querySelector('.vc-bell'));
    expect(w.ui.get().open).toBe(true);
    key(root.querySelector('.vc-bell')!, 'Escape');
    await settle();
    expect(w.ui.get().open).toBe(false);
  });

  it('payment messages in the chat are cards, untrusted text shown as text, with a receipt link', async () => {
    const { root, connection } = await mountCustomer();
    const evil = '<img src=x onerror="window.__pwned=1">';
    const payload = paymentEvent({ counterparty: evil, memo: evil, amount: '0.000000000000000001' }) as unknown as Record<string, unknown>;
    connection.emit('message-received', message(1, { kind: 'payment', sender: { type: 'system', id: null, name: null }, text: 'Payment received: 0.000000000000000001 VRC', payload }));
    // Opened on a conversation with a message: the messages (an empty one opens on the help home).
    await open(root);
    const card = root.querySelector('.vc-msg-system .vc-card')!;
    expect(card.querySelector('.vc-amount')!.textContent).toBe('0.000000000000000001 VRC');
    expect(card.querySelector('.vc-card-memo')!.textContent).toBe(evil);
    expect(root.querySelector('img')).toBeNull();
    const link = card.querySelector('a')!;
    expect(link.textContent).toBe('View receipt (opens in a new tab)');
    expect(link.getAttribute('href')).toBe(`https://chat.example/receipts/r-1?k=${RECEIPT_LINK}&lang=en`);
  });

  it('a payment message whose payload is not a payment stays a text bubble', async () => {
    const { root, connection } = await mountCustomer();
    connection.emit('message-received', message(1, { kind: 'payment', sender: { type: 'system', id: null, name: null }, text: 'Paid <b>x</b>', payload: { amount: 5 } }));
    await open(root);
    expect(root.querySelector('.vc-card')).toBeNull();
    expect([...root.querySelectorAll('.vc-bubble')].at(-1)!.textContent).toBe('Paid <b>x</b>');
  });

  it('logout forgets the notifications and the bell', async () => {
    const { root, connection, w } = await mountCustomer();
    connection.emit('payment-event', paymentEvent());
    await open(root);
    expect(root.querySelector('.vc-bell')).not.toBeNull();
    w.controller.logout();
    await settle();
    expect((w.features.get('payments') as PaymentsFeature).store.get()).toMatchObject({ customer: false, notifications: [], toasts: [] });
    expect(root.querySelector('.vc-bell')).toBeNull();
    expect(root.querySelector('.vc-toast')).toBeNull();
  });
});
