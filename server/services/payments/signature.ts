// Verifies `VeryChat-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256("<t>.<raw body>", secret)>`.
// The MAC is computed over the bytes received, never over re-serialised JSON, and compared in constant time.
// During a secret rotation's grace period two secrets are accepted: a signature made with either matches.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { SIGNATURE_HEADER, SIGNATURE_TOLERANCE_SECONDS } from '../../../protocol/payments.ts';
import { AppError } from '../../errors.ts';

const FORMAT = `expected ${SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`;

export function verifyPaymentSignature(
  /** The workspace's accepted secrets (WorkspaceService.acceptedSecrets): current first. */
  secrets: readonly string[],
  header: string | string[] | undefined,
  rawBody: Buffer,
  nowMs: number,
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): void {
  if (typeof header !== 'string' || !header) throw new AppError('SIGNATURE_INVALID', `Missing signature: ${FORMAT}.`);
  let t: string | undefined;
  const candidates: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^[0-9]{1,12}$/.test(value)) t = value;
    // Several v1 values are allowed (a sender may sign with an old and a new secret while rotating).
    else if (key === 'v1' && /^[0-9a-fA-F]{64}$/.test(value) && candidates.length < 5) candidates.push(Buffer.from(value, 'hex'));
  }
  if (t === undefined || candidates.length === 0) throw new AppError('SIGNATURE_INVALID', `Malformed signature: ${FORMAT}.`);

  let match = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest();
    // Every comparison runs, whichever matches: the time taken says nothing about which one did.
    for (const candidate of candidates) match = timingSafeEqual(candidate, expected) || match;
  }
  if (!match) throw new AppError('SIGNATURE_INVALID', 'Signature does not match: sign "<t>.<raw body>" with the workspace secret.');

  // Checked after the MAC so "expired" is only ever said about a genuinely signed (replayed or delayed) request.
  const skew = Math.floor(nowMs / 1000) - Number(t);
  if (skew > toleranceSeconds) {
    throw new AppError('SIGNATURE_EXPIRED', `Signature timestamp is ${skew} s old; at most ${toleranceSeconds} s is accepted.`);
  }
  if (skew < -toleranceSeconds) {
    throw new AppError('SIGNATURE_EXPIRED', `Signature timestamp is ${-skew} s in the future; check your clock.`);
  }
}
