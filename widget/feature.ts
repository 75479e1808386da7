// The one seam a widget feature plugs in through (payments today; the help panel and the assistant
// next). The core names no feature: it draws what the loaded ones contribute, routes the JS API
// methods and events they declare, and fetches their code when they ask for it. widget/README.md
// shows how to add one.
//
// A feature comes in two halves:
//   - a FeatureDescriptor, small, in the app chunk: its name, the public methods and events it
//     owns, when its code is wanted, and how to import() it;
//   - a FeatureModule, its own chunk, fetched lazily: create(host) returns the Feature, the parts
//     the core draws (header buttons, panels, message cards, an overlay) and its API methods.
import type { ComponentChild, ComponentType } from 'preact';
import type { MessageKind, SessionEvent } from '../protocol/chat.ts';
import type { MethodName } from './api-methods.ts';
import type { Connection, ConnectionStatus } from './connection.ts';
import type { Controller, Emit } from './controller.ts';
import type { I18n, Locale } from './i18n/index.ts';
import type { Logger } from './log.ts';
import type { ChatMessage, ChatState } from './state/chat.ts';
import { createStore, type Store } from './state/store.ts';
import type { UiState } from './state/ui.ts';
import type { VeryChatEvent } from './types.ts';

/** What the core offers a feature when it is created. */
export interface FeatureHost {
  connection: Connection;
  /** The chat: open() it, read the identity token in use. */
  chat: Controller;
  ui: Store<UiState>;
  /** Emits an event to the page (VeryChat.on); only events the descriptor declares. */
  emit: Emit;
  log: Logger;
  /** Origin (and path prefix) of the VeryChat server. */
  apiUrl: string;
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
  /** Drawn outside the chat window, also while it is closed (e.g. toasts). */
  Overlay?: ComponentType<FeatureViewProps>;
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
  /** Whether its code is wanted now; asked whenever the session or the conversation changes. */
  wanted(now: { session: SessionEvent | null; chat: ChatState }): boolean;
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
  reset(): void;
  destroy(): void;
}

export interface FeaturesOptions {
  descriptors: readonly FeatureDescriptor[];
  /** The host each feature gets, without showPanel (bound per feature here). */
  host: Omit<FeatureHost, 'showPanel'>;
  chat: Store<ChatState>;
  /** Fetches a feature's texts for the visitor's language(s) into the catalogs. */
  loadTexts(messages: FeatureMessages): Promise<void>;
}

/** Panel ids in UiState.panel are `<feature>:<panel>`. */
export const panelOf = (ui: UiState, feature: string): string | null =>
  ui.panel?.startsWith(`${feature}:`) ? ui.panel.slice(feature.length + 1) : null;

export function createFeatures({ descriptors, host, chat, loadTexts }: FeaturesOptions): Features {
  const loaded = createStore<readonly LoadedFeature[]>([]);
  const loading = new Map<string, Promise<Feature>>();
  let destroyed = false;

  const descriptor = (name: string): FeatureDescriptor => {
    const d = descriptors.find((x) => x.name === name);
    if (!d) throw new Error(`No feature named "${name}".`);
    return d;
  };

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
          showPanel: (id) => host.chat.showPanel(id === null ? null : `${name}:${id}`),
        });
        // Keep descriptor order, whatever order they arrive in.
        loaded.set((list) => descriptors.flatMap((x) => (x.name === name ? [{ name, feature }] : list.filter((l) => l.name === x.name))));
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

  const want = (): void => {
    const now = { session: host.session(), chat: chat.get() };
    for (const d of descriptors) if (!loading.has(d.name) && d.wanted(now)) ensure(d.name).catch(() => {});
  };
  const stop = [chat.subscribe(want), host.connection.on('session', () => queueMicrotask(want))];

  return {
    loaded,
    get: (name) => loaded.get().find((l) => l.name === name)?.feature ?? null,
    ensure,
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
