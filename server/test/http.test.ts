// The HTTP shell through a real server: error envelope, security headers, CORS, health, request ids.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, seedWorkspace, startTestApp, type TestApp } from './support/app.ts';

let t: TestApp;
let siteKey: string;

beforeAll(async () => {
  t = await startTestApp();
  ({ workspace: { siteKey } } = await seedWorkspace(t, ['https://shop.example', 'https://*.brand.example']));
});
afterAll(() => t?.close());

describe('error envelope', () => {
  it('answers unknown routes with a coded 404', async () => {
    const res = await fetch(`${t.url}/no/such/route?x=1`);
    expect(res.status).toBe(404);
    expect(await json(res)).toEqual({ error: { code: 'NOT_FOUND', message: 'No route for GET /no/such/route' } });
  });

  it('answers malformed JSON with VALIDATION_FAILED', async () => {
    const res = await fetch(`${t.url}/api/v1/agent/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"siteKey":',
    });
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe('VALIDATION_FAILED');
  });

  it('lists the invalid fields of a schema failure', async () => {
    const res = await fetch(`${t.url}/api/v1/agent/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ siteKey, email: 'not-an-email', password: 42 }),
    });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual(['email', 'password']);
  });

  it('refuses oversized bodies with PAYLOAD_TOO_LARGE', async () => {
    const res = await fetch(`${t.url}/api/v1/agent/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ siteKey, email: 'a@b.c', password: 'x'.repeat(1024 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect((await json(res)).error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('headers', () => {
  it('sets security headers and echoes a request id', async () => {
    const res = await fetch(`${t.url}/health`, { headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    // Plain HTTP: no HSTS, no upgrade-insecure-requests (over HTTPS both are sent: proxy.test.ts).
    expect(res.headers.get('strict-transport-security')).toBeNull();
    expect(res.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
  });

  it('replaces an unsafe request id with a generated one', async () => {
    for (const bad of ['bad id with spaces', 'x'.repeat(65), '<script>']) {
      const res = await fetch(`${t.url}/health`, { headers: { 'x-request-id': bad } });
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('CORS', () => {
  const preflight = (origin: string) =>
    fetch(`${t.url}/api/v1/widget/session`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });

  it('allows an origin a workspace allows, including wildcard subdomains', async () => {
    for (const origin of ['https://shop.example', 'https://eu.brand.example']) {
      const res = await preflight(origin);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
    }
  });

  it('does not allow an origin no workspace allows', async () => {
    for (const origin of ['https://evil.example', 'https://brand.example', 'http://shop.example']) {
      const res = await fetch(`${t.url}/api/v1/agent/login`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('lets any page read the widget’s refusal, so a site that is not set up learns why (the route still refuses)', async () => {
    const origin = 'https://evil.example';
    expect((await preflight(origin)).headers.get('access-control-allow-origin')).toBe(origin);
    const res = await fetch(`${t.url}/api/v1/widget/session`, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/json' },
      body: JSON.stringify({ siteKey }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBe(origin);
    expect((await json(res)).error.code).toBe('ORIGIN_NOT_ALLOWED');
    const look = await fetch(`${t.url}/api/v1/widget/settings?siteKey=${siteKey}`, { headers: { origin } });
    expect(look.headers.get('access-control-allow-origin')).toBe(origin);
    expect((await json(look)).error.code).toBe('ORIGIN_NOT_ALLOWED');
  });

  it('is the same decision for the Socket.io handshake (its long-polling transport)', async () => {
    const allowed = { 'https://shop.example': true, 'https://eu.brand.example': true, 'https://evil.example': false, 'http://shop.example': false };
    for (const [origin, allow] of Object.entries(allowed)) {
      const res = await fetch(`${t.url}/socket.io/?EIO=4&transport=polling`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET' },
      });
      expect(res.headers.get('access-control-allow-origin'), origin).toBe(allow ? origin : null);
    }
  });
});

describe('health', () => {
  it('reports ok with the version and database kind', async () => {
    const res = await fetch(`${t.url}/health`);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ status: 'ok', version: '0.0.0-test', database: { ok: true, kind: t.db.kind } });
  });
});

describe('health with a broken database', () => {
  it('reports unhealthy with 503 and does not leak connection details', async () => {
    const broken = await startTestApp();
    try {
      await broken.db.close();
      const res = await fetch(`${broken.url}/health`);
      expect(res.status).toBe(503);
      const body = await json(res);
      expect(body).toMatchObject({ status: 'unhealthy', database: { ok: false, error: 'unreachable' } });
      expect(JSON.stringify(body)).not.toMatch(/postgres(ql)?:\/\//);
    } finally {
      await broken.close();
    }
  });
});
