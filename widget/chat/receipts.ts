// Read and delivered receipts from the customer's side. "Read" needs the chat in view (window open,
// tab in front); "delivered" only that a message reached this device, so the support side can tell
// an unseen reply from one that never arrived. A read mark made offline is sent after reconnecting.
import type { ConversationDto } from '../../protocol/chat.ts';
import type { Connection } from '../connection.ts';
import { lastSeq, setReadCursor, type ChatState } from '../state/chat.ts';
import type { Store } from '../state/store.ts';

export interface ReceiptsOptions {
  connection: Connection;
  chat: Store<ChatState>;
  connected(): boolean;
  /** Whether the customer can see the latest messages (window open, tab visible). */
  canSeeLatest(): boolean;
}

export interface Receipts {
  /** Everything loaded has been seen, if it can be. */
  markRead(): void;
  /** Everything loaded reached this device. */
  markDelivered(): void;
  /** A (re)started conversation: resend a read mark the server missed. */
  resume(conversation: ConversationDto): void;
  reset(): void;
}

export function createReceipts({ connection, chat, connected, canSeeLatest }: ReceiptsOptions): Receipts {
  /** A read position the server has not acknowledged yet (we were offline). */
  let pendingReadSeq = 0;
  /** Highest seq reported as delivered. */
  let deliveredSent = 0;

  function sendRead(seq: number): void {
    const conversation = chat.get().conversation;
    if (!conversation) return;
    pendingReadSeq = seq;
    void connection.request('mark-read', { conversationId: conversation.id, seq }).then((res) => {
      if (res.ok && pendingReadSeq <= seq) pendingReadSeq = 0;
    });
  }

  return {
    markRead() {
      const s = chat.get();
      const seq = lastSeq(s);
      if (!s.conversation || seq <= s.readByContact || !canSeeLatest()) return;
      chat.set((st) => setReadCursor(st, 'contact', seq));
      sendRead(seq);
    },
    markDelivered() {
      const s = chat.get();
      const seq = lastSeq(s);
      if (!s.conversation || !connected() || seq <= Math.max(s.readByContact, deliveredSent)) return;
      deliveredSent = seq;
      void connection.request('mark-read', { conversationId: s.conversation.id, seq, status: 'delivered' });
    },
    resume(conversation) {
      if (pendingReadSeq > conversation.read.contact) sendRead(pendingReadSeq);
    },
    reset() {
      pendingReadSeq = 0;
      deliveredSent = 0;
    },
  };
}
