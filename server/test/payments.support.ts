// Shared by the payments tests: signed deliveries exactly as a merchant's backend makes them.
import { randomUUID } from 'node:crypto';
import { SIGNATURE_HEADER, SITE_KEY_HEADER } from '../../protocol/values.ts';
import { signPaymentEvent } from '../sdk/index.ts';
import type { TestApp } from './support/app.ts';

export interface Delivery {
  status: number;
  text: string;
  body: any;
  headers: Headers;
}

export function paymentEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `evt_${randomUUID()}`,
    type: 'payment.succeeded',
    amount: '100',
    token: 'VRC',
    payer: 'user123',
    payee: 'user456',
    occurredAt: new Date().toISOString(),
    ...overrides,
  };
}

/** POST a body (object → JSON text, or raw text) signed with `secret` unless a signature is given. */
export async function deliver(
  t: TestApp,
  ws: { siteKey: string; secret: string },
  event: Record<string, unknown> | string,
  opts: { signature?: string | null; timestamp?: number; siteKey?: string | null; signedBody?: string } = {},
): Promise<Delivery> {
  const raw = typeof event === 'string' ? event : JSON.stringify(event);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const siteKey = opts.siteKey === undefined ? ws.siteKey : opts.siteKey;
  if (siteKey !== null) headers[SITE_KEY_HEADER] = siteKey;
  const signature = opts.signature === undefined ? signPaymentEvent(ws.secret, opts.signedBody ?? raw, opts.timestamp) : opts.signature;
  if (signature !== null) headers[SIGNATURE_HEADER] = signature;
  const res = await fetch(`${t.url}/api/v1/payments/events`, { method: 'POST', headers, body: raw });
  const text = await res.text();
  let body: any = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, text, body, headers: res.headers };
}
