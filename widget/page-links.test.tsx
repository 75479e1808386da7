// @vitest-environment happy-dom
// The host page's own buttons and badges (data-verychat, data-verychat-badge) on the mounted widget:
// delegated clicks and keys, elements added later, links left alone when they should be, the unread count.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Emit } from './controller.ts';
import { FEATURES } from './features.ts';
import { createLogger } from './log.ts';
import { CUSTOMER_SESSION, createFakeConnection, drawn, message, paymentEvent, settle, type FakeConnection } from './test/fake-connection.ts';
import { mountWidget, type WidgetHandle } from './widget.tsx';

beforeAll(() => Promise.all([import('./components/window.ts'), import('./assistant/assistant.tsx'), import('./assistant/help.tsx')]));

let widget: WidgetHandle | null = null;
let page: HTMLElement;
afterEach(() => {
  widget?.destroy();
  widget = null;
  page?.remove();
  vi.unstubAllGlobals();
});

/** A storefront header like the demo's: help link, support button, bell with a badge. */
async function mount(o: { customer?: boolean; refused?: boolean } = {}): Promise<{ w: WidgetHandle; connection: FakeConnection }> {
  localStorage.clear();
  vi.stubGlobal('fetch', async () => ({ ok: true, status: 200, json: async () => ({ language: 'en', categories: [] }) }));
  page = document.createElement('header');
  page.innerHTML = `<a id="help" href="/help" data-verychat="help">Help</a>
    <button id="support" type="button" data-verychat="chat">Support</button>
    <button id="bell" type="button" data-verychat="notifications" aria-label="Notifications"><span id="count" data-verychat-badge hidden></span></button>
    <a id="other" href="/elsewhere">Elsewhere</a>`;
  document.body.append(page);
  const connection = createFakeConnection();
  if (o.customer) connection.session = CUSTOMER_SESSION;
  if (o.refused) connection.sessionReply = { ok: false, error: { code: 'ORIGIN_NOT_ALLOWED', message: 'Origin not allowed.' } };
  const emit: Emit = () => {};
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
    ...(o.customer ? { user: { token: 'customer.jwt' } } : {}),
  });
  widget = w;
  await drawn(w.root);
  return { w, connection };
}

const $ = (id: string) => document.getElementById(id)!;
/** Clicks like a person: the event the page's own handlers and links would see. */
function click(el: Element, init: MouseEventInit = {}): MouseEvent {
  const e = new MouseEvent('click', { bubbles: true, cancelable: true, button: 0, ...init });
  el.dispatchEvent(e);
  return e;
}

describe('data-verychat elements of the page', () => {
  it('open their view (the link’s navigation is taken over), and close the window when it shows that view', async () => {
    const { w } = await mount();
    const e = click($('help'));
    expect(e.defaultPrevented).toBe(true);
    expect(w.ui.get()).toMatchObject({ open: true, panel: 'assistant:home' });
    await vi.waitFor(() => expect(w.root.querySelector('.vc-search-input')).not.toBeNull());
    click($('support'));
    expect(w.ui.get()).toMatchObject({ open: true, panel: null });
    click($('support'));
    expect(w.ui.get().open).toBe(false);
    click($('bell'));
    expect(w.ui.get()).toMatchObject({ open: true, panel: 'payments:notifications' });
    await vi.waitFor(() => expect(w.root.querySelector('#vc-notifications')).not.toBeNull());
    click($('bell'));
    expect(w.ui.get().open).toBe(false);
  });

  it('leave modified clicks (new tab), other links and unknown views to the browser', async () => {
    const { w } = await mount();
    expect(click($('help'), { ctrlKey: true }).defaultPrevented).toBe(false);
    expect(click($('help'), { metaKey: true }).defaultPrevented).toBe(false);
    expect(click($('other')).defaultPrevented).toBe(false);
    const odd = document.createElement('a');
    odd.href = '/x';
    odd.dataset.verychat = 'no-such-view';
    page.append(odd);
    expect(click(odd).defaultPrevented).toBe(false);
    expect(w.ui.get().open).toBe(false);
  });

  it('work for elements the page adds later, with button keys for role=button, and focus goes back to them on close', async () => {
    const { w } = await mount();
    const late = document.createElement('span');
    late.setAttribute('role', 'button');
    late.tabIndex = 0;
    late.dataset.verychat = 'chat';
    late.textContent = 'Chat with us';
    page.append(late);
    late.focus();
    const enter = new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true });
    late.dispatchEvent(enter);
    expect(enter.defaultPrevented).toBe(true);
    expect(w.ui.get()).toMatchObject({ open: true, panel: null });
    await vi.waitFor(() => expect(w.root.querySelector('[role="dialog"]')).not.toBeNull());
    // Closing the window (its own button) gives focus back to the page's element.
    w.root.querySelector<HTMLButtonElement>('[aria-label="Minimize chat"]')!.click();
    await settle();
    expect(document.activeElement).toBe(late);
    const space = new KeyboardEvent('keydown', { key: ' ', bubbles: true, cancelable: true });
    late.dispatchEvent(space);
    expect(space.defaultPrevented).toBe(true);
    expect(w.ui.get().open).toBe(true);
  });

  it('stay plain links on a site where the chat is not available', async () => {
    const { w } = await mount({ refused: true });
    click($('support')); // The window opens and says why.
    await vi.waitFor(() => expect(w.ui.get().status).toBe('failed'));
    expect(click($('help')).defaultPrevented).toBe(false);
  });
});

describe('data-verychat-badge', () => {
  it('shows unread replies while the window is closed (hidden at 0), in badges the page adds later too', async () => {
    const { w, connection } = await mount();
    const badge = $('count');
    expect(badge.hidden).toBe(true);
    w.controller.start();
    connection.connectNow();
    await settle();
    connection.emit('message-received', message(1));
    await vi.waitFor(() => expect([badge.hidden, badge.textContent, badge.getAttribute('aria-label')]).toEqual([false, '1', '1 unread']));
    const later = document.createElement('span');
    later.setAttribute('data-verychat-badge', '');
    page.append(later);
    await vi.waitFor(() => expect(later.textContent).toBe('1'));
    // Read: gone everywhere.
    click($('support'));
    await vi.waitFor(() => expect(badge.hidden).toBe(true));
    expect([badge.textContent, badge.getAttribute('aria-label'), later.hidden]).toEqual(['', null, true]);
  });

  it('counts a customer’s unread payment notifications too', async () => {
    const { w, connection } = await mount({ customer: true });
    connection.connectNow();
    await vi.waitFor(() => expect(w.features.get('payments')).not.toBeNull());
    await settle();
    connection.emit('payment-event', paymentEvent());
    connection.emit('message-received', message(1));
    await vi.waitFor(() => expect($('count').textContent).toBe('2'));
    expect($('count').getAttribute('aria-label')).toBe('2 unread');
  });
});
