// Identity and visitor tokens against real jose signing; the workspace rows are plain objects.
import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.ts';
import { DEFAULT_SETTINGS } from '../workspaces.service.ts';
import { TokenService } from './tokens.ts';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const nowSec = NOW / 1000;
const wsA = { id: 'a0000000-0000-4000-8000-000000000001', secret: 'sk_secret_of_workspace_a_000000000000', visitorKey: 'vk_a_0000000000000000000000000000', settings: DEFAULT_SETTINGS };
const wsB = { id: 'b0000000-0000-4000-8000-000000000002', secret: 'sk_secret_of_workspace_b_000000000000', visitorKey: 'vk_b_0000000000000000000000000000', settings: DEFAULT_SETTINGS };
const tokens = new TokenService(() => NOW);

function sign(claims: Record<string, unknown>, secret = wsA.secret, alg = 'HS256') {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg });
  return jwt.sign(new TextEncoder().encode(secret));
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
}

describe('identity tokens (merchant-signed)', () => {
  it('accepts a valid token and returns sub, name and email', async () => {
    const token = await sign({ sub: 'user123', iat: nowSec, exp: nowSec + 600, name: 'Ann', email: 'ann@x.example' });
    await expect(tokens.verifyIdentityToken(wsA, token)).resolves.toEqual({
      kind: 'customer',
      workspaceId: wsA.id,
      externalId: 'user123',
      name: 'Ann',
      email: 'ann@x.example',
    });
  });

  it('refuses an expired token with AUTH_EXPIRED', async () => {
    const token = await sign({ sub: 'u', iat: nowSec - 3600, exp: nowSec - 120 });
    expect(await code(tokens.verifyIdentityToken(wsA, token))).toBe('AUTH_EXPIRED');
  });

  it('refuses a forged signature and a token signed with another workspace’s secret', async () => {
    const forged = await sign({ sub: 'u', exp: nowSec + 60 }, 'sk_attacker_guess_000000000000000000');
    const foreign = await sign({ sub: 'u', exp: nowSec + 60 }, wsB.secret);
    expect(await code(tokens.verifyIdentityToken(wsA, forged))).toBe('AUTH_INVALID');
    expect(await code(tokens.verifyIdentityToken(wsA, foreign))).toBe('AUTH_INVALID');
    expect(await code(tokens.verifyIdentityToken(wsB, foreign))).toBe('OK');
  });

  it('refuses a tampered payload', async () => {
    const token = await sign({ sub: 'user123', exp: nowSec + 60 });
    const [h, , s] = token.split('.');
    const payload = Buffer.from(JSON.stringify({ sub: 'admin', exp: nowSec + 60 })).toString('base64url');
    expect(await code(tokens.verifyIdentityToken(wsA, `${h}.${payload}.${s}`))).toBe('AUTH_INVALID');
  });

  it('refuses alg none and other algorithms', async () => {
    const none = new UnsecuredJWT({ sub: 'u', exp: nowSec + 60 }).encode();
    const hs512 = await sign({ sub: 'u', exp: nowSec + 60 }, wsA.secret, 'HS512');
    expect(await code(tokens.verifyIdentityToken(wsA, none))).toBe('AUTH_INVALID');
    expect(await code(tokens.verifyIdentityToken(wsA, hs512))).toBe('AUTH_INVALID');
  });

  it('requires sub and exp', async () => {
    expect(await code(tokens.verifyIdentityToken(wsA, await sign({ exp: nowSec + 60 })))).toBe('AUTH_INVALID');
    expect(await code(tokens.verifyIdentityToken(wsA, await sign({ sub: 'u' })))).toBe('AUTH_INVALID');
    expect(await code(tokens.verifyIdentityToken(wsA, await sign({ sub: '', exp: nowSec + 60 })))).toBe('AUTH_INVALID');
  });

  it('refuses a lifetime longer than the maximum, with or without iat', async () => {
    const max = DEFAULT_SETTINGS.identityTokenMaxAgeSeconds;
    expect(await code(tokens.verifyIdentityToken(wsA, await sign({ sub: 'u', iat: nowSec, exp: nowSec + max + 1 })))).toBe('AUTH_INVALID');
    expect(await code(tokens.verifyIdentityToken(wsA, await sign({ sub: 'u', exp: nowSec + max * 10 })))).toBe('AUTH_INVALID');
    expect(await code(tokens.verifyIdentityToken(wsA, await sign({ sub: 'u', iat: nowSec, exp: nowSec + max })))).toBe('OK');
  });

  it('refuses garbage', async () => {
    for (const junk of ['', 'abc', 'a.b.c', 'x'.repeat(5000)]) {
      expect(await code(tokens.verifyIdentityToken(wsA, junk))).toBe('AUTH_INVALID');
    }
  });
});

describe('identity tokens during a secret rotation', () => {
  const previous = 'sk_previous_secret_of_workspace_a_0000';
  const rotating = (expiresAt: number) => ({ ...wsA, previousSecret: previous, previousSecretExpiresAt: new Date(expiresAt) });

  it('accepts the previous secret until its grace period ends, and the current one throughout', async () => {
    const old = await sign({ sub: 'u', iat: nowSec, exp: nowSec + 600 }, previous);
    const current = await sign({ sub: 'u', iat: nowSec, exp: nowSec + 600 });
    expect(await code(tokens.verifyIdentityToken(rotating(NOW + 1000), old))).toBe('OK');
    expect(await code(tokens.verifyIdentityToken(rotating(NOW + 1000), current))).toBe('OK');
    expect(await code(tokens.verifyIdentityToken(rotating(NOW), old))).toBe('AUTH_INVALID');
    expect(await code(tokens.verifyIdentityToken(rotating(NOW), current))).toBe('OK');
    // Expiry is judged on a genuinely signed token, whichever secret signed it.
    const expired = await sign({ sub: 'u', iat: nowSec - 3600, exp: nowSec - 120 }, previous);
    expect(await code(tokens.verifyIdentityToken(rotating(NOW + 1000), expired))).toBe('AUTH_EXPIRED');
  });
});

describe('visitor tokens (server-signed)', () => {
  it('round-trips and is bound to its workspace', async () => {
    const { token, visitorId } = await tokens.issueVisitorToken(wsA);
    await expect(tokens.verifyVisitorToken(wsA, token)).resolves.toEqual({ kind: 'visitor', workspaceId: wsA.id, visitorId });
    expect(await code(tokens.verifyVisitorToken(wsB, token))).toBe('AUTH_INVALID');
  });

  it('cannot be used as an identity token and vice versa', async () => {
    const { token } = await tokens.issueVisitorToken(wsA);
    expect(await code(tokens.verifyIdentityToken(wsA, token))).toBe('AUTH_INVALID');
    const identity = await sign({ sub: 'user123', exp: nowSec + 60 });
    expect(await code(tokens.verifyVisitorToken(wsA, identity))).toBe('AUTH_INVALID');
  });

  it('expires', async () => {
    const { token } = await tokens.issueVisitorToken(wsA);
    const later = new TokenService(() => NOW + 200 * 24 * 3600 * 1000);
    expect(await code(later.verifyVisitorToken(wsA, token))).toBe('AUTH_EXPIRED');
  });
});
