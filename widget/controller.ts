// The chat controller: user intents (open, send, retry, scroll up, type) and server events meet the
// state stores here. Server events are a dispatch table onto the pure functions in state/chat.ts;
// the rules live in three parts it composes:
//   chat/session.ts   credentials → connected socket, refusals vs outages, identify()
//   chat/outbox.ts    messages leave in typing order, exactly once per client id
//   chat/receipts.ts  read and delivered marks
// No network before the visitor shows interest (or a token from an earlier visit exists).
import type { ConversationsPage, MessageDto } from '../protocol/chat.ts';
import type { CommandReply } from '../protocol/events.ts';
import { isTransient, retryDelay } from '../protocol/retry.ts';
import { createOutbox } from './chat/outbox.ts';
import { createReceipts } from './chat/receipts.ts';
import { createSession } from './chat/session.ts';
import type { Connection } from './connection.ts';
import type { SendText } from './feature.ts';
import { newClientMessageId } from '../protocol/client-ids.ts';
import type { Logger } from './log.ts';
import { addLocalMessage, firstGap, initialChatState, mergeMessages, oldestSeq, prependHistory, setConversation, setReadCursor, setTyping, unreadCount, type ChatState } from './state/chat.ts';
import type { Store } from './state/store.ts';
import { createTypingThrottle } from './state/typing.ts';
import { initialUiState, type UiState } from './state/ui.ts';
import type { TokenStore } from './storage.ts';
import type { VeryChatEvents, VeryChatMessage, VeryChatUser } from './types.ts';

import { MAX_HISTORY_PAGE } from '../protocol/limits.ts';

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
  /** Whether the visitor can see the latest messages (window open, tab visible). */
  canSeeLatest?: () => boolean;
  /** logout() forgot the visitor: other per-person state (features) goes too. */
  onLogout?: () => void;
  /** How the composer's text leaves (a feature's, see feature.ts SendText); send-message by default. */
  sendVia?: () => Promise<SendText | null>;
}

export interface Controller {
  /** Fetches the workspace's look (before the first paint) and learns whether this page may chat at all. */
  look(): Promise<void>;
  /** Start talking to the server, if not already. */
  start(): void;
  open(): void;
  close(): void;
  toggle(): void;
  /** Persist the visitor token from now on (the visitor opened the chat, or the page called boot). */
  consent(): void;
  send(text: string): string;
  retry(clientMessageId: string): void;
  /** A message the server stored that came with a feature's own event: merged like message-received. */
  receive(message: MessageDto): void;
  loadOlder(): void;
  markRead(): void;
  typing(): void;
  stopTyping(): void;
  setDraft(text: string): void;
  /** Shows a feature's panel (`<feature>:<panel>`) in place of the messages; null goes back to them. */
  showPanel(panel: string | null): void;
  /** Switches to one of the customer's conversations, or (null) starts a new one. */
  openConversation(id: string | null): Promise<void>;
  /** A page of the customer's conversations (null when it could not be had). */
  listConversations(cursor?: string): Promise<ConversationsPage | null>;
  /** Sign the customer in; settles on the server's answer (rejects AUTH_INVALID / AUTH_EXPIRED). */
  identify(user: VeryChatUser): Promise<void>;
  /** The identity token in use (identify() or boot({ user })), until the server refuses it. */
  identity(): string | null;
  logout(): void;
  destroy(): void;
}

const AGENT_TYPING_TTL = 8000;

export function createController(o: ControllerOptions): Controller {
  const { connection, tokens, chat, ui, emit, log } = o;
  const newId = o.newId ?? newClientMessageId;
  const now = o.now ?? (() => new Date());

  const session = createSession({ siteKey: o.siteKey, connection, tokens, ui, emit, log, identityToken: o.user?.token ?? null });
  const connected = (): boolean => session.connected;
  const receipts = createReceipts({ connection, chat, connected, canSeeLatest: o.canSeeLatest ?? (() => ui.get().open) });
  const outbox = createOutbox({ connection, chat, log, connected, onStored: (m) => announce([m], true), via: o.sendVia });

  let startAttempts = 0;
  let startTimer: ReturnType<typeof setTimeout> | undefined;
  let agentTypingTimer: ReturnType<typeof setTimeout> | undefined;
  /** Server ids announced to the page (`message`), once each. */
  const confirmed = new Set<string>();
  let lastUnread = 0; // Only changes are announced; getUnreadCount() gives the current value.

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
  function announce(messages: readonly MessageDto[], asNews: boolean): void {
    for (const m of messages) {
      if (confirmed.has(m.id)) continue;
      confirmed.add(m.id);
      if (asNews) emit('message', toPublic(m));
    }
  }

  /**
   * Loads what this device missed between messages it holds (after a reconnect, or when an arriving
   * seq jumps), page by page, until no hole is left. Missed messages are history, not news.
   */
  let filling = false;
  async function fillGaps(): Promise<void> {
    if (filling) return;
    filling = true;
    try {
      for (let gap = firstGap(chat.get()); gap && connected(); gap = firstGap(chat.get())) {
        const conversationId = chat.get().conversation!.id;
        const res = await connection.request('load-history', { conversationId, ...gap, limit: MAX_HISTORY_PAGE });
        // A failure waits for the next reconnect or jump; an empty answer means nothing more to fetch there.
        if (!res.ok || res.messages.length === 0) return;
        announce(res.messages, false);
        chat.set((s) => mergeMessages(s, res.messages));
      }
    } finally {
      filling = false;
    }
  }

  /** Shows a conversation the server opened (start-conversation's answer), then catches up on what is pending. */
  function show(res: CommandReply<'start-conversation'> & { ok: true }): void {
    startAttempts = 0;
    announce(res.messages, false);
    chat.set((s) => setConversation(s, res.conversation, res));
    void fillGaps();
    receipts.resume(res.conversation);
    void outbox.flush();
    receipts.markRead();
    receipts.markDelivered();
  }

  /**
   * A session is up: resume the conversation this device shows (after a reconnect), else the server's
   * choice (the open one, or a new one), then catch up on everything pending.
   */
  async function onSession(): Promise<void> {
    session.established();
    const shown = chat.get().conversation;
    let res = await connection.request('start-conversation', shown && shown.lastSeq > 0 ? { conversationId: shown.id } : {});
    // Not theirs any more (another customer signed in on this device): the server's choice then.
    if (!res.ok && res.error.code === 'FORBIDDEN') res = await connection.request('start-conversation', {});
    if (res.ok) return show(res);
    log.warn('could not open the conversation:', res.error.code, res.error.message);
    if (isTransient(res.error.code) && connected()) {
      clearTimeout(startTimer);
      startTimer = setTimeout(() => void (connected() && onSession()), retryDelay(startAttempts++, res.error.retryAfterMs));
    }
  }

  function onMessage(dto: MessageDto): void {
    const s = chat.get();
    if (s.conversation && dto.conversationId !== s.conversation.id) return;
    announce([dto], true);
    chat.set((st) => {
      const next = mergeMessages(st, [dto]);
      // A message from whoever was typing ends their typing.
      return st.typing && st.typing.type === dto.sender.type && st.typing.id === dto.sender.id ? setTyping(next, null) : next;
    });
    void fillGaps();
    receipts.markRead();
    receipts.markDelivered();
  }

  const unsubscribe = [
    connection.on('session', () => void onSession()),
    connection.on('message-received', onMessage),
    connection.on('typing', (e) => {
      if (e.conversationId !== chat.get().conversation?.id || e.sender.type === 'contact') return;
      clearTimeout(agentTypingTimer);
      chat.set((s) => setTyping(s, e.isTyping ? e.sender : null));
      // If the "stopped typing" notice never comes (agent closed the tab), stop showing it anyway.
      if (e.isTyping) agentTypingTimer = setTimeout(() => chat.set((s) => setTyping(s, null)), AGENT_TYPING_TTL);
    }),
    // An agent started a new conversation with this person (the console's "Start a conversation"): show it,
    // with its first message, as the server has it now. Sent to the person's user room.
    connection.on('conversation-started', (e) => {
      if (e.conversation.id !== chat.get().conversation?.id) void controller.openConversation(e.conversation.id);
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

  const typingThrottle = createTypingThrottle({
    send(isTyping) {
      const conversation = chat.get().conversation;
      if (conversation && connected()) void connection.request('typing', { conversationId: conversation.id, isTyping });
    },
  });

  const patchUi = (patch: Partial<UiState>): void => ui.set((s) => ({ ...s, ...patch }));

  const controller: Controller = {
    look: () => session.look(),
    start: () => session.start(),
    consent: () => tokens.grantConsent(),
    open() {
      if (ui.get().open) return;
      controller.consent();
      controller.start();
      patchUi({ open: true });
      emit('open', undefined);
      receipts.markRead();
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
      void outbox.flush();
      return id;
    },
    retry: (id) => outbox.retry(id),
    receive: onMessage,
    loadOlder() {
      const s = chat.get();
      const before = oldestSeq(s);
      if (!s.conversation || !s.hasMore || s.loadingOlder || before === null || !connected()) return;
      chat.set((st) => ({ ...st, loadingOlder: true }));
      void connection.request('load-history', { conversationId: s.conversation.id, beforeSeq: before }).then((res) => {
        if (res.ok) {
          announce(res.messages, false);
          chat.set((st) => prependHistory(st, res));
        } else chat.set((st) => ({ ...st, loadingOlder: false }));
      });
    },
    markRead: () => receipts.markRead(),
    typing: () => typingThrottle.input(),
    stopTyping: () => typingThrottle.stop(),
    setDraft: (draft) => patchUi({ draft }),
    showPanel: (panel) => patchUi({ panel }),
    async listConversations(cursor) {
      const res = await connection.request('list-conversations', cursor ? { cursor } : {});
      return res.ok ? res : null;
    },
    async openConversation(id) {
      const res = await connection.request('start-conversation', id ? { conversationId: id } : { forceNew: true });
      if (res.ok) show(res);
      else log.warn('could not open the conversation:', res.error.code, res.error.message);
    },
    identify(user) {
      controller.consent();
      return session.identify(user.token);
    },
    identity: () => session.identity(),
    logout() {
      clearTimeout(startTimer);
      outbox.stop();
      session.forget();
      confirmed.clear();
      receipts.reset();
      chat.set(initialChatState());
      o.onLogout?.();
      // The window stays as it is, and so does the workspace's look: only the person is forgotten.
      const { open, workspaceName, settings } = ui.get();
      ui.set({ ...initialUiState(), open, workspaceName, settings });
      if (open) controller.start();
    },
    destroy() {
      clearTimeout(startTimer);
      clearTimeout(agentTypingTimer);
      outbox.stop();
      typingThrottle.stop();
      for (const u of unsubscribe) u();
      session.destroy();
    },
  };

  // A visitor who chatted here before (a stored token) gets connected right away, so agent replies
  // that arrived meanwhile show up on the launcher badge.
  if (session.identity() || tokens.get()) controller.start();
  return controller;
}
