// Payments in a real browser (Debian chromium driven by playwright-core) against a real server, with
// the built bundles: the storefront's script tag, a customer identified through the JS API, signed
// payment events from the "merchant backend", toasts with the chat closed, the receipt page, the
// bell and read state following from one tab to another. Also: anonymous page views download
// neither socket.io-client nor the payments chunk.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { needs } from '../../server/test/support/needs.ts';
import { launchChromium } from './browser.ts';
import { deliver, paymentEvent } from '../../server/test/payments.support.ts';
import { identityToken, seedWorkspace, startTestApp, type TestApp } from '../../server/test/support/app.ts';
import { REPO_ROOT } from '../../server/paths.ts';

type Win = Window & { VeryChat: (method: string, ...args: unknown[]) => Promise<unknown> };

needs('chromium').describe('payments in a real browser', { timeout: 60_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let seed: Awaited<ReturnType<typeof seedWorkspace>>;

  beforeAll(async () => {
    t = await startTestApp();
    seed = await seedWorkspace(t, [t.url]);
    // The storefront at / is wired to the demo workspace (settings.demo, which only bootstrap writes): be it.
    await t.db.prisma.workspace.update({ where: { id: seed.workspace.id }, data: { settings: { demo: true } } });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** The storefront; `user` signs in through the JS API, as a storefront with its own login would. */
  async function storefront(context: BrowserContext, user?: string): Promise<{ page: Page; errors: string[]; scripts: string[]; token?: string }> {
    const page = await context.newPage();
    const errors: string[] = [];
    const scripts: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => r.resourceType() === 'script' && scripts.push(new URL(r.url()).pathname));
    await page.goto(`${t.url}/`);
    if (!user) return { page, errors, scripts };
    const token = await identityToken(seed.workspace.secret, user);
    await page.waitForFunction(() => typeof (window as unknown as Win).VeryChat === 'function');
    await page.evaluate((tk) => (window as unknown as Win).VeryChat('identify', { token: tk }), token);
    return { page, errors, scripts, token };
  }

  const shadow = (page: Page) => page.locator('verychat-widget');
  const toasts = (page: Page) => shadow(page).locator('.vc-toast');

  it('anonymous page views load neither socket.io-client nor the payments chunk', async () => {
    const context = await browser.newContext();
    const { page, scripts, errors } = await storefront(context);
    await page.getByRole('button', { name: /open chat/i }).waitFor({ timeout: 15_000 });
    await page.waitForTimeout(500);
    expect(scripts.some((s) => /\/app\.[0-9a-z]+\.js$/.test(s))).toBe(true);
    expect(scripts.filter((s) => /\/(sio|payments)\.[0-9a-z]+\.js$/.test(s))).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('an identified customer gets a toast with the chat closed: exact amount, the payer’s name, a receipt link without the identity token', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const { page, scripts, errors, token } = await storefront(context, 'buyer-1');
    await expect.poll(() => scripts.filter((s) => /\/(sio|payments)\.[0-9a-z]+\.js$/.test(s)).length, { timeout: 15_000 }).toBe(2);
    // Joined the user room: wait for the bell's data to be there (the widget says so through the API).
    await expect.poll(() => page.evaluate(() => (window as unknown as Win).VeryChat('getNotifications')), { timeout: 15_000 }).toMatchObject({ unreadCount: 0 });

    const res = await deliver(
      t,
      seed.workspace,
      paymentEvent({ payer: 'seller-9', payerName: 'Nine Seller', payee: 'buyer-1', amount: '123456789012345678901234567890.000000000000000001' }),
    );
    expect(res.status).toBeLessThan(300);
    const toast = toasts(page).first();
    await toast.waitFor({ timeout: 20_000 });
    expect(await shadow(page).locator('[role="dialog"]').count()).toBe(0);
    await expect.poll(() => toast.locator('[role="status"]').textContent()).toBe('Payment received123,456,789,012,345,678,901,234,567,890.000000000000000001 VRC from Nine Seller');
    // The receipt link (this receipt, this customer, for a while) and the widget's language; never the identity token.
    const href = (await toast.locator('a').getAttribute('href'))!;
    expect(href).toMatch(new RegExp(`^${t.url}/receipts/[0-9a-f-]{36}\\?k=[0-9a-z]+\\.[A-Za-z0-9_-]{43}&lang=en$`));
    expect(href).not.toContain(token!);
    const receipt = await page.request.get(href);
    expect(receipt.status()).toBe(200);
    const html = await receipt.text();
    expect(html).toContain('123,456,789,012,345,678,901,234,567,890.000000000000000001 VRC');
    expect(html).toContain('Nine Seller');
    // The API hands the host page the same kind of link.
    const listed = (await page.evaluate(() => (window as unknown as Win).VeryChat('getNotifications'))) as { notifications: { payment: { receiptUrl: string; counterpartyName: string } }[] };
    expect(listed.notifications[0]!.payment).toMatchObject({ counterpartyName: 'Nine Seller', receiptUrl: expect.stringMatching(/\?k=/) });
    expect(JSON.stringify(listed)).not.toContain(token!);

    // The toast is really drawn, above the launcher, and clickable.
    const box = await toast.boundingBox();
    expect(box && box.width).toBeGreaterThan(200);
    const launcher = await page.getByRole('button', { name: /open chat/i }).boundingBox();
    expect(box!.y + box!.height).toBeLessThanOrEqual(launcher!.y);
    // It leaves by itself after ~6 s.
    await toast.waitFor({ state: 'detached', timeout: 10_000 });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('reading in one tab clears the bell in the other; the payment card is in the chat', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const a = await storefront(context, 'buyer-2');
    const b = await storefront(context, 'buyer-2');
    for (const { page } of [a, b]) {
      await expect.poll(() => page.evaluate(() => (window as unknown as Win).VeryChat('getNotifications')), { timeout: 15_000 }).toMatchObject({ unreadCount: 0 });
    }
    expect((await deliver(t, seed.workspace, paymentEvent({ payer: 'buyer-2', payee: 'shop-1', amount: '25.5', memo: '<b>Order #7</b>' }))).status).toBeLessThan(300);
    // Both at once: waiting for one tab first could outlast the other tab's toast (it leaves after ~6 s).
    await Promise.all([a, b].map(({ page }) => toasts(page).first().waitFor({ timeout: 15_000 })));

    // Tab B: open the chat; the bell says one unread; the conversation holds the payment card.
    await b.page.getByRole('button', { name: /open chat/i }).click();
    const bellB = b.page.locator('verychat-widget').getByRole('button', { name: /^Notifications/ });
    await expect.poll(() => bellB.getAttribute('aria-label'), { timeout: 10_000 }).toBe('Notifications, 1 unread');
    const card = shadow(b.page).locator('.vc-card');
    await card.waitFor({ timeout: 20_000 });
    expect(await card.locator('.vc-card-memo').textContent()).toBe('<b>Order #7</b>');
    expect(await card.locator('.vc-amount').textContent()).toBe('25.5 VRC');

    // Tab A: open the list from the bell and mark all read.
    await a.page.getByRole('button', { name: /open chat/i }).click();
    await a.page.locator('verychat-widget').getByRole('button', { name: /^Notifications/ }).click();
    await a.page.getByRole('button', { name: 'Mark all as read' }).click();
    await expect.poll(() => bellB.getAttribute('aria-label'), { timeout: 10_000 }).toBe('Notifications');
    expect([...a.errors, ...b.errors]).toEqual([]);
    await context.close();
  });
  it('the example merchant backend’s events make toasts appear in the storefront', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    // Bob (user456) is the payee of the example's success and the payer of its failure.
    const bob = await storefront(context, 'user456');
    await expect.poll(() => bob.page.evaluate(() => (window as unknown as Win).VeryChat('getNotifications')), { timeout: 15_000 }).toMatchObject({ unreadCount: 0 });
    const env: NodeJS.ProcessEnv = { ...process.env, VERYCHAT_URL: t.url, VERYCHAT_SITE_KEY: seed.workspace.siteKey, VERYCHAT_SECRET: seed.workspace.secret };
    delete env.VERYCHAT_AGENT_EMAIL; // no agent reply step here
    const { stdout } = await promisify(execFile)(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['examples/merchant-backend/index.ts'], { cwd: REPO_ROOT, env, timeout: 60_000 });
    expect(stdout).toMatch(/payment\.succeeded +100 VRC user123 → user456: HTTP 201/);
    const texts = () => toasts(bob.page).locator('[role="status"], [role="alert"]').allTextContents();
    await expect.poll(texts, { timeout: 20_000 }).toEqual(
      expect.arrayContaining([expect.stringContaining('100 VRC from user123'), expect.stringContaining('25.5 VRC to user123')]),
    );
    // The redelivery the example sends notified nobody twice.
    const unread = (await bob.page.evaluate(() => (window as unknown as Win).VeryChat('getNotifications'))) as { unreadCount: number };
    expect(unread.unreadCount).toBe(2);
    expect(bob.errors).toEqual([]);
    await context.close();
  });
});
