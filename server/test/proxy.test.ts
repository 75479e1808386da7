// TRUST_PROXY: X-Forwarded-* is believed only from configured proxies, by HTTP and the socket handshake
// alike (client address for per-IP limits, protocol and host for a same-origin page's origin); HSTS and
// upgrade-insecure-requests only over HTTPS.
import { afterEach, describe, expect, it } from 'vitest';
import { json, seedWorkspace, startTestApp, type TestApp } from './support/app.ts';
import { connectSocket, handshakeError } from './support/sockets.ts';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** Limits scaled down so a few requests cross them: 3 handshakes a minute per IP, 1 login try per IP and email. */
const start = (env: Record<string, string> = {}) => startTestApp({ RATE_LIMIT_MULTIPLIER: '0.05', ...env });

/** The codes of handshakes claiming the given X-Forwarded-For each (the site key is unknown: only the limit differs). */
async function handshakes(url: string, forwardedFor: string[]): Promise<string[]> {
  const codes: string[] = [];
  for (const ip of forwardedFor) {
    codes.push((await handshakeError(url, { auth: { siteKey: 'pk_nobody' }, headers: { 'x-forwarded-for': ip } })).code);
  }
  return codes;
}

async function logins(url: string, forwardedFor: string[]): Promise<string[]> {
  const codes: string[] = [];
  for (const ip of forwardedFor) {
    const res = await fetch(`${url}/api/v1/agent/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
      body: JSON.stringify({ siteKey: 'pk_nobody', email: 'guess@shop.example', password: 'wrong password' }),
    });
    codes.push((await json(res)).error.code);
  }
  return codes;
}

const FOUR_IPS = ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4'];

describe('client address', () => {
  it('ignores X-Forwarded-For by default: a client cannot pick its own address to escape per-IP limits', async () => {
    t = await start();
    expect(await handshakes(t.url, FOUR_IPS)).toEqual(['SITE_KEY_UNKNOWN', 'SITE_KEY_UNKNOWN', 'SITE_KEY_UNKNOWN', 'RATE_LIMITED']);
    expect(await logins(t.url, FOUR_IPS.slice(0, 2))).toEqual(['SITE_KEY_UNKNOWN', 'RATE_LIMITED']);
  });

  it('warns once when a peer it does not trust sends X-Forwarded-For (a proxy left out of TRUST_PROXY)', async () => {
    t = await start();
    await fetch(`${t.url}/health`);
    expect(t.logs.join('')).not.toContain('TRUST_PROXY');
    for (let i = 0; i < 3; i++) await fetch(`${t.url}/health`, { headers: { 'x-forwarded-for': FOUR_IPS[i]! } });
    expect(t.logs.filter((l) => l.includes('X-Forwarded-For from a peer TRUST_PROXY does not trust'))).toHaveLength(1);
  });

  it('ignores it from a peer that is not a listed proxy', async () => {
    t = await start({ TRUST_PROXY: '10.9.9.9, 10.10.0.0/16' });
    expect(await handshakes(t.url, FOUR_IPS)).toEqual(['SITE_KEY_UNKNOWN', 'SITE_KEY_UNKNOWN', 'SITE_KEY_UNKNOWN', 'RATE_LIMITED']);
    expect(await logins(t.url, FOUR_IPS.slice(0, 2))).toEqual(['SITE_KEY_UNKNOWN', 'RATE_LIMITED']);
  });

  it('takes the forwarded client address from a listed proxy, for HTTP and the handshake alike', async () => {
    t = await start({ TRUST_PROXY: 'loopback' });
    expect(await handshakes(t.url, FOUR_IPS)).toEqual(['SITE_KEY_UNKNOWN', 'SITE_KEY_UNKNOWN', 'SITE_KEY_UNKNOWN', 'SITE_KEY_UNKNOWN']);
    expect(await logins(t.url, FOUR_IPS.slice(0, 2))).toEqual(['SITE_KEY_UNKNOWN', 'SITE_KEY_UNKNOWN']);
    // One client behind the proxy is still one address.
    const same = Array.from({ length: 4 }, () => '203.0.113.9');
    expect(await handshakes(t.url, same)).toEqual(['SITE_KEY_UNKNOWN', 'SITE_KEY_UNKNOWN', 'SITE_KEY_UNKNOWN', 'RATE_LIMITED']);
    expect(await logins(t.url, same.slice(0, 2))).toEqual(['SITE_KEY_UNKNOWN', 'RATE_LIMITED']);
  });

  it('with a hop count, takes the address that many proxies back', async () => {
    t = await start({ TRUST_PROXY: '1' });
    // "spoofed, real": the one proxy appended the real client; what the client wrote itself is ignored.
    const chains = FOUR_IPS.map((ip) => `192.0.2.77, ${ip}`);
    expect(await handshakes(t.url, chains)).toEqual(['SITE_KEY_UNKNOWN', 'SITE_KEY_UNKNOWN', 'SITE_KEY_UNKNOWN', 'SITE_KEY_UNKNOWN']);
    const sameClient = FOUR_IPS.map((ip) => `${ip}, 203.0.113.9`);
    expect(await handshakes(t.url, sameClient)).toEqual(['SITE_KEY_UNKNOWN', 'SITE_KEY_UNKNOWN', 'SITE_KEY_UNKNOWN', 'RATE_LIMITED']);
  });
});

describe('HTTPS-only headers', () => {
  const headersOf = async (url: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${url}/health`, { headers });
    return { hsts: res.headers.get('strict-transport-security'), csp: res.headers.get('content-security-policy') ?? '' };
  };

  it('sends neither HSTS nor upgrade-insecure-requests over plain HTTP, whatever an untrusted client claims', async () => {
    t = await start();
    for (const headers of [{}, { 'x-forwarded-proto': 'https' }] as Record<string, string>[]) {
      const h = await headersOf(t.url, headers);
      expect(h.hsts).toBeNull();
      expect(h.csp).toContain("default-src 'self'");
      expect(h.csp).not.toContain('upgrade-insecure-requests');
    }
  });

  it('sends both when a trusted proxy terminated TLS', async () => {
    t = await start({ TRUST_PROXY: 'loopback' });
    const https = await headersOf(t.url, { 'x-forwarded-proto': 'https' });
    expect(https.hsts).toBe('max-age=31536000; includeSubDomains');
    expect(https.csp).toContain('upgrade-insecure-requests');
    expect(https.csp).toContain("frame-ancestors 'none'");
    const http = await headersOf(t.url, { 'x-forwarded-proto': 'http' });
    expect(http.hsts).toBeNull();
    expect(http.csp).not.toContain('upgrade-insecure-requests');
  });
});

describe('a same-origin page behind a TLS-terminating proxy', () => {
  // The page https://chat.example/help is served by this server through the proxy; its long-polling
  // handshake and settings request carry no Origin, only Sec-Fetch-Site.
  const behindProxy = { 'sec-fetch-site': 'same-origin', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'chat.example' };

  async function attempt(app: TestApp, siteKey: string, headers: Record<string, string>) {
    const socket = await handshakeError(app.url, { auth: { siteKey, identityToken: 'x.y.z' }, headers, transports: ['polling'] });
    const settings = await fetch(`${app.url}/api/v1/widget/settings?siteKey=${siteKey}`, { headers });
    return { socket: socket.code, settings: settings.status };
  }

  it('is the https:// origin the browser used, when the proxy is trusted', async () => {
    t = await start({ TRUST_PROXY: 'loopback' });
    const { workspace } = await seedWorkspace(t, ['https://chat.example']);
    // Past the origin check, the (bogus) identity token is what fails: the page was recognised.
    expect(await attempt(t, workspace.siteKey, behindProxy)).toEqual({ socket: 'AUTH_INVALID', settings: 200 });
    // The protocol decides: the same host over plain HTTP is another origin.
    expect(await attempt(t, workspace.siteKey, { ...behindProxy, 'x-forwarded-proto': 'http' })).toEqual({ socket: 'ORIGIN_NOT_ALLOWED', settings: 403 });
  });

  it('is not taken from forwarded headers an untrusted client sent', async () => {
    t = await start();
    const { workspace } = await seedWorkspace(t, ['https://chat.example']);
    expect(await attempt(t, workspace.siteKey, behindProxy)).toEqual({ socket: 'ORIGIN_NOT_ALLOWED', settings: 403 });
  });

  it('connects over the socket as a customer from that page', async () => {
    t = await start({ TRUST_PROXY: 'loopback' });
    const { workspace } = await seedWorkspace(t, ['https://chat.example']);
    const { identityToken } = await import('./support/app.ts');
    const token = await identityToken(workspace.secret, 'behind-proxy');
    const c = await connectSocket(t.url, { auth: { siteKey: workspace.siteKey, identityToken: token }, headers: behindProxy, transports: ['polling'] });
    expect(c.session.role).toBe('customer');
    c.socket.close();
  });
});

describe('a same-origin page on a plain-HTTP LAN address', () => {
  // There browsers send neither Origin nor Sec-Fetch-Site on a same-origin GET, only the Referer
  // (this server's pages send Referrer-Policy: same-origin).
  it('is recognised by a Referer on this server, and only then', async () => {
    t = await start();
    const { workspace } = await seedWorkspace(t, [t.url]);
    const settings = (headers: Record<string, string>) =>
      fetch(`${t!.url}/api/v1/widget/settings?siteKey=${workspace.siteKey}`, { headers }).then((r) => r.status);
    expect(await settings({ referer: `${t.url}/products?id=1` })).toBe(200);
    expect(await settings({})).toBe(403);
    expect(await settings({ referer: 'https://evil.example/' })).toBe(403);
    // A browser that marks the request cross-site is believed over the Referer.
    expect(await settings({ referer: `${t.url}/`, 'sec-fetch-site': 'cross-site' })).toBe(403);
    const page = await fetch(`${t.url}/health`);
    expect(page.headers.get('referrer-policy')).toBe('same-origin');
  });
});
