// The outbox: messages typed (or sent through the API) leave in typing order, one at a time, exactly
// once per client message id, whenever a connection is there. Outages put a message back in the
// queue with the same id (the server answers a resend of a stored one as a duplicate, which merges
// into the same bubble); refusals mark it failed until the visitor retries. A feature may own how
// text goes out (the assistant's send-ai-query, see feature.ts SendText): same rules, same retries.
import type { MessageDto } from '../../protocol/chat.ts';
import { isTransient, retryDelay } from '../../protocol/retry.ts';
import type { Connection } from '../connection.ts';
import type { SendText } from '../feature.ts';
import type { Logger } from '../log.ts';
import { markFailed, markSending, mergeMessages, nextQueued, requeue, retryMessage, type ChatState } from '../state/chat.ts';
import type { Store } from '../state/store.ts';

export interface OutboxOptions {
  connection: Connection;
  chat: Store<ChatState>;
  log: Logger;
  connected(): boolean;
  /** The server stored one of ours. */
  onStored(message: MessageDto): void;
  /** How text goes out, asked before each message (it may wait for a feature's code); null: send-message. */
  via?: () => Promise<SendText | null>;
}

export interface Outbox {
  /** Sends what is queued, if connected; safe to call any time. */
  flush(): Promise<void>;
  /** A failed message goes back to the queue, same client id. */
  retry(clientMessageId: string): void;
  /** Stops the retry timer (logout, shutdown). */
  stop(): void;
}

export function createOutbox({ connection, chat, log, connected, onStored, via }: OutboxOptions): Outbox {
  let flushing = false;
  let attempts = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function flush(): Promise<void> {
    if (flushing) return;
    flushing = true;
    try {
      for (;;) {
        const state = chat.get();
        const conversation = state.conversation;
        const next = nextQueued(state);
        if (!next || !conversation || !connected()) return;
        const id = next.clientMessageId;
        chat.set((s) => markSending(s, id));
        const m = { conversationId: conversation.id, clientMessageId: id, text: next.text };
        const send = await via?.();
        const res = send ? await send(m) : await connection.request('send-message', m);
        if (res.ok) {
          attempts = 0;
          onStored(res.message);
          chat.set((s) => mergeMessages(s, [res.message]));
          continue;
        }
        if (isTransient(res.error.code)) {
          // Not (knowingly) stored: back in the queue with the same id. If the server did store it
          // and the ack was lost, the resend comes back as a duplicate and merges into one bubble.
          chat.set((s) => requeue(s, id));
          // Offline: the next session flushes. Otherwise the server is busy: try again later.
          if (res.error.code !== 'OFFLINE') {
            clearTimeout(timer);
            timer = setTimeout(() => void flush(), retryDelay(attempts++, res.error.retryAfterMs));
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

  return {
    flush,
    retry(id) {
      chat.set((s) => retryMessage(s, id));
      void flush();
    },
    stop: () => clearTimeout(timer),
  };
}
