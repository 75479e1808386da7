// Random identifiers and hashes, in one place.
import { createHash, randomBytes } from 'node:crypto';

/** URL-safe random string with `bytes` bytes of entropy. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256Hex(value: string | Buffer): string {
  return createHash('sha256').update(value).digest('hex');
}

export const newSiteKey = () => `pk_${randomToken(18)}`;
export const newWorkspaceSecret = () => `sk_${randomToken(32)}`;
export const newAgentToken = () => `vca_${randomToken(32)}`;
/** Human-typable generated password: 20 chars from an unambiguous alphabet (~115 bits). */
export function newPassword(length = 20): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const out: string[] = [];
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      // Rejection sampling keeps the distribution uniform.
      if (b < 256 - (256 % alphabet.length) && out.length < length) out.push(alphabet[b % alphabet.length]!);
    }
  }
  return out.join('');
}
