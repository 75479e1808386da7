// Plain values of the wire contract. No zod here, so the widget and the server SDK can import them at
// run time without pulling zod in.

export const CONVERSATION_STATUSES = ['open', 'pending', 'resolved'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];

/** Every status a payment can have; it only moves forward (pending → succeeded | failed, succeeded → refunded). */
export const PAYMENT_STATUSES = ['pending', 'succeeded', 'failed', 'refunded'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** A merchant's event moves a payment to the status its type names: `payment.<status>`. */
export const PAYMENT_EVENT_TYPES = PAYMENT_STATUSES.map((s) => `payment.${s}` as const);
export type PaymentEventType = `payment.${PaymentStatus}`;
/** The status an event of this type moves its payment to. */
export const statusOfEvent = (type: PaymentEventType): PaymentStatus => type.slice('payment.'.length) as PaymentStatus;

/** Query parameters of a receipt page: the party's receipt link (never an identity token), and the language. */
export const RECEIPT_LINK_PARAM = 'k';
export const RECEIPT_LANG_PARAM = 'lang';

/** Headers of POST /api/v1/payments/events. HTTP header names are case-insensitive; Node lower-cases them. */
export const SITE_KEY_HEADER = 'VeryChat-Site-Key';
export const SIGNATURE_HEADER = 'VeryChat-Signature';
