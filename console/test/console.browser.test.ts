// The agent console in a real browser (Debian chromium via playwright-core) against a real server: an agent
// signs in at /support, a customer writes from the storefront and the message arrives live, the agent takes
// over, replies, adds an internal note (which the customer's page never shows or receives), and resolves.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { needs } from '../../server/test/support/needs.ts';
import { demoStorefront, type DemoStorefront } from '../../widget/test/browser.ts';
import type { TestApp } from '../../server/test/support/app.ts';

needs('chromium').describe('agent console in a real browser', { timeout: 90_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let seed: DemoStorefront['seed'];
  let demo: DemoStorefront | undefined;

  beforeAll(async () => {
    demo = await demoStorefront();
    ({ t, browser, seed } = demo);
  }, 60_000);
  afterAll(() => demo?.close());

  async function signIn(): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    // A signed-out page asks /agent/me once and gets 401: that is how it knows to show the sign-in form.
    page.on('console', (m) => m.type() === 'error' && !/status of 401/.test(m.text()) && errors.push(m.text()));
    // The console's cookie is set for the server's public origin (PUBLIC_URL: localhost in tests).
    await page.goto(`${t.url.replace('127.0.0.1', 'localhost')}/support`);
    await page.getByLabel('Email').fill(seed.agent.email);
    await page.getByLabel('Password').fill(seed.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Views' }).waitFor({ timeout: 15_000 });
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor({ timeout: 15_000 });
    return { page, errors };
  }

  it('signs in, sees a storefront message live, takes over, replies, notes privately and resolves', async () => {
    const { page: agent, errors } = await signIn();
    // The session is an HttpOnly cookie: nothing for scripts to read.
    expect(await agent.evaluate(() => document.cookie)).toBe('');
    await agent.getByRole('button', { name: /^All open/ }).click();

    // The customer, on the storefront, in another browser context.
    const customerContext = await browser.newContext();
    const customer = await customerContext.newPage();
    const frames: string[] = [];
    customer.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(String(f.payload))));
    const bodies: string[] = [];
    customer.on('response', (r) => void r.text().then((b) => bodies.push(b)).catch(() => undefined));
    await customer.goto(`${t.url}/`);
    await customer.getByRole('button', { name: /open chat/i }).click({ timeout: 15_000 });
    await customer.locator('verychat-widget').getByRole('button', { name: /^Ask the assistant/ }).click({ timeout: 15_000 });
    const box = customer.getByRole('textbox', { name: 'Type your message' });
    await box.fill('My payment failed, can a person help?');
    await box.press('Enter');

    // Live in the agent's list, without a reload (its preview is the latest message: the assistant's answer).
    const row = agent.locator('.row').first();
    await row.waitFor({ timeout: 10_000 });
    await row.click();
    await expect.poll(() => agent.url()).toMatch(/\/support\/c\/[0-9a-f-]{36}(\?|$)/);
    const log = agent.getByRole('log');
    await log.getByText('My payment failed, can a person help?').waitFor();

    // Take over (if the assistant still has it), then reply with Enter.
    const takeOver = agent.getByRole('button', { name: 'Take over' });
    if (await takeOver.isVisible()) await takeOver.click();
    await agent.getByRole('button', { name: 'Return to assistant' }).waitFor({ timeout: 10_000 });
    const composer = agent.getByRole('textbox', { name: 'Reply' });
    await composer.fill('Hi! I am looking at it now.');
    await composer.press('Enter');
    await log.getByText('Hi! I am looking at it now.').waitFor();
    await customer.getByRole('log').getByText('Hi! I am looking at it now.', { exact: true }).waitFor({ timeout: 10_000 });

    // An internal note: shown to agents, never to the customer (not in their DOM, frames or responses).
    await agent.getByRole('tab', { name: 'Internal note' }).click();
    const note = agent.getByRole('textbox', { name: 'Internal note' });
    await note.fill('SECRET-NOTE: card issuer declined, check tomorrow');
    await note.press('Enter');
    await log.getByText('SECRET-NOTE: card issuer declined, check tomorrow').waitFor();
    // The customer keeps talking; the note never shows up there.
    await box.fill('Thanks!');
    await box.press('Enter');
    await log.getByText('Thanks!', { exact: true }).waitFor({ timeout: 10_000 });
    await customer.reload();
    await customer.getByRole('button', { name: /open chat/i }).click();
    await customer.getByRole('log').getByText('Hi! I am looking at it now.', { exact: true }).waitFor({ timeout: 15_000 });
    expect(await customer.content()).not.toContain('SECRET-NOTE');
    expect(frames.join('\n')).not.toContain('SECRET-NOTE');
    expect(bodies.join('\n')).not.toContain('SECRET-NOTE');

    // Resolve: the row leaves "All open", the thread says Resolved.
    await agent.getByRole('button', { name: 'Resolve', exact: true }).click();
    await agent.locator('.thread-head').getByText('Resolved').waitFor({ timeout: 10_000 });
    await expect.poll(() => agent.locator('.row').count()).toBe(0);
    await agent.getByRole('button', { name: /^Resolved/ }).click();
    await agent.locator('.row', { hasText: 'Thanks!' }).waitFor({ timeout: 10_000 });

    expect(errors).toEqual([]);
    await customerContext.close();
    await agent.context().close();
  });

  it('keyboard: ? shows the shortcuts, Ctrl+K opens search, never while typing', async () => {
    const { page, errors } = await signIn();
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    await page.keyboard.press('Control+k');
    const search = page.getByRole('combobox', { name: 'Search the workspace' });
    await search.waitFor();
    // Typing "?" in the search box types it.
    await search.type('a?');
    expect(await search.inputValue()).toBe('a?');
    expect(await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).count()).toBe(0);
    await page.keyboard.press('Escape');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
