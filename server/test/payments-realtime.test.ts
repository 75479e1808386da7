// Payment fan-out over real sockets: toasts to both parties, chat cards, offline catch-up, read sync.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { NotificationsPage, PaymentEventDto } from '../../protocol/payments.ts';
import { agentToken, identityToken, seedWorkspace, startTestApp, visitorToken, type TestApp } from './support/app.ts';
import { collect, connectSocket, nextEvent, quietPeriod, request, type TestSocket } from './support/sockets.ts';
import { createTestDatabase } from './support/database.ts';
import { deliver, paymentEvent } from './payments.support.ts';
import { needs } from './support/needs.ts';

const ORIGIN = 'https://shop.example';
let t: TestApp;
const open: TestSocket[] = [];

beforeAll(async () => {
  t = await startTestApp({ REDIS_URL: process.env.REDIS_URL });
});
afterAll(async () => {
  for (const s of open) s.close();
  await t?.close();
});

type Ws = Awaited<ReturnType<typeof seedWorkspace>>['workspace'];

/** A customer device: connected, in its user room, with the catch-up snapshot it received. */
async function customer(ws: Ws, sub: string) {
  const token = await identityToken(ws.secret, sub, { name: `Customer ${sub}` });
  const { socket } = await connectSocket(t.url, { auth: { siteKey: ws.siteKey, identityToken: token }, origin: ORIGIN });
  open.push(socket);
  const snapshot = nextEvent(socket, 'notifications');
  const joined = await request(socket, 'join-user-room', {});
  expect(joined.ok).toBe(true);
  return { socket, token, snapshot: await snapshot };
}

describe('real-time fan-out', () => {
  let ws: Ws;
  beforeAll(async () => {
    ws = (await seedWorkspace(t, [ORIGIN])).workspace;
  });

  it('toasts both parties at once, on every device, with what the widget needs', async () => {
    const payer = await customer(ws, 'user123');
    const payerTab = await customer(ws, 'user123');
    const payee = await customer(ws, 'user456');
    const bystander = await customer(ws, 'user789');
    const anon = await connectSocket(t.url, { auth: { siteKey: ws.siteKey, visitorToken: await visitorToken(t, ws.siteKey) }, origin: ORIGIN });
    open.push(anon.socket);
    await request(anon.socket, 'join-user-room', {});
    const noise = [collect(bystander.socket, 'payment-event'), collect(anon.socket, 'payment-event')];

    const toPayer = nextEvent(payer.socket, 'payment-event');
    const toPayerTab = nextEvent(payerTab.socket, 'payment-event');
    const toPayee = nextEvent(payee.socket, 'payment-event');
    const event = paymentEvent({ amount: '100', txHash: '0xfeedbeef00112233' });
    const res = await deliver(t, ws, event);
    expect(res.status).toBe(201);
    const receipt = res.body.payment.receipt;

    const received = await toPayee;
    // Both customers connected with identity tokens carrying a name: the event named no one, so those are used.
    expect(received).toEqual({
      type: 'success',
      message: 'Payment received: 100 VRC from Customer user123',
      amount: '100',
      timestamp: new Date(event.occurredAt as string).toISOString(),
      notificationId: expect.any(String),
      paymentId: res.body.payment.id,
      reference: event.id as string,
      status: 'succeeded',
      direction: 'in',
      token: 'VRC',
      counterparty: 'user123',
      counterpartyName: 'Customer user123',
      payer: 'user123',
      payee: 'user456',
      txHash: '0xfeedbeef00112233',
      memo: null,
      failure: null,
      receiptId: receipt.id,
      receiptNumber: receipt.number,
      // The payee's own receipt link, never an identity token.
      receiptUrl: expect.stringMatching(new RegExp(`^${receipt.url}\\?k=[0-9a-z]+\\.[A-Za-z0-9_-]{43}$`)),
    } satisfies PaymentEventDto);
    expect(res.body.payment).toMatchObject({ payerName: 'Customer user123', payeeName: 'Customer user456' });
    const sent = await toPayer;
    expect(sent).toMatchObject({
      type: 'success',
      message: 'Payment sent: 100 VRC to Customer user456',
      direction: 'out',
      counterparty: 'user456',
      counterpartyName: 'Customer user456',
    });
    // Each party's link is their own.
    expect(sent.receiptUrl).not.toBe(received.receiptUrl);
    for (const device of [payer, payerTab, payee]) expect(JSON.stringify([received, sent])).not.toContain(device.token);
    expect((await toPayerTab).notificationId).toBe(sent.notificationId);
    // What is stored for catch-up is what was pushed, receipt number included.
    const stored = await t.db.prisma.notification.findUniqueOrThrow({ where: { id: received.notificationId } });
    expect(stored.data).toEqual(received);
    expect(sent.notificationId).not.toBe(received.notificationId);

    const failedToPayer = nextEvent(payer.socket, 'payment-event');
    const failedToPayee = nextEvent(payee.socket, 'payment-event');
    const failed = await deliver(t, ws, paymentEvent({ amount: '5.5', type: 'payment.failed', failure: { code: 'insufficient_funds', message: 'Insufficient funds' } }));
    // A failed payment has a receipt too (a record of the attempt), with each party's own link.
    const failedReceipt = failed.body.payment.receipt;
    expect(await failedToPayer).toMatchObject({
      type: 'failure',
      message: 'Payment failed: 5.5 VRC to Customer user456 — Insufficient funds',
      status: 'failed',
      failure: { code: 'insufficient_funds', message: 'Insufficient funds' },
      receiptId: failedReceipt.id,
      receiptNumber: failedReceipt.number,
      receiptUrl: expect.stringMatching(new RegExp(`^${failedReceipt.url}\\?k=`)),
    });
    expect((await failedToPayee).message).toBe('Payment failed: 5.5 VRC from Customer user123 — Insufficient funds');

    // A redelivery notifies nobody again; pending payments are stored silently.
    const again = collect(payer.socket, 'payment-event');
    await deliver(t, ws, event);
    await deliver(t, ws, paymentEvent({ type: 'payment.pending' }));
    await quietPeriod(300);
    expect(again.items).toHaveLength(0);
    expect(noise.map((n) => n.items.length)).toEqual([0, 0]);
  });

  it('posts a payment card into each party’s support conversation, creating it when absent', async () => {
    const payee = await customer(ws, 'card-payee');
    const started = await request(payee.socket, 'start-conversation', {});
    if (!started.ok) throw new Error(JSON.stringify(started.error));
    const live = nextEvent(payee.socket, 'message-received', (m) => m.kind === 'payment');
    const res = await deliver(t, ws, paymentEvent({ payer: 'card-payer', payee: 'card-payee', amount: '3.14' }));
    const card = await live;
    expect(card).toMatchObject({
      conversationId: started.conversation.id,
      kind: 'payment',
      sender: { type: 'system' },
      // The payer never connected and the event named no one: their id.
      text: 'Payment received: 3.14 VRC from card-payer',
      payload: {
        paymentId: res.body.payment.id,
        receiptId: res.body.payment.receipt.id,
        receiptUrl: expect.stringMatching(new RegExp(`^${res.body.payment.receipt.url}\\?k=`)),
        direction: 'in',
        counterpartyName: null,
      },
    });

    // The payer never connected: their contact and conversation were created, with the card in it.
    const payer = await customer(ws, 'card-payer');
    const theirs = await request(payer.socket, 'start-conversation', {});
    expect(theirs.ok && theirs.created).toBe(false);
    expect(theirs.ok && theirs.messages.map((m) => [m.kind, m.text, m.payload?.direction, m.payload?.counterpartyName])).toEqual([
      ['payment', 'Payment sent: 3.14 VRC to Customer card-payee', 'out', 'Customer card-payee'],
    ]);
  });

  it('keeps workspaces apart: the same user id elsewhere hears nothing', async () => {
    const other = (await seedWorkspace(t, [ORIGIN])).workspace;
    const elsewhere = await customer(other, 'user-x1');
    const here = await customer(ws, 'user-x1');
    const heard = collect(elsewhere.socket, 'payment-event');
    const toast = nextEvent(here.socket, 'payment-event');
    await deliver(t, ws, paymentEvent({ payer: 'user-x1', payee: 'user-x2' }));
    await toast;
    await quietPeriod(200);
    expect(heard.items).toHaveLength(0);
  });
});

describe('names and receipt links', () => {
  let ws: Ws;
  beforeAll(async () => {
    ws = (await seedWorkspace(t, [ORIGIN])).workspace;
  });

  /** Every receipt URL a customer was shown, wherever it came from. */
  const receiptUrls = (...views: { receiptUrl: string | null }[]) => views.map((v) => v.receiptUrl).filter((u): u is string => u !== null);

  it('names parties in toasts, notifications and cards: the event’s names first, else the identity token’s, else the id', async () => {
    const alice = await customer(ws, 'names-alice'); // her token says "Customer names-alice"
    const bob = await customer(ws, 'names-bob');
    await request(bob.socket, 'start-conversation', {});
    const toAlice = nextEvent(alice.socket, 'payment-event');
    const toBob = nextEvent(bob.socket, 'payment-event');
    const bobCard = nextEvent(bob.socket, 'message-received', (m) => m.kind === 'payment');
    // The event names Alice (over her token's name, with a bidi override and a newline to strip) but not Bob.
    const res = await deliver(t, ws, paymentEvent({ payer: 'names-alice', payee: 'names-bob', amount: '12.5', payerName: ' Alice\u202E Liddell\n ' }));
    expect(res.status).toBe(201);
    expect(res.body.payment).toMatchObject({ payer: 'names-alice', payerName: 'Alice Liddell', payee: 'names-bob', payeeName: 'Customer names-bob' });
    // What the event gave is stored; the token's name is not copied onto the payment.
    const row = await t.db.prisma.payment.findUniqueOrThrow({ where: { id: res.body.payment.id } });
    expect([row.payerName, row.payeeName]).toEqual(['Alice Liddell', null]);

    expect(await toBob).toMatchObject({ counterparty: 'names-alice', counterpartyName: 'Alice Liddell', message: 'Payment received: 12.5 VRC from Alice Liddell' });
    expect(await toAlice).toMatchObject({ counterparty: 'names-bob', counterpartyName: 'Customer names-bob', message: 'Payment sent: 12.5 VRC to Customer names-bob' });
    expect((await bobCard).payload).toMatchObject({ counterpartyName: 'Alice Liddell' });
    const page = await request(bob.socket, 'get-notifications', {});
    expect(page.ok && page.notifications[0]!.payment).toMatchObject({ counterpartyName: 'Alice Liddell' });

    // Someone who never connected, named by no event: their id, and null as the name.
    const toCarol = nextEvent(alice.socket, 'payment-event');
    await deliver(t, ws, paymentEvent({ payer: 'names-alice', payee: 'names-carol' }));
    expect(await toCarol).toMatchObject({ counterparty: 'names-carol', counterpartyName: null, message: 'Payment sent: 100 VRC to names-carol' });
  });

  it('never puts the identity token in a receipt URL: each party gets a link to that receipt only, minted again when read', async () => {
    const payer = await customer(ws, 'links-payer');
    const payee = await customer(ws, 'links-payee');
    const started = await request(payee.socket, 'start-conversation', {});
    if (!started.ok) throw new Error(JSON.stringify(started.error));
    const toast = nextEvent(payee.socket, 'payment-event');
    const card = nextEvent(payee.socket, 'message-received', (m) => m.kind === 'payment');
    const res = await deliver(t, ws, paymentEvent({ payer: 'links-payer', payee: 'links-payee', amount: '7' }));
    const receipt = res.body.payment.receipt;
    const live = [await toast, (await card).payload as unknown as PaymentEventDto];
    const page = await request(payee.socket, 'get-notifications', {});
    if (!page.ok) throw new Error(JSON.stringify(page.error));
    const urls = receiptUrls(...live, ...page.notifications.map((n) => n.payment));
    expect(urls).toHaveLength(3);
    for (const url of urls) {
      expect(url).toMatch(new RegExp(`^${receipt.url}\\?k=[^&]+$`));
      expect(url).not.toContain(payee.token);
      const opened = await fetch(url);
      expect(opened.status).toBe(200);
      expect(await opened.text()).toContain('Customer links-payer');
    }
    // The merchant's answer carries no credential at all.
    expect(receipt.url).not.toContain('?');

    // Stored links (expired, or from before links existed) are replaced whenever they are read.
    await t.db.prisma.notification.updateMany({
      where: { workspaceId: ws.id, userId: 'links-payee' },
      data: { data: { ...live[0]!, receiptUrl: `${receipt.url}?k=1.${'A'.repeat(43)}` } as object },
    });
    await t.db.prisma.$executeRaw`UPDATE "Message" SET "payload" = jsonb_set("payload", '{receiptUrl}', to_jsonb(${receipt.url}::text))
      WHERE "conversationId" = ${started.conversation.id}::uuid AND "kind" = 'payment'`;
    const later = await customer(ws, 'links-payee');
    const history = await request(later.socket, 'start-conversation', {});
    const reread = await request(later.socket, 'get-notifications', {});
    if (!history.ok || !reread.ok) throw new Error('read failed');
    const fresh = receiptUrls(
      later.snapshot.notifications[0]!.payment,
      reread.notifications[0]!.payment,
      history.messages.find((m) => m.kind === 'payment')!.payload as unknown as PaymentEventDto,
    );
    expect(fresh).toHaveLength(3);
    for (const url of fresh) expect((await fetch(url)).status).toBe(200);

    // The payer has a link of their own to the same receipt.
    const payerPage = await request(payer.socket, 'get-notifications', { limit: 1 });
    const payerUrl = payerPage.ok ? payerPage.notifications[0]!.payment.receiptUrl! : '';
    expect(payerUrl).toMatch(new RegExp(`^${receipt.url}\\?k=`));
    expect(payerUrl).not.toBe(urls[0]);
    expect((await fetch(payerUrl)).status).toBe(200);
  });
});

describe('offline catch-up and read state', () => {
  let ws: Ws;
  beforeAll(async () => {
    ws = (await seedWorkspace(t, [ORIGIN])).workspace;
  });

  it('gives a customer who was offline their unread notifications when they next join, and syncs reads across devices', async () => {
    const user = 'offline-1';
    await deliver(t, ws, paymentEvent({ payer: 'shopper', payee: user, amount: '1' }));
    await deliver(t, ws, paymentEvent({ payer: user, payee: 'shop', amount: '2' }));
    await deliver(t, ws, paymentEvent({ payer: user, payee: 'shop', amount: '3', type: 'payment.failed', failure: { code: 'declined', message: 'Card declined' } }));

    const phone = await customer(ws, user);
    const snap: NotificationsPage = phone.snapshot;
    expect(snap.unreadCount).toBe(3);
    expect(snap.hasMore).toBe(false);
    expect(snap.notifications.map((n) => [n.read, n.payment.message])).toEqual([
      [false, 'Payment failed: 3 VRC to shop — Card declined'],
      [false, 'Payment sent: 2 VRC to shop'],
      [false, 'Payment received: 1 VRC from shopper'],
    ]);
    expect(snap.notifications.map((n) => n.payment.counterpartyName)).toEqual([null, null, null]);
    expect(snap.notifications[0]!.id).toBe(snap.notifications[0]!.payment.notificationId);

    // Paginated.
    const first = await request(phone.socket, 'get-notifications', { limit: 2 });
    if (!first.ok) throw new Error(JSON.stringify(first.error));
    expect([first.notifications.length, first.hasMore]).toEqual([2, true]);
    const rest = await request(phone.socket, 'get-notifications', { limit: 2, before: first.notifications[1]!.id });
    expect(rest.ok && rest.notifications.map((n) => n.payment.amount)).toEqual(['1']);
    expect(rest.ok && rest.hasMore).toBe(false);

    // Read on one device, the other hears it.
    const laptop = await customer(ws, user);
    expect(laptop.snapshot.unreadCount).toBe(3);
    const synced = nextEvent(laptop.socket, 'notifications-read');
    const marked = await request(phone.socket, 'mark-notifications-read', { ids: [snap.notifications[2]!.id] });
    expect(marked).toEqual({ ok: true, ids: [snap.notifications[2]!.id], all: false, unreadCount: 2 });
    expect(await synced).toEqual({ ids: [snap.notifications[2]!.id], all: false, unreadCount: 2 });
    const unread = await request(laptop.socket, 'get-notifications', { unread: true });
    expect(unread.ok && unread.notifications.map((n) => n.payment.amount)).toEqual(['3', '2']);

    // Marking again is a no-op; "all" clears the rest.
    const again = await request(phone.socket, 'mark-notifications-read', { ids: [snap.notifications[2]!.id] });
    expect(again.ok && again.ids).toEqual([]);
    const syncedAll = nextEvent(laptop.socket, 'notifications-read');
    const all = await request(laptop.socket, 'mark-notifications-read', { all: true });
    expect(all).toEqual({ ok: true, ids: [], all: true, unreadCount: 0 });
    expect((await syncedAll).unreadCount).toBe(0);

    const tomorrow = await customer(ws, user);
    expect(tomorrow.snapshot).toEqual({ unreadCount: 0, notifications: [], hasMore: false });
    const history = await request(tomorrow.socket, 'get-notifications', {});
    expect(history.ok && history.notifications.every((n) => n.read)).toBe(true);
  });

  it('gives visitors nothing, refuses agents, and validates commands', async () => {
    const seed = await seedWorkspace(t, [ORIGIN]);
    const v = await connectSocket(t.url, { auth: { siteKey: seed.workspace.siteKey, visitorToken: await visitorToken(t, seed.workspace.siteKey) }, origin: ORIGIN });
    open.push(v.socket);
    const heard = collect(v.socket, 'notifications');
    await request(v.socket, 'join-user-room', {});
    expect(await request(v.socket, 'get-notifications', {})).toEqual({ ok: true, unreadCount: 0, notifications: [], hasMore: false });
    expect(await request(v.socket, 'mark-notifications-read', { all: true })).toEqual({ ok: true, ids: [], all: true, unreadCount: 0 });
    await quietPeriod(100);
    expect(heard.items).toHaveLength(0);

    const a = await connectSocket(t.url, { auth: { siteKey: seed.workspace.siteKey, agentToken: await agentToken(t, seed.workspace.siteKey, seed.agent.email, seed.password) } });
    open.push(a.socket);
    const refused = await request(a.socket, 'get-notifications', {});
    expect(!refused.ok && refused.error.code).toBe('FORBIDDEN');

    const c = await customer(ws, 'validator');
    for (const bad of [{ limit: 1000 }, { before: 'nope' }, { extra: 1 }]) {
      const r = await request(c.socket, 'get-notifications', bad);
      expect(!r.ok && r.error.code).toBe('VALIDATION_FAILED');
    }
    for (const bad of [{ ids: [] }, { all: false }, {}, { ids: ['x'] }]) {
      const r = await request(c.socket, 'mark-notifications-read', bad);
      expect(!r.ok && r.error.code).toBe('VALIDATION_FAILED');
    }
    // Another user's notification ids are not theirs to mark.
    await deliver(t, ws, paymentEvent({ payer: 'someone', payee: 'someone-else' }));
    const foreign = await t.db.prisma.notification.findFirstOrThrow({ where: { workspaceId: ws.id, userId: 'someone' } });
    const r = await request(c.socket, 'mark-notifications-read', { ids: [foreign.id] });
    expect(r.ok && r.ids).toEqual([]);
    expect((await t.db.prisma.notification.findUniqueOrThrow({ where: { id: foreign.id } })).readAt).toBeNull();
  });
});

needs('postgres', 'redis').describe('two instances (PostgreSQL + Redis)', () => {
  it('an event ingested by one instance toasts a customer connected to the other; duplicates across instances store once', async () => {
    const database = await createTestDatabase();
    const nodes = [
      await startTestApp({ REDIS_URL: process.env.REDIS_URL }, { database }),
      await startTestApp({ REDIS_URL: process.env.REDIS_URL }, { database }),
    ];
    try {
      const [a, b] = nodes as [TestApp, TestApp];
      const { workspace } = await seedWorkspace(a, [ORIGIN]);
      const token = await identityToken(workspace.secret, 'roamer');
      const { socket } = await connectSocket(b.url, { auth: { siteKey: workspace.siteKey, identityToken: token }, origin: ORIGIN });
      open.push(socket);
      await request(socket, 'join-user-room', {});
      const toasts = collect(socket, 'payment-event');
      const event = paymentEvent({ payer: 'roamer', payee: 'shop' });
      const results = await Promise.all([deliver(a, workspace, event), deliver(b, workspace, event), deliver(a, workspace, event), deliver(b, workspace, event)]);
      expect(new Set(results.map((r) => r.text)).size).toBe(1);
      await vi.waitFor(() => expect(toasts.items.length).toBeGreaterThan(0), { timeout: 5_000, interval: 20 });
      // The toast came; a second one (a duplicate fan-out by the other instance) would follow it.
      await quietPeriod(300);
      expect(toasts.items.map((e) => e.message)).toEqual(['Payment sent: 100 VRC to shop']);
      expect(await a.db.prisma.payment.count({ where: { workspaceId: workspace.id } })).toBe(1);
      // One conversation per party and one card in each, though both instances finished the fan-out.
      expect(await a.db.prisma.conversation.count({ where: { workspaceId: workspace.id } })).toBe(2);
      expect(await a.db.prisma.message.count({ where: { kind: 'payment', conversation: { workspaceId: workspace.id } } })).toBe(2);
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
      await database.drop();
    }
  });
});
