import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Controller } from '../controller.ts';
import type { LoadedFeature } from '../feature.ts';
import { createI18n, resolveLocale, type Catalog, type Locale } from '../i18n/index.ts';
import { unreadCount, type ChatState } from '../state/chat.ts';
import type { Store } from '../state/store.ts';
import type { UiState } from '../state/ui.ts';
import { DEFAULT_COLOR, parseHexColor, readableTextColor } from '../styles/color.ts';
import { ChatWindow } from './ChatWindow.tsx';
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
  const loaded = useStore(catalogs);
  const prefersDark = usePrefersDark();
  const launcher = useRef<HTMLButtonElement>(null);

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
    launcher.current?.focus();
  };

  return (
    <WidgetContext.Provider value={context}>
      <div
        class={`vc-root${position === 'left' ? ' vc-left' : ''}${ui.open ? ' vc-open' : ''}${dark ? ' vc-dark' : ''}`}
        dir={i18n.dir}
        lang={locale}
        style={{ '--vc-brand': color, '--vc-on-brand': readableTextColor(color) }}
      >
        {ui.open && <ChatWindow chat={chat} ui={ui} onClose={closeAndRefocus} />}
        <Launcher open={ui.open} unread={unreadCount(chat)} buttonRef={launcher} />
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
