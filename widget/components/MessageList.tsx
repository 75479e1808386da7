import type { VNode } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { dayKey } from '../i18n/index.ts';
import { messageStatus, type ChatState } from '../state/chat.ts';
import type { UiState } from '../state/ui.ts';
import { FeatureSlot } from './FeatureSlot.tsx';
import { DOWN_ICON } from './icons.ts';
import { Icon } from './Icon.tsx';
import { Message } from './Message.tsx';
import { useWidget } from './context.ts';

/** Within this many px of the bottom counts as "at the bottom" (rounding, sub-pixel layouts). */
const BOTTOM_SLACK = 48;
/** Closer than this to the top fetches the older page. */
const TOP_TRIGGER = 80;

export function MessageList({ chat, ui }: { chat: ChatState; ui: UiState }) {
  const { i18n, controller } = useWidget();
  const log = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const seen = useRef<{ first?: string; last?: string; height: number; count: number }>({ height: 0, count: 0 });
  const [unseen, setUnseen] = useState(false);
  const { messages } = chat;

  const scrollToBottom = (): void => {
    const el = log.current;
    if (el) el.scrollTop = el.scrollHeight;
    atBottom.current = true;
    setUnseen(false);
  };

  // Runs before paint, so the reader never sees the jump:
  // - older page prepended: keep the same message under the reader's eyes;
  // - new message appended: follow it if the reader was at the bottom (or wrote it), otherwise
  //   leave them where they are and offer the "new messages" pill.
  useLayoutEffect(() => {
    const el = log.current;
    if (!el) return;
    const first = messages[0]?.key;
    const last = messages[messages.length - 1];
    const prev = seen.current;
    if (prev.count === 0) scrollToBottom();
    else if (first !== prev.first && last?.key === prev.last) el.scrollTop += el.scrollHeight - prev.height;
    else if (last && last.key !== prev.last) {
      if (atBottom.current || last.own) scrollToBottom();
      else setUnseen(true);
    }
    seen.current = { first, last: last?.key, height: el.scrollHeight, count: messages.length };
    if (atBottom.current) controller.markRead();
  }, [messages]);

  // Content that grows without a new message (an answer being written, a card's late layout) keeps
  // a reader who was at the bottom there.
  useEffect(() => {
    if (typeof ResizeObserver !== 'function' || !content.current) return;
    const o = new ResizeObserver(() => atBottom.current && scrollToBottom());
    o.observe(content.current);
    return () => o.disconnect();
  }, []);

  const onScroll = (): void => {
    const el = log.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight <= BOTTOM_SLACK;
    seen.current.height = el.scrollHeight;
    if (atBottom.current) {
      setUnseen(false);
      controller.markRead();
    }
    if (el.scrollTop < TOP_TRIGGER) controller.loadOlder();
  };

  // One flat, keyed list: day separators and messages side by side, so Preact can move them.
  const items: VNode[] = [];
  let previousDay = '';
  let previousSender = '';
  for (const m of messages) {
    const day = dayKey(m.createdAt);
    const newDay = day !== previousDay;
    const sender = `${m.sender.type}:${m.sender.id ?? ''}`;
    if (newDay) {
      items.push(
        <div class="vc-day" role="separator" key={`day-${day}`}>
          {i18n.day(m.createdAt)}
        </div>,
      );
    }
    items.push(<Message key={m.key} message={m} status={m.own ? messageStatus(chat, m) : null} showSender={newDay || sender !== previousSender} />);
    previousDay = day;
    previousSender = sender;
  }

  return (
    <div class="vc-body">
      <div ref={log} class="vc-log" role="log" aria-live="polite" aria-relevant="additions" aria-label={i18n.t('messages')} tabIndex={0} onScroll={onScroll}>
        <div ref={content}>
          {chat.loadingOlder && <p class="vc-note">{i18n.t('loadingOlder')}</p>}
          {!chat.hasMore && messages.length > 0 && chat.conversation && <p class="vc-note">{i18n.t('beginning')}</p>}
          {messages.length === 0 && <p class="vc-empty">{i18n.t('empty')}</p>}
          {items}
          <FeatureSlot slot="Log" ui={ui} />
        </div>
      </div>
      {unseen && (
        <button type="button" class="vc-pill" onClick={scrollToBottom}>
          {i18n.t('newMessages')}
          <Icon path={DOWN_ICON} />
        </button>
      )}
    </div>
  );
}
