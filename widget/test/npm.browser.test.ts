// The npm entry (`import { createVeryChat } from 'verychat/widget'`, dist/npm) as a developer's
// bundle would load it: an ES module on the merchant's page, no script tag, no global. Its types
// (dist/npm/index.d.ts, through package.json's exports) are checked by tsc below.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, expectTypeOf, it } from 'vitest';
import type { BootOptions, VeryChatApi, VeryChatMessage } from 'verychat/widget';
import { REPO_ROOT } from '../../server/paths.ts';
import { json, agentToken, seedWorkspace, startTestApp, type TestApp } from '../../server/test/support/app.ts';
import { needs } from '../../server/test/support/needs.ts';
import { launchChromium } from './browser.ts';

// The published types: the API's methods and their promises, and nothing untyped.
expectTypeOf<VeryChatApi['boot']>().parameter(0).toEqualTypeOf<BootOptions>();
expectTypeOf<VeryChatApi['getUnreadCount']>().returns.toEqualTypeOf<Promise<number>>();
expectTypeOf<VeryChatMessage['sender']['type']>().toEqualTypeOf<'contact' | 'agent' | 'assistant' | 'system'>();
// @ts-expect-error: not part of the API
expectTypeOf<VeryChatApi['explode']>().toBeFunction();

const NPM_DIR = path.join(REPO_ROOT, 'dist', 'npm');

needs('chromium').describe('the npm entry in a real browser', { timeout: 60_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let seed: Awaited<ReturnType<typeof seedWorkspace>>;

  beforeAll(async () => {
    t = await startTestApp();
    seed = await seedWorkspace(t, [t.url]);
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('createVeryChat() mounts the widget from the built module and chats, with no global', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    // The merchant's page and its bundle, as their own server would serve them (same origin as the API here).
    await page.route(`${t.url}/shop/**`, async (route) => {
      const file = new URL(route.request().url()).pathname.replace('/shop/', '');
      if (file === 'index.html') {
        return route.fulfill({
          contentType: 'text/html',
          body: `<!doctype html><meta charset="utf-8"><title>Shop</title><script type="module">
            import { createVeryChat } from './npm/index.js';
            const chat = createVeryChat({ siteKey: ${JSON.stringify(seed.workspace.siteKey)}, apiUrl: location.origin });
            window.shop = { chat, seen: [] };
            chat.on('message', (m) => window.shop.seen.push(m.text));
          </script>`,
        });
      }
      return route.fulfill({ contentType: 'text/javascript', body: await readFile(path.join(NPM_DIR, file.replace(/^npm\//, ''))) });
    });
    await page.goto(`${t.url}/shop/index.html`);
    await page.getByRole('button', { name: /open chat/i }).click();
    // Nothing written yet: the window opens on the home view, whose "Ask the assistant" leads to the composer.
    await page.getByRole('button', { name: /^Ask the assistant/ }).click({ timeout: 15_000 });
    const composer = page.getByRole('textbox', { name: 'Type your message' });
    await composer.fill('Hello from a bundled app');
    await composer.press('Enter');
    await page.getByRole('log').getByText('Hello from a bundled app', { exact: true }).waitFor({ timeout: 20_000 });

    // An agent answers; the app hears it through the API it created.
    const token = await agentToken(t, seed.workspace.siteKey, seed.agent.email, seed.password);
    const list = await json(await fetch(`${t.url}/api/v1/conversations`, { headers: { authorization: `Bearer ${token}` } }));
    await fetch(`${t.url}/api/v1/conversations/${list.conversations[0].id}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Answered over the npm build' }),
    });
    await expect.poll(() => page.evaluate(() => (window as unknown as { shop: { seen: string[] } }).shop.seen)).toContain('Answered over the npm build');
    expect(await page.evaluate(() => 'VeryChat' in window)).toBe(false);
    expect(errors).toEqual([]);
    await context.close();
  });
});
