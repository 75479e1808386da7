// identify() against the window's view, in a real browser (Debian chromium, playwright-core) on the demo
// storefront: the customer's session settling (visitor → customer, the conversation resumed) must never
// swap the composer the visitor is typing in for the home view, nor drop what they typed, and the message
// must reach the customer's conversation on the server (checked over the agent REST API).
//
// The view is watched from inside the page: every change of what the window shows (no window, an empty
// panel on its way, the home with or without "Ask the assistant", the composer) is logged in order, with
// the test's own steps (clicks) as markers, so a change nobody asked for is seen however briefly it lasted.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { needs } from '../../server/test/support/needs.ts';
import { demoStorefront, type DemoStorefront } from './browser.ts';
import { identityToken, json, type TestApp } from '../../server/test/support/app.ts';

type Views = string[];

needs('chromium').describe('identify() while the chat opens, in a real browser', { timeout: 90_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let token: string;
  let seed: DemoStorefront['seed'];
  let customers = 0;
  let demo: DemoStorefront | undefined;

  beforeAll(async () => {
    demo = await demoStorefront();
    ({ t, browser, token, seed } = demo);
  }, 60_000);
  afterAll(() => demo?.close());

  /** The storefront, with the widget's view logged as it changes (see the top of the file). */
  async function storefront(): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext();
    await context.addInitScript(() => {
      const w = window as unknown as { __views: string[] };
      w.__views = [];
      const view = (root: ShadowRoot): string => {
        if (!root.querySelector('.vc-window')) return 'closed';
        if (root.querySelector('textarea.vc-input')) return 'composer';
        if (root.querySelector('.vc-help-home')) return root.querySelector('.vc-home-ask') ? 'home' : 'home without ask';
        return 'other';
      };
      const watch = setInterval(() => {
        const root = document.querySelector('verychat-widget')?.shadowRoot;
        if (!root) return;
        clearInterval(watch);
        let last = '';
        const note = (): void => {
          const now = view(root);
          if (now !== last) w.__views.push((last = now));
        };
        note();
        new MutationObserver(note).observe(root, { childList: true, subtree: true });
      }, 5);
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${t.url}/`);
    await page.getByRole('button', { name: /open chat/i }).waitFor({ timeout: 15_000 });
    return { page, errors };
  }

  const views = (page: Page): Promise<Views> => page.evaluate(() => (window as unknown as { __views: string[] }).__views);
  /** A step of the test in the view log: what follows happened after it. */
  const mark = (page: Page, step: string): Promise<void> => page.evaluate((s) => void (window as unknown as { __views: string[] }).__views.push(`> ${s}`), step);
  /** What the window showed after a step (the markers of later steps left out). */
  const after = (log: Views, step: string): Views => log.slice(log.indexOf(`> ${step}`) + 1).filter((v) => !v.startsWith('> '));

  async function newCustomer(): Promise<{ sub: string; token: string }> {
    const sub = `race-${++customers}-${Date.now()}`;
    return { sub, token: await identityToken(seed.workspace.secret, sub, { name: `Customer ${customers}` }) };
  }

  const identify = (page: Page, identity: string): Promise<void> =>
    page.evaluate((token) => (window as unknown as { VeryChat: (m: string, a: unknown) => Promise<void> }).VeryChat('identify', { token }), identity);

  const composer = (page: Page) => page.getByRole('textbox', { name: 'Type your message' });
  const askButton = (page: Page) => page.locator('verychat-widget').getByRole('button', { name: /^Ask the assistant/ });

  /** Types like a person (a key at a time), so the session has every chance to settle mid-word. */
  async function type(page: Page, text: string): Promise<void> {
    await composer(page).pressSequentially(text, { delay: 40 });
  }

  /** Sends what is in the composer; it shows in the log and the composer stays, emptied. */
  async function send(page: Page, text: string): Promise<void> {
    expect(await composer(page).inputValue()).toBe(text);
    await composer(page).press('Enter');
    // (.first(): an answer may link an article of the same title.)
    await page.getByRole('log').getByText(text, { exact: true }).first().waitFor({ timeout: 20_000 });
    await expect.poll(() => composer(page).inputValue()).toBe('');
  }

  /** The customer's conversation that holds `text`, read over the agent REST API once the server stored it. */
  async function storedFor(sub: string, text: string): Promise<void> {
    const auth = { authorization: `Bearer ${token}` };
    await expect
      .poll(
        async () => {
          const list = await json(await fetch(`${t.url}/api/v1/conversations?limit=20`, { headers: auth }));
          for (const c of list.conversations as { id: string; contact: { externalId: string | null } }[]) {
            const history = await json(await fetch(`${t.url}/api/v1/conversations/${c.id}/messages`, { headers: auth }));
            if (history.messages.some((m: { text: string }) => m.text === text)) return c.contact.externalId;
          }
          return null;
        },
        { timeout: 15_000 },
      )
      .toBe(sub);
  }

  it('identify() settled, then the launcher: the home with "Ask the assistant", then a composer that stays while typing and sending', async () => {
    const { page, errors } = await storefront();
    const customer = await newCustomer();
    await identify(page, customer.token);
    await mark(page, 'open');
    await page.getByRole('button', { name: /open chat/i }).click();
    // Nothing written yet: the home, and only the home (no composer flashing first, to vanish a moment later).
    await askButton(page).waitFor({ timeout: 15_000 });
    expect(after(await views(page), 'open').filter((v) => v !== 'other')).toEqual(['home']);
    await mark(page, 'ask');
    await askButton(page).click();
    const text = 'Hello, where is my order?';
    await type(page, text);
    await send(page, text);
    // From "Ask the assistant" on, the composer and nothing else.
    expect(after(await views(page), 'ask')).toEqual(['composer']);
    await storedFor(customer.sub, text);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('identify() still on its way when the launcher opens the window: the same, never a view nobody chose', async () => {
    const { page, errors } = await storefront();
    const customer = await newCustomer();
    await mark(page, 'open');
    const identified = identify(page, customer.token);
    await page.getByRole('button', { name: /open chat/i }).click();
    await askButton(page).waitFor({ timeout: 15_000 });
    expect(after(await views(page), 'open').filter((v) => v !== 'other')).toEqual(['home']);
    await mark(page, 'ask');
    await askButton(page).click();
    const text = 'Can I change my delivery address?';
    await type(page, text);
    await identified;
    await send(page, text);
    expect(after(await views(page), 'ask')).toEqual(['composer']);
    await storedFor(customer.sub, text);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('the page’s Support button while identify() settles: the composer at once, and it stays', async () => {
    const { page, errors } = await storefront();
    const customer = await newCustomer();
    await mark(page, 'support');
    const identified = identify(page, customer.token);
    await page.getByRole('button', { name: 'Support', exact: true }).click();
    await composer(page).waitFor({ timeout: 15_000 });
    const text = 'I was charged twice';
    await type(page, text);
    await identified;
    await send(page, text);
    expect(after(await views(page), 'support').filter((v) => v !== 'other')).toEqual(['composer']);
    await storedFor(customer.sub, text);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('identify() lands while the visitor types (visitor → customer mid-word): nothing typed is lost, and it is the customer’s message', async () => {
    const { page, errors } = await storefront();
    const customer = await newCustomer();
    await page.getByRole('button', { name: /open chat/i }).click();
    await askButton(page).waitFor({ timeout: 15_000 });
    await mark(page, 'ask');
    await askButton(page).click();
    await type(page, 'Hi, I just signed in ');
    const identified = identify(page, customer.token);
    await type(page, 'and my refund is missing');
    await identified;
    const text = 'Hi, I just signed in and my refund is missing';
    await send(page, text);
    expect(after(await views(page), 'ask')).toEqual(['composer']);
    await storedFor(customer.sub, text);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
