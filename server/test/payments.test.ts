// Payment ingestion end to end: a real server on an ephemeral port, signed HTTP deliveries, the real database.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../db/generated/client.ts';
import { signPaymentEvent } from '../sdk/index.ts';
import { formatAmount } from '../../protocol/amounts.ts';
import { PaymentEventInput } from '../../protocol/payments.ts';
import { signReceiptLink } from '../services/payments/receipt-links.ts';
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
        // No names given, and neither party ever connected: none known.
        payerName: null,
        payeeName: null,
        memo: 'Order #1',
        txHash: '0xabc123def4567890',
        failure: null,
        receipt: { number: expect.any(Number), id: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      },
    });
    // The merchant's answer links the page without any credential.
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
      ['payer name too long', { ...base, payerName: 'x'.repeat(201) }, 'payerName'],
      ['payee name not text', { ...base, payeeName: 42 }, 'payeeName'],
      ['payer name null', { ...base, payerName: null }, 'payerName'],
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

describe('names', () => {
  it('stores the names an event gives, stripped of controls and bidi overrides, and answers with them', async () => {
    const payerName = `${'\u202E'}Zoë\n\t  Núñez\u0007 `;
    const res = await send(paymentEvent({ payer: 'named-1', payee: 'named-2', payerName, payeeName: 'شركة النور' }));
    expect(res.status).toBe(201);
    expect(res.body.payment).toMatchObject({ payerName: 'Zoë Núñez', payeeName: 'شركة النور' });
    const row = await t.db.prisma.payment.findUniqueOrThrow({ where: { id: res.body.payment.id } });
    expect([row.payerName, row.payeeName]).toEqual(['Zoë Núñez', 'شركة النور']);
    // Each party is told the other's name.
    const notes = await t.db.prisma.notification.findMany({ where: { paymentId: row.id }, orderBy: { userId: 'asc' } });
    expect(notes.map((n) => [n.userId, (n.data as { counterpartyName: string }).counterpartyName, (n.data as { message: string }).message])).toEqual([
      ['named-1', 'شركة النور', 'Payment sent: 100 VRC to شركة النور'],
      ['named-2', 'Zoë Núñez', 'Payment received: 100 VRC from Zoë Núñez'],
    ]);
    // A name of only spaces and controls is no name.
    const blank = await send(paymentEvent({ payer: 'named-3', payee: 'named-4', payerName: ' \u202A\u0007\n ' }));
    expect(blank.body.payment.payerName).toBeNull();
  });

  it('uses the name from a customer’s identity token when the event gives none, and the id when neither exists', async () => {
    const { connectSocket } = await import('./support/sockets.ts');
    const token = await identityToken(ws.secret, 'token-named', { name: 'Grace Hopper' });
    const { socket } = await connectSocket(t.url, { auth: { siteKey: ws.siteKey, identityToken: token }, origin: 'https://shop.example' });
    socket.close();
    const res = await send(paymentEvent({ payer: 'token-named', payee: 'never-seen' }));
    expect(res.body.payment).toMatchObject({ payerName: 'Grace Hopper', payeeName: null });
    const notes = await t.db.prisma.notification.findMany({ where: { paymentId: res.body.payment.id } });
    const byUser = Object.fromEntries(notes.map((n) => [n.userId, n.data as { counterpartyName: string | null; message: string }]));
    expect(byUser['never-seen']).toMatchObject({ counterpartyName: 'Grace Hopper', message: 'Payment received: 100 VRC from Grace Hopper' });
    expect(byUser['token-named']).toMatchObject({ counterpartyName: null, message: 'Payment sent: 100 VRC to never-seen' });
    // The event's name wins over the token's; only what the event gave is stored.
    const named = await send(paymentEvent({ payer: 'token-named', payee: 'never-seen', payerName: 'G. Hopper' }));
    expect(named.body.payment.payerName).toBe('G. Hopper');
    const row = await t.db.prisma.payment.findUniqueOrThrow({ where: { id: res.body.payment.id } });
    expect([row.payerName, row.payeeName]).toEqual([null, null]);
    // Agents' list shows the names too.
    const agent = await agentToken(t, ws.siteKey, seed.agent.email, seed.password);
    const list = await json(await fetch(`${t.url}/api/v1/payments?userId=never-seen`, { headers: { authorization: `Bearer ${agent}` } }));
    expect(list.payments.map((p: { payerName: string }) => p.payerName)).toEqual(['G. Hopper', 'Grace Hopper']);
  });

  it('takes names from a later event of the same payment; a redelivery with other names is a different event', async () => {
    const reference = `ref-${randomUUID()}`;
    const pending = paymentEvent({ reference, type: 'payment.pending', payer: 'later-1', payee: 'later-2' });
    expect((await send(pending)).body.payment.payerName).toBeNull();
    const done = await send(paymentEvent({ reference, payer: 'later-1', payee: 'later-2', payerName: 'Late Name' }));
    expect(done.body.payment).toMatchObject({ status: 'succeeded', payerName: 'Late Name' });
    const again = await send({ ...pending, payerName: 'Someone' });
    expect([again.status, again.body.error.code]).toEqual([409, 'CONFLICT']);
    // Without names, a redelivery is the same event as before names existed (same digest).
    expect((await send(pending)).headers.get('idempotent-replayed')).toBe('true');
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

describe('group commit', () => {
  it('stores new payments arriving together with one statement; a bad event in the batch fails alone, a duplicate is answered as a replay', async () => {
    const fresh = (await seedWorkspace(t)).workspace;
    const taken = paymentEvent({ payer: 'gc-first', payee: 'gc-shop' });
    expect((await deliver(t, fresh, taken)).status).toBe(201);
    // 24 new payments (succeeded, failed, pending), the first delivered twice, and an event reusing a stored
    // event's id for another payment: the statement refuses that one, and must not take the others with it.
    const events = Array.from({ length: 24 }, (_, i) =>
      paymentEvent({
        payer: `gc-${i}`,
        payee: 'gc-shop',
        amount: `${i}.5`,
        ...(i % 4 === 1 && { type: 'payment.failed', failure: { code: 'declined', message: 'Declined' } }),
        ...(i % 4 === 2 && { type: 'payment.pending' }),
      }),
    );
    const reused = paymentEvent({ id: taken.id, reference: `gc-other-${randomUUID()}`, payer: 'gc-x', payee: 'gc-shop' });
    const rows: number[] = [];
    const sql = t.db.sql;
    const original = sql.query.bind(sql);
    sql.query = (statement, params) => {
      if (statement.name.startsWith('verychat_insert_new_payments')) rows.push((params[0] as unknown[]).length);
      return original(statement, params);
    };
    let settled;
    try {
      const all = [...events, reused, events[0]!].map((e) => PaymentEventInput.parse(e));
      settled = await Promise.allSettled(all.map((e) => t.app.payments.ingest(fresh.id, e)));
    } finally {
      sql.query = original;
    }
    // One statement for all of them but the duplicate (held back for the next), then each alone after the refusal.
    expect(rows[0]).toBe(25);
    const results = settled.map((s) => (s.status === 'fulfilled' ? s.value : s.reason));
    for (const r of results.slice(0, 24)) expect([r.status, r.replayed]).toEqual([201, false]);
    expect(results[24].code).toBe('CONFLICT');
    expect([results[25].replayed, results[25].body]).toEqual([true, results[0].body]);
    const bodies = results.slice(0, 24).map((r) => JSON.parse(r.body));
    expect(bodies.map((b) => [b.payment.payer, b.payment.amount, b.payment.status])).toEqual(
      events.map((e, i) => [e.payer, `${i}.5`, ['succeeded', 'failed', 'pending', 'succeeded'][i % 4]]),
    );
    // Receipt numbers follow on from the first payment's, without gaps, as the answers say.
    const numbers = bodies.flatMap((b) => (b.payment.receipt ? [b.payment.receipt.number] : []));
    expect(numbers.sort((a, b) => a - b)).toEqual(Array.from({ length: 18 }, (_, i) => i + 2));
    const stored = await t.db.prisma.receipt.findMany({ where: { workspaceId: fresh.id }, orderBy: { number: 'asc' } });
    expect(stored.map((r) => r.number)).toEqual(Array.from({ length: 19 }, (_, i) => i + 1));
    expect(await t.db.prisma.payment.count({ where: { workspaceId: fresh.id } })).toBe(25);
    // Stored answers are the ones sent; each outcome told both parties (pending ones nobody), with its number.
    const answers = await t.db.prisma.paymentEvent.findMany({ where: { workspaceId: fresh.id, eventId: { in: events.map((e) => e.id as string) } } });
    expect(new Set(answers.map((a) => a.response))).toEqual(new Set(results.slice(0, 24).map((r) => r.body)));
    const notes = await t.db.prisma.notification.findMany({ where: { workspaceId: fresh.id, userId: { startsWith: 'gc-' }, NOT: { userId: { in: ['gc-first', 'gc-shop'] } } } });
    expect(notes).toHaveLength(18);
    for (const n of notes) {
      const view = n.data as { receiptNumber: number; reference: string };
      const body = bodies.find((b) => b.payment.reference === view.reference);
      expect(view.receiptNumber).toBe(body.payment.receipt.number);
    }
    // One card per party and outcome, the duplicate adding none.
    const cards = await t.db.prisma.message.count({ where: { kind: 'payment', conversation: { workspaceId: fresh.id, contact: { externalId: 'gc-shop' } } } });
    expect(cards).toBe(1 + 18);
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
    expect([failed.status, failed.body.payment.status]).toEqual([201, 'failed']);
    expect(failed.body.payment.receipt).toMatchObject({ id: expect.any(String), number: expect.any(Number) });
    expect(failed.body.payment.failure).toEqual({ code: 'insufficient_funds', message: 'Insufficient funds' });
    const late = await send(paymentEvent({ ...common, type: 'payment.pending' }));
    expect([late.body.applied, late.body.payment.status, late.body.payment.receipt]).toEqual([false, 'failed', failed.body.payment.receipt]);
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
  const declined = { type: 'payment.failed', failure: { code: 'declined', message: 'Declined' } } as const;

  it('gives a failed payment a receipt with the next number, created failed or pending → failed; pending ones get none', async () => {
    const fresh = (await seedWorkspace(t)).workspace;
    const paid = await deliver(t, fresh, paymentEvent({ payer: 'f-1', payee: 'shop' }));
    expect(paid.body.payment.receipt.number).toBe(1);
    // Created failed (the one-statement path).
    const direct = await deliver(t, fresh, paymentEvent({ ...declined, payer: 'f-2', payee: 'shop' }));
    expect([direct.status, direct.body.payment.status, direct.body.payment.receipt.number]).toEqual([201, 'failed', 2]);
    // Pending, then failed (the locked path): nothing while pending, the next number when it fails.
    const reference = `fail-later-${randomUUID()}`;
    const pending = await deliver(t, fresh, paymentEvent({ reference, type: 'payment.pending', payer: 'f-3', payee: 'shop' }));
    expect([pending.status, pending.body.payment.status, pending.body.payment.receipt]).toEqual([201, 'pending', null]);
    const failed = await deliver(t, fresh, paymentEvent({ ...declined, reference, payer: 'f-3', payee: 'shop' }));
    expect([failed.status, failed.body.applied, failed.body.payment.status, failed.body.payment.receipt.number]).toEqual([200, true, 'failed', 3]);
    // A late success changes nothing and issues nothing; the redelivered failure answers with the same receipt.
    const late = await deliver(t, fresh, paymentEvent({ reference, payer: 'f-3', payee: 'shop' }));
    expect([late.body.applied, late.body.payment.status, late.body.payment.receipt]).toEqual([false, 'failed', failed.body.payment.receipt]);
    expect(await t.db.prisma.receipt.count({ where: { workspaceId: fresh.id } })).toBe(3);
    expect((await t.db.prisma.receiptCounter.findUniqueOrThrow({ where: { workspaceId: fresh.id } })).last).toBe(3);
    // Each party's toast, bell item and card carry the receipt: its number and their own link.
    for (const res of [direct, failed]) {
      const notes = await t.db.prisma.notification.findMany({ where: { paymentId: res.body.payment.id } });
      expect(notes).toHaveLength(2);
      for (const n of notes) {
        expect(n.data).toMatchObject({
          status: 'failed',
          receiptId: res.body.payment.receipt.id,
          receiptNumber: res.body.payment.receipt.number,
          receiptUrl: expect.stringMatching(new RegExp(`^${res.body.payment.receipt.url}\\?k=`)),
        });
      }
    }
  });

  it('numbers receipts 1..n without gaps under concurrent ingestion mixing successes and failures, on both paths', async () => {
    const fresh = (await seedWorkspace(t)).workspace;
    // 40 new payments: 24 succeeded, 8 failed, 8 pending (no number yet).
    const events = Array.from({ length: 40 }, (_, i) => {
      const parties = { payer: `n-${i}`, payee: 'shop' };
      if (i % 5 === 4) return paymentEvent({ ...declined, ...parties });
      if (i % 5 === 3) return paymentEvent({ ...parties, type: 'payment.pending', reference: `n-ref-${i}` });
      return paymentEvent(parties);
    });
    // Duplicates mixed in must not burn numbers either.
    const results = await Promise.all([...events, ...events.slice(0, 10)].map((e) => deliver(t, fresh, e)));
    expect(results.every((r) => r.status === 201)).toBe(true);
    const numbered = async () => (await t.db.prisma.receipt.findMany({ where: { workspaceId: fresh.id }, orderBy: { number: 'asc' } })).map((r) => r.number);
    expect(await numbered()).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
    expect(await t.db.prisma.payment.count({ where: { workspaceId: fresh.id, status: 'pending', receipt: { isNot: null } } })).toBe(0);

    // The pending ones end, half failed and half paid, delivered twice each and all at once, beside 8 new payments.
    const outcomes = events.flatMap((e, i) =>
      e.type === 'payment.pending' ? [paymentEvent({ reference: e.reference, payer: e.payer, payee: 'shop', ...(i % 2 ? declined : {}) })] : [],
    );
    const more = Array.from({ length: 8 }, (_, i) => paymentEvent({ payer: `m-${i}`, payee: 'shop', ...(i % 2 ? declined : {}) }));
    const ended = await Promise.all([...outcomes, ...more, ...outcomes].map((e) => deliver(t, fresh, e)));
    expect(ended.every((r) => r.status === 200 || r.status === 201)).toBe(true);
    expect(await numbered()).toEqual(Array.from({ length: 48 }, (_, i) => i + 1));
    const counter = await t.db.prisma.receiptCounter.findUniqueOrThrow({ where: { workspaceId: fresh.id } });
    expect(counter.last).toBe(48);
    // One receipt per payment, whatever its outcome.
    const payments = await t.db.prisma.payment.findMany({ where: { workspaceId: fresh.id }, include: { receipt: true } });
    expect(payments.map((p) => [p.status, p.receipt !== null]).filter(([, has]) => !has)).toEqual([]);
    expect(payments.filter((p) => p.status === 'failed')).toHaveLength(16);
    expect(new Set(payments.map((p) => p.receipt!.number)).size).toBe(48);
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
  /** Each party's receipt URL, as their toast, notification and card carry it. */
  const links: Record<string, string> = {};
  const payer = 'rcpt-payer';
  const payee = 'rcpt-payee';
  const amount = '1234567.000000000000000001';

  /** The receipt URL a party was shown (their newest notification's). */
  const linkOf = async (userId: string, paymentId: string) => {
    const n = await t.db.prisma.notification.findFirstOrThrow({ where: { workspaceId: ws.id, userId, paymentId }, orderBy: { createdAt: 'desc' } });
    return (n.data as { receiptUrl: string }).receiptUrl;
  };
  const kOf = (url: string) => new URL(url).searchParams.get('k')!;

  beforeAll(async () => {
    const res = await send(
      paymentEvent({ payer, payee, amount, payerName: 'Zoë Payer', payeeName: 'Ana Payee', memo: '<script>alert(1)</script> & "thanks"', txHash: '0xabc123def4567890' }),
    );
    receiptId = res.body.payment.receipt.id;
    receiptUrl = res.body.payment.receipt.url;
    links[payer] = await linkOf(payer, res.body.payment.id);
    links[payee] = await linkOf(payee, res.body.payment.id);
    agentTok = await agentToken(t, ws.siteKey, seed.agent.email, seed.password);
  });

  const getJson = (id: string, bearer?: string, query = '') =>
    fetch(`${t.url}/api/v1/receipts/${id}${query}`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
  const getPage = (id: string, query = '', headers: Record<string, string> = {}) => fetch(`${t.url}/receipts/${id}${query}`, { headers });

  it('shows the receipt to the payer and payee (receipt link or identity token) and the workspace’s agents, with names', async () => {
    const viewers: [string, string | undefined, string][] = [
      ['payer token', await identityToken(ws.secret, payer), ''],
      ['payee token', await identityToken(ws.secret, payee), ''],
      ['agent', agentTok, ''],
      ['payer link', undefined, `?k=${kOf(links[payer]!)}`],
      ['payee link', undefined, `?k=${kOf(links[payee]!)}`],
    ];
    for (const [name, bearer, query] of viewers) {
      const res = await getJson(receiptId, bearer, query);
      expect({ name, status: res.status }).toEqual({ name, status: 200 });
      expect(res.headers.get('cache-control')).toBe('private, no-store');
      const body = await json(res);
      expect(body).toMatchObject({
        id: receiptId,
        merchant: { name: 'Test Shop', color: '#4f46e5' },
        payment: { amount, token: 'VRC', payer, payee, payerName: 'Zoë Payer', payeeName: 'Ana Payee', status: 'succeeded' },
      });
      // Customers get their own link back; agents the plain page.
      expect(body.url).toMatch(name === 'agent' ? new RegExp(`^${receiptUrl}$`) : new RegExp(`^${receiptUrl}\\?k=`));
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
      expect((await fetch(`${t.url}/receipts/${receiptId}`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} })).status).toBe(404);
    }
    const payerTok = await identityToken(ws.secret, payer);
    expect((await getJson(randomUUID(), payerTok)).status).toBe(404);
    expect((await getJson('12345', payerTok)).status).toBe(404);
  });

  it('takes no identity token in the URL any more: ?token= opens nothing', async () => {
    const token = await identityToken(ws.secret, payee);
    const res = await getPage(receiptId, `?token=${encodeURIComponent(token)}`);
    expect(res.status).toBe(404);
    expect(t.logs.join('')).not.toContain(token);
  });

  it('a receipt link opens only its receipt, for its party, until it expires; tampered links open nothing', async () => {
    const key = (await t.db.prisma.workspace.findUniqueOrThrow({ where: { id: ws.id } })).visitorKey;
    const now = Math.floor(Date.now() / 1000);
    // Another receipt of the same payer: their link to the first one does not open it.
    const second = await send(paymentEvent({ payer, payee: 'rcpt-other' }));
    const secondId: string = second.body.payment.receipt.id;
    const payerLink = kOf(links[payer]!);
    const [exp, mac] = payerLink.split('.') as [string, string];
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const later = (parseInt(exp, 36) + 3600).toString(36);
    const refused: [string, string, string][] = [
      ['another receipt', secondId, payerLink],
      ['a stranger’s link', receiptId, signReceiptLink(key, receiptId, 'rcpt-stranger', now + 600)],
      ['expired', receiptId, signReceiptLink(key, receiptId, payer, now - 1)],
      ['another workspace’s key', receiptId, signReceiptLink('another-key', receiptId, payer, now + 600)],
      ['expiry moved', receiptId, `${later}.${mac}`],
      ['expiry with a leading zero', receiptId, `0${exp}.${mac}`],
      ['mac changed (first)', receiptId, `${exp}.${flip(mac, 0)}`],
      ['mac changed (last)', receiptId, `${exp}.${flip(mac, 42)}`],
      ['mac cut', receiptId, `${exp}.${mac.slice(0, 42)}`],
      ['not a link', receiptId, 'hello'],
      ['too long', receiptId, 'x'.repeat(200)],
    ];
    const unavailable = await (await getPage(randomUUID(), `?k=${payerLink}`)).text();
    for (const [name, id, k] of refused) {
      const page = await getPage(id, `?k=${encodeURIComponent(k)}`);
      expect({ name, status: page.status }).toEqual({ name, status: 404 });
      // One page for every refusal: nothing tells a wrong receipt from an expired or forged link.
      expect({ name, same: (await page.text()) === unavailable }).toEqual({ name, same: true });
      expect({ name, json: (await getJson(id, undefined, `?k=${encodeURIComponent(k)}`)).status }).toEqual({ name, json: 404 });
    }
    // Still valid a minute before it expires, with the workspace's own key.
    expect((await getPage(receiptId, `?k=${signReceiptLink(key, receiptId, payee, now + 60)}`)).status).toBe(200);
    expect((await getPage(secondId, `?k=${kOf(await linkOf(payer, second.body.payment.id))}`)).status).toBe(200);
    expect(unavailable).toContain('This receipt link has expired or is not valid');
    expect(unavailable).toContain('Open the receipt again from the chat.');
  });

  it('keeps working after the merchant secret is rotated (links are signed with the server-only visitor key)', async () => {
    const fresh = await seedWorkspace(t);
    const res = await deliver(t, fresh.workspace, paymentEvent({ payer, payee }));
    const url = await (async () => {
      const n = await t.db.prisma.notification.findFirstOrThrow({ where: { workspaceId: fresh.workspace.id, userId: payee } });
      return (n.data as { receiptUrl: string }).receiptUrl;
    })();
    await t.app.services.workspaces.rotateSecret(fresh.workspace.siteKey, { graceMs: 0 });
    expect((await fetch(url)).status).toBe(200);
    expect(res.body.payment.receipt.url).not.toContain('?');
  });

  it('serves a printable page: escaped, no inline script, private, no referrer, the link kept out of the logs', async () => {
    const res = await fetch(links[payee]!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'(;|$)/);
    const html = await res.text();
    expect(html).toContain('<html lang="en" dir="ltr">');
    expect(html).toContain('1,234,567.000000000000000001 VRC');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;thanks&quot;');
    // Scripts only from this server: the print button's, by src.
    expect(html.match(/<script[^>]*>/g)).toEqual(['<script src="print.js" defer>']);
    expect(html).toContain('data-print hidden>Print or save as PDF</button>');
    expect(html).toContain('@media print');
    // Names, not ids.
    expect(html).toContain('<bdi>Zoë Payer</bdi>');
    expect(html).toContain('<bdi>Ana Payee</bdi>');
    expect(html).not.toContain(payer);
    expect(html).toContain('Test Shop');
    const script = await fetch(new URL('print.js', links[payee]!));
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('text/javascript');
    expect(await script.text()).toContain('window.print()');
    // The agent view of the page works with a bearer header too.
    const asAgent = await fetch(`${t.url}/receipts/${receiptId}`, { headers: { authorization: `Bearer ${agentTok}` } });
    expect(asAgent.status).toBe(200);
    // The link in the URL never reaches the log.
    for (const url of Object.values(links)) expect(t.logs.join('')).not.toContain(kOf(url).split('.')[1]);
  });

  it('speaks the customer’s language (lang=, else Accept-Language), Arabic right to left, with the merchant’s name and colour', async () => {
    const shop = await seedWorkspace(t);
    await t.app.services.workspaces.rename(shop.workspace.siteKey, 'Librería Ñandú');
    await t.app.services.workspaces.updateSettings(shop.workspace.siteKey, { color: '#FDE047' });
    const res = await deliver(t, shop.workspace, paymentEvent({ payer, payee, amount: '1234567.5', payerName: 'Zoë Payer' }));
    const n = await t.db.prisma.notification.findFirstOrThrow({ where: { workspaceId: shop.workspace.id, userId: payee, paymentId: res.body.payment.id } });
    const url = (n.data as { receiptUrl: string }).receiptUrl;

    const es = await (await fetch(url, { headers: { 'accept-language': 'fr-CH, es-MX;q=0.9, en;q=0.8' } })).text();
    expect(es).toContain('<html lang="es" dir="ltr">');
    expect(es).toContain(`${formatAmount('1234567.5', 'es')} VRC`);
    expect(es).toContain('1.234.567,5 VRC');
    expect(es).toContain('Pagado');
    expect(es).toContain('Imprimir o guardar como PDF');
    expect(es).toContain('Librería Ñandú');
    // The brand colour, and text on it that stays readable (black on yellow).
    expect(es).toContain('--brand:#fde047;--on-brand:#000');

    const ar = await (await fetch(`${url}&lang=ar`, { headers: { 'accept-language': 'es' } })).text();
    expect(ar).toContain('<html lang="ar" dir="rtl">');
    expect(ar).toContain('مدفوع');
    expect(ar).toContain(`${formatAmount('1234567.5', 'ar')} VRC`);
    expect(ar).toContain('<bdi>Zoë Payer</bdi>');
    // An unknown lang falls back to the browser's languages; refusals are in the reader's language too.
    expect(await (await fetch(`${url}&lang=xx`, { headers: { 'accept-language': 'ar-EG' } })).text()).toContain('dir="rtl"');
    const gone = await fetch(`${t.url}/receipts/${randomUUID()}?lang=es`);
    expect([gone.status, (await gone.text()).includes('Vuelve a abrir el recibo desde el chat')]).toEqual([404, true]);
  });

  it('presents a failed payment’s receipt: failed on (its failure’s time), the reason as text, no money taken, nothing “paid”', async () => {
    const reference = `rcpt-failed-${randomUUID()}`;
    const common = { reference, payer, payee, amount: '25.5', payerName: 'Zoë Payer', payeeName: 'Ana Payee' };
    await send(paymentEvent({ ...common, type: 'payment.pending', occurredAt: '2026-03-04T05:00:00.000Z' }));
    const message = '<script>alert("x")</script> & not enough VRC';
    const res = await send(
      paymentEvent({ ...common, type: 'payment.failed', occurredAt: '2026-03-04T05:06:07.000Z', failure: { code: 'insufficient_funds', message } }),
    );
    expect([res.body.payment.status, res.body.payment.receipt?.number]).toEqual(['failed', expect.any(Number)]);
    const payerUrl = await linkOf(payer, res.body.payment.id);
    const page = await fetch(payerUrl);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<p class="status status-failed">Failed</p>');
    // The time it failed, not when it was made.
    expect(html).toMatch(/Failed on March 4, 2026 at 5:06\sAM UTC/);
    expect(html).toContain('<p class="reason" dir="auto">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; not enough VRC</p>');
    expect(html.match(/<script[^>]*>/g)).toEqual(['<script src="print.js" defer>']);
    expect(html).toContain('No VRC left your wallet for this payment.');
    expect(html).toContain('<span class="code" dir="ltr">insufficient_funds</span>');
    expect(html).toContain(`${formatAmount('25.5', 'en')} VRC`);
    expect(html).not.toMatch(/\bPaid\b/);
    // The payee and agents are told in their own terms.
    expect(await (await fetch(await linkOf(payee, res.body.payment.id))).text()).toContain('No VRC was sent to you for this payment.');
    const asAgent = await (await fetch(`${t.url}/receipts/${res.body.payment.receipt.id}`, { headers: { authorization: `Bearer ${agentTok}` } })).text();
    expect(asAgent).toContain('No VRC left the payer’s wallet for this payment.');

    const es = await (await fetch(`${payerUrl}&lang=es`)).text();
    expect(es).toContain('Fallido');
    expect(es).toContain('Falló el 4 de marzo de 2026');
    expect(es).toContain('No salió ningún VRC de tu billetera por este pago.');
    expect(es).not.toMatch(/Pagado/);
    const ar = await (await fetch(`${payerUrl}&lang=ar`)).text();
    expect(ar).toContain('<html lang="ar" dir="rtl">');
    expect(ar).toContain('تاريخ الفشل');
    expect(ar).toContain('لم يُخصم أي مبلغ بعملة VRC من محفظتك مقابل هذه الدفعة.');
    expect(ar).not.toMatch(/مدفوع|تاريخ الدفع/);

    // The JSON has the outcome's times and who is reading.
    const body = await json(await getJson(res.body.payment.receipt.id, undefined, `?k=${kOf(payerUrl)}`));
    expect(body).toMatchObject({
      reader: 'payer',
      payment: { status: 'failed', failure: { code: 'insufficient_funds', message } },
      timeline: { initiatedAt: '2026-03-04T05:00:00.000Z', succeededAt: null, failedAt: '2026-03-04T05:06:07.000Z', refundedAt: null },
    });
  });

  it('dates a refunded payment’s receipt by its refund, and keeps when it was paid', async () => {
    const reference = `rcpt-refunded-${randomUUID()}`;
    const paid = await send(paymentEvent({ reference, payer, payee, occurredAt: '2026-03-04T05:06:07.000Z' }));
    await send(paymentEvent({ reference, payer, payee, type: 'payment.refunded', occurredAt: '2026-03-09T10:11:12.000Z' }));
    const html = await (await fetch(await linkOf(payer, paid.body.payment.id))).text();
    expect(html).toContain('<p class="status status-refunded">Refunded</p>');
    expect(html).toMatch(/Refunded on March 9, 2026 at 10:11\sAM UTC/);
    expect(html).toMatch(/<dt>Paid on<\/dt><dd>March 4, 2026 at 5:06\sAM UTC<\/dd>/);
    expect(html).not.toContain('class="outcome"');
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
