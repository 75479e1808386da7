// Customer credentials: server-signed visitor tokens, and merchant-signed identity JWTs (HS256 only).
import { SignJWT, jwtVerify, errors as joseErrors, decodeProtectedHeader } from 'jose';
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import type { Workspace } from '../workspaces.service.ts';
import { acceptedSecrets, workspaceSettings, type SigningSecrets } from '../workspaces.service.ts';
import { randomToken } from './secrets.ts';
import { boundedCache } from '../cache.ts';

const enc = new TextEncoder();
const VISITOR_TTL_SECONDS = 180 * 24 * 60 * 60;
const CLOCK_TOLERANCE_SECONDS = 30;

export interface VisitorIdentity {
  kind: 'visitor';
  workspaceId: string;
  visitorId: string;
}

export interface CustomerIdentity {
  kind: 'customer';
  workspaceId: string;
  externalId: string;
  name?: string;
  email?: string;
}

const identityClaims = z.object({
  sub: z.string().min(1).max(256),
  exp: z.number(),
  iat: z.number().optional(),
  name: z.string().max(200).optional(),
  email: z.string().email().max(320).optional(),
});

/** Workspaces' secrets (current, rotated-out and visitor keys) whose imported keys are kept. */
const KEY_CACHE_MAX = 1_000;

export class TokenService {
  /**
   * Secret → its imported HMAC key. jose imports a raw secret into WebCrypto on every call, which was the
   * largest single cost of a customer's connection (the handshake verifies a token); an imported key is reused.
   */
  private readonly keys = boundedCache<Promise<CryptoKey>>({ max: KEY_CACHE_MAX });

  constructor(private readonly now: () => number = Date.now) {}

  private hmacKey(secret: string): Promise<CryptoKey> {
    let key = this.keys.get(secret);
    if (!key) {
      key = crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
      this.keys.set(secret, key);
    }
    return key;
  }

  /** A new anonymous visitor, bound to one workspace by the workspace's visitor key. */
  async issueVisitorToken(ws: Pick<Workspace, 'id' | 'visitorKey'>, visitorId = `v_${randomToken(16)}`) {
    const nowSec = Math.floor(this.now() / 1000);
    const token = await new SignJWT({ typ: 'visitor', wid: ws.id })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(visitorId)
      .setIssuedAt(nowSec)
      .setExpirationTime(nowSec + VISITOR_TTL_SECONDS)
      .sign(await this.hmacKey(ws.visitorKey));
    return { token, visitorId };
  }

  async verifyVisitorToken(ws: Pick<Workspace, 'id' | 'visitorKey'>, token: string): Promise<VisitorIdentity> {
    const payload = await this.verify(token, [ws.visitorKey], ['sub', 'exp']);
    if (payload.typ !== 'visitor' || payload.wid !== ws.id || typeof payload.sub !== 'string') {
      throw new AppError('AUTH_INVALID', 'Visitor token is not valid for this workspace.');
    }
    return { kind: 'visitor', workspaceId: ws.id, visitorId: payload.sub };
  }

  /**
   * Verify a customer identity token signed by the merchant's backend with the workspace secret (or, during
   * a rotation's grace period, the previous one). `sub` and `exp` are required, and tokens that live longer
   * than the workspace allows are refused, so a leaked token is only useful briefly.
   */
  async verifyIdentityToken(ws: Pick<Workspace, 'id'> & SigningSecrets & { settings: unknown }, token: string): Promise<CustomerIdentity> {
    const payload = await this.verify(token, acceptedSecrets(ws, this.now()), ['sub', 'exp']);
    const parsed = identityClaims.safeParse(payload);
    if (!parsed.success) {
      const field = parsed.error.issues[0]?.path.join('.') ?? 'claims';
      throw new AppError('AUTH_INVALID', `Identity token claim "${field}" is invalid.`);
    }
    const claims = parsed.data;
    const maxAge = workspaceSettings(ws).identityTokenMaxAgeSeconds;
    const nowSec = Math.floor(this.now() / 1000);
    const issuedAt = claims.iat ?? nowSec;
    if (claims.exp - issuedAt > maxAge || claims.exp - nowSec > maxAge + CLOCK_TOLERANCE_SECONDS) {
      throw new AppError('AUTH_INVALID', `Identity token lifetime exceeds the maximum of ${maxAge} seconds.`);
    }
    return {
      kind: 'customer',
      workspaceId: ws.id,
      externalId: claims.sub,
      ...(claims.name !== undefined && { name: claims.name }),
      ...(claims.email !== undefined && { email: claims.email }),
    };
  }

  /** Verified with the first key whose signature matches; any other failure is final. */
  private async verify(token: string, keys: string[], requiredClaims: string[]) {
    // jose refuses alg "none" and any algorithm not listed; checking the header first gives a clearer message.
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new AppError('AUTH_INVALID', 'Token is malformed.');
    }
    if (alg !== 'HS256') throw new AppError('AUTH_INVALID', `Token algorithm ${alg ?? '(none)'} is not accepted; use HS256.`);
    for (const key of keys) {
      try {
        const { payload } = await jwtVerify(token, await this.hmacKey(key), {
          algorithms: ['HS256'],
          requiredClaims,
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          currentDate: new Date(this.now()),
        });
        return payload;
      } catch (err) {
        if (err instanceof joseErrors.JWSSignatureVerificationFailed) continue;
        if (err instanceof joseErrors.JWTExpired) throw new AppError('AUTH_EXPIRED', 'Token has expired.');
        if (err instanceof joseErrors.JWTClaimValidationFailed) {
          throw new AppError('AUTH_INVALID', `Token claim "${err.claim}" is missing or invalid.`);
        }
        throw new AppError('AUTH_INVALID', 'Token signature or format is invalid.');
      }
    }
    throw new AppError('AUTH_INVALID', 'Token signature or format is invalid.');
  }
}
