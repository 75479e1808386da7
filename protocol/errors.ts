// Stable error codes shared by HTTP, Socket.io acks and the widget. Never rename one: integrators match on them.
export const ERROR_CODES = {
  VALIDATION_FAILED: 'The request does not match the expected shape.',
  NOT_FOUND: 'Nothing here.',
  SITE_KEY_UNKNOWN: 'No workspace has this site key.',
  ORIGIN_NOT_ALLOWED: 'This origin is not allowed for the workspace.',
  AUTH_REQUIRED: 'Credentials are required.',
  AUTH_INVALID: 'The credentials are invalid.',
  AUTH_EXPIRED: 'The credentials have expired.',
  FORBIDDEN: 'You may not do this.',
  RATE_LIMITED: 'Too many requests; retry later.',
  CONFLICT: 'The request conflicts with the current state.',
  PAYLOAD_TOO_LARGE: 'The request is too large.',
  UNKNOWN_EVENT: 'No such event.',
  CONNECTION_LIMIT: 'Too many open connections from this address or for this user; close some first.',
  PROTOCOL_VIOLATION: 'Too many invalid or unknown requests on this connection; it was closed.',
  UNAVAILABLE: 'A dependency is unavailable; retry later.',
  /** The server is at capacity: refused at once (nothing stored), with `retryAfterMs`, instead of queueing without bound. */
  OVERLOADED: 'The server is at capacity; retry after retryAfterMs.',
  SIGNATURE_INVALID: 'The request signature is missing or does not match.',
  SIGNATURE_EXPIRED: 'The request signature timestamp is too old or in the future.',
  ARTICLE_NOT_FOUND: 'The help center has no article at this address.',
  /** A cookie-authenticated change without the X-VeryChat-CSRF header or this server's Origin, or a cookie socket from another origin. */
  CSRF_REJECTED: 'A change signed in by cookie needs the X-VeryChat-CSRF header and this server’s Origin.',
  /** Sign-in without a site key, for an email and password valid in several workspaces: pick one (`workspaces`). */
  WORKSPACE_REQUIRED: 'This email signs in to several workspaces: choose one.',
  INTERNAL: 'Something went wrong on our side.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  /** Present on RATE_LIMITED and OVERLOADED: when a retry can succeed. */
  retryAfterMs?: number;
  /** Present on VALIDATION_FAILED: which fields were wrong. */
  issues?: { path: string; message: string }[];
  /** Present on CONFLICT from an assignment: who holds the conversation now (null: nobody). */
  assignee?: { id: string; name: string } | null;
  /** Present on WORKSPACE_REQUIRED (after the password was checked against each): the workspaces to choose from. */
  workspaces?: { name: string; siteKey: string }[];
}

/** Every client → server socket event is acknowledged with one of these. */
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: ErrorBody };

/** HTTP error envelope. */
export interface ErrorEnvelope {
  error: ErrorBody;
}
