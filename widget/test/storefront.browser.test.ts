// The widget in a real browser (Debian chromium driven by playwright-core) against a real server:
// the storefront's one script tag, a conversation with an agent replying over REST, hostile host CSS,
// and HTML in messages shown as text.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { needs } from '../../server/test/support/needs.ts';
import { demoStorefront, type DemoStorefront } from './browser.ts';
import { json, type TestApp } from '../../server/test/support/app.ts';

needs('chromium').describe('storefront in a real browser', { timeout: 60_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let token: string;
  let seed: DemoStorefront['seed'];
  let demo: DemoStorefront | undefined;

  beforeAll(async () => {
    demo = await demoStorefront();
    ({ t, browser, token, seed } = demo);
  }, 60_000);
  afterAll(() => demo?.close());

  async function openPage(path: string, opts: { noWebSocket?: boolean; phone?: boolean } = {}): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport: opts.phone ? { width: 390, height: 800 } : { width: 1280, height: 800 } });
    // A network that lets no WebSocket through (some proxies): every one fails to connect, and
    // socket.io has to fall back to polling.
    if (opts.noWebSocket) {
      await context.addInitScript(() => {
        const Real = window.WebSocket;
        window.WebSocket = class extends Real {
          constructor(_url: string | URL, protocols?: string | string[]) {
            super('ws://127.0.0.1:9/', protocols);
          }
        };
      });
    }
    // What the page has before any script of ours runs, and every element added to <head> or <body>
    // after the HTML was parsed: what we add to a merchant's page.
    await context.addInitScript(() => {
      const w = window as unknown as { __before: string[]; __added: Element[] };
      w.__before = Object.getOwnPropertyNames(window);
      w.__added = [];
      document.addEventListener('DOMContentLoaded', () => {
        new MutationObserver((records) => {
          for (const r of records) for (const n of r.addedNodes) if (n instanceof Element && (r.target === document.head || r.target === document.body)) w.__added.push(n);
        }).observe(document.documentElement, { childList: true, subtree: true });
      });
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${t.url}${path}`);
    return { page, errors };
  }

  /** The conversation whose history holds `text`, once the server has stored it (the widget shows it sooner). */
  async function conversationWith(text: string): Promise<string> {
    const auth = { authorization: `Bearer ${token}` };
    let found: string | undefined;
    await expect
      .poll(
        async () => {
          const list = await json(await fetch(`${t.url}/api/v1/conversations?limit=5`, { headers: auth }));
          for (const c of list.conversations as { id: string }[]) {
            const history = await json(await fetch(`${t.url}/api/v1/conversations/${c.id}/messages`, { headers: auth }));
            if (history.messages.some((m: { text: string }) => m.text === text)) return (found = c.id);
          }
          return undefined;
        },
        { timeout: 10_000 },
      )
      .toBeTruthy();
    return found!;
  }

  /** A merchant's page with the script tag, served from its own origin (another port on this machine). */
  async function merchantPage(siteKey = seed.workspace.siteKey): Promise<{ url: string; close(): void }> {
    const html = `<!doctype html><meta charset="utf-8"><title>Shop</title><h1>Shop</h1><script src="${t.url}/widget.js" data-site-key="${siteKey}" async></script>`;
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
  }

  async function agentReply(conversationId: string, text: string) {
    const res = await fetch(`${t.url}/api/v1/conversations/${conversationId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    });
    expect(res.status).toBe(201);
  }

  async function chatRoundTrip(page: Page, text: string) {
    const launcher = page.getByRole('button', { name: /open chat/i });
    await launcher.waitFor({ state: 'visible', timeout: 15_000 });
    await launcher.click();
    // Nothing written yet: the window opens on the home view, whose "Ask the assistant" leads to the composer.
    await page.locator('verychat-widget').getByRole('button', { name: /^Ask the assistant/ }).click({ timeout: 15_000 });
    const composer = page.getByRole('textbox', { name: 'Type your message' });
    await composer.waitFor({ state: 'visible', timeout: 15_000 });
    await expect.poll(() => composer.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
    await composer.fill(text);
    await composer.press('Enter');
    const log = page.getByRole('log');
    await log.getByText(text, { exact: true }).waitFor({ timeout: 20_000 });
  }

  it('shows the bubble, sends a message to the agent API and shows the agent reply', async () => {
    const { page, errors } = await openPage('/');
    await chatRoundTrip(page, 'Hello from the storefront');
    // The message reached the agent API's history.
    const conversationId = await conversationWith('Hello from the storefront');
    const started = Date.now();
    await agentReply(conversationId, 'Hi! An agent here.');
    await page.getByRole('log').getByText('Hi! An agent here.', { exact: true }).waitFor({ timeout: 5_000 });
    expect(Date.now() - started).toBeLessThan(5_000);
    // One global only, one element, and none of our script tags left behind (chunks come by import()).
    const added = await page.evaluate(() => {
      const w = window as unknown as { __before: string[]; __added: Element[] };
      const before = new Set(w.__before);
      return {
        globals: Object.getOwnPropertyNames(window).filter((k) => !before.has(k) && !k.startsWith('__')),
        elements: w.__added.filter((e) => e.isConnected).map((e) => e.tagName.toLowerCase()),
      };
    });
    expect(added.globals).toEqual(['VeryChat']);
    expect(added.elements).toEqual(['verychat-widget']);
    // A reload shows the same conversation.
    await page.reload();
    await page.getByRole('button', { name: /open chat/i }).click();
    await page.getByRole('log').getByText('Hi! An agent here.', { exact: true }).waitFor({ timeout: 20_000 });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('falls back to HTTP long-polling when no WebSocket can open', async () => {
    const { page, errors } = await openPage('/', { noWebSocket: true });
    const polls: string[] = [];
    page.on('request', (r) => r.url().includes('/socket.io/') && polls.push(new URL(r.url()).searchParams.get('transport') ?? ''));
    await chatRoundTrip(page, 'Sent over long-polling');
    const conversationId = await conversationWith('Sent over long-polling');
    await agentReply(conversationId, 'Received over long-polling');
    await page.getByRole('log').getByText('Received over long-polling', { exact: true }).waitFor({ timeout: 10_000 });
    expect(polls.length).toBeGreaterThan(0);
    expect(new Set(polls)).toEqual(new Set(['polling']));
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('keeps keyboard focus inside the window while it covers a phone’s screen', async () => {
    const { page, errors } = await openPage('/', { phone: true });
    await page.getByRole('button', { name: /open chat/i }).click();
    await page.getByRole('combobox', { name: 'Search help articles' }).waitFor();
    expect(await page.getByRole('dialog').getAttribute('aria-modal')).toBe('true');
    const focusedInWidget = () => page.evaluate(() => document.activeElement?.tagName.toLowerCase() === 'verychat-widget');
    for (const key of [...Array(8).fill('Tab'), ...Array(8).fill('Shift+Tab')]) {
      await page.keyboard.press(key);
      expect(await focusedInWidget(), `after ${key}`).toBe(true);
    }
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('on an origin the workspace does not allow: "not available" for the visitor, the exact fix for the merchant', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    const socketRequests: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    page.on('request', (r) => r.url().includes('/socket.io/') && socketRequests.push(r.url()));
    // The merchant's page on an origin the workspace does not allow.
    const shop = await merchantPage();
    await page.goto(`${shop.url}/`);
    await page.getByRole('button', { name: /open chat/i }).click();
    await page.getByText('Chat is not available on this site.').waitFor({ timeout: 15_000 });
    expect(await page.getByRole('textbox').count()).toBe(0);
    await expect.poll(() => consoleErrors.filter((e) => e.includes('origin:add'))).toEqual([
      `[VeryChat] This page's origin (${shop.url}) is not allowed for site key ${seed.workspace.siteKey}, so the chat is not available here. Allow it on your VeryChat server: npm run verychat -- origin:add ${seed.workspace.siteKey} ${shop.url}`,
    ]);
    // No endless "Reconnecting…": it never even tried a socket.
    await page.waitForTimeout(1500);
    expect(socketRequests).toEqual([]);
    await context.close();
    shop.close();
  });

  it('with a site key no workspace has: "not available" for the visitor, and where to look for the merchant', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    const shop = await merchantPage('pk_typo0000000000');
    await t.app.services.workspaces.addOrigin(seed.workspace.siteKey, shop.url); // the origin is fine; the key is not
    await page.goto(`${shop.url}/`);
    await page.getByRole('button', { name: /open chat/i }).click();
    await page.getByText('Chat is not available on this site.').waitFor({ timeout: 15_000 });
    expect(await page.getByRole('textbox').count()).toBe(0);
    await expect.poll(() => consoleErrors.filter((e) => e.includes('workspace:list'))).toEqual([
      '[VeryChat] No workspace has the site key "pk_typo0000000000", so the chat is not available here. Check data-site-key (or boot({ siteKey })); list your workspaces with: npm run verychat -- workspace:list',
    ]);
    await t.app.services.workspaces.removeOrigin(seed.workspace.siteKey, shop.url);
    await context.close();
    shop.close();
  });

  it('works on a merchant’s own site (another origin than the chat server), once its origin is allowed', async () => {
    const shop = await merchantPage();
    await t.app.services.workspaces.addOrigin(seed.workspace.siteKey, shop.url);
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${shop.url}/`);
    await chatRoundTrip(page, 'Hello from the merchant’s own domain');
    const conversationId = await conversationWith('Hello from the merchant’s own domain');
    await agentReply(conversationId, 'Answered across origins');
    await page.getByRole('log').getByText('Answered across origins', { exact: true }).waitFor({ timeout: 10_000 });
    expect(errors).toEqual([]);
    await context.close();
    shop.close();
  });

  it('shows HTML sent as a message as text, and runs none of it', async () => {
    const { page } = await openPage('/');
    await page.evaluate(() => ((window as unknown as { __pwned: number }).__pwned = 0));
    const payload = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    await chatRoundTrip(page, payload);
    const conversationId = await conversationWith(payload);
    await agentReply(conversationId, '<b onmouseover="window.__pwned=3">bold?</b>');
    await page.getByRole('log').getByText('<b onmouseover="window.__pwned=3">bold?</b>', { exact: true }).waitFor();
    const imgCount = await page.locator('verychat-widget').evaluate((host) => host.shadowRoot?.querySelectorAll('.vc-log img, .vc-log script, .vc-log b').length ?? -1);
    expect(imgCount).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned: number }).__pwned)).toBe(0);
    await page.context().close();
  });

  it('survives a hostile host page', async () => {
    const { page, errors } = await openPage('/demo/hostile');
    await chatRoundTrip(page, 'Hostile CSS did not stop me');
    const launcherBox = await page.getByRole('button', { name: /chat/i }).first().boundingBox();
    expect(launcherBox && launcherBox.width).toBeGreaterThan(20);
    // The window is really visible and on top: the element at its centre belongs to the widget.
    const onTop = await page.evaluate(() => {
      const host = document.querySelector('body > *:last-child');
      const el = document.elementFromPoint(window.innerWidth - 60, window.innerHeight - 60);
      return { host: host?.tagName, hit: el?.tagName };
    });
    expect(onTop.hit).toBe(onTop.host);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
