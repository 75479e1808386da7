// VeryChat merchant server SDK (`verychat/server`): sign customers' identity tokens, sign and send payment
// events. Plain Node (node:crypto, fetch, jose); it imports nothing from the VeryChat server.
import { createHmac } from 'node:crypto';
import { SignJWT } from 'jose';
import type { ErrorBody } from '../../protocol/errors.ts';
import type { PaymentEventInput, PaymentEventResponse } from '../../protocol/payments.ts';
import { isTransientStatus, retryDelay } from '../../protocol/retry.ts';
import { SIGNATURE_HEADER, SITE_KEY_HEADER } from '../../protocol/values.ts';

export type { PaymentEventResponse, PaymentDto, PaymentEventDto, ReceiptDto } from '../../protocol/payments.ts';

export interface IdentityTokenOptions {
  /** The workspace secret (`sk_…`). Keep it on your server. */
  secret: string;
  /** Your user id. Payments name users by the same id (payer/payee). */
  sub: string;
  name?: string;
  email?: string;
  /** Seconds, or a jose time span like "15m". Default 1 hour; the workspace refuses more than its maximum (24 h by default). */
  expiresIn?: number | string;
}

/** A short-lived HS256 JWT for `VeryChat.identify({ token })` in the browser. */
export async function signIdentityToken(opts: IdentityTokenOptions): Promise<string> {
  if (!opts.secret) throw new TypeError('signIdentityToken: secret is required');
  if (!opts.sub) throw new TypeError('signIdentityToken: sub is required');
  const now = Math.floor(Date.now() / 1000);
  const exp = typeof opts.expiresIn === 'number' ? now + opts.expiresIn : (opts.expiresIn ?? '1h');
  return new SignJWT({
    ...(opts.name !== undefined && { name: opts.name }),
    ...(opts.email !== undefined && { email: opts.email }),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(opts.sub)
    .setIssuedAt(now)
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(opts.secret));
}

/**
 * The `VeryChat-Signature` header value for a request body: `t=<unix seconds>,v1=<hex HMAC-SHA256>` over
 * `"<t>.<rawBody>"`. Sign the exact bytes you send; VeryChat refuses timestamps more than 5 minutes off.
 */
export function signPaymentEvent(secret: string, rawBody: string | Uint8Array, timestamp = Math.floor(Date.now() / 1000)): string {
  if (!secret) throw new TypeError('signPaymentEvent: secret is required');
  if (!Number.isInteger(timestamp) || timestamp < 0) throw new TypeError('signPaymentEvent: timestamp must be whole unix seconds');
  const mac = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/** A payment event as you send it. `occurredAt` may be a Date; amounts are decimal strings, never numbers. */
export type PaymentEvent = Omit<PaymentEventInput, 'occurredAt'> & { occurredAt?: string | Date };

export interface SendPaymentEventOptions {
  /** The VeryChat server, e.g. https://chat.example.com */
  apiUrl: string;
  siteKey: string;
  secret: string;
  event: PaymentEvent;
  /** Extra attempts after network errors, 429 and 5xx. Safe: the event id makes delivery idempotent. Default 3. */
  retries?: number;
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
}

export interface SendPaymentEventResult {
  /** 201 (a new payment), 200 (an update, or an event that changed nothing: see `body.applied`). */
  status: number;
  /** True when VeryChat had already accepted this event id and answered from the first delivery. */
  replayed: boolean;
  body: PaymentEventResponse;
}

export class VeryChatApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown,
  ) {
    super(`${code}: ${message}`);
    this.name = 'VeryChatApiError';
  }
}

/** POST the event to /api/v1/payments/events, signed; retries transient failures with backoff. */
export async function sendPaymentEvent(opts: SendPaymentEventOptions): Promise<SendPaymentEventResult> {
  const event = opts.event as PaymentEvent & { amount: unknown };
  if (typeof event.amount !== 'string') throw new TypeError('sendPaymentEvent: amount must be a decimal string such as "100.5", not a number');
  const body = JSON.stringify({
    ...event,
    occurredAt: event.occurredAt instanceof Date ? event.occurredAt.toISOString() : (event.occurredAt ?? new Date().toISOString()),
  });
  const doFetch = opts.fetch ?? globalThis.fetch;
  const url = `${opts.apiUrl.replace(/\/+$/, '')}/api/v1/payments/events`;
  const retries = opts.retries ?? 3;

  for (let attempt = 0; ; attempt++) {
    let res: Response;
    try {
      res = await doFetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SITE_KEY_HEADER]: opts.siteKey,
          // Signed per attempt: a retry minutes later still carries a fresh timestamp over the same bytes.
          [SIGNATURE_HEADER]: signPaymentEvent(opts.secret, body),
        },
        body,
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      if (attempt >= retries) throw err;
      await sleep(retryDelay(attempt, undefined, BACKOFF));
      continue;
    }
    const text = await res.text();
    const parsed = parse(text);
    if (res.ok) return { status: res.status, replayed: res.headers.get('idempotent-replayed') === 'true', body: parsed as PaymentEventResponse };
    if (isTransientStatus(res.status) && attempt < retries) {
      const retryAfter = Number(res.headers.get('retry-after'));
      await sleep(retryDelay(attempt, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined, BACKOFF));
      continue;
    }
    const error = (parsed as { error?: ErrorBody } | null)?.error;
    throw new VeryChatApiError(res.status, error?.code ?? `HTTP_${res.status}`, error?.message ?? (text.slice(0, 200) || res.statusText), parsed);
  }
}

function parse(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

/** The shared retry policy (protocol/retry.ts), tuned for a backend: short first waits, at most 30 s (what a server may ask for). */
const BACKOFF = { baseMs: 250, maxMs: 30_000 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
