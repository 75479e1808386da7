// The assistant and the help panel in a real browser (Debian chromium driven by playwright-core) against a
// real server with the built bundles and the default knowledge base: the storefront, the home view's
// search, an article, a question answered in the conversation with sources and follow-ups, a thumbs-down
// with its reason, "Talk to a person" switching the conversation to the team (as the agent API reports),
// and the storefront header's own Help button and unread badge.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { needs } from '../../server/test/support/needs.ts';
import { json, type TestApp } from '../../server/test/support/app.ts';
import { fakeModel, KEY, MODEL, sse } from '../../server/test/support/fake-llm.ts';
import { demoStorefront, type DemoStorefront } from './browser.ts';

needs('chromium').describe('assistant and help in a real browser', { timeout: 90_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let token: string;
  let demo: DemoStorefront | undefined;

  beforeAll(async () => {
    demo = await demoStorefront();
    ({ t, browser, token } = demo);
  }, 60_000);
  afterAll(() => demo?.close());

  async function storefront(): Promise<{ page: Page; errors: string[]; scripts: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-US' });
    const page = await context.newPage();
    const errors: string[] = [];
    const scripts: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => r.resourceType() === 'script' && scripts.push(new URL(r.url()).pathname));
    await page.goto(`${t.url}/`);
    return { page, errors, scripts };
  }

  const auth = () => ({ authorization: `Bearer ${token}` });
  /** The conversation whose history holds `text`, once the server has stored it. */
  async function conversationWith(text: string): Promise<string> {
    let found: string | undefined;
    await expect
      .poll(
        async () => {
          const list = await json(await fetch(`${t.url}/api/v1/conversations?limit=10`, { headers: auth() }));
          for (const c of list.conversations as { id: string }[]) {
            const history = await json(await fetch(`${t.url}/api/v1/conversations/${c.id}/messages`, { headers: auth() }));
            if (history.messages.some((m: { text: string }) => m.text === text)) return (found = c.id);
          }
          return undefined;
        },
        { timeout: 10_000 },
      )
      .toBeTruthy();
    return found!;
  }

  it('home search → article → a question answered with sources and follow-ups → 👎 with a reason → a person takes over', async () => {
    const { page, errors } = await storefront();
    const widget = page.locator('verychat-widget');
    await page.getByRole('button', { name: /open chat/i }).click();

    // The window opens on the home view: search the help articles as you type.
    const search = page.getByRole('combobox', { name: 'Search help articles' });
    await search.waitFor({ timeout: 15_000 });
    await expect.poll(() => search.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
    await search.pressSequentially('refund', { delay: 30 });
    const results = page.getByRole('listbox', { name: 'Search help articles' });
    await results.getByRole('option').first().waitFor({ timeout: 10_000 });
    await expect.poll(() => results.getByRole('option').count()).toBeGreaterThan(2);
    await expect.poll(() => widget.locator('.vc-help [role="status"]').textContent()).toMatch(/^\d+ articles? found$/);
    // Arrows and Enter open the first article.
    await search.press('ArrowDown');
    await search.press('Enter');
    const title = widget.locator('.vc-help-title');
    await expect.poll(() => title.textContent(), { timeout: 10_000 }).toMatch(/refund/i);
    await expect.poll(() => title.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
    await expect.poll(() => widget.locator('.vc-article').textContent()).toMatch(/refund/i);

    // "Ask the assistant": the conversation, composer focused; the answer streams (or arrives) with sources and follow-ups.
    await widget.locator('.vc-still .vc-button').first().click();
    const composer = page.getByRole('textbox', { name: 'Type your message' });
    await composer.waitFor();
    await expect.poll(() => composer.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
    await composer.fill('how long do refunds take');
    await composer.press('Enter');
    const answer = widget.locator('.vc-answer').last();
    await answer.waitFor({ timeout: 20_000 });
    await expect.poll(() => answer.locator('.vc-bubble').textContent()).toMatch(/5 business days/);
    expect(await answer.locator('.vc-source').count()).toBeGreaterThan(0);
    expect(await answer.locator('.vc-followups .vc-chip').count()).toBeGreaterThan(0);
    expect(await widget.locator('.vc-writing').count()).toBe(0);

    // 👎 asks what went wrong; with the reason sent, the server offers a person.
    await answer.getByRole('button', { name: 'No, not helpful' }).click();
    await answer.getByRole('button', { name: 'It didn’t answer my question' }).click();
    await answer.getByRole('textbox', { name: 'Tell us more (optional)' }).fill('I need the exact date for my order');
    await answer.getByRole('button', { name: 'Send' }).click();
    const person = answer.locator('.vc-offer').getByRole('button', { name: 'Talk to a person' });
    await person.waitFor({ timeout: 10_000 });
    const conversationId = await conversationWith('how long do refunds take');
    const votes = await t.db.prisma.aiInteraction.findMany({ where: { conversationId }, select: { feedback: true, feedbackReason: true } });
    expect(votes).toContainEqual({ feedback: 'down', feedbackReason: 'It didn’t answer my question: I need the exact date for my order' });

    await person.click();
    // The system line, in words (no agent online: they answer right here).
    const line = widget.locator('.vc-mode');
    await line.waitFor({ timeout: 10_000 });
    expect(await line.textContent()).toMatch(/in line for our team|talking with our team/);
    const conversation = await json(await fetch(`${t.url}/api/v1/conversations/${conversationId}`, { headers: auth() }));
    expect(conversation.conversation.mode).toBe('human');
    // No more offers of a person once with the team.
    expect(await widget.locator('.vc-offer').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('the storefront header: data-verychat="help" opens the help view, and the badge counts an agent reply while the window is closed', async () => {
    const { page, errors, scripts } = await storefront();
    const widget = page.locator('verychat-widget');
    const header = page.getByRole('navigation', { name: 'Store' });
    await page.getByRole('button', { name: /open chat/i }).waitFor({ timeout: 15_000 });
    // Before opening, the page has the app only: no window, assistant or help code (the header's buttons are in the app).
    await page.waitForTimeout(300);
    expect(scripts.filter((s) => /\/(window|sio|assistant|help|methods)\.[0-9a-z]+\.js$/.test(s))).toEqual([]);
    // The header's Help is a link to /help: the widget opens instead (a plain click), the page stays.
    await header.getByRole('link', { name: 'Help' }).click();
    await page.getByRole('combobox', { name: 'Search help articles' }).waitFor({ timeout: 15_000 });
    expect(new URL(page.url()).pathname).toBe('/');
    await widget.locator('.vc-list-title').first().waitFor({ timeout: 10_000 });

    // Support opens the conversation; write, close, and an agent replies.
    await header.getByRole('button', { name: 'Support' }).click();
    const composer = page.getByRole('textbox', { name: 'Type your message' });
    await composer.waitFor();
    await composer.fill('Is anyone there?');
    await composer.press('Enter');
    const conversationId = await conversationWith('Is anyone there?');
    // The assistant answers first (read here, with the window open): only what comes after closing is unread.
    await widget.locator('.vc-answer').first().waitFor({ timeout: 20_000 });
    await expect.poll(() => widget.locator('.vc-writing').count()).toBe(0);
    await page.keyboard.press('Escape');
    await expect.poll(() => widget.locator('[role="dialog"]').count()).toBe(0);
    // Focus went back to the header's button that opened the window.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Support');
    const badge = page.locator('[data-verychat-badge]');
    expect(await badge.isHidden()).toBe(true);
    const reply = await fetch(`${t.url}/api/v1/conversations/${conversationId}/messages`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Hi, Ada here: how can I help?' }),
    });
    expect(reply.status).toBe(201);
    // The reply, and the line saying Ada joined (her reply took the conversation over from the assistant).
    await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toBe('2');
    const unread = await page.evaluate(() => (window as unknown as { VeryChat(m: string): Promise<number> }).VeryChat('getUnreadCount'));
    expect(unread).toBe(2);
    expect(await badge.isVisible()).toBe(true);
    expect(await badge.getAttribute('aria-label')).toBe('2 unread');
    // Read in the window: the badge goes away.
    await header.getByRole('button', { name: 'Support' }).click();
    await page.getByRole('log').getByText('Hi, Ada here: how can I help?').waitFor({ timeout: 10_000 });
    expect(await widget.locator('.vc-mode').textContent()).toMatch(/Ada Agent joined the conversation/);
    await expect.poll(() => badge.isHidden()).toBe(true);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});

// With the optional LLM configured (a fake OpenAI-compatible server streaming SSE on this machine): the
// answer is written into the conversation as it streams, then replaced by the stored answer.
needs('chromium').describe('a streamed answer from the LLM in a real browser', { timeout: 90_000 }, () => {
  const fake = fakeModel();
  let demo: DemoStorefront | undefined;
  let release!: () => void;

  beforeAll(async () => {
    await fake.start();
    demo = await demoStorefront({
      VERYCHAT_API_URL: fake.url,
      VERYCHAT_API_KEY: KEY,
      VERYCHAT_MODEL: MODEL,
      VERYCHAT_API_FIRST_TOKEN_TIMEOUT_MS: '5000',
      VERYCHAT_API_TIMEOUT_MS: '30000',
    });
  }, 60_000);
  afterAll(async () => {
    release?.();
    await demo?.close();
    await fake.close();
  });

  it('shows the text as it arrives, then the whole answer with its sources', async () => {
    const resumed = new Promise<void>((resolve) => (release = resolve));
    fake.handle = async (_req, res) => {
      const s = sse(res);
      s.role();
      s.content('Refunds usually reach your wallet ');
      // The rest only once the test has seen the first part on screen.
      await resumed;
      s.content('within 5 business days after the merchant approves them.');
      s.finish('stop');
      s.done();
    };
    const context = await demo!.browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-US' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${demo!.t.url}/`);
    const widget = page.locator('verychat-widget');
    await page.getByRole('button', { name: /open chat/i }).click();
    await widget.getByRole('button', { name: /^Ask the assistant/ }).click({ timeout: 15_000 });
    const composer = page.getByRole('textbox', { name: 'Type your message' });
    await composer.fill('how long do refunds take');
    await composer.press('Enter');

    // Being written: the first part, with the caret, and no answer card yet.
    const writing = widget.locator('.vc-writing .vc-bubble');
    await expect.poll(() => writing.textContent(), { timeout: 15_000 }).toBe('Refunds usually reach your wallet');
    expect(await widget.locator('.vc-writing .vc-caret').count()).toBe(1);
    expect(await widget.locator('.vc-answer').count()).toBe(0);

    release();
    const answer = widget.locator('.vc-answer').last();
    await answer.waitFor({ timeout: 15_000 });
    await expect.poll(() => answer.locator('.vc-bubble').textContent()).toBe('Refunds usually reach your wallet within 5 business days after the merchant approves them.');
    expect(await answer.locator('.vc-source').count()).toBeGreaterThan(0);
    await expect.poll(() => widget.locator('.vc-writing').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
