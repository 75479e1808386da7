// Mounts one widget: host element + shadow root, stores, connection, controller, features, Preact
// tree. Everything is created here and passed down; nothing lives at module level.
import { render } from 'preact';
import type { SessionEvent } from '../protocol/chat.ts';
import { App, type Appearance } from './components/App.tsx';
import { createConnection, type Connection, type ConnectionStatus } from './connection.ts';
import { createController, type Controller, type Emit } from './controller.ts';
import { createFeatures, type FeatureDescriptor, type Features } from './feature.ts';
import { adoptStyles, createHost, raise } from './host.ts';
import { resolveLocale, type Locale } from './i18n/index.ts';
import { createTexts } from './i18n/texts.ts';
import type { Logger } from './log.ts';
import { initialChatState, type ChatState } from './state/chat.ts';
import { createStore, type Store } from './state/store.ts';
import { initialUiState, type UiState } from './state/ui.ts';
import { createTokenStore } from './storage.ts';
import baseCss from './styles/base.css?inline';
import type { VeryChatUser } from './types.ts';

export type WindowModule = typeof import('./components/window.ts');

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
  /** What the widget can do besides chat (features.ts); each loads when it is wanted. */
  features: readonly FeatureDescriptor[];
  /** Tests pass a fake; the real one talks socket.io. */
  connection?: Connection;
  storage?: Storage | null;
}

export interface WidgetHandle {
  controller: Controller;
  chat: Store<ChatState>;
  ui: Store<UiState>;
  features: Features;
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
  const connection = o.connection ?? createConnection({ apiUrl: o.apiUrl, win: win ?? undefined, log: o.log.debug });
  const tokens = createTokenStore(o.siteKey, o.storage === undefined ? localStorageOrNull(win) : o.storage);
  if (o.consent) tokens.grantConsent();

  // Features may arrive after the session began: they read the connection as it is now.
  let status: ConnectionStatus = 'idle';
  let session: SessionEvent | null = null;
  const watching = [connection.onStatus((s) => void (status = s)), connection.on('session', (s) => void (session = s))];

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
    onLogout: () => features.reset(),
    sendVia: () => features.sender(),
  });
  const texts = createTexts({ warn: o.log.warn });
  const languages = win?.navigator.languages ?? [];
  // The language the App shows (the same choice): the visitor's, else the workspace's.
  const locale = (): Locale => resolveLocale(o.appearance.locale, [...languages, ui.get().settings?.locale ?? 'en']);
  const features = createFeatures({
    descriptors: o.features,
    host: {
      connection,
      chat: controller,
      chatState: chat,
      ui,
      locale,
      emit: o.emit,
      log: o.log,
      apiUrl: o.apiUrl,
      siteKey: o.siteKey,
      status: () => status,
      session: () => session,
      adoptCss: (css) => adoptStyles(root, css),
    },
    chat,
    loadTexts: texts.addFeature,
  });

  adoptStyles(root, baseCss);
  // The chat window is a chunk of its own, fetched on the first sign of intent (components/window.ts).
  const chatWindow = createStore<WindowModule | null>(null);
  let windowLoading: Promise<void> | null = null;
  const wantWindow = (): void => {
    windowLoading ??= import('./components/window.ts').then(
      (m) => {
        if (destroyed) return;
        adoptStyles(root, m.css);
        chatWindow.set(() => m);
      },
      (e: unknown) => {
        windowLoading = null; // Opening again tries again.
        o.log.warn('Could not load the chat window.', e);
      },
    );
  };
  const unwatchOpen = ui.subscribe((s) => s.open && wantWindow());
  const mountPoint = o.doc.createElement('div');
  root.append(mountPoint);
  const draw = (): void => {
    if (destroyed) return;
    render(
      <App
        chat={chat}
        ui={ui}
        controller={controller}
        features={features.loaded}
        chatWindow={chatWindow}
        wantWindow={wantWindow}
        views={features}
        doc={o.doc}
        appearance={o.appearance}
        languages={languages}
        catalogs={texts.catalogs}
        ensureCatalog={(l) => void texts.show(l)}
      />,
      mountPoint,
    );
  };
  // Draw once the workspace's look and the visitor's texts are here (or have failed, or are slow),
  // so the launcher neither changes colour or side nor flips language a moment later. The look is a
  // public, cacheable GET: no session, no visitor token, nothing stored.
  // The visitor's language first, then the workspace's (as the App decides).
  const look = controller.look().then(() => texts.show(locale()));
  const first = Promise.all([look, texts.show(resolveLocale(o.appearance.locale, languages))]);
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
    features,
    host,
    root,
    destroy() {
      destroyed = true;
      unraise();
      unwatchOpen();
      for (const u of watching) u();
      features.destroy();
      o.doc.removeEventListener('visibilitychange', onVisible);
      controller.destroy();
      render(null, mountPoint);
      host.remove();
    },
  };
}
