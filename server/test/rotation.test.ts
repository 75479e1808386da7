// Secret rotation without an outage: after a rotation both secrets verify identity tokens and payment
// signatures until the grace period ends (default 24 h, configurable, endable early). Two instances: see
// cluster-changes.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPaymentEvent } from '../sdk/index.ts';
import { DEFAULT_SECRET_GRACE_MS } from '../services/workspaces.service.ts';
import { deliver, paymentEvent } from './payments.support.ts';
import { identityToken, seedWorkspace, startTestApp, type TestApp } from './support/app.ts';
import { handshakeError } from './support/sockets.ts';

const ORIGIN = 'https://shop.example';
let t: TestApp;
/** The server's clock runs this far ahead of the real one; tokens and signatures are made on the server's time. */
let ahead = 0;
const clock = () => Date.now() + ahead;

beforeAll(async () => {
  t = await startTestApp({}, { now: clock });
});
afterAll(() => t?.close());

async function handshakeWith(siteKey: string, secret: string, sub = 'rotating-customer') {
  const token = await identityToken(secret, sub, { iat: Math.floor(clock() / 1000) });
  return (await handshakeError(t.url, { auth: { siteKey, identityToken: token }, origin: ORIGIN })).code;
}

/** A payment event signed with each secret (one v1= each, as a backend signing with both during a rotation). */
async function paymentWith(ws: { siteKey: string }, secrets: string[]): Promise<number> {
  const raw = JSON.stringify(paymentEvent());
  const at = Math.floor(clock() / 1000);
  const macs = secrets.map((s) => signPaymentEvent(s, raw, at).split(',')[1]);
  return (await deliver(t, { siteKey: ws.siteKey, secret: '' }, raw, { signature: [`t=${at}`, ...macs].join(',') })).status;
}

describe('secret rotation', () => {
  it('accepts tokens and signatures made with either secret during the grace period, and only the new one after', async () => {
    const { workspace } = await seedWorkspace(t, [ORIGIN]);
    const old = workspace.secret;
    expect(await handshakeWith(workspace.siteKey, old)).toBe('CONNECTED');

    const rotated = await t.app.services.workspaces.rotateSecret(workspace.siteKey);
    const next = rotated.secret;
    expect(next).not.toBe(old);
    expect(rotated.previousSecretExpiresAt!.getTime() - clock()).toBeGreaterThan(DEFAULT_SECRET_GRACE_MS - 60_000);
    expect(rotated.previousSecretExpiresAt!.getTime() - clock()).toBeLessThanOrEqual(DEFAULT_SECRET_GRACE_MS);
    // The cached workspace (with only the old secret) was forgotten at once.
    expect(await handshakeWith(workspace.siteKey, next)).toBe('CONNECTED');
    expect(await handshakeWith(workspace.siteKey, old)).toBe('CONNECTED');
    expect(await paymentWith(workspace, [old])).toBe(201);
    expect(await paymentWith(workspace, [next])).toBe(201);
    // "Sign with both while you rotate" (examples/merchant-backend/README.md).
    expect(await paymentWith(workspace, [old, next])).toBe(201);
    expect(await handshakeWith(workspace.siteKey, 'sk_never_was_the_secret_000000000000')).toBe('AUTH_INVALID');

    // A second after the grace period: the old secret is refused, the new one works.
    ahead += DEFAULT_SECRET_GRACE_MS + 1000;
    expect(await handshakeWith(workspace.siteKey, old)).toBe('AUTH_INVALID');
    expect(await paymentWith(workspace, [old])).toBe(401);
    expect(await handshakeWith(workspace.siteKey, next)).toBe('CONNECTED');
    expect(await paymentWith(workspace, [old, next])).toBe(201);
  });

  it('takes a grace period per rotation, or none, and can be ended early', async () => {
    const { workspace } = await seedWorkspace(t, [ORIGIN]);
    const old = workspace.secret;
    const hour = 3600_000;
    const rotated = await t.app.services.workspaces.rotateSecret(workspace.siteKey, { graceMs: hour });
    expect(rotated.previousSecretExpiresAt!.getTime() - clock()).toBeGreaterThan(hour - 60_000);
    expect(await handshakeWith(workspace.siteKey, old)).toBe('CONNECTED');

    // Ended early (the backend has switched, or the old secret leaked): refused at once.
    await t.app.services.workspaces.endSecretRotation(workspace.siteKey);
    expect(await handshakeWith(workspace.siteKey, old)).toBe('AUTH_INVALID');
    expect(await paymentWith(workspace, [old])).toBe(401);
    expect(await handshakeWith(workspace.siteKey, rotated.secret)).toBe('CONNECTED');
    await expect(t.app.services.workspaces.endSecretRotation(workspace.siteKey)).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // No grace at all; and a second rotation keeps only the one secret before it.
    const immediate = await t.app.services.workspaces.rotateSecret(workspace.siteKey, { graceMs: 0 });
    expect(await handshakeWith(workspace.siteKey, rotated.secret)).toBe('AUTH_INVALID');
    const again = await t.app.services.workspaces.rotateSecret(workspace.siteKey);
    expect(await handshakeWith(workspace.siteKey, immediate.secret)).toBe('CONNECTED');
    expect(await handshakeWith(workspace.siteKey, again.secret)).toBe('CONNECTED');
    expect(await handshakeWith(workspace.siteKey, rotated.secret)).toBe('AUTH_INVALID');
    await expect(t.app.services.workspaces.rotateSecret(workspace.siteKey, { graceMs: -1 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('uses the configured default grace period', async () => {
    const app = await startTestApp({ SECRET_ROTATION_GRACE_HOURS: '2' });
    try {
      const { workspace } = await seedWorkspace(app, [ORIGIN]);
      const before = Date.now();
      const rotated = await app.app.services.workspaces.rotateSecret(workspace.siteKey);
      expect(rotated.previousSecretExpiresAt!.getTime() - before).toBeGreaterThanOrEqual(2 * 3600_000);
      expect(rotated.previousSecretExpiresAt!.getTime() - before).toBeLessThan(2 * 3600_000 + 60_000);
    } finally {
      await app.close();
    }
  });
});
