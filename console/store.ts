// The console's state: one object, replaced on each change; the Preact tree re-renders from it. Pure
// transitions live in state/; this holds them together with what the screen shows.
import type { AgentMeResponse, AgentPreferences, ContactSidebarResponse, InboxView } from '../protocol/console.ts';
import { createI18n, type I18n } from './i18n/index.ts';
import { emptyInbox, type InboxState } from './state/inbox.ts';
import type { ThreadState } from './state/thread.ts';
import type { CannedReply } from './state/canned.ts';

export type Conn = 'connecting' | 'online' | 'offline' | 'resyncing';
export type Overlay = null | 'search' | 'help' | 'start' | 'prefs' | 'snooze';
export type Theme = 'auto' | 'light' | 'dark';

export interface Sidebar {
  conversationId: string;
  contactId: string;
  /** GET /api/v1/contacts/:id in the console's language; null while it loads. */
  data: ContactSidebarResponse | null;
  error: string | null;
}

export interface AppState {
  route: { name: 'signin' } | { name: 'invite'; token: string } | { name: 'inbox'; conversationId: string | null; atSeq: number | null };
  me: AgentMeResponse | null;
  booting: boolean;
  i18n: I18n;
  theme: Theme;
  prefs: AgentPreferences;
  inbox: InboxState;
  view: InboxView;
  /** The row the keyboard cursor is on (j/k); Enter opens it. */
  cursorId: string | null;
  thread: ThreadState | null;
  /** Seq to scroll to and highlight (a search hit). */
  focusSeq: number | null;
  sidebar: Sidebar | null;
  conn: Conn;
  /** Per conversation: customer typing; other agents typing (with what). */
  typing: Record<string, { customer: boolean; agents: { id: string; name: string; target: 'reply' | 'note' }[] }>;
  viewers: Record<string, { id: string; name: string }[]>;
  /** Highest seq the customer has read, per conversation. */
  customerRead: Record<string, number>;
  overlay: Overlay;
  /** Short message at the bottom (a lost claim, a failure); cleared by time or the next one. */
  notice: { text: string; tone: 'info' | 'error' } | null;
  /** The composer's mode, asked for by keys r / n. */
  composerMode: 'reply' | 'note';
  /** Bumped to move focus into the composer (r, n). */
  composerFocus: number;
  /** Narrow screens show one pane at a time. */
  mobilePane: 'list' | 'thread' | 'sidebar';
  /** The workspace's canned replies (null: none stored or no route yet: the starter set). */
  canned: CannedReply[] | null;
  /** The workspace settings (owners/admins) shown instead of the inbox: the path after /support/settings/ (null: the inbox). */
  settings: string | null;
}

export function initialState(locale: 'en' | 'es' = 'en'): AppState {
  return {
    route: { name: 'signin' },
    me: null,
    booting: true,
    i18n: createI18n(locale),
    theme: 'auto',
    prefs: {},
    inbox: emptyInbox(''),
    view: 'needs-reply',
    cursorId: null,
    thread: null,
    focusSeq: null,
    sidebar: null,
    conn: 'connecting',
    typing: {},
    viewers: {},
    customerRead: {},
    overlay: null,
    notice: null,
    composerMode: 'reply',
    composerFocus: 0,
    mobilePane: 'list',
    canned: null,
    settings: null,
  };
}

export class Store {
  private listeners = new Set<() => void>();
  private scheduled = false;
  constructor(public state: AppState) {}
  get(): AppState {
    return this.state;
  }
  /** Shallow merge; listeners run once per frame-ish (microtask), however many changes came in between. */
  set(patch: Partial<AppState> | ((s: AppState) => Partial<AppState>)): void {
    const p = typeof patch === 'function' ? patch(this.state) : patch;
    this.state = { ...this.state, ...p };
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      for (const l of this.listeners) l();
    });
  }
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
