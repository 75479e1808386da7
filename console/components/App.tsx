// The console's shell: sign-in or the inbox (views → list → thread → customer), global keyboard shortcuts,
// the connection state, notices, and the overlays (search, help, start, preferences: their own chunk).
import { useEffect, useState } from 'preact/hooks';
import type { ComponentType } from 'preact';
import type { InboxView } from '../../protocol/console.ts';
import type { Controller } from '../controller.ts';
import { keyAction } from '../state/keys.ts';
import { countOf, visibleRows, VIEWS } from '../state/inbox.ts';
import type { AppState } from '../store.ts';
import { Customer } from './Customer.tsx';
import { Avatar, Icon, SvgIcon, type IconName } from './icons.tsx';
import { List } from './List.tsx';
import { AcceptInvite, SignIn } from './SignIn.tsx';
import { Thread } from './Thread.tsx';
import { goSettings, isAdmin, leaveSettings, settingsPathOf, takeBootPath } from '../admin/route.ts';
import adminNav from '../admin/i18n/nav.json';

const VIEW_ICONS: Record<InboxView, IconName> = {
  'needs-reply': 'alert',
  mine: 'user',
  unassigned: 'users',
  assistant: 'bot',
  open: 'layers',
  snoozed: 'clock',
  resolved: 'check',
};

type OverlaysModule = typeof import('./Overlays.tsx');
let overlays: OverlaysModule | null = null;
const loadOverlays = () => import('./Overlays.tsx').then((m) => (overlays = m));
// The workspace settings (owners/admins): their own chunk, with their own texts, fetched when first opened.
type SettingsModule = typeof import('../admin/Settings.tsx');
let settingsModule: SettingsModule | null = null;
const loadSettings = () => import('../admin/Settings.tsx').then((m) => (settingsModule = m));

export function App({ s, c }: { s: AppState; c: Controller }) {
  if (s.booting) return <div class="boot" aria-busy="true" />;
  if (s.route.name === 'invite') return <AcceptInvite c={c} i18n={s.i18n} token={s.route.token} />;
  if (!s.me || s.route.name === 'signin') return <SignIn c={c} i18n={s.i18n} />;
  return <Inbox s={s} c={c} />;
}

function Inbox({ s, c }: { s: AppState; c: Controller }) {
  const [, setLoaded] = useState(0);
  useEffect(() => {
    if (s.overlay && s.overlay !== 'snooze' && !overlays) void loadOverlays().then(() => setLoaded((n) => n + 1));
  }, [s.overlay]);
  const admin = isAdmin(s.me);
  const inSettings = admin && s.settings !== null;
  useEffect(() => {
    if (inSettings && !settingsModule) void loadSettings().then(() => setLoaded((n) => n + 1));
  }, [inSettings]);
  // The address decides: a deep link after sign-in, back/forward, or a conversation opened from search.
  useEffect(() => {
    const sync = () => {
      const path = settingsPathOf(location.pathname);
      if (path !== null && !isAdmin(c.s.me)) return history.replaceState(null, '', '/support');
      if (path !== c.s.settings) c.store.set({ settings: path });
    };
    const deepLink = takeBootPath();
    if (deepLink !== null && isAdmin(c.s.me) && settingsPathOf(location.pathname) === null && location.pathname === '/support') goSettings(c.store, deepLink, true);
    sync();
    addEventListener('popstate', sync);
    return () => removeEventListener('popstate', sync);
  }, []);
  useEffect(() => {
    if (s.settings !== null && settingsPathOf(location.pathname) === null) c.store.set({ settings: null });
  }, [s.route]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => handleKey(e, c);
    addEventListener('keydown', onKey);
    const onVisible = () => !document.hidden && c.markReadSoon();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      removeEventListener('keydown', onKey);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, []);
  const Overlay: ComponentType<{ s: AppState; c: Controller }> | null = s.overlay && s.overlay !== 'snooze' && overlays ? overlays.Overlay : null;
  const Settings = inSettings && settingsModule ? settingsModule.Settings : null;
  return (
    <div class={`shell pane-${s.mobilePane}${s.thread ? ' has-thread' : ''}${inSettings ? ' in-settings' : ''}`}>
      <a class="skip" href="#main-list">
        {s.i18n.t('nav.conversations')}
      </a>
      <Nav s={s} c={c} />
      {inSettings ? (
        <main class="adm" id="main-list" aria-busy={Settings ? undefined : 'true'}>
          {Settings && <Settings s={s} c={c} />}
        </main>
      ) : (
        <main class="work" id="main-list">
          <List s={s} c={c} />
          <Thread s={s} c={c} />
          <Customer s={s} c={c} />
        </main>
      )}
      {Overlay && <Overlay s={s} c={c} />}
      {s.notice && (
        <div class={`notice ${s.notice.tone}`} role={s.notice.tone === 'error' ? 'alert' : 'status'}>
          {s.notice.text}
          <button class="icon-btn" type="button" onClick={() => c.store.set({ notice: null })} aria-label={s.i18n.t('close')}>
            <Icon name="x" size={14} />
          </button>
        </div>
      )}
    </div>
  );
}

function Nav({ s, c }: { s: AppState; c: Controller }) {
  const i18n = s.i18n;
  const me = s.me!;
  const inSettings = isAdmin(me) && s.settings !== null;
  const navText = adminNav[i18n.locale];
  return (
    <nav class="nav" aria-label={i18n.t('nav.views')}>
      <div class="nav-head">
        <span class="brand-mark" aria-hidden="true">
          V
        </span>
        <span class="ws-name" title={me.workspace.name}>
          {me.workspace.name}
        </span>
      </div>
      <button class="search-btn" type="button" onClick={() => c.store.set({ overlay: 'search' })} aria-keyshortcuts="Control+K Meta+K">
        <Icon name="search" /> <span>{i18n.t('nav.search')}</span>
        <kbd>⌘K</kbd>
      </button>
      <ul class="views">
        {VIEWS.map((v) => {
          const n = countOf(s.inbox, v);
          return (
            <li key={v}>
              <button
                type="button"
                class={`view${s.view === v && !inSettings ? ' active' : ''}`}
                aria-current={s.view === v && !inSettings ? 'true' : undefined}
                onClick={() => {
                  if (inSettings) leaveSettings(c.store);
                  c.selectView(v);
                }}
              >
                <Icon name={VIEW_ICONS[v]} />
                <span class="view-name">{i18n.t(`view.${v}`)}</span>
                {n !== null && n > 0 && <span class={`view-count${v === 'needs-reply' ? ' hot' : ''}`}>{n > 999 ? '999+' : n}</span>}
              </button>
            </li>
          );
        })}
      </ul>
      <button class="nav-action" type="button" onClick={() => c.store.set({ overlay: 'start' })}>
        <Icon name="plus" /> <span>{i18n.t('nav.start')}</span>
      </button>
      {isAdmin(me) && (
        <a
          class={`nav-action nav-settings${inSettings ? ' active' : ''}`}
          href="/support/settings/kb"
          aria-current={inSettings ? 'page' : undefined}
          onClick={(e) => {
            if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
            e.preventDefault();
            if (!inSettings) goSettings(c.store, 'kb');
          }}
        >
          <SvgIcon d="M4 6h10M18 6h2M4 12h4M12 12h8M4 18h12M14 4v4M8 10v4M16 16v4" /> <span>{navText.nav}</span>
        </a>
      )}
      <div class="nav-foot">
        <ConnState s={s} />
        <div class="me">
          <Avatar id={me.agent.id} name={me.agent.name} size={26} />
          <span class="me-name">{me.agent.name}</span>
          <button class="icon-btn" type="button" onClick={() => c.store.set({ overlay: 'help' })} aria-label={i18n.t('nav.shortcuts')} title={i18n.t('nav.shortcuts')}>
            <Icon name="keyboard" />
          </button>
          <button class="icon-btn" type="button" onClick={() => c.store.set({ overlay: 'prefs' })} aria-label={i18n.t('nav.settings')} title={i18n.t('nav.settings')}>
            <Icon name="settings" />
          </button>
          <button class="icon-btn" type="button" onClick={() => void c.signOut()} aria-label={i18n.t('nav.signOut')} title={i18n.t('nav.signOut')}>
            <Icon name="logout" />
          </button>
        </div>
      </div>
    </nav>
  );
}

function ConnState({ s }: { s: AppState }) {
  const label = s.i18n.t(`conn.${s.conn}`);
  return (
    <div class={`conn conn-${s.conn}`} role="status" aria-live="polite">
      <span class="conn-dot" aria-hidden="true" />
      {label}
    </div>
  );
}

/** Global shortcuts (see state/keys.ts): never while typing in a field. */
export function handleKey(e: KeyboardEvent, c: Controller): void {
  const action = keyAction(e);
  if (!action) return;
  const s = c.s;
  if (s.route.name !== 'inbox') return;
  // The workspace settings have their own keys (fields, buttons): only search, help and Escape stay global.
  if (s.settings !== null && action !== 'search' && action !== 'help' && action !== 'escape') return;
  if (s.overlay && action !== 'escape' && action !== 'search') return;
  const rows = visibleRows(s.inbox, s.view);
  const at = rows.findIndex((r) => r.id === s.cursorId);
  const target = s.thread?.conversationId ?? s.cursorId;
  const move = (d: number) => {
    const next = rows[Math.max(0, Math.min(rows.length - 1, (at < 0 ? -1 : at) + d))];
    if (!next) return;
    c.store.set({ cursorId: next.id });
    requestAnimationFrame(() => (document.querySelector(`.row[data-id="${next.id}"]`) as HTMLElement | null)?.focus({ preventScroll: true }));
  };
  switch (action) {
    case 'next':
      move(1);
      break;
    case 'prev':
      move(-1);
      break;
    case 'open':
      if (s.cursorId) void c.open(s.cursorId);
      break;
    case 'reply':
    case 'note':
      if (!s.thread) return;
      c.store.set({ composerMode: action, composerFocus: s.composerFocus + 1 });
      break;
    case 'resolve':
      if (target) void c.setStatus(target, 'resolved');
      break;
    case 'assign':
      if (target) void c.assign(target, s.me!.agent.id);
      break;
    case 'snooze':
      if (!s.thread) return;
      c.store.set({ overlay: 'snooze' });
      break;
    case 'search':
      c.store.set({ overlay: 'search' });
      break;
    case 'help':
      c.store.set({ overlay: 'help' });
      break;
    case 'escape':
      if (s.overlay) c.store.set({ overlay: null });
      else return;
      break;
  }
  e.preventDefault();
}
