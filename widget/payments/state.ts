// Payments as the customer sees them: toasts for what just happened, and the notification list
// behind the bell. Pure functions from state to state, like state/chat.ts; the payments controller
// feeds them wire events. Amounts stay the decimal strings the server sent: no arithmetic here.
import type { NotificationDto, NotificationsPage, NotificationsReadEvent, PaymentEventDto } from '../../protocol/payments.ts';

/** At most this many toasts at once: a burst of payments pushes the oldest out. */
export const MAX_TOASTS = 4;

export interface Toast {
  /** The notification id: one toast per payment outcome, however often the event arrives. */
  id: string;
  payment: PaymentEventDto;
}

export interface PaymentsState {
  /** Signed in as an identified customer (joined the user room): payments and the bell apply. */
  customer: boolean;
  /** Newest first; ids unique. */
  notifications: NotificationDto[];
  /** The server's count (all unread, not only the loaded ones), adjusted optimistically. */
  unreadCount: number;
  /** A full page (read ones too) was loaded: the list is more than the unread catch-up. */
  listed: boolean;
  /** Older notifications exist beyond `cursor`, the oldest of the full pages loaded. */
  hasMore: boolean;
  cursor: string | null;
  loading: boolean;
  /** Newest first, at most MAX_TOASTS. */
  toasts: Toast[];
}

export const initialPaymentsState = (): PaymentsState => ({
  customer: false,
  notifications: [],
  unreadCount: 0,
  listed: false,
  hasMore: false,
  cursor: null,
  loading: false,
  toasts: [],
});

const isString = (v: unknown): v is string => typeof v === 'string';
const isNullableString = (v: unknown): boolean => v === null || v === undefined || typeof v === 'string';

/**
 * The payment a message payload, a notification or a socket event carries, if it has the shape we
 * render; anything else is shown as plain text (or ignored) rather than half-drawn.
 */
export function asPayment(value: unknown): PaymentEventDto | null {
  if (typeof value !== 'object' || value === null) return null;
  const p = value as Record<string, unknown>;
  const ok =
    (p.type === 'success' || p.type === 'failure') &&
    isString(p.amount) &&
    isString(p.token) &&
    isString(p.paymentId) &&
    isString(p.status) &&
    isString(p.message) &&
    (p.direction === 'in' || p.direction === 'out') &&
    isNullableString(p.receiptId) &&
    isNullableString(p.receiptUrl) &&
    isNullableString(p.counterparty) &&
    isNullableString(p.counterpartyName);
  return ok ? (p as unknown as PaymentEventDto) : null;
}

const newestFirst = (a: NotificationDto, b: NotificationDto): number =>
  a.createdAt === b.createdAt ? (a.id < b.id ? 1 : a.id > b.id ? -1 : 0) : a.createdAt < b.createdAt ? 1 : -1;

function merge(list: readonly NotificationDto[], incoming: readonly NotificationDto[]): NotificationDto[] {
  const byId = new Map(list.map((n) => [n.id, n]));
  for (const n of incoming) if (n && isString(n.id) && asPayment(n.payment)) byId.set(n.id, n);
  return [...byId.values()].sort(newestFirst);
}

/**
 * How a page relates to the list: `catch-up` is the unread page sent after joining the user room;
 * `first` and `older` are pages of the full list (the bell's); `other` is any page the host page
 * asked for through the API (merged, but it does not move the bell's paging).
 */
export type PageKind = 'catch-up' | 'first' | 'older' | 'other';

export function applyPage(state: PaymentsState, page: NotificationsPage, kind: PageKind): PaymentsState {
  const incoming = Array.isArray(page.notifications) ? page.notifications : [];
  let notifications = merge(state.notifications, incoming);
  if (kind === 'catch-up') {
    // Every unread one in the page's range is in it: a loaded one that is not was read meanwhile,
    // on another device.
    const present = new Set(incoming.map((n) => n.id));
    const oldest = incoming.at(-1);
    notifications = notifications.map((n) =>
      !n.read && !present.has(n.id) && (!page.hasMore || !oldest || newestFirst(n, oldest) < 0) ? { ...n, read: true } : n,
    );
  }
  const next: PaymentsState = { ...state, notifications, unreadCount: Math.max(0, page.unreadCount | 0) };
  if (kind === 'older' || (kind === 'first' && !state.listed)) {
    next.hasMore = page.hasMore === true;
    next.cursor = incoming.at(-1)?.id ?? state.cursor;
  }
  if (kind === 'first' || kind === 'older') {
    next.listed = true;
    next.loading = false;
  }
  return next;
}

/**
 * A payment event: a toast (newest on top, capped) and an unread notification. Once per notification
 * id: a notification already known (listed, or toasted and dismissed) raises no second toast.
 */
export function addPayment(state: PaymentsState, payment: PaymentEventDto, maxToasts = MAX_TOASTS): PaymentsState {
  const id = payment.notificationId || `${payment.paymentId}:${payment.status}`;
  if (state.notifications.some((n) => n.id === id)) return state;
  const notification: NotificationDto = { id, kind: 'payment', read: false, createdAt: payment.timestamp, payment };
  return {
    ...state,
    toasts: [{ id, payment }, ...state.toasts].slice(0, maxToasts),
    notifications: merge(state.notifications, [notification]),
    unreadCount: state.unreadCount + 1,
  };
}

export function dismissToast(state: PaymentsState, id: string): PaymentsState {
  const toasts = state.toasts.filter((t) => t.id !== id);
  return toasts.length === state.toasts.length ? state : { ...state, toasts };
}

/**
 * Marks notifications read: `ids`, or all of them. Optimistic when `unreadCount` is unknown (our
 * own request, before the answer); with the server's event the count is the server's.
 */
export function markRead(state: PaymentsState, ids: readonly string[] | 'all', unreadCount?: number): PaymentsState {
  const wanted = ids === 'all' ? null : new Set(ids);
  let changed = 0;
  const notifications = state.notifications.map((n) => {
    if (n.read || (wanted && !wanted.has(n.id))) return n;
    changed++;
    return { ...n, read: true };
  });
  const count = unreadCount ?? (ids === 'all' ? 0 : Math.max(0, state.unreadCount - changed));
  if (!changed && count === state.unreadCount) return state;
  return { ...state, notifications: changed ? notifications : state.notifications, unreadCount: count };
}

/** `notifications-read`, from this device's request or another's. */
export function applyRead(state: PaymentsState, event: NotificationsReadEvent): PaymentsState {
  return markRead(state, event.all ? 'all' : Array.isArray(event.ids) ? event.ids : [], Math.max(0, event.unreadCount | 0));
}
