// Wires the Connection to the state stores. Server events are a dispatch table onto the pure
// functions in state/chat.ts; user intents (open, send, retry, scroll up, type) become requests.
// It owns the rules about *when* to talk to the server: no network before the visitor shows
// interest (or a token from an earlier visit exists), messages leave in typing order and exactly
// once per client id, refusals are told apart from outages.
import type { MessageDto } from '../protocol/chat.ts';
import type { ClientError, Connection, ConnectionStatus } from './connection.ts';
import { newClientMessageId } from './ids.ts';
import type { Logger } from './log.ts';
import {
  addLocalMessage,
  initialChatState,
  lastSeq,
  markFailed,
  markSending,
  mergeMessages,
  nextQueued,
  oldestSeq,
  prependHistory,
  requeue,
  retryMessage,
  setConversation,
  setReadCursor,
  setTyping,
  unreadCount,
  type ChatState,
} from './state/chat.ts';
import type { Store } from './state/store.ts';
import { createTypingThrottle } from './state/typing.ts';
import { initialUiState, type UiState } from './state/ui.ts';
import type { TokenStore } from './storage.ts';
import type { VeryChatEvents, VeryChatMessage, VeryChatUser } from './types.ts';

/** From protocol/limits.ts, the one protocol module with values and no zod. */
export { MAX_MESSAGE_LENGTH } from '../protocol/limits.ts';

export type Emit = <E extends keyof VeryChatEvents>(event: E, payload: VeryChatEvents[E]) => void;

export interface ControllerOptions {
  siteKey: string;
  connection: Connection;
  tokens: TokenStore;
  chat: Store<ChatState>;
  ui: Store<UiState>;
  emit: Emit;
  log: Logger;
  user?: VeryChatUser;
  newId?: () => string;
  now?: () => Date;
  /** Whether the visitor can see the latest messages (window open, tab visible, list at bottom). */
  canSeeLatest?: () => boolean;
  /** logout() forgot the visitor: other per-person state (payments) goes too. */
  onLogout?: () => void;
}

export interface Controller {
  /** Start talking to the server, if not already. */
  start(): void;
  open(): void;
  close(): void;
  toggle(): void;
  /** Persist the visitor token from now on (the visitor opened the chat, or the page called boot). */
  consent(): void;
  send(text: string): string;
  retry(clientMessageId: string): void;
  loadOlder(): void;
  markRead(): void;
  typing(): void;
  stopTyping(): void;
  setDraft(text: string): void;
  identify(user: VeryChatUser): void;
  /** The identity token in use (identify() or boot({ user })), until the server refuses it. */
  identity(): string | null;
  logout(): void;
  destroy(): void;
}

/** Errors worth retrying by themselves; the rest need someone to change something. */
const TRANSIENT = new Set(['OFFLINE', 'TIMEOUT', 'NETWORK', 'UNAVAILABLE', 'RATE_LIMITED', 'BAD_RESPONSE', 'INTERNAL']);
const AUTH = new Set(['AUTH_INVALID', 'AUTH_EXPIRED', 'AUTH_REQUIRED']);
const AGENT_TYPING_TTL = 8000;

export function createController(o: ControllerOptions): Controller {
  const { connection, tokens, chat, ui, emit, log } = o;
  const newId = o.newId ?? newClientMessageId;
  const now = o.now ?? (() => new Date());
  const canSeeLatest = o.canSeeLatest ?? (() => ui.get().open);

  let started = false;
  let connected = false;
  let identityToken: string | null = o.user?.token ?? null;
  /** Set once the stored visitor token was refused and replaced, to avoid a loop. */
  let freshVisitorTried = false;
  let attempts = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let agentTypingTimer: ReturnType<typeof setTimeout> | undefined;
  let flushing = false;
  /** A read position the server has not acknowledged yet (we were offline). */
  let pendingReadSeq = 0;
  /** Highest seq reported as delivered (reached this device, chat not in view). */
  let deliveredSent = 0;
  const confirmed = new Set<string>();
  let lastUnread = 0; // Only changes are announced; getUnreadCount() gives the current value.

  const patchUi = (patch: Partial<UiState>): void => ui.set((s) => ({ ...s, ...patch }));

  const fatal = (error: ClientError): void => {
    log.error(`${error.code}: ${error.message}`);
    patchUi({ status: 'failed', error });
    emit('error', { code: error.code, message: error.message });
    connection.disconnect();
  };

  const backoff = (retryAfterMs?: number): number => retryAfterMs ?? Math.min(30_000, 1000 * 2 ** Math.min(attempts++, 5));

  const scheduleEstablish = (delay: number): void => {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => void establish(), delay);
  };

  const toPublic = (m: MessageDto): VeryChatMessage => ({
    id: m.id,
    conversationId: m.conversationId,
    seq: m.seq,
    clientMessageId: m.clientMessageId,
    kind: m.kind,
    text: m.text,
    sender: { type: m.sender.type, name: m.sender.name },
    createdAt: m.createdAt,
  });

  /** Announce messages the server confirmed, once each; history pages are not news. */
  const announce = (messages: MessageDto[], asNews: boolean): void => {
    for (const m of messages) {
      if (confirmed.has(m.id)) continue;
      confirmed.add(m.id);
      if (asNews) emit('message', toPublic(m));
    }
  };

  async function establish(): Promise<void> {
    if (!started) return;
    patchUi({ status: navigator.onLine === false ? 'offline' : 'connecting', error: null });
    const stored = tokens.get();
    const session = await connection.createSession({ siteKey: o.siteKey, ...(stored ? { visitorToken: stored } : {}) });
    if (!started) return; // logout() or shutdown() meanwhile
    if (!session.ok) {
      const { error } = session;
      if (error.code === 'AUTH_INVALID' || error.code === 'AUTH_EXPIRED') {
        if (stored && !freshVisitorTried) {
          // The stored token belongs to another workspace key or expired: become a new visitor.
          freshVisitorTried = true;
          tokens.clear();
          return establish();
        }
      }
      if (TRANSIENT.has(error.code)) {
        log.debug('session request failed, retrying', error);
        patchUi({ status: error.code === 'NETWORK' && navigator.onLine === false ? 'offline' : 'reconnecting' });
        return scheduleEstablish(backoff(error.retryAfterMs));
      }
      return fatal(error);
    }
    tokens.set(session.visitorToken);
    patchUi({ workspaceName: session.workspace.name, settings: session.settings });
    // With an identity, the visitor token rides along so the server can move this visitor's
    // conversation over to the customer (they started chatting before logging in).
    connection.connect({ siteKey: o.siteKey, visitorToken: session.visitorToken, ...(identityToken ? { identityToken } : {}) });
  }

  const onStatus = (status: ConnectionStatus, error?: ClientError): void => {
    connected = status === 'connected';
    if (status !== 'refused') {
      if (ui.get().status !== 'failed' || status === 'connected') patchUi({ status, error: null });
      return;
    }
    if (!error) return;
    if (AUTH.has(error.code)) {
      if (identityToken) {
        // The merchant's JWT is bad or expired: tell the page (it can call identify() with a fresh
        // one) and carry on as the anonymous visitor meanwhile.
        log.error(`identify() token refused (${error.code}): ${error.message}`);
        emit('error', { code: error.code, message: error.message });
        identityToken = null;
        return void establish();
      }
      if (!freshVisitorTried) {
        freshVisitorTried = true;
        tokens.clear();
        return void establish();
      }
    }
    if (TRANSIENT.has(error.code)) {
      patchUi({ status: 'reconnecting' });
      clearTimeout(retryTimer);
      retryTimer = setTimeout(() => void establish(), backoff(error.retryAfterMs));
      return;
    }
    fatal(error);
  };

  const onSession = async (): Promise<void> => {
    attempts = 0;
    const res = await connection.request('start-conversation', {});
    if (!res.ok) {
      log.warn('could not open the conversation:', res.error.code, res.error.message);
      if (TRANSIENT.has(res.error.code) && connected) {
        clearTimeout(retryTimer);
        retryTimer = setTimeout(() => void (connected && onSession()), backoff(res.error.retryAfterMs));
      }
      return;
    }
    const newest = res.messages;
    announce(newest, false);
    chat.set((s) => setConversation(s, res.conversation, { messages: newest, hasMore: res.hasMore }));
    if (pendingReadSeq > res.conversation.read.contact) sendRead(pendingReadSeq);
    void flush();
    markRead();
    markDelivered();
  };

  const onMessage = (dto: MessageDto): void => {
    const s = chat.get();
    if (s.conversation && dto.conversationId !== s.conversation.id) return;
    announce([dto], true);
    chat.set((st) => {
      const next = mergeMessages(st, [dto]);
      // A message from whoever was typing ends their typing.
      return st.typing && st.typing.type === dto.sender.type && st.typing.id === dto.sender.id ? setTyping(next, null) : next;
    });
    markRead();
    markDelivered();
  };

  const unsubscribe = [
    connection.onStatus(onStatus),
    connection.on('session', () => void onSession()),
    connection.on('message-received', onMessage),
    connection.on('typing', (e) => {
      if (e.conversationId !== chat.get().conversation?.id || e.sender.type === 'contact') return;
      clearTimeout(agentTypingTimer);
      chat.set((s) => setTyping(s, e.isTyping ? e.sender : null));
      // If the "stopped typing" notice never comes (agent closed the tab), stop showing it anyway.
      if (e.isTyping) agentTypingTimer = setTimeout(() => chat.set((s) => setTyping(s, null)), AGENT_TYPING_TTL);
    }),
    connection.on('message-status', (e) => {
      if (e.conversationId !== chat.get().conversation?.id) return;
      chat.set((s) => setReadCursor(s, e.reader, e.seq, e.status));
    }),
    chat.subscribe((s) => {
      const n = unreadCount(s);
      if (n !== lastUnread) {
        lastUnread = n;
        emit('unread-count', n);
      }
    }),
  ];

  /** Sends queued messages one at a time, oldest first, while connected. */
  async function flush(): Promise<void> {
    if (flushing) return;
    flushing = true;
    try {
      for (;;) {
        const state = chat.get();
        const conversation = state.conversation;
        const next = nextQueued(state);
        if (!next || !conversation || !connected) return;
        const id = next.clientMessageId;
        chat.set((s) => markSending(s, id));
        const res = await connection.request('send-message', { conversationId: conversation.id, clientMessageId: id, text: next.text });
        if (res.ok) {
          announce([res.message], true);
          chat.set((s) => mergeMessages(s, [res.message]));
          continue;
        }
        if (TRANSIENT.has(res.error.code)) {
          // Not (knowingly) stored: back in the queue with the same id. If the server did store it
          // and the ack was lost, the resend comes back as a duplicate and merges into one bubble.
          chat.set((s) => requeue(s, id));
          if (res.error.code !== 'OFFLINE') {
            clearTimeout(flushTimer);
            flushTimer = setTimeout(() => void flush(), backoff(res.error.retryAfterMs));
          }
          return;
        }
        log.debug('message refused', res.error);
        chat.set((s) => markFailed(s, id, res.error));
      }
    } finally {
      flushing = false;
    }
  }

  function sendRead(seq: number): void {
    const conversation = chat.get().conversation;
    if (!conversation) return;
    pendingReadSeq = seq;
    void connection.request('mark-read', { conversationId: conversation.id, seq }).then((res) => {
      if (res.ok && pendingReadSeq <= seq) pendingReadSeq = 0;
    });
  }

  /** Tells the support side their messages reached this device, though nobody is looking yet. */
  function markDelivered(): void {
    const s = chat.get();
    const seq = lastSeq(s);
    if (!s.conversation || !connected || seq <= Math.max(s.readByContact, deliveredSent)) return;
    deliveredSent = seq;
    void connection.request('mark-read', { conversationId: s.conversation.id, seq, status: 'delivered' });
  }

  function markRead(): void {
    const s = chat.get();
    const seq = lastSeq(s);
    if (!s.conversation || seq <= s.readByContact || !canSeeLatest()) return;
    chat.set((st) => setReadCursor(st, 'contact', seq));
    sendRead(seq);
  }

  const typingThrottle = createTypingThrottle({
    send(isTyping) {
      const conversation = chat.get().conversation;
      if (conversation && connected) void connection.request('typing', { conversationId: conversation.id, isTyping });
    },
  });

  const controller: Controller = {
    start() {
      if (started) return;
      started = true;
      void establish();
    },
    consent: () => tokens.grantConsent(),
    open() {
      if (ui.get().open) return;
      controller.consent();
      controller.start();
      patchUi({ open: true });
      emit('open', undefined);
      markRead();
    },
    close() {
      if (!ui.get().open) return;
      typingThrottle.stop();
      patchUi({ open: false });
      emit('close', undefined);
    },
    toggle: () => (ui.get().open ? controller.close() : controller.open()),
    send(text) {
      const id = newId();
      typingThrottle.stop();
      controller.consent();
      controller.start();
      chat.set((s) => addLocalMessage(s, text, id, now()));
      void flush();
      return id;
    },
    retry(id) {
      chat.set((s) => retryMessage(s, id));
      void flush();
    },
    loadOlder() {
      const s = chat.get();
      const before = oldestSeq(s);
      if (!s.conversation || !s.hasMore || s.loadingOlder || before === null || !connected) return;
      chat.set((st) => ({ ...st, loadingOlder: true }));
      void connection.request('load-history', { conversationId: s.conversation.id, beforeSeq: before }).then((res) => {
        if (res.ok) {
          announce(res.messages, false);
          chat.set((st) => prependHistory(st, res));
        } else chat.set((st) => ({ ...st, loadingOlder: false }));
      });
    },
    markRead,
    typing: () => typingThrottle.input(),
    stopTyping: () => typingThrottle.stop(),
    setDraft: (draft) => patchUi({ draft }),
    identify(user) {
      identityToken = user.token;
      freshVisitorTried = false;
      if (started) void establish();
      else {
        controller.consent();
        controller.start();
      }
    },
    identity: () => identityToken,
    logout() {
      started = false;
      identityToken = null;
      freshVisitorTried = false;
      clearTimeout(retryTimer);
      clearTimeout(flushTimer);
      tokens.clear();
      connection.disconnect();
      confirmed.clear();
      pendingReadSeq = 0;
      deliveredSent = 0;
      chat.set(initialChatState());
      o.onLogout?.();
      const { open } = ui.get();
      ui.set({ ...initialUiState(), open });
      if (open) controller.start();
    },
    destroy() {
      started = false;
      clearTimeout(retryTimer);
      clearTimeout(flushTimer);
      clearTimeout(agentTypingTimer);
      typingThrottle.stop();
      for (const u of unsubscribe) u();
      connection.disconnect();
    },
  };

  // A visitor who chatted here before (a stored token) gets connected right away, so agent replies
  // that arrived meanwhile show up on the launcher badge.
  if (identityToken || tokens.get()) controller.start();
  return controller;
}
