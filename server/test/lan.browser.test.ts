// The demo storefront opened from another device on the network, by the server's LAN address over plain
// HTTP, through the real start-up (the bundle `npm start` runs, listening on every interface): start-up lets
// the demo workspace allow its LAN origins and prints them; the page must load the widget from where it came
// from (a Content-Security-Policy with upgrade-insecure-requests, or HSTS, would send the browser to an
// https:// that is not there), and its same-origin requests, which carry neither Origin nor Sec-Fetch-Site
// there, are recognised by their Referer.
import { mkdtemp, rm } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../../widget/test/browser.ts';
import { needs } from './support/needs.ts';
import { spawnServer, stopServer, type ServerProcess } from './support/server-process.ts';

/** This machine's first non-loopback IPv4 address: what a phone on the same network would type. */
function lanAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    const found = list?.find((i) => i.family === 'IPv4' && !i.internal);
    if (found) return found.address;
  }
  throw new Error('This machine has no non-loopback IPv4 address to open the storefront by.');
}

needs('chromium').describe('the demo storefront by LAN address over plain HTTP', () => {
  let server: ServerProcess;
  let dataDir: string;
  let local: string;
  let browser: Browser;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'verychat-lan-'));
    // As `npm start` runs on a laptop: development (demo on), every interface, the embedded database.
    server = spawnServer({ NODE_ENV: 'development', HOST: '0.0.0.0', PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
    local = await server.ready;
    browser = await launchChromium();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    if (server) await stopServer(server.child);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('start-up prints the LAN address, and the page there loads the widget and chats', { timeout: 60_000 }, async () => {
    const port = new URL(local).port;
    const lan = `http://${lanAddress()}:${port}`;
    expect(server.run.stdout).toMatch(new RegExp(`On your network\\s+${lan.replaceAll('.', '\\.')}/`));

    const page = await browser.newPage();
    const upgraded: string[] = [];
    page.on('request', (r) => r.url().startsWith('https:') && upgraded.push(r.url()));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${lan}/`);
    const launcher = page.getByRole('button', { name: /open chat/i });
    await launcher.waitFor({ state: 'visible', timeout: 20_000 });
    await launcher.click();
    // Nothing written yet: the window opens on the home view, whose "Ask the assistant" leads to the composer.
    await page.locator('verychat-widget').getByRole('button', { name: /^Ask the assistant/ }).click({ timeout: 15_000 });
    const composer = page.getByRole('textbox', { name: 'Type your message' });
    await composer.waitFor({ state: 'visible', timeout: 15_000 });
    await composer.fill('Hello from my phone');
    await composer.press('Enter');

    // Stored: the demo agent finds it (the password is in the first start's banner).
    const siteKey = /Demo site key\s+(pk_\S+)/.exec(server.run.stdout)![1]!;
    const password = /Agent password\s+(\S+)/.exec(server.run.stdout)![1]!;
    const login = await fetch(`${local}/api/v1/agent/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ siteKey, email: 'demo@verychat.local', password }),
    });
    const { token } = (await login.json()) as { token: string };
    const auth = { authorization: `Bearer ${token}` };
    await expect
      .poll(
        async () => {
          const { conversations } = (await (await fetch(`${local}/api/v1/conversations`, { headers: auth })).json()) as { conversations: { id: string }[] };
          for (const c of conversations) {
            const { messages } = (await (await fetch(`${local}/api/v1/conversations/${c.id}/messages`, { headers: auth })).json()) as { messages: { text: string }[] };
            if (messages.some((m) => m.text === 'Hello from my phone')) return true;
          }
          return false;
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    expect(upgraded).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
