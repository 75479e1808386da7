// Screenshots of the console for review, and a scale check (not a test): `npx tsx console/test/screenshots.ts`.
// Seeds a workspace with named customers, payments (failed, pending, succeeded), notes, 2,000 filler
// conversations and one thread of 5,000 messages, then writes /tmp/console-shots/*.png and prints the longest
// main-thread tasks while scrolling the list and opening the long thread.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { launchChromium } from '../../widget/test/browser.ts';
import { startTestApp, seedWorkspace } from '../../server/test/support/app.ts';
import { deliver, paymentEvent } from '../../server/test/payments.support.ts';

const OUT = process.env.SHOTS_DIR ?? '/tmp/console-shots';
mkdirSync(OUT, { recursive: true });
const t = await startTestApp({ RATE_LIMIT_MULTIPLIER: '1000' });
const seed = await seedWorkspace(t, [t.url]);
const prisma = t.db.prisma;
const ws = await prisma.workspace.update({ where: { id: seed.workspace.id }, data: { name: 'Northwind Goods', settings: { demo: true } } });
const ana = await t.app.services.agents.create(ws.id, { email: 'ana@northwind.example', name: 'Ana Ruiz', password: 'correct horse battery staple' });
const now = Date.now();
const ago = (min: number) => new Date(now - min * 60_000);

async function conversation(opts: {
  name: string | null;
  email?: string;
  externalId?: string;
  mode?: 'ai' | 'human';
  status?: 'open' | 'pending' | 'snoozed' | 'resolved';
  assignee?: string | null;
  handoff?: string;
  messages: [who: 'contact' | 'agent' | 'assistant' | 'ana', text: string, minAgo: number][];
}) {
  const contact = await prisma.contact.upsert({
    where: { workspaceId_externalId: { workspaceId: ws.id, externalId: opts.externalId ?? `anon-${randomUUID()}` } },
    update: {},
    create: { workspaceId: ws.id, externalId: opts.externalId ?? null, visitorId: opts.externalId ? null : randomUUID(), name: opts.name, email: opts.email ?? null, createdAt: ago(60 * 24 * 40) },
  });
  const msgs = opts.messages;
  const last = msgs.at(-1)!;
  const lastContact = [...msgs].reverse().find((m) => m[0] === 'contact');
  const waiting = last[0] === 'contact' && (opts.status ?? 'open') === 'open' ? ago(msgs.filter((m) => m[0] === 'contact').reverse().reduce((a, m, i, arr) => (i === 0 || arr[i - 1] ? m[2] : a), last[2])) : null;
  const c = await prisma.conversation.create({
    data: {
      workspaceId: ws.id,
      contactId: contact.id,
      status: opts.status ?? 'open',
      mode: opts.mode ?? 'human',
      assigneeId: opts.assignee ?? null,
      handoffAt: opts.handoff ? ago(msgs[0]![2] - 1) : null,
      handoffReason: opts.handoff ?? null,
      lastSeq: msgs.length,
      lastMessageAt: ago(last[2]),
      waitingSince: waiting,
      lastCustomerMessageAt: lastContact ? ago(lastContact[2]) : null,
      resolvedAt: opts.status === 'resolved' ? ago(last[2]) : null,
      snoozedUntil: opts.status === 'snoozed' ? new Date(now + 3_600_000 * 20) : null,
      createdAt: ago(msgs[0]![2] + 1),
    },
  });
  await prisma.message.createMany({
    data: msgs.map(([who, text, min], i) => ({
      conversationId: c.id,
      workspaceId: c.workspaceId,
      seq: i + 1,
      clientMessageId: randomUUID(),
      senderType: who === 'ana' ? 'agent' : who,
      senderId: who === 'agent' ? seed.agent.id : who === 'ana' ? ana.agent.id : who === 'contact' ? contact.id : null,
      text,
      createdAt: ago(min),
    })),
  });
  return c;
}

const maya = await conversation({
  name: 'Maya Chen',
  email: 'maya.chen@example.com',
  externalId: 'user_maya',
  handoff: 'customer-asked',
  assignee: seed.agent.id,
  messages: [
    ['contact', 'Hi, I tried to pay for my order yesterday and it says failed.', 60 * 26],
    ['assistant', 'I can see a failed payment of 249.90 VRC on your account. No money left your wallet. Would you like to try again or talk to a person?', 60 * 26 - 1],
    ['contact', 'A person please. I was charged twice last month too.', 60 * 26 - 2],
    ['agent', 'Hi Maya, I’m Ada from Northwind. Let me check both payments for you.', 60 * 25],
    ['contact', 'Thanks. The order number is NW-20931.', 38],
    ['contact', 'Is it going to go through today? I need it before the weekend 🙏', 12],
  ],
});
await conversation({ name: 'Jonas Weber', email: 'jonas@weber.de', externalId: 'user_jonas', handoff: 'offer-accepted', messages: [['contact', 'My refund for order NW-19877 hasn’t arrived yet', 95], ['contact', 'Can someone check? It’s been 10 days.', 52]] });
await conversation({ name: 'Priya Natarajan', email: 'priya.n@example.org', externalId: 'user_priya', messages: [['contact', 'How do I change the shipping address on an order that already shipped?', 31]] });
await conversation({ name: null, messages: [['contact', 'do you ship to Canada?', 7], ['assistant', 'Yes! We ship to Canada in 5–8 business days. Shipping is free over 80 VRC.', 7]], mode: 'ai' });
await conversation({ name: 'Lucas Martins', email: 'lucas@martins.br', externalId: 'user_lucas', mode: 'ai', messages: [['contact', 'What’s your return policy for sale items?', 4], ['assistant', 'Sale items can be returned within 14 days, unused and with tags.', 4]] });
await conversation({ name: 'Sofía Herrera', email: 'sofia@herrera.mx', externalId: 'user_sofia', assignee: ana.agent.id, messages: [['contact', 'El pago con la tarjeta no funciona', 140], ['ana', 'Hola Sofía, ¿qué mensaje de error te aparece?', 120], ['contact', 'Dice "insufficient funds" pero tengo saldo', 18]] });
await conversation({ name: 'Tom Becker', email: 'tom.b@example.com', externalId: 'user_tom', status: 'pending', assignee: seed.agent.id, messages: [['contact', 'The discount code SPRING20 doesn’t work', 300], ['agent', 'It should work now — could you try again and let me know?', 280]] });
await conversation({ name: 'Emma Laurent', email: 'emma@laurent.fr', externalId: 'user_emma', status: 'snoozed', assignee: seed.agent.id, messages: [['contact', 'I’ll send the photos of the damaged item tomorrow', 600]] });
await conversation({ name: 'Noah Kim', email: 'noah.kim@example.com', externalId: 'user_noah', status: 'resolved', messages: [['contact', 'Got it, thanks!', 900], ['agent', 'Anytime, Noah!', 899]] });
await conversation({ name: 'Aisha Bello', email: 'aisha@bello.ng', externalId: 'user_aisha', messages: [['contact', 'Where can I download my receipt for the last payment?', 3]] });

// Payments of Maya's: a failed one, a pending one, a succeeded one (each posts its card into her conversation).
const tx = '0x9f2c4be17a0d3e55c1b8a4f6e2d7c9b0a1f3e5d7c9b1a3f5e7d9c1b3a5f7e9d1';
await deliver(t, ws, paymentEvent({ type: 'payment.succeeded', reference: 'ord_NW-20411', amount: '89.50', payer: 'user_maya', payee: 'northwind', payeeName: 'Northwind Goods', txHash: '0x1b2c3d4e5f60718293a4b5c6d7e8f9012', occurredAt: ago(60 * 24 * 12).toISOString() }));
await deliver(t, ws, paymentEvent({ type: 'payment.pending', reference: 'ord_NW-20977', amount: '12.00', payer: 'user_maya', payee: 'northwind', payeeName: 'Northwind Goods', occurredAt: ago(50).toISOString() }));
await deliver(
  t,
  ws,
  paymentEvent({ type: 'payment.failed', reference: 'ord_NW-20931', amount: '249.90', payer: 'user_maya', payee: 'northwind', payeeName: 'Northwind Goods', txHash: tx, failure: { code: 'insufficient_funds', message: 'The wallet did not have enough VRC to cover the payment and network fee.' }, occurredAt: ago(60 * 25.5).toISOString() }),
);
// A note on Maya's conversation.
await prisma.conversationNote.create({ data: { conversationId: maya.id, workspaceId: ws.id, agentId: ana.agent.id, clientNoteId: randomUUID(), afterSeq: 4, text: 'She was double-charged in March (refund #R-1182 went out). Be extra careful here.', createdAt: ago(60 * 24) } }).catch((e) => console.warn('note seed:', e.message));

// Scale: 2,000 filler conversations and one thread of 5,000 messages.
const filler = await prisma.contact.create({ data: { workspaceId: ws.id, externalId: 'user_filler', name: 'Load Test' } });
for (let b = 0; b < 4; b++) {
  await prisma.conversation.createMany({
    data: Array.from({ length: 500 }, (_, i) => ({ workspaceId: ws.id, contactId: filler.id, status: 'resolved' as const, mode: 'human' as const, lastSeq: 1, lastMessageAt: ago(60 * 24 * 3 + b * 500 + i), resolvedAt: ago(60 * 24 * 3 + b * 500 + i), createdAt: ago(60 * 24 * 4) })),
  });
}
const fillerIds = await prisma.conversation.findMany({ where: { contactId: filler.id }, select: { id: true, resolvedAt: true } });
await prisma.message.createMany({ data: fillerIds.map((c) => ({ conversationId: c.id, workspaceId: ws.id, seq: 1, clientMessageId: randomUUID(), senderType: 'contact' as const, senderId: filler.id, text: 'Load test conversation', createdAt: c.resolvedAt! })) });
const long = await conversation({ name: 'Long Thread', externalId: 'user_long', status: 'resolved', messages: [['contact', 'start', 60 * 24 * 5]] });
await prisma.message.createMany({
  data: Array.from({ length: 4999 }, (_, i) => ({ conversationId: long.id, workspaceId: long.workspaceId, seq: i + 2, clientMessageId: randomUUID(), senderType: i % 3 ? ('contact' as const) : ('agent' as const), text: `Message ${i + 2}: ${'lorem ipsum dolor sit amet '.repeat(1 + (i % 4))}`, createdAt: ago(60 * 24 * 5 - i / 20) })),
});
await prisma.conversation.update({ where: { id: long.id }, data: { lastSeq: 5000 } });

const base = t.url.replace('127.0.0.1', 'localhost');
const browser = await launchChromium();

async function agentPage(opts: { width?: number; height?: number; dark?: boolean; locale?: string } = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: opts.width ?? 1440, height: opts.height ?? 900 }, colorScheme: opts.dark ? 'dark' : 'light', deviceScaleFactor: 1 });
  if (opts.locale) await context.addInitScript((l) => localStorage.setItem('verychat-console-locale', l), opts.locale);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('pageerror', e));
  await page.goto(`${base}/support`);
  await page.locator('input[name=email]').fill(seed.agent.email);
  await page.locator('input[name=password]').fill(seed.password);
  await page.locator('button[type=submit]').click();
  await page.locator('.conn-online').waitFor({ state: 'attached', timeout: 15_000 });
  return page;
}

const shot = (page: Page, name: string) => page.screenshot({ path: `${OUT}/${name}.png` });

{
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/support`);
  await page.locator('input[name=email]').waitFor();
  await shot(page, 'signin');
  await context.close();
}

const page = await agentPage();
await page.locator('.row').first().waitFor();
await page.waitForTimeout(300);
await shot(page, 'inbox');
await page.getByRole('button', { name: /^All open/ }).click();
await page.locator('.row', { has: page.locator('.row-name', { hasText: 'Maya Chen' }) }).click();
await page.locator('.payment').first().waitFor({ timeout: 10_000 });
await page.waitForTimeout(400);
await shot(page, 'thread');
await page.getByRole('textbox', { name: 'Reply' }).fill('/pay');
await page.waitForTimeout(200);
await shot(page, 'canned');
await page.getByRole('textbox', { name: 'Reply' }).fill('');
await page.keyboard.press('Escape');
await page.keyboard.press('Control+k');
await page.getByRole('combobox').fill(tx.slice(0, 12));
await page.locator('.hit').first().waitFor({ timeout: 10_000 }).catch(() => undefined);
await page.waitForTimeout(300);
await shot(page, 'search');
await page.keyboard.press('Escape');
await page.locator('body').click({ position: { x: 5, y: 890 } });
await page.keyboard.press('?');
await page.waitForTimeout(200);
await shot(page, 'help');
await page.keyboard.press('Escape');

// Scale: scroll 2,000 resolved rows; open the 5,000-message thread; record long tasks.
await page.evaluate(() => {
  (window as unknown as { __long: number[] }).__long = [];
  new PerformanceObserver((l) => l.getEntries().forEach((e) => (window as unknown as { __long: number[] }).__long.push(Math.round(e.duration)))).observe({ type: 'longtask', buffered: false });
});
await page.getByRole('button', { name: /^Resolved/ }).click();
await page.locator('.row').first().waitFor();
const list = page.locator('.list-scroll');
for (let i = 0; i < 60; i++) {
  await list.hover();
  await page.mouse.wheel(0, 1500);
  await page.waitForTimeout(30);
}
const rowsLoaded = await page.evaluate(() => document.querySelector('.list-inner')?.getBoundingClientRect().height ?? 0);
const listLong = await page.evaluate(() => (window as unknown as { __long: number[] }).__long.splice(0));
await page.goto(`${base}/support/c/${long.id}`);
await page.locator('.msg').first().waitFor();
await page.evaluate(() => {
  (window as unknown as { __long: number[] }).__long = [];
  new PerformanceObserver((l) => l.getEntries().forEach((e) => (window as unknown as { __long: number[] }).__long.push(Math.round(e.duration)))).observe({ type: 'longtask', buffered: true });
});
const msgs = page.locator('.messages');
for (let i = 0; i < 40; i++) {
  await msgs.hover();
  await page.mouse.wheel(0, -3000);
  await page.waitForTimeout(60);
}
const threadLong = await page.evaluate(() => (window as unknown as { __long: number[] }).__long.splice(0));
const domMessages = await page.locator('.msg').count();
console.log(JSON.stringify({ listHeightPx: rowsLoaded, listLongTasksMs: listLong, threadLongTasksMs: threadLong, messagesInDom: domMessages }));
await page.context().close();

const es = await agentPage({ locale: 'es' });
await es.getByRole('button', { name: /^Todas abiertas/ }).click();
await es.locator('.row', { has: es.locator('.row-name', { hasText: 'Maya Chen' }) }).click();
await es.locator('.payment').first().waitFor({ timeout: 10_000 });
await es.waitForTimeout(300);
await shot(es, 'es');
await es.context().close();

const dark = await agentPage({ dark: true });
await dark.getByRole('button', { name: /^All open/ }).click();
await dark.locator('.row', { has: dark.locator('.row-name', { hasText: 'Maya Chen' }) }).click();
await dark.locator('.payment').first().waitFor({ timeout: 10_000 });
await dark.waitForTimeout(300);
await shot(dark, 'dark');
await dark.context().close();

const narrow = await agentPage({ width: 1024, height: 768 });
await narrow.getByRole('button', { name: /^All open/ }).click();
await narrow.locator('.row', { has: narrow.locator('.row-name', { hasText: 'Maya Chen' }) }).click();
await narrow.waitForTimeout(400);
await shot(narrow, 'tablet');
await narrow.context().close();

const phone = await agentPage({ width: 390, height: 844 });
await phone.locator('.row').first().waitFor();
await shot(phone, 'phone-list');
await phone.locator('.row', { has: phone.locator('.row-name', { hasText: 'Maya Chen' }) }).click();
await phone.waitForTimeout(400);
await shot(phone, 'phone-thread');
await phone.context().close();

await browser.close();
await t.close();
console.log(`screenshots in ${OUT}`);
