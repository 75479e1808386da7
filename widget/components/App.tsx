import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Controller } from '../controller.ts';
import type { Features, LoadedFeature } from '../feature.ts';
import { createI18n, resolveLocale, type Catalog, type Locale } from '../i18n/index.ts';
import { unreadCount, type ChatState } from '../state/chat.ts';
import type { Store } from '../state/store.ts';
import type { UiState } from '../state/ui.ts';
import type { WindowModule } from '../widget.tsx';
import { DEFAULT_COLOR, parseHexColor, readableTextColor } from '../styles/color.ts';
import { showBadges, watchPage } from '../page-links.ts';
import { Launcher } from './Launcher.tsx';
import { WidgetContext, useStore } from './context.ts';
import { FeatureSlot } from './FeatureSlot.tsx';

/** Looks the page chose explicitly (data-* attributes, boot options); they win over the server's. */
export interface Appearance {
  locale?: string;
  position?: string;
  color?: string;
}

export interface AppProps {
  chat: Store<ChatState>;
  ui: Store<UiState>;
  controller: Controller;
  /** Features as they load (see feature.ts). */
  features: Store<readonly LoadedFeature[]>;
  /** The chat window's chunk, once fetched; `wantWindow` fetches it (intent: hover, focus, open). */
  chatWindow: Store<WindowModule | null>;
  wantWindow(): void;
  /** The page's `data-verychat` views features open, and their badge counts. */
  views: Pick<Features, 'show' | 'badge' | 'onBadge'>;
  /** The host page (for its `data-verychat` elements). */
  doc: Document;
  appearance: Appearance;
  /** The browser's preferred languages, most preferred first. */
  languages: readonly string[];
  /** Catalogs loaded so far; `ensureCatalog` fetches one (English is always there). */
  catalogs: Store<Partial<Record<Locale, Catalog>>>;
  ensureCatalog(locale: Locale): void;
}

export function App(props: AppProps) {
  const { controller, appearance, languages, catalogs, ensureCatalog } = props;
  const chat = useStore(props.chat);
  const ui = useStore(props.ui);
  const features = useStore(props.features);
  const win = useStore(props.chatWindow);
  const loaded = useStore(catalogs);
  const prefersDark = usePrefersDark();
  const launcher = useRef<HTMLButtonElement>(null);
  /** The page's element that opened the window: focus goes back there when it closes. */
  const opener = useRef<HTMLElement | null>(null);
  const [featureBadge, setFeatureBadge] = useState(0);

  const settings = ui.settings;
  // Explicit locale, else the visitor's own language when we have it, else the workspace's.
  const wanted = resolveLocale(appearance.locale, [...languages, settings?.locale ?? 'en']);
  useEffect(() => ensureCatalog(wanted), [wanted]);
  // Until the wanted catalog arrives, one we have stays (text and direction together).
  const locale = loaded[wanted] ? wanted : ((Object.keys(loaded)[0] as Locale | undefined) ?? wanted);
  const i18n = useMemo(() => createI18n(locale, loaded[locale] ?? {}, loaded.en), [locale, loaded[locale], loaded.en]);
  const context = useMemo(() => ({ i18n, controller, features }), [i18n, controller, features]);
  const color = parseHexColor(appearance.color) ?? parseHexColor(settings?.color) ?? DEFAULT_COLOR;
  const dark = settings?.theme === 'dark' || (settings?.theme !== 'light' && prefersDark);
  const position = appearance.position ?? settings?.position;

  const closeAndRefocus = (): void => {
    controller.close();
    (opener.current?.isConnected ? opener.current : launcher.current)?.focus();
    opener.current = null;
  };

  // The page's own buttons (data-verychat) open a view; clicking the one showing closes the window.
  // Listening from the first paint on (a layout effect runs with it).
  useLayoutEffect(
    () =>
      watchPage(props.doc, (view, el) => {
        const { open, panel, status } = props.ui.get();
        if (status === 'failed' && el.matches('a[href]')) return false; // The link's own page, then.
        opener.current = el;
        let shown = true;
        if (view !== 'chat') shown = props.views.show(view);
        else if (open && !panel) controller.close();
        else {
          controller.open();
          controller.showPanel(null);
        }
        if (!props.ui.get().open) opener.current = null;
        return shown;
      }),
    [],
  );
  useEffect(() => props.views.onBadge(() => setFeatureBadge(props.views.badge())), []);
  const unread = unreadCount(chat);
  const badge = unread + featureBadge;
  useEffect(() => showBadges(props.doc, badge, i18n.plural('badge', badge)), [badge, i18n]);

  return (
    <WidgetContext.Provider value={context}>
      <div
        class={`vc-root${position === 'left' ? ' vc-left' : ''}${ui.open ? ' vc-open' : ''}${dark ? ' vc-dark' : ''}`}
        dir={i18n.dir}
        lang={locale}
        style={{ '--vc-brand': color, '--vc-on-brand': readableTextColor(color) }}
      >
        {ui.open && win && <win.ChatWindow chat={chat} ui={ui} onClose={closeAndRefocus} />}
        <Launcher open={ui.open} unread={unread} buttonRef={launcher} onIntent={props.wantWindow} />
        <FeatureSlot slot="Overlay" ui={ui} />
      </div>
    </WidgetContext.Provider>
  );
}

/** Whether the visitor's system is in dark mode, following changes while the page is open. */
function usePrefersDark(): boolean {
  const query = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
  const [dark, setDark] = useState(query?.matches ?? false);
  useEffect(() => {
    const onChange = (e: MediaQueryListEvent): void => setDark(e.matches);
    query?.addEventListener('change', onChange);
    return () => query?.removeEventListener('change', onChange);
  }, []);
  return dark;
}
