import { useEffect, useRef, useState } from 'preact/hooks';
import type { ChatState } from '../state/chat.ts';
import type { PaymentsState } from '../payments/state.ts';
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
  payments: PaymentsState;
  /** Close and give focus back to the launcher. */
  onClose(): void;
}

/**
 * Decision: the bell lives in this header, not next to the launcher. The storefront keeps one
 * floating bubble (a second one crowds phones and the merchant's own buttons), toasts already
 * reach the customer while the window is closed, and pages that want a bell in their own header
 * build it on the JS API (`unread-notifications`, `getNotifications`, `markNotificationsRead`).
 */
export function ChatWindow({ chat, ui, payments, onClose }: ChatWindowProps) {
  const { i18n, payments: feature } = useWidget();
  const input = useRef<HTMLTextAreaElement>(null);
  const bell = useRef<HTMLButtonElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const [notesOpen, setNotesOpen] = useState(false);
  const notes = notesOpen && payments.customer && feature !== null;

  // Focus enters the window when it opens: straight into the composer.
  useEffect(() => {
    input.current?.focus();
  }, []);
  // The list opens with focus on its heading (and the full list loading); closing it returns to the bell.
  useEffect(() => {
    if (notes && feature) {
      feature.controller.list();
      heading.current?.focus();
    }
  }, [notes]);
  const closeNotes = (): void => {
    setNotesOpen(false);
    bell.current?.focus();
  };

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
          if (notes) closeNotes();
          else onClose();
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
        {payments.customer && feature && (
          <feature.ui.Bell
            unread={payments.unreadCount}
            open={notes}
            i18n={i18n}
            buttonRef={bell}
            onToggle={() => (notes ? closeNotes() : setNotesOpen(true))}
          />
        )}
        <button type="button" class="vc-icon-button" aria-label={i18n.t('minimize')} onClick={onClose}>
          <Icon path={CLOSE_ICON} />
        </button>
      </div>
      <ConnectionBanner status={ui.status} />
      {notes && feature ? (
        <feature.ui.NotificationsPanel
          state={payments}
          i18n={i18n}
          receiptUrl={feature.controller.receiptUrl}
          onMarkRead={(ids) => void feature.controller.markRead(ids)}
          onLoadOlder={feature.controller.loadOlder}
          headingRef={heading}
        />
      ) : (
        <>
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
        </>
      )}
    </div>
  );
}
