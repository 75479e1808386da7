import { useEffect, useRef } from 'preact/hooks';
import type { ChatState } from '../state/chat.ts';
import type { UiState } from '../state/ui.ts';
import { ConnectionBanner } from './ConnectionBanner.tsx';
import { Composer } from './Composer.tsx';
import { CLOSE_ICON } from './icons.ts';
import { Icon } from './Icon.tsx';
import { MessageList } from './MessageList.tsx';
import { useWidget } from './context.ts';

export interface ChatWindowProps {
  chat: ChatState;
  ui: UiState;
  /** Close and give focus back to the launcher. */
  onClose(): void;
}

export function ChatWindow({ chat, ui, onClose }: ChatWindowProps) {
  const { i18n } = useWidget();
  const input = useRef<HTMLTextAreaElement>(null);

  // Focus enters the window when it opens: straight into the composer.
  useEffect(() => {
    input.current?.focus();
  }, []);

  const typingName = chat.typing ? (chat.typing.name ?? (chat.typing.type === 'assistant' ? i18n.t('assistant') : i18n.t('agent'))) : null;
  const greeting = ui.settings?.greeting;
  return (
    <div
      id="vc-window"
      class="vc-window"
      role="dialog"
      aria-modal="false"
      aria-labelledby="vc-title"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <div class="vc-header">
        <div class="vc-header-text">
          <h2 id="vc-title" class="vc-title">
            {i18n.t('title', { name: ui.workspaceName ?? i18n.t('fallbackName') })}
          </h2>
          <p class="vc-subtitle">{greeting || i18n.t('subtitle')}</p>
        </div>
        <button type="button" class="vc-icon-button" aria-label={i18n.t('minimize')} onClick={onClose}>
          <Icon path={CLOSE_ICON} />
        </button>
      </div>
      <ConnectionBanner status={ui.status} />
      <MessageList chat={chat} />
      <div class="vc-typing" aria-live="polite">
        {typingName && (
          <>
            <span class="vc-dots" aria-hidden="true">
              <span />
              <span />
              <span />
            </span>
            {i18n.t('typing', { name: typingName })}
          </>
        )}
      </div>
      <Composer draft={ui.draft} inputRef={input} />
    </div>
  );
}
