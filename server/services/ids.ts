// Ids derived from their parts: the same parts always give the same id (idempotency across retries,
// tabs and instances without a look-up).
import { createHash } from 'node:crypto';

/** A uuid (version 8, "custom") derived from its parts. */
export function derivedId(...parts: string[]): string {
  const h = createHash('sha256').update(`verychat:${parts.join(':')}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x80;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
