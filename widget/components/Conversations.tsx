// The customer's conversations (a chunk of its own, conversations.<hash>.js, fetched when the list is
// first opened): most recent first, each with its last message, and a new one. Nothing of theirs is
// hidden when a guest signs in and already has conversations as that customer.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ConversationSummaryDto } from '../../protocol/chat.ts';
import css from '../styles/conversations.css?inline';
import { useWidget } from './context.ts';

export { css };

export interface ConversationsProps {
  /** The conversation on screen. */
  current: string | null;
  list(cursor?: string): Promise<{ conversations: ConversationSummaryDto[]; nextCursor: string | null } | null>;
  open(id: string | null): void;
}

export function Conversations({ current, list, open }: ConversationsProps) {
  const { i18n } = useWidget();
  const heading = useRef<HTMLHeadingElement>(null);
  const [items, setItems] = useState<ConversationSummaryDto[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const more = (cursor?: string): void =>
    void list(cursor).then((page) => {
      if (!page) return setItems((s) => s ?? []);
      setItems((s) => [...(cursor ? (s ?? []) : []), ...page.conversations]);
      setNext(page.nextCursor);
    });
  useEffect(() => {
    heading.current?.focus();
    more();
  }, []);

  return (
    <div class="vc-convs" role="region" aria-labelledby="vc-convs-title">
      <div class="vc-convs-head">
        <h3 id="vc-convs-title" class="vc-convs-title" tabIndex={-1} ref={heading}>
          {i18n.t('conversations')}
        </h3>
        <button type="button" class="vc-link-button" onClick={() => open(null)}>
          {i18n.t('newConversation')}
        </button>
      </div>
      {items === null ? (
        <p class="vc-note">{i18n.t('loadingOlder')}</p>
      ) : (
        <ul class="vc-convs-list">
          {items.map((c) => {
            const m = c.lastMessage;
            const unread = m !== null && m.sender.type !== 'contact' && c.read.contact < c.lastSeq;
            return (
              <li key={c.id}>
                <button type="button" class={`vc-conv${unread ? ' vc-unread' : ''}`} aria-current={c.id === current ? 'true' : undefined} onClick={() => open(c.id)}>
                  <span class="vc-conv-text" dir="auto">
                    {m && m.sender.type === 'contact' ? `${i18n.t('you')}: ` : ''}
                    {m?.text ?? ''}
                  </span>
                  {c.lastMessageAt && (
                    <time class="vc-conv-time" dateTime={c.lastMessageAt}>
                      {i18n.day(c.lastMessageAt)} {i18n.time(c.lastMessageAt)}
                    </time>
                  )}
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {next && (
        <button type="button" class="vc-link-button vc-convs-more" onClick={() => more(next)}>
          {i18n.t('olderConversations')}
        </button>
      )}
    </div>
  );
}
