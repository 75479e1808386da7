// The merchant server SDK and the example merchant backend, against a real test server.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdmin } from '../cli/admin-commands.ts';
import { REPO_ROOT } from '../paths.ts';
import { sendPaymentEvent, signIdentityToken, signPaymentEvent, VeryChatApiError } from '../sdk/index.ts';
import { seedWorkspace, startTestApp, type TestApp } from './support/app.ts';
import { connectSocket, request } from './support/sockets.ts';

const run = promisify(execFile);
const ORIGIN = 'https://shop.example';
let t: TestApp;
let seed: Awaited<ReturnType<typeof seedWorkspace>>;

beforeAll(async () => {
  t = await startTestApp({ REDIS_URL: process.env.REDIS_URL });
  seed = await seedWorkspace(t, [ORIGIN]);
});
afterAll(async () => {
  await t?.close();
});

describe('verychat/server SDK', () => {
  it('signs identity tokens the server accepts', async () => {
    const token = await signIdentityToken({ secret: seed.workspace.secret, sub: 'sdk-user', name: 'Sam', email: 'sam@example.com', expiresIn: 600 });
    expect(decodeProtectedHeader(token).alg).toBe('HS256');
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ sub: 'sdk-user', name: 'Sam', email: 'sam@example.com' });
    expect(claims.exp! - claims.iat!).toBe(600);
    const { socket, session } = await connectSocket(t.url, { auth: { siteKey: seed.workspace.siteKey, identityToken: token }, origin: ORIGIN });
    expect(session).toMatchObject({ role: 'customer', userRoom: 'user-sdk-user' });
    socket.close();
  });

  it('signs "<t>.<body>" with HMAC-SHA256, as documented', () => {
    // The vector from the README: printf '%s' '1700000000.{"a":1}' | openssl dgst -sha256 -hmac sk_test
    expect(signPaymentEvent('sk_test', '{"a":1}', 1_700_000_000)).toBe(
      't=1700000000,v1=fef2f598ea3748ff324c791e52ae0fac70340f964cd15105231f9f71149f999b',
    );
    expect(signPaymentEvent('sk_test', Buffer.from('{"a":1}'), 1_700_000_000)).toBe(signPaymentEvent('sk_test', '{"a":1}', 1_700_000_000));
    expect(() => signPaymentEvent('sk_test', '{}', 1.5)).toThrow(TypeError);
  });

  it('sends events, answers a resend from the first delivery, and reports refusals with their code', async () => {
    const opts = { apiUrl: `${t.url}/`, siteKey: seed.workspace.siteKey, secret: seed.workspace.secret };
    const event = { id: `evt_sdk_${Date.now()}`, type: 'payment.succeeded' as const, amount: '9.99', token: 'VRC', payer: 'sdk-a', payee: 'sdk-b', occurredAt: new Date() };
    const first = await sendPaymentEvent({ ...opts, event });
    expect([first.status, first.replayed, first.body.payment.amount, first.body.payment.status]).toEqual([201, false, '9.99', 'succeeded']);
    const again = await sendPaymentEvent({ ...opts, event });
    expect([again.status, again.replayed]).toEqual([201, true]);
    expect(again.body).toEqual(first.body);

    const refused = await sendPaymentEvent({ ...opts, event: { ...event, id: `${event.id}_x`, amount: '-1' } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(VeryChatApiError);
    expect(refused).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    const wrongSecret = await sendPaymentEvent({ ...opts, secret: 'sk_wrong', event }).catch((e: unknown) => e);
    expect(wrongSecret).toMatchObject({ status: 401, code: 'SIGNATURE_INVALID' });
    await expect(sendPaymentEvent({ ...opts, event: { ...event, amount: 5 as unknown as string } })).rejects.toThrow(/decimal string/);
  });

  it('retries transient failures with the same event (safe thanks to idempotency)', async () => {
    let calls = 0;
    const flaky: typeof fetch = async (input, init) => {
      calls++;
      if (calls === 1) throw new TypeError('fetch failed'); // connection reset
      if (calls === 2) return new Response('{"error":{"code":"UNAVAILABLE","message":"busy"}}', { status: 503 });
      return fetch(input, init);
    };
    const event = { id: `evt_flaky_${Date.now()}`, type: 'payment.succeeded' as const, amount: '1', token: 'VRC', payer: 'sdk-c', payee: 'sdk-d' };
    const res = await sendPaymentEvent({ apiUrl: t.url, siteKey: seed.workspace.siteKey, secret: seed.workspace.secret, event, fetch: flaky });
    expect([calls, res.status]).toEqual([3, 201]);
  });
});

describe('examples/merchant-backend', () => {
  it('signs identity tokens and produces one success and one failure against a running server, then replies as an agent', async () => {
    const env = {
      ...process.env,
      VERYCHAT_URL: t.url,
      VERYCHAT_SITE_KEY: seed.workspace.siteKey,
      VERYCHAT_SECRET: seed.workspace.secret,
      VERYCHAT_AGENT_EMAIL: seed.agent.email,
      VERYCHAT_AGENT_PASSWORD: seed.password,
    };
    const { stdout } = await run(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['examples/merchant-backend/index.ts'], { cwd: REPO_ROOT, env, timeout: 60_000 });
    expect(stdout).toMatch(/user123 +eyJ/);
    expect(stdout).toMatch(/payment\.succeeded +100 VRC user123 → user456: HTTP 201, succeeded, receipt #\d+ \(agents, signed in: http/);
    expect(stdout).toMatch(/payment\.failed +25\.5 VRC user456 → user123: HTTP 201, failed, failure insufficient_funds, receipt #\d+ \(agents, signed in: http/);
    expect(stdout).toMatch(/retry evt_\S+: HTTP 201, replayed=true/);
    expect(stdout).toMatch(/Agent replied to user456/);

    const payments = await t.db.prisma.payment.findMany({ where: { workspaceId: seed.workspace.id, payerId: { in: ['user123', 'user456'] } } });
    expect(payments.map((p) => `${p.payerId}:${p.status}`).sort()).toEqual(['user123:succeeded', 'user456:failed']);
    // The tokens it printed identify the demo users.
    const token = /user456 +(\S+)/.exec(stdout)![1]!;
    const { socket } = await connectSocket(t.url, { auth: { siteKey: seed.workspace.siteKey, identityToken: token }, origin: ORIGIN });
    const started = await request(socket, 'start-conversation', {});
    socket.close();
    expect(started.ok && started.messages.map((m) => [m.kind, m.sender.type, m.text])).toEqual([
      ['payment', 'system', 'Payment received: 100 VRC from user123'],
      ['payment', 'system', 'Payment failed: 25.5 VRC to user123 — Insufficient funds'],
      // The agent's reply takes the conversation over from the assistant first.
      ['system', 'system', 'Ada Agent joined the conversation.'],
      ['text', 'agent', 'Thanks, we received your payment. Anything else we can help with?'],
    ]);
  });

  it('takes flags instead of the environment, and explains what is missing', async () => {
    const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
    const bare = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
    const { stdout } = await run(tsx, ['examples/merchant-backend/index.ts', 'tokens', '--url', t.url, '--site-key', seed.workspace.siteKey, '--secret', seed.workspace.secret], {
      cwd: REPO_ROOT,
      env: bare,
    });
    expect(stdout).toMatch(/user456 +eyJ/);
    const failed = await run(tsx, ['examples/merchant-backend/index.ts'], { cwd: REPO_ROOT, env: bare }).catch((e: { stderr: string; code: number }) => e);
    expect((failed as { code: number }).code).toBe(1);
    expect((failed as { stderr: string }).stderr).toMatch(/workspace:show/);
  });

  it('workspace:show prints the secret the example needs', async () => {
    const lines: string[] = [];
    const errors: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => errors.push(l) };
    expect(await runAdmin(['workspace:show', seed.workspace.siteKey], t.app.services, io)).toBe(0);
    expect(lines.join('\n')).toMatch(new RegExp(`secret\\s+${seed.workspace.secret}`));
    expect(await runAdmin(['workspace:show', 'pk_missing'], t.app.services, io)).toBe(1);
    expect(errors.join('\n')).toContain('SITE_KEY_UNKNOWN');
  });
});
