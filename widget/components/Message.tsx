import type { ComponentChild } from 'preact';
import type { ChatMessage, MessageStatus } from '../state/chat.ts';
import { useWidget } from './context.ts';

export interface MessageProps {
  message: ChatMessage;
  status: MessageStatus | null;
  /** Show the sender's name: first of a run from the same sender. */
  showSender: boolean;
}

const TICKS: Record<MessageStatus, string> = {
  queued: '○',
  sending: '○',
  sent: '✓',
  delivered: '✓✓',
  read: '✓✓',
  failed: '!',
};

export function Message({ message: m, status, showSender }: MessageProps) {
  const { i18n, controller, features } = useWidget();
  // A feature may draw this kind of message as a card (payments: payment and receipt cards); text
  // until it has loaded, or when it cannot draw this payload.
  let card: ComponentChild | null = null;
  for (const { feature } of features) card ??= feature.messages?.[m.kind]?.(m, i18n) ?? null;
  // The assistant's name is the visitor's word for it (the server's is an English placeholder).
  const senderName =
    m.own ? i18n.t('you') : m.sender.type === 'assistant' ? i18n.t('assistant') : m.sender.type === 'system' ? i18n.t('system') : (m.sender.name ?? i18n.t('agent'));
  const kindClass = m.kind === 'text' ? '' : ` vc-msg-${m.kind}`;
  const roleClass = m.own ? ' vc-msg-own' : ` vc-msg-${m.sender.type}`;
  return (
    <div class={`vc-msg${roleClass}${kindClass}${status === 'failed' ? ' vc-msg-failed' : ''}`} data-key={m.key}>
      {showSender && !m.own && m.sender.type !== 'system' ? (
        <div class="vc-sender">{senderName}</div>
      ) : (
        <span class="vc-sr">{senderName}: </span>
      )}
      {/* Always text: Preact escapes it, so markup in a message shows literally. */}
      {/* dir=auto: each bubble takes the direction of its own text, so English inside an Arabic chat (and the reverse) keeps its punctuation in place. */}
      {card ?? (
        <div class="vc-bubble" dir="auto">
          {m.text}
        </div>
      )}
      <div class={`vc-meta${status === 'failed' ? ' vc-meta-failed' : ''}`}>
        <time dateTime={m.createdAt}>{i18n.time(m.createdAt)}</time>
        {status && (
          <span class="vc-status" data-status={status}>
            <span aria-hidden="true">{TICKS[status]}</span>
            <span class="vc-sr">{i18n.t(`status_${status}`)}</span>
            {status === 'failed' && <span aria-hidden="true"> {i18n.t('status_failed')}</span>}
          </span>
        )}
        {status === 'failed' && (
          <button type="button" class="vc-link-button" onClick={() => controller.retry(m.clientMessageId)}>
            {i18n.t('retry')}
          </button>
        )}
      </div>
    </div>
  );
}
