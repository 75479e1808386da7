// Mounts one widget: host element + shadow root, stores, connection, controller, Preact tree.
// Everything is created here and passed down; nothing lives at module level.
import { render } from 'preact';
import type { SessionEvent } from '../protocol/chat.ts';
import { App, type Appearance } from './components/App.tsx';
import { createConnection, type Connection, type ConnectionStatus } from './connection.ts';
import { createController, type Controller, type Emit } from './controller.ts';
import { adoptStyles, createHost, raise } from './host.ts';
import { english, loadCatalog, resolveLocale, type Catalog, type Locale } from './i18n/index.ts';
import type { Logger } from './log.ts';
import { loadPayments, type PaymentsFeature } from './payments/load.ts';
import { initialPaymentsState, type PaymentsState } from './payments/state.ts';
import { initialChatState, type ChatState } from './state/chat.ts';
import { createStore, type Store } from './state/store.ts';
import { initialUiState, type UiState } from './state/ui.ts';
import { createTokenStore } from './storage.ts';
import launcherCss from './styles/launcher.css?inline';
import widgetCss from './styles/widget.css?inline';
import type { VeryChatUser } from './types.ts';

export interface MountOptions {
  doc: Document;
  siteKey: string;
  apiUrl: string;
  user?: VeryChatUser;
  appearance: Appearance;
  /** The page called boot() itself: the visitor token may be stored right away. */
  consent: boolean;
  log: Logger;
  emit: Emit;
  /** Tests pass a fake; the real one talks socket.io. */
  connection?: Connection;
  storage?: Storage | null;
}

export interface WidgetHandle {
  controller: Controller;
  chat: Store<ChatState>;
  ui: Store<UiState>;
  /** Written by the payments controller once loaded; the initial state until then. */
  paymentsState: Store<PaymentsState>;
  payments: Store<PaymentsFeature | null>;
  /** Loads the payments chunk if needed (API calls for an identified customer). */
  loadPayments(): Promise<PaymentsFeature>;
  host: HTMLElement;
  root: ShadowRoot;
  destroy(): void;
}

function localStorageOrNull(win: Window | null): Storage | null {
  try {
    return win?.localStorage ?? null;
  } catch {
    return null; // Access itself throws when storage is blocked.
  }
}

export function mountWidget(o: MountOptions): WidgetHandle {
  const win = o.doc.defaultView;
  const { host, root } = createHost(o.doc);
  let destroyed = false;
  const chat = createStore(initialChatState());
  const ui = createStore(initialUiState());
  const paymentsState = createStore(initialPaymentsState());
  const connection = o.connection ?? createConnection({ apiUrl: o.apiUrl, win: win ?? undefined, log: o.log.debug });
  const tokens = createTokenStore(o.siteKey, o.storage === undefined ? localStorageOrNull(win) : o.storage);
  if (o.consent) tokens.grantConsent();
  const controller = createController({
    siteKey: o.siteKey,
    connection,
    tokens,
    chat,
    ui,
    emit: o.emit,
    log: o.log,
    user: o.user,
    // Reading the latest message needs the window open and the tab in front.
    canSeeLatest: () => ui.get().open && o.doc.visibilityState !== 'hidden',
    onLogout: () => {
      payments.get()?.controller.reset();
      paymentsState.set(initialPaymentsState());
    },
  });

  // Payments (toasts, bell, cards) come in their own chunk, fetched when a session turns out to be an
  // identified customer's or a payment card is in the conversation; anonymous visitors never need it.
  const payments = createStore<PaymentsFeature | null>(null);
  let status: ConnectionStatus = 'idle';
  let session: SessionEvent | null = null;
  let loading: Promise<PaymentsFeature> | null = null;
  const ensurePayments = (): Promise<PaymentsFeature> =>
    (loading ??= loadPayments().then(
      (module) => {
        if (destroyed) throw new Error('The widget was shut down.');
        adoptStyles(root, module.css);
        const feature: PaymentsFeature = {
          ui: module,
          controller: module.createPayments({
            connection,
            store: paymentsState,
            emit: o.emit,
            log: o.log,
            apiUrl: o.apiUrl,
            identity: () => controller.identity(),
            status,
            session,
          }),
        };
        payments.set(() => feature);
        return feature;
      },
      (e: unknown) => {
        loading = null; // The next need tries again; meanwhile payment cards show as text.
        o.log.warn('Could not load the payments module.', e);
        throw e;
      },
    ));
  const wantPayments = (): void => void ensurePayments().catch(() => {});
  const stopWatching = [
    connection.onStatus((s) => void (status = s)),
    connection.on('session', (s) => {
      session = s;
      if (s.role === 'customer') wantPayments();
    }),
    chat.subscribe((s) => !loading && s.messages.some((m) => m.kind === 'payment' || m.kind === 'receipt') && wantPayments()),
  ];

  const catalogs = createStore<Partial<Record<Locale, Catalog>>>({ en: english });
  const requested = new Map<Locale, Promise<void>>([['en', Promise.resolve()]]);
  const ensureCatalog = (locale: Locale): Promise<void> => {
    let p = requested.get(locale);
    if (!p) {
      p = loadCatalog(locale as Exclude<Locale, 'en'>).then(
        (catalog) => catalogs.set((s) => ({ ...s, [locale]: catalog })),
        (e: unknown) => o.log.warn(`Could not load the "${locale}" texts; using English.`, e),
      );
      requested.set(locale, p);
    }
    return p;
  };

  adoptStyles(root, launcherCss + widgetCss);
  const mountPoint = o.doc.createElement('div');
  root.append(mountPoint);
  const languages = win?.navigator.languages ?? [];
  const draw = (): void => {
    if (destroyed) return;
    render(
      <App
        chat={chat}
        ui={ui}
        controller={controller}
        payments={payments}
        paymentsState={paymentsState}
        appearance={o.appearance}
        languages={languages}
        catalogs={catalogs}
        ensureCatalog={(l) => void ensureCatalog(l)}
      />,
      mountPoint,
    );
  };
  // Draw once the visitor's catalog is here (or has failed, or is slow), so the launcher does not
  // flip from English to their language a moment later.
  const first = ensureCatalog(resolveLocale(o.appearance.locale, languages));
  void Promise.race([first, new Promise((r) => setTimeout(r, 3000))]).then(draw);

  // Coming back to the tab with the window open counts as reading.
  const onVisible = (): void => controller.markRead();
  o.doc.addEventListener('visibilitychange', onVisible);
  // A page overlay opened later can take the top layer above us; opening the chat raises it again.
  const unraise = ui.subscribe((s) => s.open && raise(host));

  return {
    controller,
    chat,
    ui,
    paymentsState,
    payments,
    loadPayments: ensurePayments,
    host,
    root,
    destroy() {
      destroyed = true;
      unraise();
      for (const u of stopWatching) u();
      payments.get()?.controller.destroy();
      o.doc.removeEventListener('visibilitychange', onVisible);
      controller.destroy();
      render(null, mountPoint);
      host.remove();
    },
  };
}
