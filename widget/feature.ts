// The one seam a widget feature plugs in through (payments; the assistant with its help panel). The
// core names no feature: it draws what the loaded ones contribute, routes the JS API methods, events
// and page views they declare, lets one of them send the composer's text, and fetches their code when
// they ask for it. widget/README.md shows how to add one.
//
// A feature comes in two halves:
//   - a FeatureDescriptor, small, in the app chunk: its name, the public methods and events it
//     owns, when its code is wanted, and how to import() it;
//   - a FeatureModule, its own chunk, fetched lazily: create(host) returns the Feature, the parts
//     the core draws (header buttons, panels, message cards, the end of the message log, an
//     overlay), its API methods, and optionally how text is sent, a badge count and services.
import type { ComponentChild, ComponentType } from 'preact';
import type { MessageDto, MessageKind, SessionEvent } from '../protocol/chat.ts';
import type { MethodName } from './api-methods.ts';
import type { Connection, ConnectionStatus, Result } from './connection.ts';
import type { Controller, Emit } from './controller.ts';
import type { I18n, Locale } from './i18n/index.ts';
import type { Logger } from './log.ts';
import type { ChatMessage, ChatState } from './state/chat.ts';
import { createStore, type Store } from './state/store.ts';
import type { UiState } from './state/ui.ts';
import type { VeryChatEvent } from './types.ts';

/** Services one feature offers the others (found with FeatureHost.service, whoever provides them). */
export interface FeatureServices {
  /** The printable receipt of one of the customer's payments, when this device holds its receipt link. */
  receiptUrl(ref: { paymentId: string; receiptId: string }, locale: string): string | null;
}

/**
 * How a feature sends what the visitor typed (instead of the core's `send-message`). The outbox calls
 * it in typing order with the message's client id, and keeps its rules: an ok reply is stored, a
 * transient error requeues with the same id (so the reply must be idempotent on it), anything else
 * marks the message failed until the visitor retries.
 */
export type SendText = (m: { conversationId: string; clientMessageId: string; text: string }) => Promise<Result<{ message: MessageDto }>>;

/** What the core offers a feature when it is created. */
export interface FeatureHost {
  connection: Connection;
  /** The chat: open() it, send(), receive() a message the feature's own events carry, identity(). */
  chat: Controller;
  /** The conversation as the core holds it (read it; change it through `chat`). */
  chatState: Store<ChatState>;
  ui: Store<UiState>;
  /** The language the widget shows (what the visitor reads). */
  locale(): Locale;
  /** A service some loaded feature offers, if any does. */
  service<K extends keyof FeatureServices>(name: K): FeatureServices[K] | null;
  /** Emits an event to the page (VeryChat.on); only events the descriptor declares. */
  emit: Emit;
  log: Logger;
  /** Origin (and path prefix) of the VeryChat server. */
  apiUrl: string;
  /** The workspace's public site key (the widget's REST calls name it). */
  siteKey: string;
  /** The connection and session as they are now: a feature may arrive after the session began. */
  status(): ConnectionStatus;
  session(): SessionEvent | null;
  /** Shows one of this feature's panels in place of the messages; null goes back to them. */
  showPanel(id: string | null): void;
  /** Adds CSS to the shadow root (for parts the feature itself loads later). */
  adoptCss(css: string): void;
}

/** Props of every component a feature contributes. */
export interface FeatureViewProps {
  i18n: I18n;
  ui: UiState;
  /** This feature's panel that is open, if any. */
  panel: string | null;
}

export interface Feature {
  /** Buttons in the chat window's header, before the close button. */
  HeaderButtons?: ComponentType<FeatureViewProps>;
  /** Views shown in place of the message list while open (see FeatureHost.showPanel). */
  panels?: Record<string, ComponentType<FeatureViewProps>>;
  /** Cards for message kinds; null falls back to the text bubble (e.g. a payload it cannot draw). */
  messages?: Partial<Record<MessageKind, (message: ChatMessage, i18n: I18n) => ComponentChild | null>>;
  /** Drawn at the end of the message log, after the messages (e.g. an answer being written). */
  Log?: ComponentType<FeatureViewProps>;
  /** Drawn outside the chat window, also while it is closed (e.g. toasts). */
  Overlay?: ComponentType<FeatureViewProps>;
  /** Sends the composer's text (its descriptor says `sends`). */
  send?: SendText;
  /** Unread things of its own the page's `data-verychat-badge` elements count with the chat's (notifications). */
  badge?: Pick<Store<number>, 'get' | 'subscribe'>;
  services?: Partial<FeatureServices>;
  /** Implementations of the descriptor's methods that need the feature's code. */
  api?: Partial<Record<MethodName, (...args: unknown[]) => Promise<unknown>>>;
  /** The visitor logged out: forget everything about them. */
  reset(): void;
  destroy(): void;
}

export type FeatureMessages = Partial<Record<Locale, () => Promise<Record<string, string>>>>;

export interface FeatureModule {
  /** CSS for the shadow root, added when the feature arrives. */
  css?: string;
  /**
   * Its texts, one loader per language (each its own small chunk), merged with the core's catalogs so
   * i18n.t() finds them. Only the visitor's language is fetched; the feature shows once it is here.
   */
  messages?: FeatureMessages;
  create(host: FeatureHost): Feature;
}

/** What a public method of a feature gets besides its arguments. */
export interface FeatureCall {
  /** Rejects with INVALID_ARGUMENT and logs the one console error misuse gets. */
  misuse(message: string): Promise<never>;
  /** Waits for boot(): the chat, and the feature's code (fetched if needed). */
  ready(): Promise<{ chat: Controller; load(): Promise<Feature> }>;
}

export interface FeatureDescriptor {
  name: string;
  /** Events it emits to the page. */
  events: readonly VeryChatEvent[];
  /**
   * Public methods it owns (they must be listed in api-methods.ts): checks the arguments at once,
   * and answers what needs no download (an anonymous visitor has no notifications) before load().
   */
  methods?: Partial<Record<MethodName, (args: unknown[], call: FeatureCall) => Promise<unknown>>>;
  /**
   * It sends the composer's text (Feature.send). The outbox waits for its code before sending, so
   * nothing goes out the wrong way; if the code cannot be fetched, the core's send-message is used.
   */
  sends?: boolean;
  /** Its panel shown when the window opens on a conversation without messages (a home view). */
  home?: string;
  /** Page views it opens: `data-verychat="<view>"` elements of the page show this panel of its. */
  views?: Record<string, string>;
  /** Whether its code is wanted now; asked whenever the session, the conversation or `open` changes. */
  wanted(now: { session: SessionEvent | null; chat: ChatState; open: boolean }): boolean;
  load(): Promise<FeatureModule>;
}

export interface LoadedFeature {
  name: string;
  feature: Feature;
}

export interface Features {
  /** Features loaded so far, in descriptor order; components re-render when one arrives. */
  loaded: Store<readonly LoadedFeature[]>;
  /** The loaded feature of that name, if any. */
  get(name: string): Feature | null;
  /** Fetches and creates it once; a failed download is retried on the next need. */
  ensure(name: string): Promise<Feature>;
  /** How the composer's text leaves: the sending feature's (fetched first), or null for send-message. */
  sender(): Promise<SendText | null>;
  /** Opens the window on a feature's page view (data-verychat); false when no feature has it. */
  show(view: string): boolean;
  /** The loaded features' badge counts, summed; `onBadge` hears of changes. */
  badge(): number;
  onBadge(listener: () => void): () => void;
  reset(): void;
  destroy(): void;
}

export interface FeaturesOptions {
  descriptors: readonly FeatureDescriptor[];
  /** The host each feature gets, without showPanel and service (bound here). */
  host: Omit<FeatureHost, 'showPanel' | 'service'>;
  chat: Store<ChatState>;
  /** Fetches a feature's texts for the visitor's language(s) into the catalogs. */
  loadTexts(messages: FeatureMessages): Promise<void>;
}

/** A home view shown before the conversation was known gives way to its messages if they come this soon. */
const HOME_YIELDS_MS = 5000;

/** Panel ids in UiState.panel are `<feature>:<panel>`. */
export const panelOf = (ui: UiState, feature: string): string | null =>
  ui.panel?.startsWith(`${feature}:`) ? ui.panel.slice(feature.length + 1) : null;

export function createFeatures({ descriptors, host, chat, loadTexts }: FeaturesOptions): Features {
  const loaded = createStore<readonly LoadedFeature[]>([]);
  const loading = new Map<string, Promise<Feature>>();
  const badgeListeners = new Set<() => void>();
  const badgeChanged = (): void => badgeListeners.forEach((l) => l());
  let destroyed = false;

  const descriptor = (name: string): FeatureDescriptor => {
    const d = descriptors.find((x) => x.name === name);
    if (!d) throw new Error(`No feature named "${name}".`);
    return d;
  };
  const service: FeatureHost['service'] = (name) => loaded.get().find((l) => l.feature.services?.[name])?.feature.services![name] ?? null;

  function ensure(name: string): Promise<Feature> {
    let p = loading.get(name);
    if (p) return p;
    const d = descriptor(name);
    p = d.load().then(
      async (module) => {
        if (module.messages) await loadTexts(module.messages);
        if (destroyed) throw new Error('The widget was shut down.');
        if (module.css) host.adoptCss(module.css);
        const feature = module.create({
          ...host,
          service,
          showPanel: (id) => host.chat.showPanel(id === null ? null : `${name}:${id}`),
        });
        if (feature.badge) stop.push(feature.badge.subscribe(badgeChanged));
        // Keep descriptor order, whatever order they arrive in.
        loaded.set((list) => descriptors.flatMap((x) => (x.name === name ? [{ name, feature }] : list.filter((l) => l.name === x.name))));
        badgeChanged();
        return feature;
      },
      (e: unknown) => {
        loading.delete(name); // The next need tries again; meanwhile its cards show as text.
        host.log.warn(`Could not load the ${name} module.`, e);
        throw e;
      },
    );
    loading.set(name, p);
    return p;
  }

  /** Shows a feature's panel, fetching its code; back to the messages if the code cannot come. */
  function showPanel(name: string, panel: string): void {
    const id = `${name}:${panel}`;
    host.chat.showPanel(id);
    ensure(name).catch(() => host.ui.get().panel === id && host.chat.showPanel(null));
  }

  let open = host.ui.get().open;
  /**
   * The home view the window opened on before its conversation was known (a returning visitor's history
   * still loading), and until when: if that history turns out to have messages, it shows instead.
   */
  let homeUntil: { id: string; until: number } | null = null;
  const want = (): void => {
    const now = { session: host.session(), chat: chat.get(), open };
    for (const d of descriptors) if (!loading.has(d.name) && d.wanted(now)) ensure(d.name).catch(() => {});
  };
  const onChat = (s: ChatState): void => {
    if (homeUntil && s.messages.some((m) => m.seq !== null)) {
      const { panel, open: shown } = host.ui.get();
      if (shown && panel === homeUntil.id && Date.now() < homeUntil.until) host.chat.showPanel(null);
      homeUntil = null;
    }
    want();
  };
  const onUi = (ui: UiState): void => {
    if (homeUntil && ui.panel !== homeUntil.id) homeUntil = null;
    if (ui.open === open) return;
    open = ui.open;
    // Opening on a conversation without messages (and nothing prefilled to send): a feature's home view, if one has one.
    const home = descriptors.find((d) => d.home);
    if (open && home && !ui.panel && !ui.draft && chat.get().messages.length === 0) {
      showPanel(home.name, home.home!);
      if (!chat.get().conversation) homeUntil = { id: `${home.name}:${home.home}`, until: Date.now() + HOME_YIELDS_MS };
    }
    want();
  };
  const stop = [chat.subscribe(onChat), host.ui.subscribe(onUi), host.connection.on('session', () => queueMicrotask(want))];

  return {
    loaded,
    get: (name) => loaded.get().find((l) => l.name === name)?.feature ?? null,
    ensure,
    async sender() {
      const d = descriptors.find((x) => x.sends);
      return d ? ensure(d.name).then((f) => f.send ?? null, () => null) : null;
    },
    show(view) {
      const d = descriptors.find((x) => x.views?.[view]);
      if (!d) return false;
      const { open, panel } = host.ui.get();
      // The view already showing: its button closes the window again.
      if (open && panel === `${d.name}:${d.views![view]}`) host.chat.close();
      else {
        host.chat.open();
        showPanel(d.name, d.views![view]!);
      }
      return true;
    },
    badge: () => loaded.get().reduce((n, { feature }) => n + (feature.badge?.get() ?? 0), 0),
    onBadge(listener) {
      badgeListeners.add(listener);
      return () => void badgeListeners.delete(listener);
    },
    reset() {
      for (const { feature } of loaded.get()) feature.reset();
    },
    destroy() {
      destroyed = true;
      for (const u of stop) u();
      for (const { feature } of loaded.get()) feature.destroy();
    },
  };
}
