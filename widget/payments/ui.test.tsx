// @vitest-environment happy-dom
// The payments UI on its own: toast timing (auto-dismiss, pause on hover, focus and hidden tab),
// stacking, actions, and payment cards drawing untrusted text as text.
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import english from '../i18n/en.json';
import { createI18n } from '../i18n/index.ts';
import payAr from './i18n/payments-ar.json';
import payEn from './i18n/payments-en.json';
import payEs from './i18n/payments-es.json';
import type { PaymentEventDto } from '../../protocol/payments.ts';
import ar from '../i18n/ar.json';
import { notification, notificationId, paymentEvent } from '../test/fake-connection.ts';
import { addPayment, dismissToast, initialPaymentsState, type PaymentsState, type Toast } from './state.ts';
import { NotificationsPanel } from './panel.tsx';
import { PaymentCard, TOAST_MS, Toasts } from './ui.tsx';

// As the widget builds them once the payments feature has arrived: its texts merged with the core's.
const en = createI18n('en', { ...english, ...payEn });
/** As the controller builds them: the server's receipt link, and the widget's language. */
const receiptUrl = (p: { receiptId: string | null }, locale?: string) =>
  p.receiptId ? `https://chat.example/receipts/${p.receiptId}?k=link${locale ? `&lang=${locale}` : ''}` : null;
let container: HTMLElement;

beforeEach(() => {
  container = document.createElement('div');
  document.body.append(container);
});
afterEach(() => {
  render(null, container);
  container.remove();
  vi.useRealTimers();
});

/** Renders the stack the way App does: state in a store-like variable, re-rendered on change. */
function toastHarness(initial: PaymentsState = initialPaymentsState()) {
  let state = initial;
  const opened: [string, boolean][] = [];
  const draw = () =>
    act(() => render(
      <Toasts
        toasts={state.toasts}
        i18n={en}
        receiptUrl={receiptUrl}
        onDismiss={(id) => {
          state = dismissToast(state, id);
          draw();
        }}
        onOpen={(t: Toast, receipt) => {
          opened.push([t.id, receipt]);
          state = dismissToast(state, t.id);
          draw();
        }}
      />,
      container,
    ));
  const push = (n: number, overrides = {}) => {
    state = addPayment(state, paymentEvent({ notificationId: notificationId(n), paymentId: `p-${n}`, ...overrides }));
    draw();
  };
  const ids = () => [...container.querySelectorAll('.vc-toast')].map((el) => el.getAttribute('data-id'));
  draw();
  return { push, ids, opened, get state() {
    return state;
  } };
}

describe('payment toasts', () => {
  it('stack newest on top, at most four', () => {
    vi.useFakeTimers();
    const h = toastHarness();
    for (let n = 1; n <= 5; n++) h.push(n);
    expect(h.ids()).toEqual([5, 4, 3, 2].map((n) => notificationId(n)));
  });

  it('dismiss themselves after 6 seconds', () => {
    vi.useFakeTimers();
    const h = toastHarness();
    h.push(1);
    vi.advanceTimersByTime(TOAST_MS - 1);
    expect(h.ids()).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(h.ids()).toHaveLength(0);
  });

  it('pause while the pointer is over them, and resume with the time that was left', () => {
    vi.useFakeTimers();
    const h = toastHarness();
    h.push(1);
    vi.advanceTimersByTime(4000);
    act(() => void container.querySelector('.vc-toast-list')!.dispatchEvent(new PointerEvent('pointerenter')));
    vi.advanceTimersByTime(60_000);
    expect(h.ids()).toHaveLength(1);
    act(() => void container.querySelector('.vc-toast-list')!.dispatchEvent(new PointerEvent('pointerleave')));
    vi.advanceTimersByTime(1999);
    expect(h.ids()).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(h.ids()).toHaveLength(0);
  });

  it('pause while focus is inside them (keyboard users), until it leaves', () => {
    vi.useFakeTimers();
    const h = toastHarness();
    h.push(1);
    h.push(2);
    const close = container.querySelector<HTMLButtonElement>('.vc-toast-close')!;
    act(() => void close.dispatchEvent(new FocusEvent('focusin', { bubbles: true })));
    vi.advanceTimersByTime(30_000);
    expect(h.ids()).toHaveLength(2);
    // Focus moving between toasts keeps them paused; leaving the stack resumes.
    const second = container.querySelectorAll<HTMLButtonElement>('.vc-toast-close')[1]!;
    act(() => void close.dispatchEvent(new FocusEvent('focusout', { bubbles: true, relatedTarget: second })));
    vi.advanceTimersByTime(30_000);
    expect(h.ids()).toHaveLength(2);
    act(() => void second.dispatchEvent(new FocusEvent('focusout', { bubbles: true, relatedTarget: document.body })));
    vi.advanceTimersByTime(TOAST_MS);
    expect(h.ids()).toHaveLength(0);
  });

  it('pause while the tab is hidden', () => {
    vi.useFakeTimers();
    const h = toastHarness();
    h.push(1);
    const visibility = vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
    act(() => void document.dispatchEvent(new Event('visibilitychange')));
    vi.advanceTimersByTime(60_000);
    expect(h.ids()).toHaveLength(1);
    visibility.mockReturnValue('visible');
    act(() => void document.dispatchEvent(new Event('visibilitychange')));
    vi.advanceTimersByTime(TOAST_MS);
    expect(h.ids()).toHaveLength(0);
    visibility.mockRestore();
  });

  it('go away with the dismiss button, others keep their own time', () => {
    vi.useFakeTimers();
    const h = toastHarness();
    h.push(1);
    vi.advanceTimersByTime(3000);
    h.push(2);
    const first = container.querySelector(`[data-id="${notificationId(1)}"] .vc-toast-close`) as HTMLButtonElement;
    expect(first.getAttribute('aria-label')).toBe('Dismiss');
    first.click();
    expect(h.ids()).toEqual([notificationId(2)]);
    vi.advanceTimersByTime(TOAST_MS - 1);
    expect(h.ids()).toEqual([notificationId(2)]);
    vi.advanceTimersByTime(1);
    expect(h.ids()).toEqual([]);
  });

  it('hand focus to the next toast, then to the launcher, when dismissed from the keyboard', () => {
    const launcher = document.createElement('button');
    launcher.className = 'vc-launcher';
    container.before(launcher);
    const h = toastHarness();
    h.push(1);
    h.push(2);
    const closes = () => [...container.querySelectorAll<HTMLButtonElement>('.vc-toast-close')];
    closes()[0]!.focus();
    act(() => closes()[0]!.click());
    expect(document.activeElement).toBe(closes()[0]);
    act(() => closes()[0]!.click());
    expect(document.activeElement).toBe(launcher);
    launcher.remove();
  });

  it('announce success politely and failure as an alert, without the buttons in the announcement', () => {
    const h = toastHarness();
    h.push(1);
    // A failed payment has a receipt too (the record of the attempt).
    h.push(2, { type: 'failure', status: 'failed', direction: 'out', counterparty: 'shop', receiptId: 'r-2', failure: { code: 'declined', message: 'Card declined' } });
    const [failure, success] = [...container.querySelectorAll('.vc-toast')];
    expect(success!.querySelector('[role="status"]')!.textContent).toBe('Payment received100 VRC from user123');
    expect(failure!.querySelector('[role="alert"]')!.textContent).toBe('Payment failed100 VRC to shopCard declined');
    expect(failure!.querySelector('[role="alert"] button, [role="alert"] a')).toBeNull();
    expect(failure!.querySelector('a.vc-toast-action')!.getAttribute('href')).toBe('https://chat.example/receipts/r-2?k=link&lang=en');
  });

  it('open the receipt in a new tab (the receipt link and the widget’s language, no referrer), or the chat without one', () => {
    const h = toastHarness();
    h.push(1);
    h.push(2, { receiptId: null, status: 'pending' });
    const link = container.querySelector<HTMLAnchorElement>(`[data-id="${notificationId(1)}"] a.vc-toast-action`)!;
    expect(link.getAttribute('href')).toBe('https://chat.example/receipts/r-1?k=link&lang=en');
    expect(link.target).toBe('_blank');
    expect(link.rel).toBe('noopener noreferrer');
    expect(link.textContent).toBe('View receipt (opens in a new tab)');
    link.addEventListener('click', (e) => e.preventDefault()); // no navigation in the test page
    link.click();
    const chat = container.querySelector<HTMLButtonElement>(`[data-id="${notificationId(2)}"] button.vc-toast-action`)!;
    expect(chat.textContent).toBe('Open chat');
    chat.click();
    expect(h.opened).toEqual([
      [notificationId(1), true],
      [notificationId(2), false],
    ]);
    expect(h.ids()).toEqual([]);
  });

  it('offer no "Open chat" while the chat is open', () => {
    const p = paymentEvent({ receiptId: null });
    render(<Toasts toasts={[{ id: 't', payment: p }]} i18n={en} receiptUrl={receiptUrl} chatOpen onDismiss={() => {}} onOpen={() => {}} />, container);
    expect(container.querySelector('.vc-toast-action')).toBeNull();
    expect(container.querySelector('.vc-toast-close')).not.toBeNull();
  });

  it('a click on the text does what the action does', () => {
    const open = vi.spyOn(window, 'open').mockReturnValue(null);
    const h = toastHarness();
    h.push(1);
    container.querySelector<HTMLElement>('.vc-toast-text')!.click();
    expect(open).toHaveBeenCalledWith('https://chat.example/receipts/r-1?k=link&lang=en', '_blank', 'noopener,noreferrer');
    expect(h.opened).toEqual([[notificationId(1), true]]);
    open.mockRestore();
  });

  it('show the amount digit for digit, and right-to-left text keeps it in order', () => {
    const h = toastHarness();
    h.push(1, { amount: '123456789012345678901234567890.5' });
    expect(container.querySelector('bdi.vc-amount')!.textContent).toBe('123,456,789,012,345,678,901,234,567,890.5 VRC');
    render(null, container);
    const arabic = createI18n('ar', { ...ar, ...payAr }, { ...english, ...payEn });
    render(
      <Toasts toasts={h.state.toasts} i18n={arabic} receiptUrl={receiptUrl} onDismiss={() => {}} onOpen={() => {}} />,
      container,
    );
    expect(container.querySelector('.vc-pay-title')!.textContent).toBe('تم استلام الدفعة');
    expect(container.querySelector('bdi.vc-amount')!.textContent).toMatch(/ VRC$/);
    expect(container.querySelector('.vc-toast-close')!.getAttribute('aria-label')).toBe('إغلاق');
    expect(container.querySelector('a.vc-toast-action')!.getAttribute('href')).toBe('https://chat.example/receipts/r-1?k=link&lang=ar');
    // Its text takes its own direction (a Latin name inside Arabic keeps its punctuation in place).
    expect(container.querySelector('.vc-toast-text')!.getAttribute('dir')).toBe('auto');
  });

  it('name the other party by their display name, falling back to their id', () => {
    const h = toastHarness();
    h.push(1, { counterparty: 'user123', counterpartyName: 'Alice Martín' });
    h.push(2, { counterparty: 'shop-9', counterpartyName: null, direction: 'out', status: 'succeeded' });
    h.push(3, { counterparty: 'user777', counterpartyName: '' });
    const text = (n: number) => container.querySelector(`[data-id="${notificationId(n)}"] [role="status"]`)!.textContent;
    expect(text(1)).toBe('Payment received100 VRC from Alice Martín');
    expect(text(2)).toBe('Payment sent100 VRC to shop-9');
    expect(text(3)).toBe('Payment received100 VRC from user777');
    // Payments from before names existed (no field at all) still read.
    const old = { ...paymentEvent({ notificationId: notificationId(4) }) } as Partial<PaymentEventDto>;
    delete old.counterpartyName;
    render(<Toasts toasts={[{ id: 'old', payment: old as PaymentEventDto }]} i18n={en} receiptUrl={receiptUrl} onDismiss={() => {}} onOpen={() => {}} />, container);
    expect(container.querySelector('[role="status"]')!.textContent).toBe('Payment received100 VRC from user123');
  });

  it('write the name inside the sentence of the visitor’s language', () => {
    const es = createI18n('es', { ...payEs }, { ...english, ...payEn });
    const p = paymentEvent({ counterpartyName: 'Alice', direction: 'out', amount: '1234.5' });
    render(<Toasts toasts={[{ id: 't', payment: p }]} i18n={es} receiptUrl={receiptUrl} onDismiss={() => {}} onOpen={() => {}} />, container);
    expect(container.querySelector('[role="status"]')!.textContent).toBe('Pago enviado1234,5 VRC a Alice');
  });
});

describe('payment cards', () => {
  it('draw untrusted text as text: counterparty, memo, failure reason', () => {
    const evil = '<img src=x onerror="window.__pwned=1"><b>x</b>';
    const p = paymentEvent({ counterparty: evil, memo: evil, type: 'failure', status: 'failed', failure: { code: 'x', message: evil }, amount: '0.000000000000000001' });
    render(<PaymentCard payment={p} kind="payment" i18n={en} href={receiptUrl(p)} />, container);
    expect(container.querySelector('img, b')).toBeNull();
    expect(container.textContent).toContain(`from ${evil}`);
    render(null, container);
    render(<PaymentCard payment={{ ...p, counterpartyName: evil }} kind="payment" i18n={en} href={null} />, container);
    expect(container.querySelector('img, b')).toBeNull();
    expect(container.querySelector('.vc-pay-line')!.textContent).toBe(`0.000000000000000001 VRC from ${evil}`);
    expect(container.querySelector('.vc-card-memo')!.textContent).toBe(evil);
    expect(container.querySelector('.vc-pay-reason')!.textContent).toBe(evil);
    // The card, its memo and its reason each take their own text's direction.
    expect(['.vc-card', '.vc-card-memo', '.vc-pay-reason'].map((sel) => container.querySelector(sel)!.getAttribute('dir'))).toEqual(['auto', 'auto', 'auto']);
    expect(container.querySelector('.vc-amount')!.textContent).toBe('0.000000000000000001 VRC');
    expect((window as { __pwned?: number }).__pwned).toBeUndefined();
  });

  it('link the receipt, with its number, and name the other party', () => {
    const p = paymentEvent({ receiptNumber: 42, counterpartyName: 'Bob Seller' });
    render(<PaymentCard payment={p} kind="payment" i18n={en} href={receiptUrl(p, 'en')} />, container);
    expect(container.querySelector('.vc-pay-title')!.textContent).toBe('Payment received');
    expect(container.querySelector('.vc-pay-line')!.textContent).toBe('100 VRC from Bob Seller');
    expect(container.querySelector('.vc-card-meta')!.textContent).toBe('Receipt no. 42');
    expect(container.querySelector('a.vc-card-link')!.getAttribute('href')).toBe('https://chat.example/receipts/r-1?k=link&lang=en');
  });

  it('link a failed payment’s receipt below its reason', () => {
    const p = paymentEvent({ type: 'failure', status: 'failed', direction: 'out', counterparty: 'shop', receiptNumber: 43, failure: { code: 'declined', message: 'Card declined' } });
    render(<PaymentCard payment={p} kind="payment" i18n={en} href={receiptUrl(p, 'en')} />, container);
    expect(container.querySelector('.vc-card')!.className).toContain('vc-pay-failure');
    expect([...container.querySelector('.vc-card')!.children].map((el) => el.className)).toEqual([
      'vc-card-head',
      'vc-pay-line',
      'vc-pay-reason',
      'vc-card-meta',
      'vc-card-link',
    ]);
    expect(container.querySelector('.vc-pay-title')!.textContent).toBe('Payment failed');
    expect(container.querySelector('.vc-card-meta')!.textContent).toBe('Receipt no. 43');
    expect(container.querySelector('a.vc-card-link')!.textContent).toBe('View receipt (opens in a new tab)');
  });

  it('without a receipt or identity, have no link', () => {
    const p = paymentEvent({ receiptId: null, receiptUrl: null, receiptNumber: null, status: 'pending' });
    render(<PaymentCard payment={p} kind="payment" i18n={en} href={null} />, container);
    expect(container.querySelector('a')).toBeNull();
    expect(container.querySelector('.vc-card')!.className).toContain('vc-pay-pending');
  });
});

describe('notification list', () => {
  it('marks unread ones in words, and offers to mark one or all read', () => {
    const marked: (string[] | undefined)[] = [];
    const unread = paymentEvent({ notificationId: notificationId(1), counterpartyName: 'Alice' });
    const read = paymentEvent({ notificationId: notificationId(2), direction: 'out', status: 'refunded', counterparty: 'shop', receiptId: null });
    const state: PaymentsState = { ...initialPaymentsState(), customer: true, unreadCount: 1, notifications: [notification(unread), notification(read, { read: true })] };
    render(<NotificationsPanel state={state} i18n={en} receiptUrl={receiptUrl} onMarkRead={(ids) => marked.push(ids)} onLoadOlder={() => {}} headingRef={{ current: null }} />, container);
    const items = [...container.querySelectorAll('.vc-notes-item')];
    expect(items[0]!.querySelector('.vc-pay-title')!.textContent).toBe('Unread: Payment received');
    expect(items[1]!.querySelector('.vc-pay-title')!.textContent).toBe('Refund sent');
    expect(items.map((i) => i.querySelector('.vc-pay-line')!.textContent)).toEqual(['100 VRC from Alice', '100 VRC to shop']);
    expect(items.map((i) => i.querySelector('.vc-notes-body')!.getAttribute('dir'))).toEqual(['auto', 'auto']);
    expect(items[0]!.querySelector('a')!.getAttribute('href')).toBe('https://chat.example/receipts/r-1?k=link&lang=en');
    expect(items[1]!.querySelector('button')).toBeNull();
    items[0]!.querySelector<HTMLButtonElement>('button')!.click();
    [...container.querySelectorAll('button')].find((b) => b.textContent === 'Mark all as read')!.click();
    expect(marked).toEqual([[notificationId(1)], undefined]);
  });

  it('says when there is nothing, and offers older ones when there are', () => {
    let older = 0;
    const panel = (state: PaymentsState) =>
      render(<NotificationsPanel state={state} i18n={en} receiptUrl={receiptUrl} onMarkRead={() => {}} onLoadOlder={() => older++} headingRef={{ current: null }} />, container);
    panel({ ...initialPaymentsState(), customer: true });
    expect(container.querySelector('.vc-empty')!.textContent).toMatch(/^No notifications yet/);
    panel({ ...initialPaymentsState(), customer: true, hasMore: true, notifications: [notification(paymentEvent())] });
    container.querySelector<HTMLButtonElement>('.vc-notes-more')!.click();
    expect(older).toBe(1);
  });
});
