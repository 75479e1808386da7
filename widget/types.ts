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
  kind: 'text' | 'payment' | 'receipt' | 'system' | 'attachment';
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

export interface VeryChatEvents {
  ready: undefined;
  open: undefined;
  close: undefined;
  /** A message the server confirmed: from the support side, or the visitor's own. */
  message: VeryChatMessage;
  'unread-count': number;
  error: VeryChatErrorInfo;
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
  /** Removes the widget from the page and disconnects. boot() may be called again afterwards. */
  shutdown(): Promise<void>;
  debug(on?: boolean): Promise<void>;
}
