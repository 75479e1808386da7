// Two agents at once, in a real browser (Debian chromium via playwright-core) against a real server: agents A
// and B each in their own browser context, one customer (Alice, identified by the demo storefront) in a
// third. What it proves, one `it` per point of issue 10 §12 (they run in order on one shared conversation):
//   1. a handoff reaches BOTH consoles within 2 s: the row in Needs reply, its count, the tab title;
//   2. unread is per agent and comes from the server (the viewer has none, the other has them, after reloads too);
//   3. a claim race (both press "Assign to me" at the same instant): exactly one wins, the other is told who;
//   4. presence: viewers' avatars, "A is replying…", the customer typing, and the collision warning;
//   5. a console that was offline while things changed resyncs to exactly what a freshly loaded page shows;
//   6. status flows (pending, snooze, resolve) live for both, and a customer message reopening them;
//   7. Ctrl+K with a failed payment's transaction hash opens the customer's conversation, the sidebar shows the
//      failure and its reason.
// Note privacy is console.browser.test.ts's.
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { needs } from '../../server/test/support/needs.ts';
import { launchChromium } from '../../widget/test/browser.ts';
import { agentToken, identityToken, seedWorkspace, startTestApp, type TestApp } from '../../server/test/support/app.ts';
import { deliver, paymentEvent } from '../../server/test/payments.support.ts';

const CUSTOMER = 'Alice (user123)';

needs('chromium').describe('two agents in real browsers', { timeout: 90_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let seed: Awaited<ReturnType<typeof seedWorkspace>>;
  let agentB: { id: string; name: string; email: string };
  /** The two consoles (A is seed.agent, "Ada Agent"; B is "Ben Agent") and the customer's storefront page. */
  let A: Console;
  let B: Console;
  let customer: Page;
  let customerBox: Locator;
  /** The conversation everything happens in (Alice's). */
  let conversationId = '';

  interface Console {
    page: Page;
    context: BrowserContext;
    errors: string[];
    name: string;
    id: string;
    email: string;
  }

  beforeAll(async () => {
    // With REDIS_URL (the services pass) the live frames go through the Redis adapter, as in a cluster.
    t = await startTestApp(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {});
    seed = await seedWorkspace(t, [t.url]);
    // The storefront at / is wired to the demo workspace: be it.
    await t.db.prisma.workspace.update({ where: { id: seed.workspace.id }, data: { settings: { demo: true } } });
    const b = await t.app.services.agents.create(seed.workspace.id, { email: 'ben@shop.example', name: 'Ben Agent', password: seed.password });
    agentB = { id: b.agent.id, name: 'Ben Agent', email: 'ben@shop.example' };
    browser = await launchChromium();
    [A, B] = await Promise.all([
      signIn({ id: seed.agent.id, name: 'Ada Agent', email: seed.agent.email }),
      signIn(agentB),
    ]);
  }, 60_000);
  // The steps build on each other: after a failure the rest would only fail for that reason.
  let broken = false;
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') broken = true;
  });
  beforeEach((ctx) => {
    if (broken) ctx.skip();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function signIn(who: { id: string; name: string; email: string }): Promise<Console> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    watchErrors(page, errors);
    await page.goto(`${consoleOrigin()}/support`);
    await page.getByLabel('Email').fill(who.email);
    await page.getByLabel('Password').fill(seed.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await live(page);
    return { page, context, errors, ...who };
  }

  // The console's cookie is set for the server's public origin (PUBLIC_URL: localhost in tests).
  const consoleOrigin = () => t.url.replace('127.0.0.1', 'localhost');

  function watchErrors(page: Page, errors: string[]): void {
    page.on('pageerror', (e) => errors.push(String(e)));
    // A signed-out page asks /agent/me once and gets 401; an offline page's failed fetches are expected too.
    page.on('console', (m) => m.type() === 'error' && !/status of 401|ERR_INTERNET_DISCONNECTED|WebSocket/.test(m.text()) && errors.push(m.text()));
  }

  async function live(page: Page): Promise<void> {
    await page.getByRole('navigation', { name: 'Views' }).waitFor({ timeout: 15_000 });
    await page.getByRole('status').filter({ hasText: /^Live$/ }).waitFor({ timeout: 20_000 });
  }

  const row = (page: Page, id = conversationId) => page.locator(`.row[data-id="${id}"]`);
  const viewButton = (page: Page, name: string) => page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: new RegExp(`^${name}`) });
  const viewCount = async (page: Page, name: string) => ((await viewButton(page, name).locator('.view-count').count()) ? Number(await viewButton(page, name).locator('.view-count').textContent()) : 0);
  const headTag = (page: Page) => page.locator('.thread-head .tag').first();
  const presence = (page: Page) => page.locator('.thread-pane .presence');

  /**
   * The customer writes. Until they have written once, the widget may swap its composer for the help home
   * while identify() settles (it opens on the composer, then shows the home): press "Ask the assistant" again.
   */
  /** The customer writes in the conversation: from the home view through "Ask the assistant", or in the open composer. */
  async function say(text: string): Promise<void> {
    const ask = customer.locator('verychat-widget').getByRole('button', { name: /^Ask the assistant/ });
    await Promise.race([ask.waitFor({ timeout: 15_000 }), customerBox.waitFor({ timeout: 15_000 })]);
    if (await ask.isVisible()) await ask.click();
    await customerBox.fill(text);
    await customerBox.press('Enter');
    await customer.getByRole('log').getByText(text, { exact: true }).waitFor({ timeout: 15_000 });
  }

  async function conversation() {
    return t.db.prisma.conversation.findUniqueOrThrow({ where: { id: conversationId } });
  }

  it('1. a handoff reaches both agents within 2 s: the row in Needs reply, its count and the tab title', async () => {
    // The customer, on the storefront, signed in as the demo's Alice (an identified customer: user123).
    const context = await browser.newContext();
    customer = await context.newPage();
    await customer.goto(`${t.url}/`);
    // Identified as the merchant's backend would (a signed token), and only once the server took it: the
    // chat then shows the customer's own conversation.
    const identity = await identityToken(seed.workspace.secret, 'user123', { name: CUSTOMER });
    await customer.getByRole('button', { name: /open chat/i }).waitFor({ timeout: 15_000 });
    await customer.evaluate((token) => (window as unknown as { VeryChat: (m: string, a: unknown) => Promise<void> }).VeryChat('identify', { token }), identity);
    await customer.getByRole('button', { name: /open chat/i }).click();
    customerBox = customer.getByRole('textbox', { name: 'Type your message' });
    // A first question the assistant answers (it stays the assistant's: not in Needs reply).
    await say('What are your opening hours?');
    const contact = await t.db.prisma.contact.findFirstOrThrow({ where: { workspaceId: seed.workspace.id, externalId: 'user123' } });
    await expect.poll(async () => (await t.db.prisma.conversation.findFirst({ where: { contactId: contact.id } }))?.id ?? '').not.toBe('');
    conversationId = (await t.db.prisma.conversation.findFirstOrThrow({ where: { contactId: contact.id } })).id;
    await expect.poll(async () => (await conversation()).lastSeq, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    for (const a of [A, B]) {
      await live(a.page);
      expect(await viewCount(a.page, 'Needs reply')).toBe(0);
      expect(await row(a.page).count()).toBe(0);
      expect(await a.page.title()).not.toMatch(/^\(\d+\)/);
    }

    // Both consoles are connected and idle: the handoff must show on each within 2 s of the customer's ask
    // being on their screen (the assistant's answer and the switch to a person included).
    await say('I want to talk to a person please');
    await Promise.all(
      [A, B].map(async ({ page }) => {
        await expect.poll(() => row(page).count(), { timeout: 2_000 }).toBe(1);
        await expect.poll(() => viewCount(page, 'Needs reply'), { timeout: 2_000 }).toBe(1);
        await expect.poll(() => page.title(), { timeout: 2_000 }).toMatch(/^\(1\) Support · Test Shop/);
      }),
    );
    const c = await conversation();
    expect(c.mode).toBe('human');
    expect(c.assigneeId).toBeNull();
    for (const a of [A, B]) {
      await expect(row(a.page).locator('.row-name').textContent()).resolves.toBe(CUSTOMER);
      await expect(row(a.page).locator('.row-meta').textContent()).resolves.toContain('Unassigned');
    }
  });

  it('2. unread is per agent and from the server: none for the one viewing, all for the other', async () => {
    await row(A.page).click();
    await A.page.getByRole('log').getByText('I want to talk to a person please').waitFor();
    await say('Hello? My order #1042 never arrived');
    await A.page.getByRole('log').getByText('Hello? My order #1042 never arrived').waitFor({ timeout: 10_000 });
    const lastSeq = (await conversation()).lastSeq;

    // A saw it all (the read mark went to the server); B saw nothing: every message is unread for B.
    await expect.poll(async () => (await t.db.prisma.readCursor.findFirst({ where: { conversationId, participantType: 'agent', participantId: A.id } }))?.lastReadSeq ?? 0, { timeout: 10_000 }).toBe(lastSeq);
    await expect.poll(() => row(B.page).locator('.unread-badge').textContent(), { timeout: 10_000 }).toBe(String(lastSeq));
    expect(await row(A.page).locator('.unread-badge').count()).toBe(0);
    // The tab title's count is the server's per-agent unread: 0 for A, 1 conversation for B.
    await expect.poll(() => A.page.title(), { timeout: 10_000 }).toMatch(/^Support · Test Shop/);
    await expect.poll(() => B.page.title()).toMatch(/^\(1\) Support/);

    // Fresh loads (nothing local survives) say the same: the numbers are the server's.
    for (const a of [A, B]) {
      await a.page.goto(`${consoleOrigin()}/support`);
      await live(a.page);
      await row(a.page).waitFor();
    }
    expect(await row(A.page).locator('.unread-badge').count()).toBe(0);
    expect(await row(B.page).locator('.unread-badge').textContent()).toBe(String(lastSeq));
    expect(await A.page.title()).toMatch(/^Support · Test Shop/);
    expect(await B.page.title()).toMatch(/^\(1\) Support/);
    // Needs reply is shared (the customer still waits for a person), unread is not.
    expect(await viewCount(A.page, 'Needs reply')).toBe(1);
    expect(await viewCount(B.page, 'Needs reply')).toBe(1);
  });

  it('3. a claim race: both press Assign to me at the same instant, exactly one wins and the other is told who', async () => {
    for (const a of [A, B]) {
      await row(a.page).click();
      await a.page.getByRole('log').getByText('Hello? My order #1042 never arrived').waitFor();
      await a.page.getByRole('button', { name: 'Assign to me' }).waitFor();
    }
    // Both clicks at one wall-clock instant (the contexts share the machine's clock): neither console can have
    // heard of the other's claim before sending its own.
    const at = Date.now() + 400;
    await Promise.all(
      [A, B].map(({ page }) =>
        page.evaluate((when) => {
          setTimeout(() => (document.querySelector('button[aria-label="Assign to me"]') as HTMLButtonElement).click(), when - Date.now());
        }, at),
      ),
    );
    await expect.poll(async () => (await conversation()).assigneeId, { timeout: 10_000 }).not.toBeNull();
    // Let both replies (and the live update) land, then check nobody overwrote the first claim.
    const winnerId = (await conversation()).assigneeId;
    const [winner, loser] = winnerId === A.id ? [A, B] : [B, A];
    expect([A.id, B.id]).toContain(winnerId);
    await loser.page.getByRole('alert').filter({ hasText: `${winner.name} took this conversation first.` }).waitFor({ timeout: 10_000 });
    expect((await conversation()).assigneeId).toBe(winnerId);
    expect(await winner.page.getByText('took this conversation first').count()).toBe(0);
    // The row and header show the winner, for both.
    // (.assignee is the avatar's initials, then the name.)
    await expect.poll(() => row(loser.page).locator('.assignee').textContent(), { timeout: 10_000 }).toMatch(new RegExp(`${winner.name}$`));
    await expect.poll(() => row(winner.page).locator('.assignee').textContent(), { timeout: 10_000 }).toMatch(/You$/);
    await expect.poll(() => loser.page.locator('.thread-head .thread-sub').textContent()).toContain(`Assigned to ${winner.name}`);
    await expect.poll(() => winner.page.locator('.thread-head .thread-sub').textContent()).toContain('Assigned to You');
    expect(await winner.page.getByRole('button', { name: 'Assign to me' }).count()).toBe(0);
  });

  it('4. presence: each sees the other viewing, "A is replying…", the customer typing, and the collision warning', async () => {
    // Viewers' avatars, each for the other.
    await A.page.getByRole('group', { name: 'Also viewing: Ben Agent' }).waitFor({ timeout: 10_000 });
    await B.page.getByRole('group', { name: 'Also viewing: Ada Agent' }).waitFor({ timeout: 10_000 });

    // B starts a draft first; then A writes: B sees A replying (never the other way round).
    const bComposer = B.page.getByRole('textbox', { name: 'Reply' });
    await bComposer.fill('Sorry for the wait, Alice: let me check the order.');
    const aComposer = A.page.getByRole('textbox', { name: 'Reply' });
    await aComposer.fill('Hi Alice, I see order #1042');
    await presence(B.page).getByText('Ada Agent is replying…').waitFor({ timeout: 10_000 });
    expect(await presence(A.page).getByText('Ada Agent is replying…').count()).toBe(0);

    // The customer typing shows for both agents (without sending anything).
    await customerBox.fill('one more thing');
    for (const a of [A, B]) await presence(a.page).getByText('Customer is typing…').waitFor({ timeout: 10_000 });
    await customerBox.fill('');

    // A sends; B, whose draft began before A's reply, is warned before anything goes out.
    await aComposer.press('Enter');
    await customer.getByRole('log').getByText('Hi Alice, I see order #1042', { exact: true }).waitFor({ timeout: 10_000 });
    await B.page.getByRole('log').getByText('Hi Alice, I see order #1042').waitFor({ timeout: 10_000 });
    await expect.poll(() => presence(B.page).getByText('Ada Agent is replying…').count(), { timeout: 10_000 }).toBe(0);
    const before = (await conversation()).lastSeq;
    await bComposer.press('Enter');
    await B.page.getByRole('alert').filter({ hasText: 'Ada Agent replied while you were writing. Read it before sending?' }).waitFor();
    expect(await bComposer.inputValue()).toBe('Sorry for the wait, Alice: let me check the order.');
    expect((await conversation()).lastSeq).toBe(before);
    expect(await t.db.prisma.message.count({ where: { conversationId, text: { startsWith: 'Sorry for the wait' } } })).toBe(0);
    // Having read it, B sends anyway: now it goes.
    await B.page.getByRole('button', { name: 'Send anyway' }).click();
    await customer.getByRole('log').getByText('Sorry for the wait, Alice: let me check the order.', { exact: true }).waitFor({ timeout: 10_000 });
    await A.page.getByRole('log').getByText('Sorry for the wait, Alice: let me check the order.').waitFor({ timeout: 10_000 });
  });

  /** What a console shows: the open view's rows in order, every view's count, the title, the open thread. */
  async function snapshot(page: Page) {
    return page.evaluate(() => ({
      rows: [...document.querySelectorAll<HTMLElement>('.list-pane .row[data-id]')].map((r) => ({
        id: r.dataset.id,
        preview: r.querySelector('.row-preview')?.textContent,
        meta: r.querySelector('.row-meta')?.textContent,
      })),
      counts: [...document.querySelectorAll('nav .view')].map((v) => v.textContent),
      listCount: document.querySelector('.list-pane .count-badge')?.textContent,
      title: document.title,
      head: document.querySelector('.thread-head .thread-sub')?.textContent,
      thread: [...document.querySelectorAll('.messages [data-key]')].map((m) => m.querySelector('.text, .msg-system')?.textContent?.replace(/ · .*$/, '')),
    }));
  }

  it('5. a console offline while things changed resyncs to exactly what a fresh load shows', async () => {
    await viewButton(B.page, 'All open').click();
    await row(B.page).waitFor();
    await live(B.page);
    // B drops off: the network goes away and the server loses B's socket (no reconnect can succeed meanwhile).
    await B.context.setOffline(true);
    // Shown from the browser's own offline event, before anything on the socket notices (its heartbeat: 40 s).
    await B.page.getByRole('status').filter({ hasText: 'Offline' }).waitFor({ timeout: 3_000 });
    for (const s of t.app.io.of('/').sockets.values()) if ((s.data as { principal?: { agentId?: string } }).principal?.agentId === B.id) s.conn.close();

    // Meanwhile: a customer message, the assignment moves, the status changes, and a second conversation
    // (another customer, started by A) appears.
    await say('Also, can I change the delivery address?');
    const steal = A.page.getByRole('button', { name: 'Assign to me' });
    if (await steal.isVisible()) await steal.click();
    await A.page.locator('.thread-head .thread-sub').getByText('Assigned to You').waitFor({ timeout: 10_000 });
    await A.page.getByRole('textbox', { name: 'Reply' }).fill('Yes: which address?');
    await A.page.getByRole('textbox', { name: 'Reply' }).press('Enter');
    await A.page.getByRole('log').getByText('Yes: which address?').waitFor({ timeout: 10_000 });
    await A.page.getByRole('button', { name: 'Mark pending' }).click();
    await headTag(A.page).getByText('Pending').waitFor({ timeout: 10_000 });
    await fetch(`${t.url}/api/v1/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await agentToken(t, seed.workspace.siteKey, A.email, seed.password)}` },
      body: JSON.stringify({ externalId: 'user456', text: 'Hi Bob, about your refund', clientMessageId: 'start-bob-1' }),
    }).then((r) => expect(r.status).toBeLessThan(300));
    await A.page.getByRole('log').getByText('Yes: which address?').waitFor();
    // Still offline: B heard none of it live.
    expect(await B.page.getByRole('status').textContent()).toMatch(/Offline/);
    expect(await B.page.getByRole('log').getByText('Also, can I change the delivery address?').count()).toBe(0);

    await B.context.setOffline(false);
    await live(B.page);
    const fresh = await B.context.newPage();
    watchErrors(fresh, B.errors);
    await fresh.goto(B.page.url());
    await live(fresh);
    await fresh.getByRole('log').getByText('Yes: which address?').waitFor({ timeout: 10_000 });
    // The resynced console equals the fresh one: rows (ids, order, preview, tags, assignee, unread), counts,
    // title, the thread's header and every message of it.
    await expect.poll(async () => JSON.stringify(await snapshot(B.page)), { timeout: 10_000 }).toBe(JSON.stringify(await snapshot(fresh)));
    const snap = await snapshot(B.page);
    expect(snap.rows.map((r) => r.id)).toContain(conversationId);
    expect(snap.rows.length).toBe(2);
    expect(snap.head).toContain('Assigned to Ada Agent');
    expect(snap.thread).toContain('Also, can I change the delivery address?');
    expect(snap.thread).toContain('Yes: which address?');
    await fresh.close();
  });

  it('6. status flows live for both: pending, snooze, resolve, and a customer message reopens', async () => {
    // Pending (set in 5): a customer message reopens it, live for both.
    for (const a of [A, B]) await headTag(a.page).getByText('Pending').waitFor({ timeout: 10_000 });
    await say('The new address is 12 Harbour Road');
    for (const a of [A, B]) await headTag(a.page).getByText('Open', { exact: true }).waitFor({ timeout: 10_000 });

    // Snooze until the customer writes: snoozed for both; their message wakes it, for both.
    await A.page.getByRole('button', { name: 'Snooze', exact: true }).click();
    await A.page.getByRole('menuitem', { name: 'Until the customer writes' }).click();
    for (const a of [A, B]) await headTag(a.page).getByText('Snoozed').waitFor({ timeout: 10_000 });
    await expect.poll(() => row(B.page).count()).toBe(0); // gone from B's "All open"
    await say('Any news?');
    for (const a of [A, B]) await headTag(a.page).getByText('Open', { exact: true }).waitFor({ timeout: 10_000 });
    await row(B.page).waitFor({ timeout: 10_000 });

    // Resolve: resolved for both; the customer writing again reopens it live (back with the assistant).
    await A.page.getByRole('button', { name: 'Resolve', exact: true }).click();
    for (const a of [A, B]) await headTag(a.page).getByText('Resolved').waitFor({ timeout: 10_000 });
    await expect.poll(() => row(B.page).count()).toBe(0);
    expect((await conversation()).status).toBe('resolved');
    await say('Sorry, one last question about my order');
    for (const a of [A, B]) await expect.poll(() => headTag(a.page).textContent(), { timeout: 10_000 }).not.toBe('Resolved');
    await row(B.page).waitFor({ timeout: 10_000 });
    expect((await conversation()).status).toBe('open');
    for (const a of [A, B]) await a.page.getByRole('log').getByText('Sorry, one last question about my order').waitFor({ timeout: 10_000 });
  });

  it('7. Ctrl+K with a failed payment\'s transaction hash opens the conversation; the sidebar shows the failure and why', async () => {
    const txHash = `0x${'7f3a9c'.repeat(10)}beef`;
    const res = await deliver(t, seed.workspace, paymentEvent({
      type: 'payment.failed',
      amount: '42.5',
      payer: 'user123',
      payee: 'user456',
      txHash,
      failure: { code: 'insufficient_funds', message: 'Insufficient balance in the wallet.' },
    }));
    expect(res.status).toBeLessThan(300);

    // A is elsewhere (no thread open), then searches by the hash's first characters.
    await A.page.goto(`${consoleOrigin()}/support?view=open`);
    await live(A.page);
    await A.page.keyboard.press('Control+k');
    const search = A.page.getByRole('combobox', { name: 'Search the workspace' });
    await search.fill(txHash.slice(0, 16));
    const hit = A.page.getByRole('option').filter({ hasText: 'Alice' }).filter({ hasText: '42.5 VRC' });
    await hit.waitFor({ timeout: 10_000 });
    await hit.click();
    await expect.poll(() => A.page.url()).toContain(`/support/c/${conversationId}`);
    await A.page.getByRole('log').getByText('Sorry, one last question about my order').waitFor({ timeout: 10_000 });
    const sidebar = A.page.getByRole('complementary', { name: 'Customer' });
    const payment = sidebar.locator('.payment.st-failed');
    await payment.waitFor({ timeout: 10_000 });
    await expect(payment.textContent()).resolves.toContain('42.5 VRC');
    await expect(payment.locator('.pay-reason').textContent()).resolves.toMatch(/Insufficient balance in the wallet\..*insufficient_funds/);
    await expect(payment.locator('.tx code').getAttribute('title')).resolves.toBe(txHash);

    expect(A.errors).toEqual([]);
    expect(B.errors).toEqual([]);
  });
});
