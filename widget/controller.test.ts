// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createController, type Emit } from './controller.ts';
import { createLogger } from './log.ts';
import { initialChatState, messageStatus } from './state/chat.ts';
import { createStore } from './state/store.ts';
import { initialUiState } from './state/ui.ts';
import { createTokenStore, storageKey } from './storage.ts';
import { CONVERSATION_ID, conversation, createFakeConnection, message, settle } from './test/fake-connection.ts';

function setup(opts: { storedToken?: string } = {}) {
  localStorage.clear();
  if (opts.storedToken) localStorage.setItem(storageKey('pk_test'), opts.storedToken);
  const connection = createFakeConnection();
  const chat = createStore(initialChatState());
  const ui = createStore(initialUiState());
  const events: [string, unknown][] = [];
  const emit: Emit = (event, payload) => void events.push([event, payload]);
  const errors: unknown[][] = [];
  const log = createLogger(false, { debug: () => {}, warn: () => {}, error: (...a: unknown[]) => void errors.push(a) });
  let ids = 0;
  const controller = createController({
    siteKey: 'pk_test',
    connection,
    tokens: createTokenStore('pk_test', localStorage),
    chat,
    ui,
    emit,
    log,
    newId: () => `client-id-${++ids}`,
  });
  return { connection, chat, ui, events, errors, controller };
}

afterEach(() => vi.useRealTimers());

describe('before the visitor shows interest', () => {
  it('a first-time visitor causes no network traffic and no storage write until they open the chat', async () => {
    const { connection, controller } = setup();
    await settle();
    expect(connection.sessions).toHaveLength(0);
    expect(localStorage.getItem(storageKey('pk_test'))).toBeNull();
    controller.open();
    await settle();
    expect(connection.sessions).toEqual([{ siteKey: 'pk_test' }]);
    expect(localStorage.getItem(storageKey('pk_test'))).toBe('visitor-token-1');
  });

  it('a returning visitor reconnects at once with the stored token (for the unread badge)', async () => {
    const { connection } = setup({ storedToken: 'stored-token' });
    await settle();
    expect(connection.sessions).toEqual([{ siteKey: 'pk_test', visitorToken: 'stored-token' }]);
    expect(connection.auths[0]).toEqual({ siteKey: 'pk_test', visitorToken: 'visitor-token-1' });
  });
});

describe('offline queue', () => {
  it('sends messages typed while offline exactly once, in order, with their client ids, on reconnect', async () => {
    const { connection, controller, chat } = setup();
    controller.open();
    await settle(); // session requested, socket "connecting": not connected yet
    controller.send('one');
    controller.send('two');
    await settle();
    expect(connection.sent('send-message')).toHaveLength(0);
    expect(chat.get().messages.map((m) => messageStatus(chat.get(), m))).toEqual(['queued', 'queued']);

    connection.connectNow();
    await settle();
    expect(connection.sent('send-message')).toEqual([
      expect.objectContaining({ clientMessageId: 'client-id-1', text: 'one' }),
      expect.objectContaining({ clientMessageId: 'client-id-2', text: 'two' }),
    ]);

    // A reconnect (new session event) must not send them again.
    connection.setStatus('reconnecting');
    connection.connectNow();
    await settle();
    expect(connection.sent('send-message')).toHaveLength(2);
    expect(chat.get().messages.map((m) => m.seq)).toEqual([101, 102]);
  });

  it('resends with the same client id when the connection dropped before the ack, and merges the duplicate', async () => {
    const { connection, controller, chat } = setup();
    controller.open();
    await settle();
    connection.connectNow();
    await settle();
    let calls = 0;
    const original = connection.handlers['send-message']!;
    connection.handlers['send-message'] = (p) => {
      calls++;
      if (calls === 1) {
        connection.setStatus('reconnecting'); // the socket drops with the ack pending
        return { ok: false, error: { code: 'OFFLINE', message: 'socket has been disconnected' } };
      }
      return original(p);
    };
    controller.send('hello');
    await settle();
    expect(chat.get().messages[0]!.sendState).toBe('queued');
    connection.connectNow();
    await settle();
    const sends = connection.sent('send-message') as { clientMessageId: string }[];
    expect(sends.map((s) => s.clientMessageId)).toEqual(['client-id-1', 'client-id-1']);
    expect(chat.get().messages).toHaveLength(1);
    expect(messageStatus(chat.get(), chat.get().messages[0]!)).toBe('sent');
  });

  it('marks a refused message failed, and retry sends it again with the same id', async () => {
    const { connection, controller, chat } = setup();
    controller.open();
    await settle();
    connection.connectNow();
    await settle();
    const original = connection.handlers['send-message']!;
    connection.handlers['send-message'] = () => ({ ok: false, error: { code: 'VALIDATION_FAILED', message: 'empty' } });
    controller.send('x');
    await settle();
    expect(messageStatus(chat.get(), chat.get().messages[0]!)).toBe('failed');
    connection.handlers['send-message'] = original;
    controller.retry('client-id-1');
    await settle();
    expect((connection.sent('send-message') as { clientMessageId: string }[]).map((s) => s.clientMessageId)).toEqual(['client-id-1', 'client-id-1']);
    expect(messageStatus(chat.get(), chat.get().messages[0]!)).toBe('sent');
  });
});

describe('server events', () => {
  it('counts unread agent messages while closed and clears them (mark-read) when opened', async () => {
    const { connection, controller, events } = setup({ storedToken: 't' });
    await settle();
    connection.connectNow();
    await settle();
    connection.emit('message-received', message(1));
    connection.emit('message-received', message(1)); // duplicate broadcast
    await settle();
    expect(events.filter(([e]) => e === 'unread-count').map(([, n]) => n)).toEqual([1]);
    expect(events.filter(([e]) => e === 'message')).toHaveLength(1);
    // Closed chat: the agent learns it was delivered, not read.
    expect(connection.sent('mark-read')).toEqual([expect.objectContaining({ seq: 1, status: 'delivered' })]);
    controller.open();
    await settle();
    expect(connection.sent('mark-read').at(-1)).toEqual(expect.objectContaining({ seq: 1 }));
    expect(events.filter(([e]) => e === 'unread-count').map(([, n]) => n)).toEqual([1, 0]);
  });

  it('switches to a conversation an agent started (conversation-started), with its first message counted unread', async () => {
    const { connection, chat, events } = setup({ storedToken: 't' });
    await settle();
    connection.connectNow();
    await settle();
    const started = conversation({ id: 'conv-new', lastSeq: 1 });
    const first = message(1, { conversationId: 'conv-new', text: 'Hi! About your order', sender: { type: 'agent', id: 'a1', name: 'Ada' } });
    connection.handlers['start-conversation'] = (p) => ({ ok: true, conversation: started, created: false, others: 1, messages: (p as { conversationId?: string }).conversationId === 'conv-new' ? [first] : [], hasMore: false });
    connection.emit('conversation-started', { conversation: started, message: first });
    await settle();
    expect(connection.sent('start-conversation').at(-1)).toEqual({ conversationId: 'conv-new' });
    expect(chat.get().conversation?.id).toBe('conv-new');
    expect(events.filter(([e]) => e === 'unread-count').map(([, n]) => n).at(-1)).toBe(1);
    // The one it already shows is not fetched again.
    const before = connection.sent('start-conversation').length;
    connection.emit('conversation-started', { conversation: started, message: first });
    await settle();
    expect(connection.sent('start-conversation')).toHaveLength(before);
  });

  it('a handshake refusal for the origin is final: failed status, one error event, one console error', async () => {
    const { connection, controller, ui, events, errors } = setup();
    controller.open();
    await settle();
    connection.setStatus('refused', { code: 'ORIGIN_NOT_ALLOWED', message: 'This origin is not allowed for the workspace.' });
    await settle();
    expect(ui.get().status).toBe('failed');
    expect(events.filter(([e]) => e === 'error')).toEqual([['error', { code: 'ORIGIN_NOT_ALLOWED', message: 'This origin is not allowed for the workspace.' }]]);
    // The console line carries the fix (its words come from a lazy chunk).
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(String(errors[0]![1])).toMatch(/npm run verychat -- origin:add pk_test /);
  });

  it('a socket the server ends because the origin was removed stops for good; one ended for a restart comes back', async () => {
    const { connection, controller, ui } = setup();
    controller.open();
    await settle();
    connection.connectNow();
    await settle();
    connection.emit('session-ended', { code: 'UNAVAILABLE', message: 'The server is restarting.' });
    await settle();
    expect(ui.get().status).not.toBe('failed'); // the connection reconnects by itself
    connection.emit('session-ended', { code: 'ORIGIN_NOT_ALLOWED', message: 'Origin https://shop.example is not allowed for this workspace.' });
    await settle();
    expect(ui.get()).toMatchObject({ status: 'failed', error: { code: 'ORIGIN_NOT_ALLOWED' } });
    expect(connection.status).toBe('idle');
  });

  it('a refused stored visitor token is replaced by a fresh session once', async () => {
    const { connection } = setup({ storedToken: 'old' });
    await settle();
    connection.setStatus('refused', { code: 'AUTH_INVALID', message: 'bad token' });
    await settle();
    expect(connection.sessions).toEqual([{ siteKey: 'pk_test', visitorToken: 'old' }, { siteKey: 'pk_test' }]);
  });

  it('identify() reconnects with the identity token and the visitor token', async () => {
    const { connection, controller } = setup({ storedToken: 't' });
    await settle();
    controller.identify({ token: 'jwt' });
    await settle();
    expect(connection.auths.at(-1)).toEqual({ siteKey: 'pk_test', visitorToken: 'visitor-token-1', identityToken: 'jwt' });
  });

  it('logout() forgets the visitor: token cleared, state reset, disconnected', async () => {
    const { connection, controller, chat } = setup({ storedToken: 't' });
    await settle();
    connection.connectNow();
    await settle();
    connection.emit('message-received', message(1));
    controller.logout();
    await settle();
    expect(localStorage.getItem(storageKey('pk_test'))).toBeNull();
    expect(chat.get().messages).toHaveLength(0);
    expect(connection.status).toBe('idle');
  });
});

describe('every message, once, in order, without a reload', () => {
  /** The server's history, two messages a page: what is stored between afterSeq and beforeSeq. */
  const history = (asked: unknown[]) => (p: { afterSeq?: number; beforeSeq?: number }) => {
    asked.push(p);
    const from = (p.afterSeq ?? 0) + 1;
    const to = Math.min((p.beforeSeq ?? Infinity) - 1, from + 1);
    const messages = [];
    for (let seq = from; seq <= to; seq++) messages.push(message(seq));
    return { ok: true as const, messages, hasMore: to < (p.beforeSeq ?? Infinity) - 1 };
  };

  it('after a reconnect, loads what was stored meanwhile between the messages it holds', async () => {
    const { connection, chat } = setup({ storedToken: 't' });
    await settle();
    connection.handlers['start-conversation'] = () => ({ ok: true, conversation: conversation(), created: false, others: 0, messages: [1, 2, 3].map((n) => message(n)), hasMore: false });
    connection.connectNow();
    await settle();
    // Offline while 4..7 were stored; the reconnect's page is the newest only.
    connection.setStatus('reconnecting');
    connection.handlers['start-conversation'] = () => ({ ok: true, conversation: conversation(), created: false, others: 0, messages: [8, 9].map((n) => message(n)), hasMore: true });
    const asked: unknown[] = [];
    connection.handlers['load-history'] = history(asked);
    connection.connectNow();
    await settle();
    await settle();
    expect(chat.get().messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(asked).toEqual([
      { conversationId: CONVERSATION_ID, afterSeq: 3, beforeSeq: 8, limit: 100 },
      { conversationId: CONVERSATION_ID, afterSeq: 5, beforeSeq: 8, limit: 100 },
    ]);
  });

  it('fills the hole when an arriving message’s seq jumps (a broadcast that never reached this device)', async () => {
    const { connection, chat } = setup({ storedToken: 't' });
    await settle();
    connection.connectNow();
    await settle();
    connection.emit('message-received', message(1));
    const asked: unknown[] = [];
    connection.handlers['load-history'] = history(asked);
    connection.emit('message-received', message(4));
    await settle();
    await settle();
    expect(chat.get().messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(asked).toEqual([{ conversationId: CONVERSATION_ID, afterSeq: 1, beforeSeq: 4, limit: 100 }]);
  });

  it('keeps the first message of a new conversation that arrived before its start-conversation answer', async () => {
    const { connection, chat } = setup({ storedToken: 't' });
    await settle();
    // The customer's other device writes while this one's start-conversation is answered: the broadcast
    // comes first, the answer (an empty page, nothing older) drops what was held before it.
    let answer!: () => void;
    connection.handlers['start-conversation'] = () =>
      new Promise((resolve) => {
        answer = () => resolve({ ok: true, conversation: conversation(), created: false, others: 0, messages: [], hasMore: false });
      });
    connection.connectNow();
    await settle();
    connection.emit('message-received', message(1));
    answer();
    await settle();
    const asked: unknown[] = [];
    connection.handlers['load-history'] = history(asked);
    connection.emit('message-received', message(2));
    await settle();
    await settle();
    // Nothing older exists (hasMore false), so seq 1 missing before seq 2 is a hole, and it is filled.
    expect(chat.get().messages.map((m) => m.seq)).toEqual([1, 2]);
    expect(asked).toEqual([{ conversationId: CONVERSATION_ID, afterSeq: 0, beforeSeq: 2, limit: 100 }]);
  });
});
