// Everything the console does: sign-in, the socket (commands, live events, resync), list paging, the open
// thread, replies and notes, assignment and status, read marks, attention (title, sound, notification).
// Components call these; state changes go through the store.
import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, CommandName, Commands, ServerToClientEvents } from '../protocol/events.ts';
import type { Ack, ErrorBody } from '../protocol/errors.ts';
import type { MessageDto } from '../protocol/chat.ts';
import { newClientMessageId } from '../protocol/client-ids.ts';
import type {
  AgentMeResponse,
  AgentPreferences,
  ContactSidebarResponse,
  InboxRowDto,
  InboxView,
  SearchResponse,
  StartConversationResponse,
  NoteDto,
} from '../protocol/console.ts';
import type { AgentLoginResponse, ConversationModeResponse } from '../protocol/rest.ts';
import { api, ApiError, setSignedOutHandler } from './api.ts';
import { createI18n, loadCatalog, type Locale } from './i18n/index.ts';
import { applyMessage, applyPage, applyRead, applyRow, emptyInbox, loadedViews, unreadOf, visibleRows, VIEWS } from './state/inbox.ts';
import { applyLive, emptyThread, lastSeqOf, mergeMessages, mergeNotes } from './state/thread.ts';
import { createDrafts, type DraftStore } from './state/drafts.ts';
import type { AppState, Store, Theme } from './store.ts';

type ConsoleSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type Reply<K extends CommandName> = Commands[K]['reply'];

const PAGE = 50;
const READ_THROTTLE_MS = 1500;
const COMMAND_TIMEOUT_MS = 12_000;
/** A timer that fires this late means the machine slept (or the tab was frozen): resync. */
const SLEEP_GAP_MS = 20_000;

export class CommandError extends Error {
  constructor(readonly body: ErrorBody) {
    super(body.message);
  }
}

export class Controller {
  socket: ConsoleSocket | null = null;
  drafts: DraftStore | null = null;
  private readTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readSent = new Map<string, number>();
  private typingSent: { conversationId: string; at: number; target: 'reply' | 'note' } | null = null;
  private typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private everConnected = false;
  private wakeTimer: ReturnType<typeof setInterval> | null = null;
  private loadingMore = new Set<InboxView>();
  private siteKey = '';
  private audio: AudioContext | null = null;

  constructor(readonly store: Store) {}

  get s(): AppState {
    return this.store.state;
  }

  // ---- boot and session ----------------------------------------------------------------------------------

  async boot(): Promise<void> {
    setSignedOutHandler(() => this.signedOut());
    const theme = (localStorage.getItem('verychat-console-theme') as Theme | null) ?? 'auto';
    this.applyTheme(theme);
    const locale = (localStorage.getItem('verychat-console-locale') ?? '') as Locale | '';
    if (locale === 'es') await this.setLocale('es', false);
    else if (!locale && navigator.languages?.some((l) => l.toLowerCase().startsWith('es')) && !navigator.languages[0]?.startsWith('en')) await this.setLocale('es', false);
    const path = location.pathname;
    const invite = /^\/support\/invite\/([^/]+)/.exec(path);
    if (invite) {
      this.store.set({ route: { name: 'invite', token: decodeURIComponent(invite[1]!) }, booting: false });
      return;
    }
    try {
      const me = await api.get<AgentMeResponse>('/agent/me');
      await this.enter(me);
    } catch {
      this.store.set({ route: { name: 'signin' }, booting: false });
    }
    addEventListener('popstate', () => this.routeFromUrl());
  }

  /** A workspace named by the sign-in link (`/support?w=pk_…`); none: the email and password pick it. */
  siteKeyHint(): string {
    return new URLSearchParams(location.search).get('w') ?? '';
  }

  /** Without a site key the server picks the workspace from the email and password (or asks: WORKSPACE_REQUIRED). */
  async signIn(siteKey: string | undefined, email: string, password: string): Promise<void> {
    await api.post<AgentLoginResponse>('/agent/login', siteKey ? { siteKey, email, password } : { email, password });
    const me = await api.get<AgentMeResponse>('/agent/me').catch(() => null);
    // The server sets the cookie only for its own public origin (PUBLIC_URL): another address gets none.
    if (!me) throw new Error(this.s.i18n.t('signin.noCookie'));
    await this.enter(me);
  }

  async acceptInvite(token: string, name: string, password: string): Promise<void> {
    await api.post<AgentLoginResponse>('/agent/invites/accept', { token, name, password });
    history.replaceState(null, '', '/support');
    await this.enter(await api.get<AgentMeResponse>('/agent/me'));
  }

  async signOut(): Promise<void> {
    await api.post('/agent/logout').catch(() => undefined);
    this.signedOut();
  }

  private signedOut(): void {
    this.socket?.disconnect();
    this.socket = null;
    window.removeEventListener('offline', this.onBrowserOffline);
    window.removeEventListener('online', this.onBrowserOnline);
    if (this.wakeTimer) clearInterval(this.wakeTimer);
    this.store.set({ route: { name: 'signin' }, me: null, inbox: emptyInbox(''), thread: null, sidebar: null, booting: false, overlay: null });
    if (location.pathname !== '/support') history.replaceState(null, '', '/support');
    this.updateTitle();
  }

  private async enter(me: AgentMeResponse): Promise<void> {
    this.siteKey = me.workspace.siteKey;
    this.drafts = createDrafts(me.agent.id);
    this.store.set({ me, prefs: me.preferences, inbox: emptyInbox(me.agent.id), booting: false });
    this.routeFromUrl();
    void this.loadCanned();
    await this.connect();
  }

  /** GET /api/v1/canned-replies; without the route (or with none stored) the composer offers its starter set. */
  private async loadCanned(): Promise<void> {
    const r = await api.get<{ cannedReplies: { shortcut: string; title: string; text: string }[] }>('/canned-replies').catch(() => null);
    if (r?.cannedReplies?.length) this.store.set({ canned: r.cannedReplies.map(({ shortcut, title, text }) => ({ shortcut, title, text })) });
  }

  private routeFromUrl(): void {
    if (!this.s.me) return;
    const m = /^\/support\/c\/([0-9a-f-]{36})/.exec(location.pathname);
    const at = Number(new URLSearchParams(location.search).get('seq')) || null;
    const viewParam = new URLSearchParams(location.search).get('view') as InboxView | null;
    if (viewParam && VIEWS.includes(viewParam) && viewParam !== this.s.view) this.store.set({ view: viewParam });
    this.store.set({ route: { name: 'inbox', conversationId: m?.[1] ?? null, atSeq: at } });
    if (m && this.s.thread?.conversationId !== m[1]) void this.open(m[1]!, { push: false, atSeq: at });
    if (!m && this.s.thread) this.close(false);
  }

  // ---- socket ---------------------------------------------------------------------------------------------

  private async connect(): Promise<void> {
    const { io } = await import('./sio.ts');
    const socket: ConsoleSocket = io(location.origin, {
      // The session cookie signs the socket in (same origin only); the site key names the workspace.
      auth: { siteKey: this.siteKey },
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
      withCredentials: true,
      reconnectionDelay: 800,
      reconnectionDelayMax: 10_000,
    });
    this.socket = socket;
    this.store.set({ conn: 'connecting' });
    window.addEventListener('offline', this.onBrowserOffline);
    window.addEventListener('online', this.onBrowserOnline);
    socket.on('connect', () => {
      const again = this.everConnected;
      this.everConnected = true;
      void this.afterConnect(again);
    });
    socket.on('disconnect', () => this.store.set({ conn: 'offline' }));
    socket.on('connect_error', (err) => {
      const code = (err as Error & { data?: { code?: string } }).data?.code;
      if (code === 'AUTH_INVALID' || code === 'AUTH_REQUIRED' || code === 'AUTH_EXPIRED') this.signedOut();
      else this.store.set({ conn: 'offline' });
    });
    socket.on('session-ended', (e) => {
      if (e.code === 'AUTH_INVALID' || e.code === 'AUTH_EXPIRED') this.signedOut();
    });
    socket.on('conversation-updated', (e) => this.onRow(e.conversation, e.views));
    socket.on('inbox-counts', (e) => {
      const me = this.s.me?.agent.id ?? '';
      const mine = e.agents[me];
      const prev = this.s.inbox.counts;
      this.setInbox({ ...this.s.inbox, counts: { ...e.counts, mine: mine?.mine ?? prev?.mine ?? 0, unread: mine?.unread ?? prev?.unread ?? 0 } });
      this.updateTitle();
    });
    socket.on('message-received', (m) => this.onMessage(m));
    socket.on('note-added', (n) => this.onNote(n));
    socket.on('viewers', (e) => this.store.set((s) => ({ viewers: { ...s.viewers, [e.conversationId]: e.agents } })));
    socket.on('agent-typing', (e) => this.onTyping(e.conversationId, { agent: e.agent, target: e.target }, e.isTyping));
    socket.on('typing', (e) => {
      if (e.sender.type === 'contact') this.onTyping(e.conversationId, null, e.isTyping);
    });
    socket.on('agent-read', (e) => {
      this.setInbox(applyRead(this.s.inbox, e.conversationId, e.seq));
      this.updateTitle();
    });
    socket.on('message-status', (e) => {
      if (e.reader === 'contact' && e.status === 'read') this.store.set((s) => ({ customerRead: { ...s.customerRead, [e.conversationId]: Math.max(e.seq, s.customerRead[e.conversationId] ?? 0) } }));
    });
    socket.on('handoff', (e) => {
      const row = this.s.inbox.rows.get(e.conversationId);
      if (row) this.onRow({ ...row, mode: e.mode });
    });
    this.watchSleep();
  }

  /** A command over the socket, acknowledged; a refusal throws CommandError with the server's body. */
  cmd<K extends CommandName>(name: K, payload: Commands[K]['payload']): Promise<Reply<K>> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new CommandError({ code: 'UNAVAILABLE', message: 'Not connected.' }));
    return new Promise((resolve, reject) => {
      const emit = socket.timeout(COMMAND_TIMEOUT_MS).emit as unknown as (n: string, p: unknown, cb: (err: Error | null, ack: Ack<Reply<K>>) => void) => void;
      emit.call(socket.timeout(COMMAND_TIMEOUT_MS), name, payload, (err, ack) => {
        if (err) reject(new CommandError({ code: 'UNAVAILABLE', message: 'No answer from the server.' }));
        else if (!ack.ok) reject(new CommandError(ack.error));
        else resolve(ack as Reply<K>);
      });
    });
  }

  private async afterConnect(again: boolean): Promise<void> {
    this.store.set({ conn: again ? 'resyncing' : 'connecting' });
    await this.resync();
    this.store.set({ conn: this.live() ? 'online' : 'offline' });
  }

  /**
   * After (re)connecting, waking up or a gap: the lists from their first page, the counts, and the open
   * thread caught up from its last seq (with its notes), as a fresh load would show them.
   */
  async resync(): Promise<void> {
    const views = new Set<InboxView>([this.s.view, ...loadedViews(this.s.inbox)]);
    await Promise.all([
      ...[...views].map((v) => this.loadView(v, true).catch(() => undefined)),
      this.loadCounts().catch(() => undefined),
      this.catchUpThread().catch(() => undefined),
    ]);
    const open = this.s.thread?.conversationId ?? null;
    if (open) void this.cmd('view-conversation', { conversationId: open }).then((r) => this.store.set((s) => ({ viewers: { ...s.viewers, [open]: r.viewers } }))).catch(() => undefined);
  }

  /** A connected console that may have missed something (it slept, or the network came back): resync in place. */
  private resyncNow(): void {
    this.store.set({ conn: 'resyncing' });
    void this.resync().then(() => this.store.set({ conn: this.live() ? 'online' : 'offline' }));
  }

  /** Connected, as far as both the socket and the browser know (a resync that ends offline must not say live). */
  private live(): boolean {
    return this.socket?.connected === true && navigator.onLine !== false;
  }

  /**
   * The browser's word on the network, shown at once. engine.io closes its transport on this event too, except
   * on localhost (a developer's or a demo's console), where a socket whose network went away was noticed only
   * by the heartbeat (up to 40 s) and the console looked live meanwhile.
   */
  private readonly onBrowserOffline = (): void => {
    if (this.socket) this.store.set({ conn: 'offline' });
  };

  /**
   * Back online: a socket that still counts itself connected may have lost the server meanwhile (it closed us,
   * or restarted); a fresh connection is certain, and its connect resyncs as after any reconnect.
   */
  private readonly onBrowserOnline = (): void => {
    if (this.socket?.connected) this.socket.io.engine.close();
  };

  private watchSleep(): void {
    let last = Date.now();
    if (this.wakeTimer) clearInterval(this.wakeTimer);
    this.wakeTimer = setInterval(() => {
      const now = Date.now();
      const slept = now - last > SLEEP_GAP_MS;
      last = now;
      if (slept && this.socket?.connected) this.resyncNow();
      // Waiting times tick: re-render once in a while.
      this.store.set({});
    }, 5_000);
  }

  // ---- inbox lists ----------------------------------------------------------------------------------------

  private setInbox(inbox: AppState['inbox']): void {
    this.store.set({ inbox });
  }

  async loadView(view: InboxView, first: boolean): Promise<void> {
    const list = this.s.inbox.lists[view];
    if (!first && (list?.complete || !list?.cursor || this.loadingMore.has(view))) return;
    this.loadingMore.add(view);
    try {
      // A resync reloads as many rows as were shown (up to a page's maximum), so the scroll position holds.
      const limit = first ? Math.min(100, Math.max(PAGE, list?.ids.size ?? 0)) : PAGE;
      const page = await this.cmd('inbox-list', { view, limit, ...(first ? {} : { cursor: list!.cursor! }) });
      this.setInbox(applyPage(this.s.inbox, view, page, first));
      if (first && view === this.s.view && !this.s.cursorId) this.store.set({ cursorId: page.rows[0]?.id ?? null });
      this.updateTitle();
    } finally {
      this.loadingMore.delete(view);
    }
  }

  async loadCounts(): Promise<void> {
    const { counts } = await this.cmd('get-inbox-counts', {});
    this.setInbox({ ...this.s.inbox, counts });
    this.updateTitle();
  }

  selectView(view: InboxView): void {
    this.store.set({ view, cursorId: null, mobilePane: 'list' });
    const url = new URL(location.href);
    url.searchParams.set('view', view);
    history.replaceState(null, '', url);
    if (!this.s.inbox.lists[view]?.loaded) void this.loadView(view, true).catch((e) => this.fail(e));
    else this.store.set({ cursorId: visibleRows(this.s.inbox, view)[0]?.id ?? null });
  }

  private onRow(row: InboxRowDto, views?: InboxRowDto extends never ? never : Parameters<typeof applyRow>[2]): void {
    this.setInbox(applyRow(this.s.inbox, row, views));
    if (this.s.thread?.conversationId === row.id) this.store.set({});
    this.updateTitle();
  }

  // ---- the open conversation ------------------------------------------------------------------------------

  async open(id: string, opts: { push?: boolean; atSeq?: number | null } = {}): Promise<void> {
    if (opts.push !== false) {
      const url = `/support/c/${id}${location.search.includes('view=') ? `?view=${this.s.view}` : ''}`;
      history.pushState(null, '', url);
    }
    const previous = this.s.thread?.conversationId;
    this.stopTyping();
    this.store.set({
      route: { name: 'inbox', conversationId: id, atSeq: opts.atSeq ?? null },
      thread: emptyThread(id),
      focusSeq: opts.atSeq ?? null,
      cursorId: id,
      mobilePane: 'thread',
      sidebar: null,
    });
    try {
      const page = await this.cmd('load-thread', { conversationId: id, ...(opts.atSeq ? { beforeSeq: opts.atSeq + 26, limit: 50 } : { limit: PAGE }) });
      if (this.s.thread?.conversationId !== id) return;
      this.store.set({ thread: { conversationId: id, messages: page.messages, notes: page.notes, hasMore: page.hasMore, loading: false } });
      this.onRow(page.conversation);
      if (opts.atSeq && page.messages.at(-1) && page.messages.at(-1)!.seq < page.conversation.lastSeq) void this.catchUpThread();
      this.markReadSoon();
      void this.loadSidebar(page.conversation);
    } catch (e) {
      this.store.set({ thread: { ...emptyThread(id), loading: false, hasMore: false } });
      this.fail(e);
    }
    if (previous !== id) {
      void this.cmd('view-conversation', { conversationId: id })
        .then((r) => this.store.set((s) => ({ viewers: { ...s.viewers, [id]: r.viewers } })))
        .catch(() => undefined);
    }
  }

  close(push = true): void {
    this.stopTyping();
    if (push) history.pushState(null, '', `/support${this.s.view !== 'needs-reply' ? `?view=${this.s.view}` : ''}`);
    this.store.set({ thread: null, sidebar: null, route: { name: 'inbox', conversationId: null, atSeq: null }, mobilePane: 'list' });
    void this.cmd('view-conversation', { conversationId: null }).catch(() => undefined);
  }

  async loadOlder(): Promise<void> {
    const t = this.s.thread;
    if (!t || !t.hasMore || t.loading || !t.messages.length) return;
    this.store.set({ thread: { ...t, loading: true } });
    try {
      const page = await this.cmd('load-thread', { conversationId: t.conversationId, beforeSeq: t.messages[0]!.seq, limit: PAGE });
      const cur = this.s.thread;
      if (cur?.conversationId !== t.conversationId) return;
      this.store.set({ thread: { ...cur, messages: mergeMessages(cur.messages, page.messages), notes: mergeNotes(cur.notes, page.notes), hasMore: page.hasMore, loading: false } });
    } catch (e) {
      const cur = this.s.thread;
      if (cur) this.store.set({ thread: { ...cur, loading: false } });
      this.fail(e);
    }
  }

  /** Loads what came after the last seq held (reconnect, seq gap), page by page. */
  async catchUpThread(): Promise<void> {
    for (let i = 0; i < 20; i++) {
      const t = this.s.thread;
      if (!t || t.loading) return;
      const page = await this.cmd('load-thread', { conversationId: t.conversationId, afterSeq: lastSeqOf(t), limit: PAGE });
      const cur = this.s.thread;
      if (cur?.conversationId !== t.conversationId) return;
      this.store.set({ thread: { ...cur, messages: mergeMessages(cur.messages, page.messages), notes: mergeNotes(cur.notes, page.notes) } });
      this.onRow(page.conversation);
      if (!page.hasMore) break;
    }
    this.markReadSoon();
  }

  private onMessage(m: MessageDto): void {
    this.setInbox(applyMessage(this.s.inbox, m));
    if (!this.s.inbox.rows.has(m.conversationId)) {
      // A conversation the lists do not hold yet (conversation-updated follows; counts too).
    }
    const t = this.s.thread;
    if (t?.conversationId === m.conversationId && !t.loading) {
      const { thread, gapAfter } = applyLive(t, m);
      this.store.set({ thread });
      if (gapAfter !== null) void this.catchUpThread().catch(() => undefined);
      this.markReadSoon();
      if (m.sender.type === 'contact') this.onTyping(m.conversationId, null, false);
    }
    if (m.sender.type === 'contact') this.attention(m);
    this.updateTitle();
  }

  private onNote(n: NoteDto): void {
    const t = this.s.thread;
    if (t?.conversationId === n.conversationId) this.store.set({ thread: { ...t, notes: mergeNotes(t.notes, [n]) } });
  }

  private onTyping(conversationId: string, agent: { agent: { id: string; name: string }; target: 'reply' | 'note' } | null, on: boolean): void {
    const key = `${conversationId}:${agent?.agent.id ?? 'customer'}`;
    clearTimeout(this.typingTimers.get(key));
    if (on) this.typingTimers.set(key, setTimeout(() => this.onTyping(conversationId, agent, false), 6_000));
    this.store.set((s) => {
      const cur = s.typing[conversationId] ?? { customer: false, agents: [] };
      const next = agent
        ? { ...cur, agents: [...cur.agents.filter((a) => a.id !== agent.agent.id), ...(on ? [{ ...agent.agent, target: agent.target }] : [])] }
        : { ...cur, customer: on };
      return { typing: { ...s.typing, [conversationId]: next } };
    });
  }

  // ---- read marks: throttled, over the socket ---------------------------------------------------------------

  /** Marks the open thread read up to its last message, at most once per READ_THROTTLE_MS, only while seen. */
  markReadSoon(): void {
    const t = this.s.thread;
    if (!t || document.hidden) return;
    const id = t.conversationId;
    const seq = lastSeqOf(t);
    this.setInbox(applyRead(this.s.inbox, id, seq));
    this.updateTitle();
    if ((this.readSent.get(id) ?? -1) >= seq || this.readTimers.has(id)) return;
    this.readTimers.set(
      id,
      setTimeout(() => {
        this.readTimers.delete(id);
        const held = this.s.thread?.conversationId === id ? lastSeqOf(this.s.thread) : seq;
        if ((this.readSent.get(id) ?? -1) >= held) return;
        this.readSent.set(id, held);
        void this.cmd('mark-read', { conversationId: id, seq: held }).catch(() => this.readSent.delete(id));
      }, READ_THROTTLE_MS),
    );
  }

  // ---- composer -------------------------------------------------------------------------------------------

  typing(target: 'reply' | 'note', on: boolean): void {
    const id = this.s.thread?.conversationId;
    if (!id) return;
    const now = Date.now();
    const sent = this.typingSent;
    if (on && sent && sent.conversationId === id && sent.target === target && now - sent.at < 3_000) return;
    if (!on && !sent) return;
    this.typingSent = on ? { conversationId: id, at: now, target } : null;
    void this.cmd('console-typing', { conversationId: id, isTyping: on, target }).catch(() => undefined);
  }

  private stopTyping(): void {
    if (this.typingSent) {
      void this.cmd('console-typing', { conversationId: this.typingSent.conversationId, isTyping: false, target: this.typingSent.target }).catch(() => undefined);
      this.typingSent = null;
    }
  }

  async reply(conversationId: string, text: string): Promise<void> {
    const clientMessageId = newClientMessageId();
    const res = await api.post<{ message: MessageDto }>(`/conversations/${conversationId}/messages`, { text, clientMessageId });
    this.stopTyping();
    this.onMessage(res.message);
  }

  async addNote(conversationId: string, text: string): Promise<void> {
    const { note } = await this.cmd('add-note', { conversationId, text, clientNoteId: newClientMessageId() });
    this.stopTyping();
    this.onNote(note);
  }

  // ---- actions on a conversation ------------------------------------------------------------------------

  async takeOver(id: string): Promise<void> {
    await this.run(async () => {
      await api.post<ConversationModeResponse>(`/conversations/${id}/mode`, { mode: 'human' });
      await this.claim(id, true);
    });
  }

  async returnToAssistant(id: string): Promise<void> {
    await this.run(async () => {
      await api.post<ConversationModeResponse>(`/conversations/${id}/mode`, { mode: 'ai' });
      await this.refreshRow(id);
    });
  }

  /** Claim: succeeds only while nobody holds it; the loser is told who won. */
  async claim(id: string, quietIfMine = false): Promise<void> {
    try {
      const r = await this.cmd('assign-conversation', { conversationId: id, assigneeId: 'me' });
      this.onRow(r.conversation);
    } catch (e) {
      if (e instanceof CommandError && e.body.code === 'CONFLICT') {
        const who = e.body.assignee;
        if (quietIfMine && who?.id === this.s.me?.agent.id) return;
        this.notify(who ? this.s.i18n.t('action.lost', { name: who.name }) : this.s.i18n.t('action.lostNobody'), 'error');
        await this.refreshRow(id);
        return;
      }
      throw e;
    }
  }

  async assign(id: string, assigneeId: string | null): Promise<void> {
    await this.run(async () => {
      const row = this.s.inbox.rows.get(id);
      try {
        const r = await this.cmd('assign-conversation', { conversationId: id, assigneeId, expectedAssigneeId: row?.assignee?.id ?? null });
        this.onRow(r.conversation);
      } catch (e) {
        if (e instanceof CommandError && e.body.code === 'CONFLICT') {
          const who = e.body.assignee;
          this.notify(who ? this.s.i18n.t('action.lost', { name: who.name }) : this.s.i18n.t('action.lostNobody'), 'error');
          await this.refreshRow(id);
          return;
        }
        throw e;
      }
    });
  }

  async setStatus(id: string, status: InboxRowDto['status'], snoozedUntil?: string): Promise<void> {
    await this.run(async () => {
      const r = await this.cmd('set-status', { conversationId: id, status, ...(snoozedUntil && { snoozedUntil }) });
      this.onRow(r.conversation);
      if (status === 'resolved' || status === 'snoozed') this.advanceAfter(id);
    });
  }

  /** After resolving or snoozing the open conversation, the cursor moves on (the thread stays until another opens). */
  private advanceAfter(id: string): void {
    const rows = visibleRows(this.s.inbox, this.s.view);
    if (this.s.cursorId === id || !rows.some((r) => r.id === this.s.cursorId)) this.store.set({ cursorId: rows[0]?.id ?? null });
  }

  private async refreshRow(id: string): Promise<void> {
    const page = await this.cmd('load-thread', { conversationId: id, afterSeq: this.s.thread?.conversationId === id ? lastSeqOf(this.s.thread) : 0, limit: 1 }).catch(() => null);
    if (page) this.onRow(page.conversation);
  }

  private async run(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      this.fail(e);
    }
  }

  fail(e: unknown): void {
    const body = e instanceof CommandError ? e.body : e instanceof ApiError ? e.body : null;
    if (body?.code === 'UNKNOWN_EVENT' || (e instanceof ApiError && e.status === 404 && e.code === 'NOT_FOUND' && e.message.startsWith('No route'))) {
      this.notify(this.s.i18n.t('action.unavailable'), 'error');
      return;
    }
    this.notify(this.s.i18n.t('action.failed', { message: body?.message ?? String((e as Error)?.message ?? e) }), 'error');
  }

  private noticeTimer: ReturnType<typeof setTimeout> | undefined;
  notify(text: string, tone: 'info' | 'error' = 'info'): void {
    clearTimeout(this.noticeTimer);
    this.store.set({ notice: { text, tone } });
    this.noticeTimer = setTimeout(() => this.store.set({ notice: null }), tone === 'error' ? 7_000 : 4_000);
  }

  // ---- sidebar, search, start ----------------------------------------------------------------------------

  async loadSidebar(row: InboxRowDto): Promise<void> {
    const base = { conversationId: row.id, contactId: row.contact.id, data: null, error: null };
    this.store.set({ sidebar: base });
    let data: ContactSidebarResponse | null = null;
    let error: string | null = null;
    try {
      data = await api.get<ContactSidebarResponse>(`/contacts/${encodeURIComponent(row.contact.id)}`, { lang: this.s.i18n.locale });
    } catch (e) {
      error = e instanceof ApiError ? e.message : String(e);
    }
    if (this.s.sidebar?.conversationId !== row.id) return;
    this.store.set({ sidebar: { ...base, data, error } });
  }

  search(q: string, signal: AbortSignal): Promise<SearchResponse> {
    return api.get<SearchResponse>('/search', { q, limit: 20 }, signal);
  }

  async start(by: { externalId?: string; paymentId?: string; contactId?: string }, text: string): Promise<void> {
    const r = await api.post<StartConversationResponse>('/conversations', { ...by, text, clientMessageId: newClientMessageId() });
    this.onRow(r.conversation);
    await this.open(r.conversation.id);
  }

  // ---- preferences, attention --------------------------------------------------------------------------------

  async setPrefs(p: AgentPreferences): Promise<void> {
    const next = { ...this.s.prefs, ...p };
    this.store.set({ prefs: next });
    if (p.browserNotifications && 'Notification' in window && Notification.permission === 'default') await Notification.requestPermission();
    try {
      const r = await api.put<{ preferences: AgentPreferences }>('/agent/preferences', next);
      this.store.set({ prefs: r.preferences });
    } catch (e) {
      this.fail(e);
    }
    this.updateTitle();
  }

  applyTheme(theme: Theme): void {
    localStorage.setItem('verychat-console-theme', theme);
    document.documentElement.dataset.theme = theme;
    this.store.set({ theme });
  }

  async setLocale(locale: Locale, remember = true): Promise<void> {
    if (remember) localStorage.setItem('verychat-console-locale', locale);
    const catalog = await loadCatalog(locale);
    document.documentElement.lang = locale;
    this.store.set({ i18n: createI18n(locale, catalog) });
    // The sidebar's failure reasons come in the console's language: ask again in the new one.
    const open = this.s.thread ? this.s.inbox.rows.get(this.s.thread.conversationId) : undefined;
    if (open && this.s.me) void this.loadSidebar(open);
    this.updateTitle();
  }

  /** Unread conversations in the tab title (unless switched off): "(3) Support · Shop". */
  updateTitle(): void {
    const me = this.s.me;
    const base = `${this.s.i18n.t('app.title')}${me ? ` · ${me.workspace.name}` : ''} — VeryChat`;
    let unread = this.s.inbox.counts?.unread;
    if (unread === undefined) {
      unread = 0;
      for (const r of this.s.inbox.rows.values()) if (r.mode === 'human' && r.status === 'open' && (!r.assignee || r.assignee.id === me?.agent.id) && unreadOf(this.s.inbox, r) > 0) unread++;
    }
    const title = me && this.s.prefs.titleCount !== false && unread > 0 ? `(${unread}) ${base}` : base;
    if (document.title !== title) document.title = title;
  }

  private attention(m: MessageDto): void {
    const me = this.s.me?.agent.id;
    const row = this.s.inbox.rows.get(m.conversationId);
    if (row && row.mode === 'ai') return;
    if (row?.assignee && row.assignee.id !== me) return;
    const seen = !document.hidden && this.s.thread?.conversationId === m.conversationId;
    if (seen) return;
    if (this.s.prefs.sound) this.beep();
    if (document.hidden && this.s.prefs.browserNotifications && 'Notification' in window && Notification.permission === 'granted') {
      const name = row?.contact.name ?? row?.contact.email ?? this.s.i18n.t('thread.customer');
      // Text only (a notification is never HTML); clicking brings the conversation up.
      const n = new Notification(this.s.i18n.t('notify.new', { name }), { body: m.text.slice(0, 140), tag: m.conversationId });
      n.onclick = () => {
        focus();
        void this.open(m.conversationId);
        n.close();
      };
    }
  }

  private beep(): void {
    try {
      this.audio ??= new AudioContext();
      const ctx = this.audio;
      const o = ctx.createOscillator();
      const g = ctx.createGain();
      o.frequency.value = 880;
      g.gain.setValueAtTime(0.0001, ctx.currentTime);
      g.gain.exponentialRampToValueAtTime(0.15, ctx.currentTime + 0.02);
      g.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + 0.25);
      o.connect(g).connect(ctx.destination);
      o.start();
      o.stop(ctx.currentTime + 0.3);
    } catch {
      // No audio: fine.
    }
  }
}
