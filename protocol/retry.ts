// The one retry policy: which failures are worth retrying as they are, and how long to wait. Used by
// the widget (chat, payments) and the merchant SDK (server/sdk). No zod: the widget imports it.

/**
 * Codes after which the same request can succeed later without anyone changing anything: the
 * network, a timeout, a busy or restarting server, too many open tabs (one closes). Everything else (validation, auth, not found…)
 * needs a person to fix something first, so retrying would only repeat the refusal.
 */
export const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'OFFLINE',
  'TIMEOUT',
  'NETWORK',
  'BAD_RESPONSE',
  'UNAVAILABLE',
  'RATE_LIMITED',
  'OVERLOADED',
  'CONNECTION_LIMIT',
  'INTERNAL',
]);

export const isTransient = (code: string): boolean => TRANSIENT_CODES.has(code);

/** HTTP statuses with the same meaning: throttled, or the server (or a proxy) failing. */
export const isTransientStatus = (status: number): boolean => status === 429 || status >= 500;

export interface BackoffOptions {
  /** First delay. */
  baseMs?: number;
  /** Longest delay, whatever the attempt. */
  maxMs?: number;
  random?: () => number;
}

/**
 * How long to wait before retry number `attempt` (0 for the first retry): what the server asked for
 * (Retry-After, `retryAfterMs`) when it said, else exponential backoff with jitter, so clients that
 * failed together (a restart, an outage) do not come back all at the same instant.
 */
export function retryDelay(attempt: number, retryAfterMs?: number, { baseMs = 1000, maxMs = 30_000, random = Math.random }: BackoffOptions = {}): number {
  if (retryAfterMs !== undefined && retryAfterMs > 0) return Math.min(retryAfterMs, maxMs);
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling * (0.5 + random() / 2));
}
