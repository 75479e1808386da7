// The payments UI: toasts, the notification list behind the bell, payment and receipt cards in the
// chat. Everything it needs arrives as props (it imports no app module: see payments/index.ts).
// Every text is rendered as text; amounts are shown digit for digit (protocol/amounts.ts).
import type { Ref } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { PaymentEventDto, PaymentStatus } from '../../protocol/payments.ts';
import { Icon } from '../components/Icon.tsx';
import { CLOSE_ICON } from '../components/icons.ts';
import type { PaymentsI18n as I18n } from './i18n/index.ts';
import { formatAmount } from '../../protocol/amounts.ts';
import type { PaymentsState, Toast } from './state.ts';

/** A toast stays this long on screen, not counting the time it is paused (pointer over it, focus in it, tab hidden). */
export const TOAST_MS = 6000;

const BELL_ICON = 'M12 22a2 2 0 0 0 2-2h-4a2 2 0 0 0 2 2zm6-6v-5c0-3.1-1.6-5.6-4.5-6.3V4a1.5 1.5 0 0 0-3 0v.7C7.6 5.4 6 7.9 6 11v5l-2 2v1h16v-1z';
const OK_ICON = 'M12 2a10 10 0 1 1 0 20 10 10 0 0 1 0-20zm4.3 6.3-5.8 5.8-2.8-2.8-1.4 1.4 4.2 4.2 7.2-7.2z';
const FAIL_ICON = 'M12 2a10 10 0 1 1 0 20 10 10 0 0 1 0-20zm-1 5v7h2V7zm0 9v2h2v-2z';
const PENDING_ICON = 'M12 2a10 10 0 1 1 0 20 10 10 0 0 1 0-20zm-1 4v7.6l5.2 3.1 1-1.7-4.2-2.5V6z';
const STATUSES = ['pending', 'succeeded', 'failed', 'refunded'];

/** Colour and icon: failed, still pending, or done (received, sent, refunded). */
export const tone = (p: PaymentEventDto): 'failure' | 'pending' | 'success' => (p.type === 'failure' ? 'failure' : p.status === 'pending' ? 'pending' : 'success');
const ICONS = { failure: FAIL_ICON, pending: PENDING_ICON, success: OK_ICON };

export function StatusIcon({ p }: { p: PaymentEventDto }) {
  return (
    <span class="vc-pay-icon">
      <Icon path={ICONS[tone(p)]} />
    </span>
  );
}

/** Builds the printable receipt's URL (with the customer's receipt link) in the widget's language, or null. */
export type ReceiptUrl = (payment: PaymentEventDto, locale?: string) => string | null;


/** "Payment received", "Refund sent", …; the server's English sentence for a status we do not know. */
export function paymentTitle(p: PaymentEventDto, i18n: I18n): string {
  return STATUSES.includes(p.status) ? i18n.t(`pay_${p.status}_${p.direction}` as `pay_${PaymentStatus}_${'in' | 'out'}`) : p.message;
}

/** "1,234.5 VRC", isolated so its digits keep their order inside right-to-left text. */
function Money({ p, i18n }: { p: PaymentEventDto; i18n: I18n }) {
  return <bdi class="vc-amount">{i18n.t('money', { amount: formatAmount(p.amount, i18n.locale), token: p.token })}</bdi>;
}

/** The amount, who the money went to or came from, and why it failed. */
export function Details({ p, i18n }: { p: PaymentEventDto; i18n: I18n }) {
  // Their name, else their id (none given, or a payment from before names: no field at all).
  const who = p.counterpartyName || p.counterparty;
  return (
    <>
      <span class="vc-pay-line">
        <Money p={p} i18n={i18n} />
        {who ? ' ' + i18n.t(p.direction === 'in' ? 'payFrom' : 'payTo', { name: who }) : null}
      </span>
      {p.type === 'failure' && p.failure?.message ? <span class="vc-pay-reason" dir="auto">{p.failure.message}</span> : null}
    </>
  );
}

export function ReceiptLink({ href, i18n, class: className, onClick }: { href: string; i18n: I18n; class: string; onClick?: () => void }) {
  return (
    <a class={className} href={href} target="_blank" rel="noopener noreferrer" referrerpolicy="no-referrer" onClick={onClick}>
      {i18n.t('viewReceipt')}
      <span class="vc-sr"> ({i18n.t('newTab')})</span>
    </a>
  );
}

export interface ToastsProps {
  toasts: readonly Toast[];
  i18n: I18n;
  receiptUrl: ReceiptUrl;
  /** The chat window is open: no "Open chat" action then. */
  chatOpen?: boolean;
  onDismiss(id: string): void;
  /** The customer acted on a toast: `receipt` when the receipt opened (in a new tab), else open the chat. */
  onOpen(toast: Toast, receipt: boolean): void;
}

/**
 * The stack, newest on top. Time runs only while nobody is looking closer: the pointer over the
 * stack, focus inside it or the tab in the background pause every toast (WCAG 2.2.1).
 */
export function Toasts({ toasts, i18n, receiptUrl, chatOpen = false, onDismiss, onOpen }: ToastsProps) {
  const [hover, setHover] = useState(false);
  const [focus, setFocus] = useState(false);
  const [hidden, setHidden] = useState(false);
  useEffect(() => {
    const onVisibility = (): void => setHidden(document.visibilityState === 'hidden');
    document.addEventListener('visibilitychange', onVisibility);
    return () => document.removeEventListener('visibilitychange', onVisibility);
  }, []);
  if (!toasts.length) return null;
  return (
    <div
      class="vc-toast-list"
      onPointerEnter={() => setHover(true)}
      onPointerLeave={() => setHover(false)}
      onFocusIn={() => setFocus(true)}
      onFocusOut={(e) => !e.currentTarget.contains(e.relatedTarget as Node | null) && setFocus(false)}
    >
      {toasts.map((t) => (
        <ToastCard
          key={t.id}
          toast={t}
          paused={hover || focus || hidden}
          i18n={i18n}
          href={receiptUrl(t.payment, i18n.locale)}
          chatOpen={chatOpen}
          onDismiss={onDismiss}
          onOpen={onOpen}
        />
      ))}
    </div>
  );
}

interface ToastCardProps {
  toast: Toast;
  paused: boolean;
  i18n: I18n;
  href: string | null;
  chatOpen: boolean;
  onDismiss(id: string): void;
  onOpen(toast: Toast, receipt: boolean): void;
}

function ToastCard({ toast, paused, i18n, href, chatOpen, onDismiss, onOpen }: ToastCardProps) {
  const p = toast.payment;
  const failed = p.type === 'failure';
  const left = useRef(TOAST_MS);
  useEffect(() => {
    if (paused) return;
    const started = Date.now();
    const timer = setTimeout(() => onDismiss(toast.id), left.current);
    return () => {
      clearTimeout(timer);
      left.current -= Date.now() - started;
    };
  }, [paused]);

  // Focus must not fall to the page when its toast goes: the next toast's dismiss button, else the launcher.
  const dismiss = (e: { currentTarget: HTMLElement }): void => {
    const card = e.currentTarget.closest('.vc-toast');
    const next = card?.nextElementSibling ?? card?.previousElementSibling;
    const target = next?.querySelector<HTMLElement>('.vc-toast-close') ?? (card?.getRootNode() as ParentNode | undefined)?.querySelector<HTMLElement>('.vc-launcher');
    onDismiss(toast.id);
    target?.focus();
  };
  // A click anywhere on the text does what the action does; keyboard users have the action itself.
  const activate = (): void => {
    if (href) window.open(href, '_blank', 'noopener,noreferrer');
    onOpen(toast, href !== null);
  };
  return (
    <div class={`vc-toast vc-pay-${tone(p)}`} data-id={toast.id}>
      <StatusIcon p={p} />
      <div class="vc-toast-main">
        {/* The live part: only the news, not the buttons' names. */}
        <div class="vc-toast-text" role={failed ? 'alert' : 'status'} aria-atomic="true" dir="auto" onClick={activate}>
          <strong class="vc-pay-title">{paymentTitle(p, i18n)}</strong>
          <Details p={p} i18n={i18n} />
        </div>
        {href ? (
          <ReceiptLink class="vc-toast-action" href={href} i18n={i18n} onClick={() => onOpen(toast, true)} />
        ) : chatOpen ? null : (
          <button type="button" class="vc-toast-action" onClick={() => onOpen(toast, false)}>
            {i18n.t('openChat')}
          </button>
        )}
      </div>
      <button type="button" class="vc-toast-close" aria-label={i18n.t('dismiss')} onClick={dismiss}>
        <Icon path={CLOSE_ICON} />
      </button>
    </div>
  );
}

export interface BellProps {
  unread: number;
  /** The list is showing. */
  open: boolean;
  i18n: I18n;
  buttonRef?: Ref<HTMLButtonElement>;
  onToggle(): void;
}

/** The header button that shows the list; the count is in its name, the badge is decoration. */
export function Bell({ unread, open, i18n, buttonRef, onToggle }: BellProps) {
  return (
    <button
      ref={buttonRef}
      type="button"
      class="vc-icon-button vc-bell"
      aria-label={unread > 0 ? i18n.plural('bellUnread', unread) : i18n.t('notifications')}
      aria-expanded={open}
      aria-controls={open ? 'vc-notifications' : undefined}
      onClick={onToggle}
    >
      <Icon path={BELL_ICON} />
      {unread > 0 && (
        <span class="vc-badge vc-bell-badge" aria-hidden="true">
          {unread > 99 ? '99+' : unread}
        </span>
      )}
    </button>
  );
}

export interface PaymentCardProps {
  payment: PaymentEventDto;
  kind: 'payment' | 'receipt';
  i18n: I18n;
  href: string | null;
}

/** A payment or receipt message in the chat, in place of its text bubble. */
export function PaymentCard({ payment: p, kind, i18n, href }: PaymentCardProps) {
  return (
    <div class={`vc-card vc-pay-${tone(p)}`} dir="auto">
      <div class="vc-card-head">
        <StatusIcon p={p} />
        <strong class="vc-pay-title">{kind === 'receipt' ? i18n.t('receipt') : paymentTitle(p, i18n)}</strong>
      </div>
      <Details p={p} i18n={i18n} />
      {p.memo ? <span class="vc-card-memo" dir="auto">{p.memo}</span> : null}
      {p.receiptNumber != null && <span class="vc-card-meta">{i18n.t('receiptNumber', { n: p.receiptNumber })}</span>}
      {href && <ReceiptLink class="vc-card-link" href={href} i18n={i18n} />}
    </div>
  );
}
