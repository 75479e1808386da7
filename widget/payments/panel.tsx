// The notification list behind the bell: its own small chunk (panel.<hash>.js), fetched the first
// time the customer opens the bell; toasts and cards, the everyday part, do not wait for it.
import type { Ref } from 'preact';
import type { PaymentsI18n as I18n } from './i18n/index.ts';
import css from './panel.css?inline';
import type { PaymentsState } from './state.ts';
import { Details, paymentTitle, ReceiptLink, StatusIcon, tone, type ReceiptUrl } from './ui.tsx';

export { css };

export interface NotificationsPanelProps {
  state: PaymentsState;
  i18n: I18n;
  receiptUrl: ReceiptUrl;
  /** Marks these read, or all without ids. */
  onMarkRead(ids?: string[]): void;
  onLoadOlder(): void;
  /** Focus lands on the heading when the panel opens. */
  headingRef: Ref<HTMLHeadingElement>;
}

/** The list behind the bell, newest first, unread ones marked (in words too, not only in bold). */
export function NotificationsPanel({ state, i18n, receiptUrl, onMarkRead, onLoadOlder, headingRef }: NotificationsPanelProps) {
  const { notifications, unreadCount, loading } = state;
  return (
    <div id="vc-notifications" class="vc-notes" role="region" aria-labelledby="vc-notes-title">
      <div class="vc-notes-head">
        <h3 id="vc-notes-title" class="vc-notes-title" tabIndex={-1} ref={headingRef}>
          {i18n.t('notifications')}
        </h3>
        {unreadCount > 0 && (
          <button type="button" class="vc-link-button" onClick={() => onMarkRead()}>
            {i18n.t('markAllRead')}
          </button>
        )}
      </div>
      <ul class="vc-notes-list">
        {notifications.map((n) => {
          const p = n.payment;
          const href = receiptUrl(p, i18n.locale);
          const read = (): void => void (!n.read && onMarkRead([n.id]));
          return (
            <li key={n.id} class={`vc-notes-item vc-pay-${tone(p)}${n.read ? '' : ' vc-unread'}`} data-id={n.id}>
              <StatusIcon p={p} />
              <div class="vc-notes-body" dir="auto">
                <strong class="vc-pay-title">
                  {!n.read && <span class="vc-sr">{i18n.t('unreadItem')}: </span>}
                  {paymentTitle(p, i18n)}
                </strong>
                <Details p={p} i18n={i18n} />
                <span class="vc-notes-meta">
                  <time dateTime={n.createdAt}>
                    {i18n.day(n.createdAt)} {i18n.time(n.createdAt)}
                  </time>
                  {href && <ReceiptLink class="vc-link-button" href={href} i18n={i18n} onClick={read} />}
                  {!n.read && (
                    <button type="button" class="vc-link-button" onClick={read}>
                      {i18n.t('markRead')}
                    </button>
                  )}
                </span>
              </div>
            </li>
          );
        })}
      </ul>
      {loading ? (
        <p class="vc-note">{i18n.t('loading')}</p>
      ) : notifications.length === 0 ? (
        <p class="vc-empty">{i18n.t('noNotifications')}</p>
      ) : state.hasMore ? (
        <button type="button" class="vc-notes-more" onClick={onLoadOlder}>
          {i18n.t('showOlder')}
        </button>
      ) : null}
    </div>
  );
}
