// @vitest-environment happy-dom
// @vitest-environment-options {"settings": {"handleDisabledFileLoadingAsSuccess": true}}
// The queued JS API end to end: the script-tag loader's global, calls made before the app exists,
// the app registering, the runtime replaying them into a real (Preact) widget over a fake connection.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../log.ts';
import { createRuntime, type Runtime } from '../runtime.ts';
import { CUSTOMER_SESSION, RECEIPT_LINK, createFakeConnection, message, notification, notificationId, paymentEvent, settle, type FakeConnection } from '../test/fake-connection.ts';
import { mountWidget } from '../widget.tsx';
import { FEATURES } from '../features.ts';
import { installLoader, type AppModule, type VeryChatGlobal } from './install.ts';

// The chat window is a lazy chunk: compile it once up front so opening it takes a tick, not a transform.
beforeAll(() => import('../components/window.ts'));

type Win = Window & { VeryChat?: VeryChatGlobal };
let connection: FakeConnection;
let runtime: Runtime | null;
let errorSpy: ReturnType<typeof vi.spyOn>;

function script(attrs: Record<string, string>): HTMLScriptElement {
  const el = document.createElement('script');
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

/** The app module the loader import()s, built as app.ts builds it but on the fake connection. */
const appModule: AppModule = {
  start(config) {
    runtime = createRuntime({
      doc: document,
      log: createLogger(),
      defaultApiUrl: new URL(config.src).origin,
      mount: (o) => mountWidget({ ...o, connection }),
      features: FEATURES,
    });
    runtime.bootFromTag(config);
    return runtime.call;
  },
};
/** How often the loader asked for the app chunk, and the switch that lets it arrive. */
let appImports = 0;
let deliver: () => void = () => {};

function install(attrs: Record<string, string> = { 'data-site-key': 'pk_test' }) {
  const delivered = new Promise<void>((resolve) => (deliver = resolve));
  const importApp = () => {
    appImports++;
    return delivered.then(() => appModule);
  };
  return installLoader({ win: window as Win, doc: document, script: script({ src: 'https://chat.example.com/widget.js', ...attrs }), importApp })!;
}

/** The app chunk arrives: whenever the loader asks for it (at once on intent, else at an idle moment). */
async function appArrives() {
  deliver();
  await vi.waitFor(() => expect(appImports).toBeGreaterThan(0));
  await settle();
}

beforeEach(() => {
  delete (window as Win).VeryChat;
  localStorage.clear();
  document.head.innerHTML = '';
  appImports = 0;
  connection = createFakeConnection();
  runtime = null;
  errorSpy = vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(async () => {
  await runtime?.call('shutdown', []);
  errorSpy.mockRestore();
});

describe('window.VeryChat before and after the app loads', () => {
  it('installs one global with call style and method style', () => {
    const VeryChat = install();
    expect((window as Win).VeryChat).toBe(VeryChat);
    for (const m of ['boot', 'open', 'close', 'toggle', 'identify', 'logout', 'sendMessage', 'prefill', 'on', 'off', 'getUnreadCount', 'getNotifications', 'markNotificationsRead', 'showHelp', 'showArticle', 'ask', 'shutdown', 'debug']) {
      expect(typeof VeryChat[m]).toBe('function');
    }
  });

  it('replays calls made before the app loaded, in order, and settles their promises', async () => {
    const VeryChat = install();
    const order: string[] = [];
    const p1 = VeryChat('on', 'open', () => order.push('open-event'));
    const p2 = (VeryChat.prefill as (t: string) => Promise<unknown>)('Hello there');
    const p3 = VeryChat('open');
    const p4 = (VeryChat.getUnreadCount as () => Promise<number>)();
    // `open` shows intent: the app is requested now, not at idle time.
    expect(appImports).toBe(1);
    await appArrives();
    await expect(Promise.all([p1, p2, p3, p4])).resolves.toEqual([undefined, undefined, undefined, 0]);
    expect(order).toEqual(['open-event']);
    const root = runtime!.widget!.root;
    // The first paint waits for the visitor's catalog (a chunk of its own).
    await vi.waitFor(() => expect(root.querySelector('textarea')).not.toBeNull());
    expect(root.querySelector('textarea')!.value).toBe('Hello there');
    expect(errorSpy).not.toHaveBeenCalled();
  });

  it('replays calls queued on a page stub before the loader ran', async () => {
    const w = window as Win;
    const stub = function (...args: unknown[]) {
      ((stub as unknown as { q: unknown[] }).q ??= []).push(args);
    } as unknown as VeryChatGlobal;
    w.VeryChat = stub;
    (function (this: unknown, ..._a: unknown[]) {
      stub('open');
    })();
    const VeryChat = install();
    await appArrives();
    await settle();
    expect(runtime!.widget!.ui.get().open).toBe(true);
  });

  it('an unknown method logs one error and rejects, without throwing', async () => {
    const VeryChat = install();
    let result: Promise<unknown> | undefined;
    expect(() => (result = VeryChat('explode', 1))).not.toThrow();
    await expect(result).rejects.toThrow('[VeryChat] Unknown method "explode"');
    expect(errorSpy).toHaveBeenCalledTimes(1);
  });

  it('bad arguments log one error and reject, before and after the app loaded', async () => {
    const VeryChat = install();
    const early = VeryChat('sendMessage', 42);
    await appArrives();
    await expect(early).rejects.toThrow('[VeryChat] sendMessage() needs a string.');
    expect(errorSpy).toHaveBeenCalledTimes(1);
    await expect(VeryChat('on', 'nope', () => {})).rejects.toThrow(/unknown event "nope"/);
    await expect(VeryChat('identify', { name: 'no token' })).rejects.toThrow(/identify\(\) needs \{ token/);
    expect(errorSpy).toHaveBeenCalledTimes(3);
  });

  it('boot without a site key is refused clearly', async () => {
    const VeryChat = install({});
    const p = VeryChat('boot', { apiUrl: 'https://chat.example.com' });
    await appArrives();
    await expect(p).rejects.toThrow(/No site key/);
    expect(errorSpy).toHaveBeenCalledTimes(1);
  });

  it('a listener that throws does not break the widget or escape into the page', async () => {
    const VeryChat = install();
    await appArrives();
    await VeryChat('on', 'open', () => {
      throw new Error('page bug');
    });
    const seen: unknown[] = [];
    await VeryChat('on', 'open', () => seen.push('second listener'));
    await expect(VeryChat('open')).resolves.toBeUndefined();
    expect(seen).toEqual(['second listener']);
  });

  it('sendMessage() queues a message that is sent once connected; events report messages and unread', async () => {
    const VeryChat = install();
    await appArrives();
    const messages: unknown[] = [];
    const unread: unknown[] = [];
    await VeryChat('on', 'message', (m: unknown) => messages.push(m));
    await VeryChat('on', 'unread-count', (n: unknown) => unread.push(n));
    const sent = (await VeryChat('sendMessage', '  hi  ')) as { clientMessageId: string };
    await settle();
    connection.connectNow();
    // Text goes to the assistant (send-ai-query: the server decides who answers), once its code is here.
    await vi.waitFor(() => expect(connection.sent('send-ai-query')).toEqual([expect.objectContaining({ text: 'hi', clientQueryId: sent.clientMessageId, locale: 'en' })]));
    await settle();
    expect(connection.sent('send-message')).toEqual([]);
    await VeryChat('close');
    connection.emit('message-received', message(200));
    await settle();
    expect(messages).toHaveLength(2);
    expect(unread).toEqual([1]);
    await expect(VeryChat('getUnreadCount')).resolves.toBe(1);
  });

  it('showHelp(), showArticle() and ask() called before the app loaded work once it is here; misuse is explained', async () => {
    const VeryChat = install();
    vi.stubGlobal('fetch', async () => ({ ok: true, status: 200, json: async () => ({ language: 'en', categories: [], hits: [] }) }));
    const help = (VeryChat.showHelp as (q?: string) => Promise<unknown>)('refund');
    const bad = VeryChat('showArticle', 'Not A Slug');
    const long = VeryChat('showHelp', 'x'.repeat(201));
    const empty = VeryChat('ask', '   ');
    await appArrives();
    await expect(help).resolves.toBeUndefined();
    const w = runtime!.widget!;
    expect(w.ui.get()).toMatchObject({ open: true, panel: 'assistant:home' });
    await vi.waitFor(() => expect(w.root.querySelector<HTMLInputElement>('.vc-search-input')?.value).toBe('refund'));
    await expect(bad).rejects.toThrow(/showArticle\(slug\) takes an article's slug/);
    await expect(long).rejects.toThrow(/at most 200 characters/);
    await expect(empty).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(VeryChat('showArticle', 'how-refunds-work')).resolves.toBeUndefined();
    expect(w.ui.get().panel).toBe('assistant:article');
    const asked = (await VeryChat('ask', 'How long do refunds take?')) as { clientMessageId: string };
    expect(w.ui.get().panel).toBeNull();
    connection.connectNow();
    await vi.waitFor(() => expect(connection.sent('send-ai-query')).toEqual([expect.objectContaining({ clientQueryId: asked.clientMessageId, text: 'How long do refunds take?' })]));
    vi.unstubAllGlobals();
  });

  it('shutdown() removes everything; boot() brings it back', async () => {
    const VeryChat = install();
    await appArrives();
    await settle();
    expect(document.querySelector('verychat-widget')).not.toBeNull();
    await VeryChat('shutdown');
    expect(document.querySelector('verychat-widget')).toBeNull();
    const opened = VeryChat('open'); // waits for the next boot
    await VeryChat('boot', { siteKey: 'pk_other', apiUrl: 'https://chat.example.com' });
    await expect(opened).resolves.toBeUndefined();
    expect(document.querySelectorAll('verychat-widget')).toHaveLength(1);
  });

  it('the tag does not write the visitor token; opening (or an explicit boot) does', async () => {
    localStorage.clear();
    const VeryChat = install();
    await appArrives();
    await settle();
    expect(Object.keys(localStorage)).toEqual([]);
    await VeryChat('open');
    await settle();
    expect(localStorage.getItem('verychat:pk_test:visitor')).toBe('visitor-token-1');
  });
});

describe('identify() and boot({ user })', () => {
  it('identify() settles on the server’s answer: resolves once signed in, rejects a refused token with its code', async () => {
    const VeryChat = install();
    await appArrives();
    connection.session = CUSTOMER_SESSION;
    const accepted = VeryChat('identify', { token: 'good.jwt' });
    await settle();
    connection.connectNow();
    await expect(accepted).resolves.toBeUndefined();
    const forged = VeryChat('identify', { token: 'forged.jwt' });
    await settle();
    connection.setStatus('refused', { code: 'AUTH_INVALID', message: 'Token signature or format is invalid.' });
    await expect(forged).rejects.toMatchObject({ code: 'AUTH_INVALID' });
  });

  it('boot({ user }) rejects an expired token with AUTH_EXPIRED instead of resolving before the server answered', async () => {
    const VeryChat = install({});
    const booted = VeryChat('boot', { siteKey: 'pk_test', apiUrl: 'https://chat.example.com', user: { token: 'expired.jwt' } });
    let settled = false;
    void booted.then(() => (settled = true), () => (settled = true));
    await appArrives();
    expect(settled).toBe(false);
    connection.setStatus('refused', { code: 'AUTH_EXPIRED', message: 'Token has expired.' });
    await expect(booted).rejects.toMatchObject({ code: 'AUTH_EXPIRED' });
  });
});

describe('payments API', () => {
  /** The page boots an identified customer itself (as a storefront with its own login does). */
  function customerPage() {
    const VeryChat = install({});
    connection.session = CUSTOMER_SESSION;
    const booted = VeryChat('boot', { siteKey: 'pk_test', apiUrl: 'https://chat.example.com', user: { token: 'customer.jwt' } });
    return { VeryChat, booted };
  }

  it('on("payment") and getNotifications() work when called before the app loaded', async () => {
    const { VeryChat, booted } = customerPage();
    const payments: unknown[] = [];
    const unread: unknown[] = [];
    const subscribed = VeryChat('on', 'payment', (p: unknown) => payments.push(p));
    const counted = VeryChat('on', 'unread-notifications', (n: unknown) => unread.push(n));
    connection.handlers['get-notifications'] = () => ({ ok: true, unreadCount: 2, hasMore: false, notifications: [notification(paymentEvent())] });
    const page = VeryChat('getNotifications', { limit: 5 });
    await appArrives();
    // boot({ user }) settles on the server's answer: the session comes back as this customer.
    connection.connectNow();
    await expect(Promise.all([booted, subscribed, counted])).resolves.toEqual([undefined, undefined, undefined]);
    await settle();
    await expect(page).resolves.toEqual({
      unreadCount: 2,
      hasMore: false,
      notifications: [expect.objectContaining({ read: false, payment: expect.objectContaining({ amount: '100', receiptUrl: `https://chat.example.com/receipts/r-1?k=${RECEIPT_LINK}` }) })],
    });
    connection.emit('payment-event', paymentEvent({ notificationId: notificationId(77), amount: '0.000000000000000001' }));
    expect(payments).toEqual([expect.objectContaining({ amount: '0.000000000000000001', notificationId: notificationId(77) })]);
    expect(unread.at(-1)).toBe(3);
    expect(errorSpy).not.toHaveBeenCalled();
  });

  it('markNotificationsRead() marks some or all, and resolves the count the server reports', async () => {
    const { VeryChat } = customerPage();
    await appArrives();
    await settle();
    connection.connectNow();
    connection.handlers['mark-notifications-read'] = (p) => ({ ok: true, ids: 'ids' in p ? p.ids : [], all: 'all' in p, unreadCount: 'all' in p ? 0 : 4 });
    await expect(VeryChat('markNotificationsRead', [notificationId(1)])).resolves.toEqual({ unreadCount: 4 });
    await expect(VeryChat('markNotificationsRead')).resolves.toEqual({ unreadCount: 0 });
    await expect(VeryChat('markNotificationsRead', [])).resolves.toEqual({ unreadCount: 0 });
    expect(connection.sent('mark-notifications-read')).toEqual([{ ids: [notificationId(1)] }, { all: true }]);
  });

  it('anonymous visitors get an empty page, without downloading the payments chunk', async () => {
    const VeryChat = install();
    await appArrives();
    await expect(VeryChat('getNotifications')).resolves.toEqual({ notifications: [], unreadCount: 0, hasMore: false });
    await expect(VeryChat('markNotificationsRead')).resolves.toEqual({ unreadCount: 0 });
    expect(runtime!.widget!.features.get('payments')).toBeNull();
    expect(errorSpy).not.toHaveBeenCalled();
  });

  it('misuse rejects with one console error each, before and after the app loaded', async () => {
    const { VeryChat } = customerPage();
    const early = VeryChat('markNotificationsRead', 'all');
    await appArrives();
    await expect(early).rejects.toThrow('[VeryChat] markNotificationsRead(ids) takes an array of notification ids, or nothing to mark all read.');
    expect(errorSpy).toHaveBeenCalledTimes(1);
    await expect(VeryChat('markNotificationsRead', ['not-an-id'])).rejects.toThrow('"not-an-id" is not a notification id');
    await expect(VeryChat('getNotifications', { limit: 0 })).rejects.toThrow(/limit must be a whole number from 1 to 100/);
    await expect(VeryChat('getNotifications', { page: 2 })).rejects.toThrow(/unknown option "page"/);
    await expect(VeryChat('getNotifications', 'all')).rejects.toThrow(/takes an object/);
    await expect(VeryChat('on', 'payments', () => {})).rejects.toThrow(/Events: .*payment, notifications, unread-notifications/);
    expect(errorSpy).toHaveBeenCalledTimes(6);
    expect(connection.sent('mark-notifications-read')).toEqual([]);
  });

  it('getNotifications() rejects with the connection code when the server cannot be reached', async () => {
    const { VeryChat } = customerPage();
    await appArrives();
    await settle();
    connection.connectNow();
    connection.handlers['get-notifications'] = () => ({ ok: false, error: { code: 'RATE_LIMITED', message: 'slow down', retryAfterMs: 1000 } });
    await expect(VeryChat('getNotifications')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(errorSpy).not.toHaveBeenCalled(); // not misuse: the promise carries it
  });
});
