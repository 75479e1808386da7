import { describe, expect, it } from 'vitest';
import { conversation, message } from '../test/fake-connection.ts';
import {
  addLocalMessage,
  firstGap,
  initialChatState,
  markFailed,
  markSending,
  mergeMessages,
  messageStatus,
  nextQueued,
  prependHistory,
  requeue,
  retryMessage,
  setConversation,
  setReadCursor,
  unreadCount,
  type ChatState,
} from './chat.ts';

const NOW = new Date('2026-01-01T12:00:00Z');
const withConversation = (): ChatState => setConversation(initialChatState(), conversation(), { messages: [], hasMore: false });
const own = (seq: number, clientMessageId: string) => message(seq, { clientMessageId, sender: { type: 'contact', id: 'c1', name: null } });

describe('merging messages', () => {
  it('keeps one bubble when the same message arrives twice (ack and room broadcast)', () => {
    let s = mergeMessages(withConversation(), [message(1)]);
    s = mergeMessages(s, [message(1)]);
    expect(s.messages.map((m) => m.id)).toEqual(['m-1']);
  });

  it('turns a local message into the server one by client message id, keeping its render key', () => {
    let s = addLocalMessage(withConversation(), 'hi', 'client-abc-1', NOW);
    const key = s.messages[0]!.key;
    s = mergeMessages(s, [own(7, 'client-abc-1')]);
    expect(s.messages).toHaveLength(1);
    expect(s.messages[0]).toMatchObject({ id: 'm-7', seq: 7, key, sendState: 'sent' });
  });

  it('orders by seq whatever the arrival order, with unsent local messages last in typing order', () => {
    let s = addLocalMessage(withConversation(), 'first local', 'local-0001', NOW);
    s = addLocalMessage(s, 'second local', 'local-0002', NOW);
    s = mergeMessages(s, [message(3), message(1)]);
    s = prependHistory(s, { messages: [message(2)], hasMore: false });
    expect(s.messages.map((m) => m.seq ?? m.text)).toEqual([1, 2, 3, 'first local', 'second local']);
  });

  it('ignores messages of another conversation', () => {
    const s = mergeMessages(withConversation(), [message(1, { conversationId: 'other' })]);
    expect(s.messages).toHaveLength(0);
  });

  it('keeps unsent local messages when the conversation is (re)started', () => {
    let s = addLocalMessage(initialChatState(), 'typed offline', 'local-0001', NOW);
    s = setConversation(s, conversation(), { messages: [message(1)], hasMore: true });
    expect(s.messages.map((m) => m.text)).toEqual(['message 1', 'typed offline']);
    expect(s.hasMore).toBe(true);
  });
});

describe('status of own messages', () => {
  it('moves queued -> sending -> sent -> delivered -> read, and never back', () => {
    let s = addLocalMessage(withConversation(), 'hello', 'cid-00001', NOW);
    const status = () => messageStatus(s, s.messages[0]!);
    expect(status()).toBe('queued');
    s = markSending(s, 'cid-00001');
    expect(status()).toBe('sending');
    s = mergeMessages(s, [own(5, 'cid-00001')]);
    expect(status()).toBe('sent');
    s = setReadCursor(s, 'agent', 5, 'delivered');
    expect(status()).toBe('delivered');
    s = setReadCursor(s, 'agent', 5, 'read');
    expect(status()).toBe('read');
    s = setReadCursor(s, 'agent', 2, 'read');
    s = setReadCursor(s, 'agent', 3, 'delivered');
    expect(status()).toBe('read');
  });

  it('a reply from the support side marks earlier messages delivered', () => {
    let s = mergeMessages(withConversation(), [own(1, 'cid-00001')]);
    s = mergeMessages(s, [message(2, { sender: { type: 'assistant', id: null, name: null } })]);
    expect(messageStatus(s, s.messages[0]!)).toBe('delivered');
  });

  it('failed -> retry -> queued with the same client id; a second markSending is a no-op', () => {
    let s = addLocalMessage(withConversation(), 'hello', 'cid-00001', NOW);
    s = markSending(s, 'cid-00001');
    expect(nextQueued(s)).toBeUndefined();
    expect(markSending(s, 'cid-00001')).toBe(s);
    s = markFailed(s, 'cid-00001', { code: 'VALIDATION_FAILED', message: 'no' });
    expect(messageStatus(s, s.messages[0]!)).toBe('failed');
    s = retryMessage(s, 'cid-00001');
    expect(nextQueued(s)?.clientMessageId).toBe('cid-00001');
  });

  it('requeue only affects a message still on its way', () => {
    let s = addLocalMessage(withConversation(), 'hello', 'cid-00001', NOW);
    s = markSending(s, 'cid-00001');
    s = requeue(s, 'cid-00001');
    expect(s.messages[0]!.sendState).toBe('queued');
    s = mergeMessages(markSending(s, 'cid-00001'), [own(3, 'cid-00001')]);
    expect(requeue(s, 'cid-00001')).toBe(s); // Stored by the server: nothing to resend.
  });
});

describe('unread count', () => {
  it('counts support-side messages after the visitor read cursor, never their own', () => {
    let s = setConversation(initialChatState(), conversation({ read: { contact: 1, agent: 0 } }), {
      messages: [message(1), message(2), message(3, { sender: { type: 'system', id: null, name: null } })],
      hasMore: false,
    });
    s = addLocalMessage(s, 'not sent yet', 'cid-local', NOW);
    expect(unreadCount(s)).toBe(2);
    s = setReadCursor(s, 'contact', 4);
    expect(unreadCount(s)).toBe(0);
    s = mergeMessages(s, [message(5)]);
    expect(unreadCount(s)).toBe(1);
  });

  it('writing a message counts as having read what came before (another tab)', () => {
    let s = mergeMessages(withConversation(), [message(1), message(2)]);
    expect(unreadCount(s)).toBe(2);
    s = mergeMessages(s, [own(3, 'cid-00003')]);
    expect(unreadCount(s)).toBe(0);
  });

  it('a delivered notice about the visitor does not clear their unread count', () => {
    let s = mergeMessages(withConversation(), [message(1)]);
    s = setReadCursor(s, 'contact', 1, 'delivered');
    expect(unreadCount(s)).toBe(1);
  });
});

describe('holes in the history', () => {
  it('finds the first pair of held messages whose seqs are not consecutive, ignoring unsent ones and older pages', () => {
    let s = setConversation(initialChatState(), conversation(), { messages: [5, 6, 7].map((n) => message(n)), hasMore: true });
    expect(firstGap(s)).toBeNull(); // 1..4 are older history, not a hole
    s = addLocalMessage(s, 'typing…', 'local-1', NOW);
    expect(firstGap(s)).toBeNull();
    s = mergeMessages(s, [message(10), message(12)]);
    expect(firstGap(s)).toEqual({ afterSeq: 7, beforeSeq: 10 });
    s = mergeMessages(s, [message(8), message(9)]);
    expect(firstGap(s)).toEqual({ afterSeq: 10, beforeSeq: 12 });
  });

  it('when the server said there is no older history, the first messages missed live are a hole too', () => {
    // A new conversation (an empty first page), whose first message's broadcast never arrived.
    let s = setConversation(initialChatState(), conversation(), { messages: [], hasMore: false });
    expect(firstGap(s)).toBeNull();
    s = mergeMessages(s, [message(3)]);
    expect(firstGap(s)).toEqual({ afterSeq: 0, beforeSeq: 3 });
    s = mergeMessages(s, [message(1), message(2)]);
    expect(firstGap(s)).toBeNull();
    // With older pages on the server, what came before the first held message is history, not a hole.
    expect(firstGap(setConversation(initialChatState(), conversation(), { messages: [message(3)], hasMore: true }))).toBeNull();
  });
});
