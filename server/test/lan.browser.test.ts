// The demo storefront opened from another device on the network, by the server's LAN address over plain
// HTTP: the page must load the widget from where it came from (a Content-Security-Policy with
// upgrade-insecure-requests, or HSTS, would send the browser to an https:// that is not there), and its
// same-origin requests, which carry neither Origin nor Sec-Fetch-Site there, are recognised by their Referer.
import { networkInterfaces } from 'node:os';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../../widget/test/browser.ts';
import { needs } from './support/needs.ts';
import { startTestApp, type TestApp } from './support/app.ts';

/** This machine's first non-loopback IPv4 address: what a phone on the same network would type. */
function lanAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    const found = list?.find((i) => i.family === 'IPv4' && !i.internal);
    if (found) return found.address;
  }
  throw new Error('This machine has no non-loopback IPv4 address to open the storefront by.');
}

needs('chromium').describe('the demo storefront by LAN address over plain HTTP', () => {
  let t: TestApp;
  let browser: Browser;
  beforeAll(async () => {
    t = await startTestApp({}, { host: lanAddress() });
    // The demo workspace, allowing the page's LAN origin (ALLOWED_ORIGINS would, on a real start).
    await t.app.services.workspaces.create({ name: 'Demo Store', allowedOrigins: [t.url], settings: { demo: true } });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('loads the widget and chats', { timeout: 60_000 }, async () => {
    const page = await browser.newPage();
    const upgraded: string[] = [];
    page.on('request', (r) => r.url().startsWith('https:') && upgraded.push(r.url()));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${t.url}/`);
    const launcher = page.getByRole('button', { name: /open chat/i });
    await launcher.waitFor({ state: 'visible', timeout: 20_000 });
    await launcher.click();
    // Nothing written yet: the window opens on the home view, whose "Ask the assistant" leads to the composer.
    await page.locator('verychat-widget').getByRole('button', { name: /^Ask the assistant/ }).click({ timeout: 15_000 });
    const composer = page.getByRole('textbox', { name: 'Type your message' });
    await composer.waitFor({ state: 'visible', timeout: 15_000 });
    await composer.fill('Hello from my phone');
    await composer.press('Enter');
    await expect
      .poll(async () => t.db.prisma.message.count({ where: { text: 'Hello from my phone' } }), { timeout: 20_000 })
      .toBe(1);
    expect(upgraded).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
