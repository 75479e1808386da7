import { describe, expect, it } from 'vitest';
import { notification, notificationId, paymentEvent } from '../test/fake-connection.ts';
import { MAX_TOASTS, addPayment, applyPage, applyRead, asPayment, dismissToast, initialPaymentsState, markRead } from './state.ts';

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 10, minute)).toISOString();
const pay = (n: number, overrides = {}) => paymentEvent({ notificationId: notificationId(n), paymentId: `p-${n}`, timestamp: at(n), ...overrides });

describe('toasts', () => {
  it('stack newest on top and keep at most four', () => {
    let s = initialPaymentsState();
    for (let n = 1; n <= 6; n++) s = addPayment(s, pay(n));
    expect(MAX_TOASTS).toBe(4);
    expect(s.toasts.map((t) => t.payment.paymentId)).toEqual(['p-6', 'p-5', 'p-4', 'p-3']);
    // The notifications stay, though their toasts were pushed out.
    expect(s.notifications).toHaveLength(6);
    expect(s.unreadCount).toBe(6);
  });

  it('show one toast and count one unread per notification, however often the event arrives', () => {
    let s = addPayment(initialPaymentsState(), pay(1));
    const again = addPayment(s, pay(1));
    expect(again).toBe(s);
    s = dismissToast(s, notificationId(1));
    expect(s.toasts).toEqual([]);
    // Arriving again after a dismiss (another delivery): no second toast for a known notification.
    expect(addPayment(s, pay(1)).toasts).toEqual([]);
    expect(addPayment(s, pay(1)).unreadCount).toBe(1);
  });

  it('dismissing an unknown toast changes nothing', () => {
    const s = addPayment(initialPaymentsState(), pay(1));
    expect(dismissToast(s, 'nope')).toBe(s);
  });
});

describe('notifications', () => {
  it('keep newest first, merge pages by id, and take the server count', () => {
    let s = addPayment(initialPaymentsState(), pay(5));
    s = applyPage(s, { unreadCount: 7, hasMore: true, notifications: [notification(pay(9)), notification(pay(5)), notification(pay(2), { read: true })] }, 'first');
    expect(s.notifications.map((n) => n.payment.paymentId)).toEqual(['p-9', 'p-5', 'p-2']);
    expect(s.unreadCount).toBe(7);
    expect(s).toMatchObject({ listed: true, hasMore: true, cursor: notificationId(2) });
    s = applyPage(s, { unreadCount: 7, hasMore: false, notifications: [notification(pay(1), { read: true })] }, 'older');
    expect(s.notifications.map((n) => n.payment.paymentId)).toEqual(['p-9', 'p-5', 'p-2', 'p-1']);
    expect(s).toMatchObject({ hasMore: false, cursor: notificationId(1) });
  });

  it('the unread catch-up marks loaded ones it no longer lists as read (read on another device)', () => {
    let s = initialPaymentsState();
    for (const n of [1, 2, 3]) s = addPayment(s, pay(n));
    s = applyPage(s, { unreadCount: 1, hasMore: false, notifications: [notification(pay(3))] }, 'catch-up');
    expect(s.notifications.map((n) => [n.payment.paymentId, n.read])).toEqual([
      ['p-3', false],
      ['p-2', true],
      ['p-1', true],
    ]);
    expect(s.unreadCount).toBe(1);
  });

  it('a catch-up with more pages only settles what is in its range', () => {
    let s = initialPaymentsState();
    for (const n of [1, 5, 6]) s = addPayment(s, pay(n));
    // Page holds 6 and 4 (more beyond): 5 is in range and missing (read); 1 is beyond it (unknown).
    s = applyPage(s, { unreadCount: 3, hasMore: true, notifications: [notification(pay(6)), notification(pay(4))] }, 'catch-up');
    expect(Object.fromEntries(s.notifications.map((n) => [n.payment.paymentId, n.read]))).toEqual({ 'p-6': false, 'p-5': true, 'p-4': false, 'p-1': false });
  });

  it('marking read is optimistic, and the server event settles the count', () => {
    let s = initialPaymentsState();
    for (const n of [1, 2, 3]) s = addPayment(s, pay(n));
    s = markRead(s, [notificationId(2)]);
    expect(s.unreadCount).toBe(2);
    expect(s.notifications.find((n) => n.id === notificationId(2))!.read).toBe(true);
    expect(markRead(s, [notificationId(2)])).toBe(s); // already read
    // Another device read everything; the server says what is left.
    s = applyRead(s, { ids: [], all: true, unreadCount: 0 });
    expect(s.notifications.every((n) => n.read)).toBe(true);
    expect(s.unreadCount).toBe(0);
    s = applyRead(addPayment(s, pay(4)), { ids: [notificationId(4)], all: false, unreadCount: 0 });
    expect(s.unreadCount).toBe(0);
  });

  it('drops notifications whose payment it cannot draw', () => {
    const broken = { ...notification(pay(1)), payment: { ...pay(1), amount: 100 as unknown as string } };
    const s = applyPage(initialPaymentsState(), { unreadCount: 1, hasMore: false, notifications: [broken, notification(pay(2))] }, 'first');
    expect(s.notifications.map((n) => n.payment.paymentId)).toEqual(['p-2']);
  });
});

describe('asPayment', () => {
  it('accepts the server shape and refuses anything else', () => {
    expect(asPayment(pay(1))).not.toBeNull();
    expect(asPayment(null)).toBeNull();
    expect(asPayment('x')).toBeNull();
    expect(asPayment({ ...pay(1), amount: 1 })).toBeNull();
    expect(asPayment({ ...pay(1), type: 'weird' })).toBeNull();
    expect(asPayment({ ...pay(1), receiptUrl: 5 })).toBeNull();
  });
});
