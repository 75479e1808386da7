// Payments wire contract: the event a merchant's backend POSTs, and what customers and agents receive.
// Amounts are decimal strings end to end; nothing here is ever a JavaScript number.
import { z } from 'zod';
import { MAX_NOTIFICATIONS_PAGE, MAX_READ_IDS } from './limits.ts';
import { PAYMENT_EVENT_TYPES, PAYMENT_STATUSES, RECEIPT_LANG_PARAM, RECEIPT_LINK_PARAM, type PaymentStatus } from './values.ts';

export { MAX_NOTIFICATIONS_PAGE, MAX_READ_IDS };
export * from './values.ts';

/** Fits the database column, numeric(78, 18). */
export const MAX_AMOUNT_INTEGER_DIGITS = 60;
export const MAX_AMOUNT_DECIMALS = 18;
export const MAX_MEMO_LENGTH = 280;
/** A party's display name, as long as the identity token's `name` claim may be. */
export const MAX_PARTY_NAME_LENGTH = 200;
export const MAX_FAILURE_MESSAGE_LENGTH = 500;
/** A signed request older (or further in the future) than this is refused. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** Plain decimal notation only: no sign, exponent, spaces or leading zeros; "1.50" is fine. */
const AMOUNT = new RegExp(`^(0|[1-9][0-9]{0,${MAX_AMOUNT_INTEGER_DIGITS - 1}})(\\.[0-9]{1,${MAX_AMOUNT_DECIMALS}})?$`);
export const Amount = z
  .string()
  .max(MAX_AMOUNT_INTEGER_DIGITS + MAX_AMOUNT_DECIMALS + 1)
  .regex(AMOUNT, `a decimal string like "100" or "0.25": at most ${MAX_AMOUNT_INTEGER_DIGITS} integer digits and ${MAX_AMOUNT_DECIMALS} decimals`)
  .refine((s) => /[1-9]/.test(s), 'must be greater than 0');

const externalRef = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, 'letters, digits and "_", ".", ":", "-"');
/** Token symbol, e.g. VRC, USDC. */
const TokenSymbol = z.string().regex(/^[A-Z][A-Z0-9]{1,15}$/, 'an upper-case symbol like VRC (2–16 letters and digits)');
/** The merchant's user id: the `sub` of the identity tokens it signs. */
const UserId = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'no control characters');

export const PaymentEventInput = z
  .object({
    /** Unique per workspace: a redelivery with the same id is answered from the first delivery. */
    id: externalRef,
    type: z.enum(PAYMENT_EVENT_TYPES),
    /** Your id for the payment; events sharing it move one payment along. Default: the event id. */
    reference: externalRef.optional(),
    amount: Amount,
    token: TokenSymbol,
    payer: UserId,
    payee: UserId,
    /**
     * Display names shown to the other party and on the receipt (control characters are stripped, like
     * memos). Without one, the name from the party's identity token is shown, else their id.
     */
    payerName: z.string().max(MAX_PARTY_NAME_LENGTH).optional(),
    payeeName: z.string().max(MAX_PARTY_NAME_LENGTH).optional(),
    txHash: z
      .string()
      .regex(/^[A-Za-z0-9]{8,130}$/, '8–130 letters and digits (0x… hex or base58)')
      .optional(),
    memo: z.string().max(MAX_MEMO_LENGTH).optional(),
    failure: z
      .object({
        code: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, "_", ".", "-" (at most 64)'),
        message: z.string().min(1).max(MAX_FAILURE_MESSAGE_LENGTH),
      })
      .strict()
      .nullish(),
    occurredAt: z.iso.datetime({ offset: true }),
  })
  .strict()
  .superRefine((e, ctx) => {
    if (e.payer === e.payee) ctx.addIssue({ code: 'custom', path: ['payee'], message: 'payer and payee must differ' });
    if (e.type === 'payment.failed' && !e.failure) {
      ctx.addIssue({ code: 'custom', path: ['failure'], message: 'required for payment.failed ({ code, message })' });
    }
    if (e.type !== 'payment.failed' && e.failure) {
      ctx.addIssue({ code: 'custom', path: ['failure'], message: 'only allowed for payment.failed' });
    }
  });
export type PaymentEventInput = z.infer<typeof PaymentEventInput>;

export interface ReceiptRef {
  id: string;
  /** Sequential per workspace, without gaps. */
  number: number;
  /**
   * The printable page, without a credential: agents open it with their session (`Authorization: Bearer`).
   * Each party's own view (PaymentEventDto.receiptUrl) carries a receipt link instead: `?k=`, valid for that
   * receipt and that party only, for a day (minted afresh whenever notifications or chat history are read).
   */
  url: string;
}

export interface PaymentDto {
  id: string;
  reference: string;
  status: PaymentStatus;
  amount: string;
  token: string;
  payer: string;
  payee: string;
  /** Display names: the ones the events gave, else the party's name from their identity token; null when neither is known. */
  payerName: string | null;
  payeeName: string | null;
  txHash: string | null;
  memo: string | null;
  failure: { code: string; message: string } | null;
  /** ISO 8601: when the event that set the current status happened. */
  occurredAt: string;
  createdAt: string;
  updatedAt: string;
  receipt: ReceiptRef | null;
}

/** The answer to POST /api/v1/payments/events; a redelivery of the same event id gets it again, byte for byte. */
export interface PaymentEventResponse {
  eventId: string;
  /** False when the event did not change the payment (e.g. a late `pending` after `succeeded`). */
  applied: boolean;
  /** Why an event was not applied. */
  reason: string | null;
  payment: PaymentDto;
}

/**
 * `payment-event` (socket, to the payer's and payee's user rooms): one party's view of a payment.
 * The same object is the `payload` of the payment card message and of each notification.
 */
export interface PaymentEventDto {
  /** Toast style. Refunds are `success`. */
  type: 'success' | 'failure';
  /** e.g. "Payment received: 100 VRC from Alice", "Payment sent: 100 VRC to user456" (no name known), "Payment failed: …". */
  message: string;
  amount: string;
  /** ISO 8601, when it happened. */
  timestamp: string;
  notificationId: string;
  paymentId: string;
  reference: string;
  status: PaymentStatus;
  /** `in`: money came to this user (received, or a refund of what they paid); `out`: it left them. */
  direction: 'in' | 'out';
  token: string;
  /** The other party's user id. */
  counterparty: string;
  /** The other party's display name (see PaymentDto.payerName); null when none is known: show `counterparty`. */
  counterpartyName: string | null;
  payer: string;
  payee: string;
  txHash: string | null;
  memo: string | null;
  failure: { code: string; message: string } | null;
  receiptId: string | null;
  receiptNumber: number | null;
  /** The receipt page with this party's receipt link (`?k=`, see ReceiptRef.url). */
  receiptUrl: string | null;
}

export interface NotificationDto {
  id: string;
  kind: 'payment';
  read: boolean;
  createdAt: string;
  payment: PaymentEventDto;
}

/** `notifications` (socket): unread state, sent when a customer joins their user room and on request. */
export interface NotificationsPage {
  unreadCount: number;
  /** Newest first. */
  notifications: NotificationDto[];
  /** More, older notifications exist: ask with `before` = the last one's id. */
  hasMore: boolean;
}

/** `notifications-read` (socket, to every device of the user). */
export interface NotificationsReadEvent {
  /** The ids that became read; empty when `all`. */
  ids: string[];
  all: boolean;
  unreadCount: number;
}

export const GetNotifications = z
  .object({
    /** Only unread ones. */
    unread: z.boolean().optional(),
    /** A notification id: return older ones. */
    before: z.string().uuid().optional(),
    limit: z.number().int().min(1).max(MAX_NOTIFICATIONS_PAGE).optional(),
  })
  .strict();
export type GetNotifications = z.infer<typeof GetNotifications>;

export const MarkNotificationsRead = z.union([
  z.object({ ids: z.array(z.string().uuid()).min(1).max(MAX_READ_IDS) }).strict(),
  z.object({ all: z.literal(true) }).strict(),
]);
export type MarkNotificationsRead = z.infer<typeof MarkNotificationsRead>;

/** GET /api/v1/payments (agents). */
export const ListPaymentsQuery = z.object({
  /** Payments where this user is payer or payee. */
  userId: UserId.optional(),
  status: z.enum(PAYMENT_STATUSES).optional(),
  token: TokenSymbol.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});

export interface ListPaymentsResponse {
  payments: PaymentDto[];
  nextCursor: string | null;
  /** Over every payment matching the filter (not just this page), summed exactly in the database. */
  totals: { token: string; status: PaymentStatus; count: number; amount: string }[];
}

/** The receipt page's query: the party's receipt link, and the language to show it in (en, es, ar; else Accept-Language). */
export const ReceiptPageQuery = z.object({
  [RECEIPT_LINK_PARAM]: z.string().max(64).optional(),
  [RECEIPT_LANG_PARAM]: z.string().max(35).optional(),
});

/**
 * A payment's receipt: issued when it succeeds or fails (a failed payment's receipt records the attempt and
 * its reason; no money moved), numbered in one sequence either way; a refunded payment keeps its receipt.
 */
export interface ReceiptDto {
  id: string;
  number: number;
  /** The page; for a customer, with their own receipt link. */
  url: string;
  issuedAt: string;
  /** The workspace's name and brand colour (#rrggbb). */
  merchant: { name: string; color: string };
  payment: PaymentDto;
  /** When the payment was made and when each outcome happened (ISO 8601, the merchant's clock); null until it did. */
  timeline: { initiatedAt: string; succeededAt: string | null; failedAt: string | null; refundedAt: string | null };
  /** Who is reading it: one of the parties (by their receipt link or identity token), or an agent of the workspace. */
  reader: 'payer' | 'payee' | 'agent';
}
