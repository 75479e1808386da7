// Payment ingestion end to end: a real server on an ephemeral port, signed HTTP deliveries, the real database.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../db/generated/client.ts';
import { signPaymentEvent } from '../sdk/index.ts';
import { verifyPaymentSignature } from '../services/payments/signature.ts';
import { agentToken, identityToken, json, seedWorkspace, startTestApp, type TestApp } from './support/app.ts';
import { deliver, paymentEvent } from './payments.support.ts';

let t: TestApp;
let seed: Awaited<ReturnType<typeof seedWorkspace>>;
let ws: { id: string; siteKey: string; secret: string };

const send = (event: Record<string, unknown> | string, opts?: Parameters<typeof deliver>[3]) => deliver(t, ws, event, opts);
const paymentsIn = (workspaceId = ws.id) => t.db.prisma.payment.count({ where: { workspaceId } });

beforeAll(async () => {
  t = await startTestApp({ REDIS_URL: process.env.REDIS_URL });
  seed = await seedWorkspace(t);
  ws = seed.workspace;
});
afterAll(async () => {
  await t?.close();
});

describe('signature', () => {
  it('accepts a correctly signed event and answers with the payment and its receipt', async () => {
    const event = paymentEvent({ memo: 'Order #1', txHash: '0xabc123def4567890' });
    const res = await send(event);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      eventId: event.id,
      applied: true,
      reason: null,
      payment: {
        reference: event.id,
        status: 'succeeded',
        amount: '100',
        token: 'VRC',
        payer: 'user123',
        payee: 'user456',
        memo: 'Order #1',
        txHash: '0xabc123def4567890',
        failure: null,
        receipt: { number: expect.any(Number), id: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      },
    });
    expect(res.body.payment.receipt.url).toMatch(new RegExp(`/receipts/${res.body.payment.receipt.id}$`));
  });

  it('refuses missing, malformed, wrong-secret, stale, future and tampered signatures, storing nothing', async () => {
    const before = await paymentsIn();
    const event = paymentEvent();
    const raw = JSON.stringify(event);
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, Promise<{ status: number; body: any }>, string][] = [
      ['missing', send(event, { signature: null }), 'SIGNATURE_INVALID'],
      ['malformed', send(event, { signature: 'v1=abc' }), 'SIGNATURE_INVALID'],
      ['not hex', send(event, { signature: `t=${now},v1=${'z'.repeat(64)}` }), 'SIGNATURE_INVALID'],
      ['wrong secret', send(event, { signature: signPaymentEvent('sk_not_the_secret', raw) }), 'SIGNATURE_INVALID'],
      ['stale', send(event, { timestamp: now - 330 }), 'SIGNATURE_EXPIRED'],
      ['future', send(event, { timestamp: now + 330 }), 'SIGNATURE_EXPIRED'],
      // The signature covers a different amount than the bytes sent.
      ['tampered', send({ ...event, amount: '1000000' }, { signedBody: raw }), 'SIGNATURE_INVALID'],
      // Same JSON meaning, other bytes: the raw body is what is signed, never a re-serialisation.
      ['re-serialised', send(JSON.stringify(event, null, 2), { signedBody: raw }), 'SIGNATURE_INVALID'],
      ['timestamp swapped', send(event, { signature: signPaymentEvent(ws.secret, raw, now).replace(`t=${now}`, `t=${now - 1}`) }), 'SIGNATURE_INVALID'],
    ];
    for (const [name, pending, code] of cases) {
      const res = await pending;
      expect({ name, status: res.status, code: res.body?.error?.code }).toEqual({ name, status: 401, code });
    }
    const noKey = await send(event, { siteKey: null });
    expect([noKey.status, noKey.body.error.code]).toEqual([401, 'AUTH_REQUIRED']);
    const badKey = await send(event, { siteKey: 'pk_nope' });
    expect([badKey.status, badKey.body.error.code]).toEqual([401, 'SITE_KEY_UNKNOWN']);
    // Another workspace's secret does not sign for this one.
    const other = await seedWorkspace(t);
    const cross = await send(event, { signature: signPaymentEvent(other.workspace.secret, raw) });
    expect(cross.body.error.code).toBe('SIGNATURE_INVALID');
    expect(await paymentsIn()).toBe(before);
    // Nothing was consumed: the same event, now correctly signed, is accepted.
    expect((await send(event)).status).toBe(201);
  });

  it('draws the line at exactly five minutes, either way', () => {
    const raw = Buffer.from('{"id":"evt_1"}');
    const now = 1_800_000_000;
    const check = (t: number, signer = 'sk_test') => {
      try {
        verifyPaymentSignature(['sk_test'], signPaymentEvent(signer, raw, t), raw, now * 1000);
        return 'ok';
      } catch (err) {
        return (err as { code: string }).code;
      }
    };
    expect([check(now - 300), check(now + 300), check(now - 301), check(now + 301)]).toEqual(['ok', 'ok', 'SIGNATURE_EXPIRED', 'SIGNATURE_EXPIRED']);
    // A bad MAC is "invalid" whatever the timestamp says.
    expect(check(now - 301, 'sk_other')).toBe('SIGNATURE_INVALID');
  });

  it('accepts a timestamp within the tolerance, and a second v1 (secret rotation)', async () => {
    const event = paymentEvent();
    const raw = JSON.stringify(event);
    const now = Math.floor(Date.now() / 1000);
    expect((await send(event, { timestamp: now - 240 })).status).toBe(201);
    const good = signPaymentEvent(ws.secret, raw, now).split(',v1=')[1];
    const event2 = paymentEvent();
    const raw2 = JSON.stringify(event2);
    const good2 = signPaymentEvent(ws.secret, raw2, now).split(',v1=')[1];
    expect(good).toBeTruthy();
    const res = await send(event2, { signature: `t=${now},v1=${'0'.repeat(64)},v1=${good2}` });
    expect(res.status).toBe(201);
  });

  it('keeps the signature header out of the logs', async () => {
    const event = paymentEvent();
    const res = await send(event);
    expect(res.status).toBe(201);
    const mac = signPaymentEvent(ws.secret, JSON.stringify(event)).split('v1=')[1]!;
    expect(t.logs.join('')).not.toContain(mac.slice(0, 32));
    expect(t.logs.join('')).not.toContain(ws.secret);
  });
});

describe('validation', () => {
  it('answers bad inputs with coded 400s and stores nothing', async () => {
    const before = await paymentsIn();
    const base = paymentEvent();
    const { payer: _payer, ...noPayer } = base;
    const bad: [string, Record<string, unknown> | string, string][] = [
      ['negative', { ...base, amount: '-5' }, 'amount'],
      ['zero', { ...base, amount: '0' }, 'amount'],
      ['zero with decimals', { ...base, amount: '0.000' }, 'amount'],
      ['huge', { ...base, amount: '1' + '0'.repeat(60) }, 'amount'],
      ['19 decimals', { ...base, amount: '0.' + '1'.repeat(19) }, 'amount'],
      ['NaN', { ...base, amount: 'NaN' }, 'amount'],
      ['Infinity', { ...base, amount: 'Infinity' }, 'amount'],
      ['exponent', { ...base, amount: '1e5' }, 'amount'],
      ['number', { ...base, amount: 100 }, 'amount'],
      ['leading zero', { ...base, amount: '007' }, 'amount'],
      ['spaces', { ...base, amount: ' 1' }, 'amount'],
      ['unknown type', { ...base, type: 'payment.teleported' }, 'type'],
      ['missing payer', noPayer, 'payer'],
      ['payer is payee', { ...base, payee: base.payer }, 'payee'],
      ['lower-case token', { ...base, token: 'vrc' }, 'token'],
      ['failure without reason', { ...base, type: 'payment.failed' }, 'failure'],
      ['reason on success', { ...base, failure: { code: 'x', message: 'y' } }, 'failure'],
      ['memo too long', { ...base, memo: 'x'.repeat(281) }, 'memo'],
      ['bad date', { ...base, occurredAt: 'yesterday' }, 'occurredAt'],
      ['unknown field', { ...base, amuont: '5' }, '(root)'],
      ['not JSON', '{"id": ', ''],
      ['array', '[]', '(root)'],
    ];
    for (const [name, body, field] of bad) {
      const res = await send(body);
      expect({ name, status: res.status, code: res.body?.error?.code }).toEqual({ name, status: 400, code: 'VALIDATION_FAILED' });
      if (field) expect(res.body.error.issues.map((i: { path: string }) => i.path), name).toContain(field);
    }
    expect(await paymentsIn()).toBe(before);
    expect(await t.db.prisma.paymentEvent.count({ where: { eventId: base.id as string } })).toBe(0);
    expect((await send(base)).status).toBe(201);
  });

  it('refuses a body over the size limit', async () => {
    const res = await send(JSON.stringify({ ...paymentEvent(), memo: 'x'.repeat(70 * 1024) }));
    expect([res.status, res.body.error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  });
});

describe('idempotency', () => {
  it('answers a redelivery with the first response, byte for byte, and stores one payment', async () => {
    const event = paymentEvent({ payer: 'idem-a', payee: 'idem-b' });
    const first = await send(event);
    const again = await send(event);
    // Re-formatted JSON of the same event is the same event.
    const reformatted = await send(JSON.stringify(event, null, 2));
    expect(first.status).toBe(201);
    for (const r of [again, reformatted]) {
      expect(r.status).toBe(first.status);
      expect(r.text).toBe(first.text);
      expect(r.headers.get('idempotent-replayed')).toBe('true');
    }
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(await t.db.prisma.payment.count({ where: { workspaceId: ws.id, payerId: 'idem-a' } })).toBe(1);
    expect(await t.db.prisma.notification.count({ where: { workspaceId: ws.id, userId: { in: ['idem-a', 'idem-b'] } } })).toBe(2);
  });

  it('stores one payment and one notification per party for concurrent duplicates', async () => {
    const event = paymentEvent({ payer: 'conc-a', payee: 'conc-b' });
    const results = await Promise.all(Array.from({ length: 12 }, () => send(event)));
    const statuses = new Set(results.map((r) => r.status));
    const texts = new Set(results.map((r) => r.text));
    expect([...statuses]).toEqual([201]);
    expect(texts.size).toBe(1);
    expect(results.filter((r) => r.headers.get('idempotent-replayed') !== 'true')).toHaveLength(1);
    expect(await t.db.prisma.payment.count({ where: { workspaceId: ws.id, payerId: 'conc-a' } })).toBe(1);
    expect(await t.db.prisma.receipt.count({ where: { payment: { payerId: 'conc-a' } } })).toBe(1);
    const notes = await t.db.prisma.notification.findMany({ where: { workspaceId: ws.id, userId: { in: ['conc-a', 'conc-b'] } } });
    expect(notes.map((n) => n.userId).sort()).toEqual(['conc-a', 'conc-b']);
    // One payment card per party.
    const cards = await t.db.prisma.message.findMany({ where: { kind: 'payment', conversation: { contact: { externalId: { in: ['conc-a', 'conc-b'] } } } } });
    expect(cards).toHaveLength(2);
  });

  it('finishes the chat cards on redelivery when the first delivery failed after storing the payment', async () => {
    const event = paymentEvent({ payer: 'crash-a', payee: 'crash-b' });
    const chat = t.app.chat;
    const original = chat.postToCustomer.bind(chat);
    chat.postToCustomer = async () => {
      throw new Error('database went away');
    };
    let first;
    try {
      first = await send(event);
    } finally {
      chat.postToCustomer = original;
    }
    expect([first.status, first.body.error.code]).toEqual([500, 'INTERNAL']);
    // The payment and notifications were committed; the sender's retry gets the stored answer and the cards.
    const retry = await send(event);
    expect([retry.status, retry.headers.get('idempotent-replayed'), retry.body.payment.status]).toEqual([201, 'true', 'succeeded']);
    const cards = await t.db.prisma.message.findMany({ where: { kind: 'payment', conversation: { contact: { externalId: { in: ['crash-a', 'crash-b'] } } } } });
    expect(cards.map((c) => c.text).sort()).toEqual(['Payment received: 100 VRC from crash-a', 'Payment sent: 100 VRC to crash-b']);
    expect(await t.db.prisma.notification.count({ where: { workspaceId: ws.id, userId: { in: ['crash-a', 'crash-b'] } } })).toBe(2);
    // Once marked done, a later redelivery posts nothing more.
    await t.app.payments.flush();
    expect((await t.db.prisma.paymentEvent.findFirstOrThrow({ where: { eventId: event.id as string } })).fannedOutAt).not.toBeNull();
    await send(event);
    expect(await t.db.prisma.message.count({ where: { kind: 'payment', conversation: { contact: { externalId: 'crash-a' } } } })).toBe(1);
  });

  it('refuses a reused event id with different content', async () => {
    const event = paymentEvent();
    expect((await send(event)).status).toBe(201);
    const res = await send({ ...event, amount: '101' });
    expect([res.status, res.body.error.code]).toEqual([409, 'CONFLICT']);
  });

  it('scopes event ids per workspace', async () => {
    const other = (await seedWorkspace(t)).workspace;
    const event = paymentEvent({ id: `evt_shared_${randomUUID()}` });
    expect((await send(event)).status).toBe(201);
    const res = await deliver(t, other, event);
    expect(res.status).toBe(201);
    expect(res.body.payment.id).not.toBe((await send(event)).body.payment.id);
  });
});

describe('status order', () => {
  it('moves forward only: pending → succeeded → refunded; late or contradicting events change nothing', async () => {
    const reference = `order-${randomUUID()}`;
    const common = { reference, payer: 'order-a', payee: 'order-b', amount: '12.5' };
    const pending = await send(paymentEvent({ ...common, type: 'payment.pending' }));
    expect([pending.status, pending.body.payment.status, pending.body.payment.receipt]).toEqual([201, 'pending', null]);
    // A refund cannot overtake the success: refused (not stored), so the sender retries it later.
    const early = paymentEvent({ ...common, type: 'payment.refunded' });
    const earlyRes = await send(early);
    expect([earlyRes.status, earlyRes.body.error.code]).toEqual([409, 'CONFLICT']);

    const succeeded = await send(paymentEvent({ ...common, type: 'payment.succeeded', amount: '12.50' }));
    expect([succeeded.status, succeeded.body.applied, succeeded.body.payment.status]).toEqual([200, true, 'succeeded']);
    expect(succeeded.body.payment.receipt).not.toBeNull();

    const latePending = await send(paymentEvent({ ...common, type: 'payment.pending' }));
    expect([latePending.status, latePending.body.applied, latePending.body.payment.status]).toEqual([200, false, 'succeeded']);
    expect(latePending.body.reason).toMatch(/already succeeded/);
    const lateFailure = await send(paymentEvent({ ...common, type: 'payment.failed', failure: { code: 'declined', message: 'Declined' } }));
    expect([lateFailure.body.applied, lateFailure.body.payment.status, lateFailure.body.payment.failure]).toEqual([false, 'succeeded', null]);

    // The refused refund, retried now, applies.
    const refund = await send(early);
    expect([refund.status, refund.body.applied, refund.body.payment.status]).toEqual([200, true, 'refunded']);
    expect(refund.body.payment.receipt.id).toBe(succeeded.body.payment.receipt.id);
    const afterRefund = await send(paymentEvent({ ...common, type: 'payment.succeeded' }));
    expect([afterRefund.body.applied, afterRefund.body.payment.status]).toEqual([false, 'refunded']);

    const payment = await t.db.prisma.payment.findUniqueOrThrow({ where: { workspaceId_reference: { workspaceId: ws.id, reference } } });
    expect(payment.status).toBe('refunded');
    expect(await t.db.prisma.receipt.count({ where: { paymentId: payment.id } })).toBe(1);
    // Notified: success and refund, to each party; never the pending or ignored events.
    const notes = await t.db.prisma.notification.findMany({ where: { paymentId: payment.id }, orderBy: { createdAt: 'asc' } });
    expect(notes.map((n) => `${n.userId}:${n.key.split(':')[2]}`).sort()).toEqual([
      'order-a:refunded',
      'order-a:succeeded',
      'order-b:refunded',
      'order-b:succeeded',
    ]);
    expect(await t.db.prisma.paymentEvent.count({ where: { paymentId: payment.id } })).toBe(6);
  });

  it('ignores a late pending after a failure, and refuses a refund for an unknown payment or mismatched details', async () => {
    const reference = `order-${randomUUID()}`;
    const common = { reference, payer: 'order-c', payee: 'order-d' };
    const failed = await send(paymentEvent({ ...common, type: 'payment.failed', failure: { code: 'insufficient_funds', message: 'Insufficient funds' } }));
    expect([failed.status, failed.body.payment.status, failed.body.payment.receipt]).toEqual([201, 'failed', null]);
    expect(failed.body.payment.failure).toEqual({ code: 'insufficient_funds', message: 'Insufficient funds' });
    const late = await send(paymentEvent({ ...common, type: 'payment.pending' }));
    expect([late.body.applied, late.body.payment.status]).toEqual([false, 'failed']);
    const unknown = await send(paymentEvent({ reference: `nope-${randomUUID()}`, type: 'payment.refunded' }));
    expect([unknown.status, unknown.body.error.code]).toEqual([409, 'CONFLICT']);
    const mismatch = await send(paymentEvent({ ...common, type: 'payment.succeeded', amount: '99' }));
    expect([mismatch.status, mismatch.body.error.code]).toEqual([409, 'CONFLICT']);
    expect(mismatch.body.error.message).toMatch(/amount/);
  });

  it('applies concurrent events of one payment one at a time', async () => {
    const reference = `race-${randomUUID()}`;
    const common = { reference, payer: 'race-a', payee: 'race-b' };
    const events = [
      paymentEvent({ ...common, type: 'payment.pending' }),
      paymentEvent({ ...common, type: 'payment.succeeded' }),
      paymentEvent({ ...common, type: 'payment.pending' }),
      paymentEvent({ ...common, type: 'payment.succeeded' }),
    ];
    const results = await Promise.all(events.map((e) => send(e)));
    expect(results.every((r) => r.status === 200 || r.status === 201)).toBe(true);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    const payment = await t.db.prisma.payment.findUniqueOrThrow({ where: { workspaceId_reference: { workspaceId: ws.id, reference } }, include: { receipt: true } });
    expect(payment.status).toBe('succeeded');
    expect(payment.receipt).not.toBeNull();
    expect(await t.db.prisma.notification.count({ where: { paymentId: payment.id } })).toBe(2);
  });
});

describe('receipts numbering and decimals', () => {
  it('numbers receipts 1..n without gaps under concurrent ingestion (and no number for failures)', async () => {
    const fresh = (await seedWorkspace(t)).workspace;
    const events = Array.from({ length: 40 }, (_, i) =>
      i % 5 === 4
        ? paymentEvent({ type: 'payment.failed', failure: { code: 'declined', message: 'Declined' }, payer: `n-${i}`, payee: 'shop' })
        : paymentEvent({ payer: `n-${i}`, payee: 'shop' }),
    );
    // Duplicates mixed in must not burn numbers either.
    const results = await Promise.all([...events, ...events.slice(0, 10)].map((e) => deliver(t, fresh, e)));
    expect(results.every((r) => r.status === 201)).toBe(true);
    const receipts = await t.db.prisma.receipt.findMany({ where: { workspaceId: fresh.id }, orderBy: { number: 'asc' } });
    expect(receipts.map((r) => r.number)).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
    const counter = await t.db.prisma.receiptCounter.findUniqueOrThrow({ where: { workspaceId: fresh.id } });
    expect(counter.last).toBe(32);
  });

  it('keeps amounts exact: 18 decimals, 60 integer digits, and 0.1 + 0.2 = 0.3', async () => {
    const user = `dec-${randomUUID()}`;
    const tiny = await send(paymentEvent({ amount: '0.000000000000000001', payer: user }));
    expect(tiny.body.payment.amount).toBe('0.000000000000000001');
    const max = '9'.repeat(60) + '.' + '9'.repeat(18);
    const big = await send(paymentEvent({ amount: max, payer: `${user}-big` }));
    expect(big.body.payment.amount).toBe(max);
    const trailing = await send(paymentEvent({ amount: '7.250000', payer: `${user}-t` }));
    expect(trailing.body.payment.amount).toBe('7.25');

    const summer = `sum-${randomUUID()}`;
    await send(paymentEvent({ amount: '0.1', payer: summer }));
    await send(paymentEvent({ amount: '0.2', payer: summer }));
    const stored = await t.db.prisma.payment.findMany({ where: { workspaceId: ws.id, payerId: summer } });
    const sum = stored.reduce((acc, p) => acc.plus(p.amount), new Prisma.Decimal(0));
    expect(sum.toFixed()).toBe('0.3');
    expect(0.1 + 0.2).not.toBe(0.3); // what a float would have done

    const agent = await agentToken(t, ws.siteKey, seed.agent.email, seed.password);
    const res = await fetch(`${t.url}/api/v1/payments?userId=${summer}`, { headers: { authorization: `Bearer ${agent}` } });
    const list = await json(res);
    expect(res.status).toBe(200);
    expect(list.payments).toHaveLength(2);
    expect(list.totals).toEqual([{ token: 'VRC', status: 'succeeded', count: 2, amount: '0.3' }]);
    const bigTotal = await json(
      await fetch(`${t.url}/api/v1/payments?userId=${user}-big`, { headers: { authorization: `Bearer ${agent}` } }),
    );
    expect(bigTotal.totals[0].amount).toBe(max);
  });

  it('lists payments for agents only, paginated', async () => {
    const user = `list-${randomUUID()}`;
    for (let i = 0; i < 3; i++) await send(paymentEvent({ payer: user, amount: `${i + 1}` }));
    const agent = await agentToken(t, ws.siteKey, seed.agent.email, seed.password);
    const page1 = await json(await fetch(`${t.url}/api/v1/payments?userId=${user}&limit=2`, { headers: { authorization: `Bearer ${agent}` } }));
    expect(page1.payments.map((p: { amount: string }) => p.amount)).toEqual(['3', '2']);
    const page2 = await json(
      await fetch(`${t.url}/api/v1/payments?userId=${user}&limit=2&cursor=${page1.nextCursor}`, { headers: { authorization: `Bearer ${agent}` } }),
    );
    expect(page2.payments.map((p: { amount: string }) => p.amount)).toEqual(['1']);
    expect(page2.nextCursor).toBeNull();
    expect(page1.totals).toEqual([{ token: 'VRC', status: 'succeeded', count: 3, amount: '6' }]);
    const anon = await fetch(`${t.url}/api/v1/payments`);
    expect(anon.status).toBe(401);
    const customer = await fetch(`${t.url}/api/v1/payments`, { headers: { authorization: `Bearer ${await identityToken(ws.secret, user)}` } });
    expect(customer.status).toBe(401);
  });
});

describe('receipt access', () => {
  let receiptId: string;
  let receiptUrl: string;
  let agentTok: string;
  const payer = 'rcpt-payer';
  const payee = 'rcpt-payee';

  beforeAll(async () => {
    const res = await send(paymentEvent({ payer, payee, amount: '42.000000000000000001', memo: '<script>alert(1)</script> & "thanks"' }));
    receiptId = res.body.payment.receipt.id;
    receiptUrl = res.body.payment.receipt.url;
    agentTok = await agentToken(t, ws.siteKey, seed.agent.email, seed.password);
  });

  const getJson = (id: string, bearer?: string) =>
    fetch(`${t.url}/api/v1/receipts/${id}`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
  const getPage = (id: string, token?: string) => fetch(`${t.url}/receipts/${id}${token ? `?token=${encodeURIComponent(token)}` : ''}`);

  it('shows the receipt to the payer, the payee and the workspace’s agents', async () => {
    for (const bearer of [await identityToken(ws.secret, payer), await identityToken(ws.secret, payee), agentTok]) {
      const res = await getJson(receiptId, bearer);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toContain('no-store');
      const body = await json(res);
      expect(body).toMatchObject({
        id: receiptId,
        url: receiptUrl,
        merchant: { name: 'Test Shop' },
        payment: { amount: '42.000000000000000001', token: 'VRC', payer, payee, status: 'succeeded' },
      });
    }
  });

  it('answers 404 to anyone else: strangers, no credential, another workspace, unknown ids', async () => {
    const other = await seedWorkspace(t);
    const otherAgent = await agentToken(t, other.workspace.siteKey, other.agent.email, other.password);
    const denied = [
      undefined,
      await identityToken(ws.secret, 'someone-else'),
      // The payer's id, but signed by another merchant.
      await identityToken(other.workspace.secret, payer),
      otherAgent,
      'vca_forged',
      'not-a-token',
      await identityToken(ws.secret, payer, { iat: Math.floor(Date.now() / 1000) - 7200, ttl: 3600 }), // expired
    ];
    for (const bearer of denied) {
      const res = await getJson(receiptId, bearer);
      expect(res.status).toBe(404);
      expect((await json(res)).error.code).toBe('NOT_FOUND');
      expect((await getPage(receiptId, bearer)).status).toBe(404);
    }
    const payerTok = await identityToken(ws.secret, payer);
    expect((await getJson(randomUUID(), payerTok)).status).toBe(404);
    expect((await getJson('12345', payerTok)).status).toBe(404);
  });

  it('serves a printable, escaped, script-free page with ?token=', async () => {
    const token = await identityToken(ws.secret, payee);
    const res = await getPage(receiptId, token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await res.text();
    expect(html).toContain('42.000000000000000001');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;thanks&quot;');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('@media print');
    expect(html).toContain(payer);
    // The agent view of the page works with a bearer header too.
    const asAgent = await fetch(`${t.url}/receipts/${receiptId}`, { headers: { authorization: `Bearer ${agentTok}` } });
    expect(asAgent.status).toBe(200);
    // The identity token in the URL never reaches the log.
    expect(t.logs.join('')).not.toContain(token);
  });

  it('has unguessable ids (random v4 uuids)', async () => {
    expect(receiptId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('rate limit', () => {
  it('limits deliveries per workspace with RATE_LIMITED and retry-after', async () => {
    const limited = await startTestApp({ RATE_LIMIT_MULTIPLIER: '0.003' }); // 3 per 10 s
    try {
      const { workspace } = await seedWorkspace(limited);
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await deliver(limited, workspace, paymentEvent()));
      expect(results.map((r) => r.status)).toEqual([201, 201, 201, 429]);
      expect(results[3]!.body.error.code).toBe('RATE_LIMITED');
      expect(Number(results[3]!.headers.get('retry-after'))).toBeGreaterThan(0);
      // Bad signatures do not spend the merchant's budget (the site key is public).
      const other = (await seedWorkspace(limited)).workspace;
      for (let i = 0; i < 5; i++) await deliver(limited, other, paymentEvent(), { signature: 't=1,v1=' + '0'.repeat(64) });
      expect((await deliver(limited, other, paymentEvent())).status).toBe(201);
    } finally {
      await limited.close();
    }
  });
});
