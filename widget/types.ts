// The public, typed surface of the widget: what `window.VeryChat` and `createVeryChat()` offer.
// Self-contained on purpose (no protocol, zod or Preact types): it becomes dist/widget/esm/types.d.ts.

export interface VeryChatUser {
  /** A short-lived JWT (HS256) signed by the merchant's backend with the workspace secret. */
  token: string;
  name?: string;
  email?: string;
}

export interface BootOptions {
  siteKey: string;
  /** Origin (and optional path prefix) of the VeryChat server. Default: the origin widget.js was loaded from (script tag), or the page's (npm). */
  apiUrl?: string;
  /** Identify the customer right away (same as calling identify()). */
  user?: VeryChatUser;
  /** `en`, `es` or `ar`; default: the workspace setting, then the browser's languages. */
  locale?: string;
  position?: 'left' | 'right';
  /** Brand colour, `#rgb` or `#rrggbb`. Text on it is black or white, whichever contrasts more. */
  color?: string;
  debug?: boolean;
}

export interface VeryChatMessage {
  id: string;
  conversationId: string;
  seq: number;
  clientMessageId: string;
  kind: 'text' | 'payment' | 'receipt' | 'system' | 'attachment' | 'answer';
  text: string;
  sender: { type: 'contact' | 'agent' | 'assistant' | 'system'; name: string | null };
  /** ISO 8601 */
  createdAt: string;
}

export interface VeryChatErrorInfo {
  /** A stable code: the server's (SITE_KEY_UNKNOWN, ORIGIN_NOT_ALLOWED, AUTH_EXPIRED, …) or the widget's (INVALID_ARGUMENT, …). */
  code: string;
  message: string;
}

/**
 * A payment that concerns the identified customer, as the `payment` event and each notification
 * carry it. Amounts are decimal strings, exactly as your backend sent them: never parse them into
 * a JavaScript number (it would round); show them as they are, or use a decimal library.
 */
export interface VeryChatPayment {
  /** `success` (received, sent, pending, refunded) or `failure`. */
  type: 'success' | 'failure';
  /** A human sentence in English, e.g. "Payment received: 100 VRC from user123". */
  message: string;
  /** Decimal string, e.g. "100" or "0.000000000000000001". */
  amount: string;
  /** Token symbol, e.g. "VRC". */
  token: string;
  /** `in`: money came to this customer; `out`: it left them. */
  direction: 'in' | 'out';
  status: 'pending' | 'succeeded' | 'failed' | 'refunded';
  paymentId: string;
  /** Your backend's reference for the payment. */
  reference: string;
  /** The notification this payment outcome created (for markNotificationsRead). */
  notificationId: string;
  /** The other party's user id. */
  counterparty: string;
  /** The other party's display name (from your payment event, else their identity token); null when none is known. */
  counterpartyName: string | null;
  /** ISO 8601: when it happened. */
  timestamp: string;
  memo: string | null;
  failure: { code: string; message: string } | null;
  txHash: string | null;
  receiptId: string | null;
  receiptNumber: number | null;
  /**
   * The printable receipt, ready to open. It carries a receipt link (`?k=`) that opens this receipt for this
   * customer only and expires after a day (never their identity token); do not log it or send it elsewhere.
   */
  receiptUrl: string | null;
}

export interface VeryChatNotification {
  id: string;
  kind: 'payment';
  read: boolean;
  /** ISO 8601 */
  createdAt: string;
  payment: VeryChatPayment;
}

export interface VeryChatNotifications {
  /** Newest first. */
  notifications: VeryChatNotification[];
  /** All unread notifications of the customer, not only the ones listed. */
  unreadCount: number;
  /** Older ones exist: ask with `{ before: <the last one's id> }`. */
  hasMore: boolean;
}

export interface GetNotificationsOptions {
  /** A notification id: return the ones older than it. */
  before?: string;
  /** 1 to 100; default 20. */
  limit?: number;
  /** Only unread ones. */
  unread?: boolean;
}

/** A button the assistant put under an answer. */
export type VeryChatAiAction =
  | { type: 'handoff' }
  | { type: 'receipt'; receiptId: string; receiptNumber: number; paymentId: string }
  | { type: 'article'; slug: string; title: string }
  | { type: 'sign-in' };

/**
 * The assistant answered a question (`final`, the whole answer; the widget shows it in the conversation
 * too) or could not (`error`). Answers being written are not announced, only their end.
 */
export type VeryChatAiResponse =
  | {
      type: 'final';
      queryId: string;
      conversationId: string;
      /** The stored answer message (also announced by `message`). */
      messageId: string;
      /** What a vote on this answer refers to. */
      interactionId: string;
      /** Markdown-light: paragraphs, **bold**, lists, links to help articles by slug. */
      text: string;
      /** faq, payments, clarify, handoff, smalltalk, refuse, sign-in, not-sure. */
      route: string;
      /** The answer's language (the question's, which may differ from the widget's). */
      language: string;
      /** Help article slugs and the customer's payment ids the answer is about. */
      sources: { articles: string[]; payments: string[] };
      followUps: string[];
      actions: VeryChatAiAction[];
      /** 0..1 */
      confidence: number;
      /** The customer asked for a person: the conversation goes to the team (a `handoff` event follows). */
      handoff: boolean;
    }
  | { type: 'error'; queryId: string; conversationId: string; error: VeryChatErrorInfo };

/** Who answers a conversation changed: the team (`human`) or the assistant again (`ai`). */
export interface VeryChatHandoff {
  conversationId: string;
  mode: 'ai' | 'human';
  /** customer-asked, offer-accepted, agent-replied, agent-took-over, returned, reopened. */
  reason: string;
  /** To `human`: whether anyone of the team was online then (null when unknown). */
  agentsOnline: boolean | null;
}

export interface VeryChatEvents {
  ready: undefined;
  open: undefined;
  close: undefined;
  /** A message the server confirmed: from the support side, or the visitor's own. */
  message: VeryChatMessage;
  'unread-count': number;
  error: VeryChatErrorInfo;
  /** A payment concerning the identified customer, the moment it happens (the widget shows a toast too). */
  payment: VeryChatPayment;
  /**
   * The notifications the widget holds (newest first) and the unread count, whenever either
   * changes: after identify(), on a new payment, when some are read here or on another device.
   */
  notifications: VeryChatNotifications;
  /** The customer's unread notification count, when it changes. */
  'unread-notifications': number;
  /** An answer of the assistant, once complete (or its failure). */
  'ai-response': VeryChatAiResponse;
  /** The conversation went to the team, or came back to the assistant. */
  handoff: VeryChatHandoff;
}
export type VeryChatEvent = keyof VeryChatEvents;
export type VeryChatListener<E extends VeryChatEvent> = (payload: VeryChatEvents[E]) => void;

/**
 * Every method returns a promise that settles once the widget is ready (booted and mounted), and
 * may be called before that. Misuse rejects (with one console error); nothing throws.
 */
export interface VeryChatApi {
  boot(options: BootOptions): Promise<void>;
  open(): Promise<void>;
  close(): Promise<void>;
  toggle(): Promise<void>;
  /** Reconnects as this customer; their conversations follow them across devices. */
  identify(user: VeryChatUser): Promise<void>;
  /** Forgets this visitor on this device: clears the stored token, disconnects, starts fresh. */
  logout(): Promise<void>;
  /** Queues a message as if the visitor typed it; sent as soon as the widget is connected. */
  sendMessage(text: string): Promise<{ clientMessageId: string }>;
  /** Puts text in the composer without sending it. */
  prefill(text: string): Promise<void>;
  on<E extends VeryChatEvent>(event: E, listener: VeryChatListener<E>): Promise<void>;
  off<E extends VeryChatEvent>(event: E, listener: VeryChatListener<E>): Promise<void>;
  getUnreadCount(): Promise<number>;
  /**
   * A page of the identified customer's notifications from the server, newest first (waits for the
   * connection). Resolves an empty page for anonymous visitors: payments belong to identified customers.
   */
  getNotifications(options?: GetNotificationsOptions): Promise<VeryChatNotifications>;
  /**
   * Marks these notifications read, or all of them without `ids`. The other tabs and devices of the
   * customer follow (and `unread-notifications` fires there too). Resolves the new unread count.
   */
  markNotificationsRead(ids?: string[]): Promise<{ unreadCount: number }>;
  /** Opens the window on the help home, searching for `query` if given. */
  showHelp(query?: string): Promise<void>;
  /** Opens the window on a help article (its slug, like "how-refunds-work"). */
  showArticle(slug: string): Promise<void>;
  /**
   * Opens the window and asks the assistant, as if the visitor typed it (the team gets it instead when the
   * conversation is with them). The answer arrives in the conversation and as an `ai-response` event.
   */
  ask(text: string): Promise<{ clientMessageId: string }>;
  /** Removes the widget from the page and disconnects. boot() may be called again afterwards. */
  shutdown(): Promise<void>;
  debug(on?: boolean): Promise<void>;
}
