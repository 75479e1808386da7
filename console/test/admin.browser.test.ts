// The workspace settings in a real browser (issue 10 point 9) against a real server: an owner edits an article
// and the assistant answers with the change, teaches it an unanswered question, changes the widget's colour,
// adds (after a refused address) and removes an origin, rotates the secret (shown once), ends the rotation and
// creates an invite link; an agent (role agent) gets no settings entry and no settings screen.
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { needs } from '../../server/test/support/needs.ts';
import { launchChromium } from '../../widget/test/browser.ts';
import { agentToken, json, seedWorkspace, startTestApp, type TestApp } from '../../server/test/support/app.ts';

needs('chromium').describe('workspace settings in the console', { timeout: 120_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let seed: Awaited<ReturnType<typeof seedWorkspace>>;
  const ownerEmail = `owner-${randomUUID().slice(0, 8)}@shop.example`;
  const base = () => t.url.replace('127.0.0.1', 'localhost');
  const ask = (text: string) =>
    t.app.services.assistant.ask({ workspaceId: seed.workspace.id, principal: { kind: 'visitor' }, text, locale: 'en', queryId: randomUUID() });

  beforeAll(async () => {
    t = await startTestApp();
    seed = await seedWorkspace(t, [t.url]);
    await t.app.services.agents.create(seed.workspace.id, { email: ownerEmail, name: 'Olga Owner', password: seed.password, role: 'owner' });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function signIn(email: string, path = '/support'): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && !/status of 401/.test(m.text()) && errors.push(m.text()));
    await page.goto(`${base()}${path}`);
    await page.getByLabel('Email').fill(email, { timeout: 60_000 });
    await page.getByLabel('Password').fill(seed.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Views' }).waitFor({ timeout: 15_000 });
    return { page, errors };
  }
  const settingsLink = (page: Page) => page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Workspace settings' });
  const section = (page: Page, name: string) => page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: new RegExp(`^${name}`) });

  it('an owner edits an article and the assistant answers with it; an unanswered question becomes an alternative phrasing', async () => {
    const question = `my parrot squawks at the blue checkout button ${randomUUID().slice(0, 4)}`;
    const before = await ask(question);
    await ask(question);
    expect(before.answer.route === 'faq' && before.answer.sources.articles.includes('payment-failed-why')).toBe(false);

    const { page, errors } = await signIn(ownerEmail);
    await settingsLink(page).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/support/settings/kb');
    await page.getByRole('heading', { name: 'Knowledge base', level: 2 }).waitFor({ timeout: 15_000 });
    await page.getByRole('searchbox', { name: 'Search articles' }).fill('payment-failed-why');
    await page.getByLabel('Language').selectOption('en');
    const list = page.getByRole('list', { name: 'Articles' });
    await expect.poll(() => list.getByRole('link').count()).toBe(1);
    await list.getByRole('link').click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/support/settings/kb/en/payment-failed-why');

    const marker = `ZEBRA-${randomUUID().slice(0, 6)}`;
    const answer = page.getByLabel('Short answer');
    await answer.fill(`${marker}: your bank declined it. Try another card.`);
    const alternatives = page.getByLabel('Alternative phrasings');
    const phrasing = `how do zebras pay their invoices ${marker.toLowerCase()}`;
    await alternatives.fill(`${await alternatives.inputValue()}\n${phrasing}`);
    // The preview follows the text as typed.
    await page.getByRole('complementary', { name: 'Preview' }).getByText(`${marker}: your bank declined it.`).waitFor();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved. The assistant answers with it now.' }).waitFor({ timeout: 10_000 });
    // Reached the assistant at once: the new phrasing finds the article, whose answer is the new text.
    const edited = await ask(phrasing);
    expect(edited.answer.route).toBe('faq');
    expect(edited.answer.sources.articles[0]).toBe('payment-failed-why');
    expect(edited.answer.text).toContain(marker);
    // The list now marks it as edited.
    await page.getByRole('link', { name: 'All articles' }).click();
    await page.getByRole('searchbox', { name: 'Search articles' }).fill('payment-failed-why');
    await page.getByLabel('Language').selectOption('en');
    await list.getByRole('link').filter({ hasText: 'Edited' }).waitFor();

    // Unanswered questions: add this one as an alternative phrasing of the same article.
    await section(page, 'Unanswered questions').click();
    const item = page.getByRole('listitem').filter({ hasText: question });
    await item.waitFor({ timeout: 15_000 });
    await item.getByText('Asked 2 times').waitFor();
    await item.getByLabel('Article').selectOption('payment-failed-why');
    await item.getByRole('button', { name: 'Add as alternative phrasing' }).click();
    await page.getByRole('status').filter({ hasText: `“${question}” was added to` }).waitFor({ timeout: 10_000 });
    await expect.poll(() => item.count()).toBe(0);
    const after = await ask(question);
    expect(after.answer.route).toBe('faq');
    expect(after.answer.sources.articles[0]).toBe('payment-failed-why');

    // "Write a new article" opens the editor prefilled with the question.
    await ask('do you deliver to the moon base');
    await page.reload();
    const moon = page.getByRole('listitem').filter({ hasText: 'do you deliver to the moon base' });
    await moon.getByRole('button', { name: 'Write a new article' }).click({ timeout: 15_000 });
    await expect.poll(() => new URL(page.url()).pathname).toBe('/support/settings/kb/new');
    expect(await page.getByLabel('Alternative phrasings').inputValue()).toBe('do you deliver to the moon base');
    expect(await page.getByLabel('Address (slug)').inputValue()).toBe('do-you-deliver-to-the-moon-base');
    await page.getByLabel('Short answer').fill('We deliver to the moon base every Tuesday.');
    await page.getByRole('button', { name: 'Create article' }).click();
    await expect.poll(() => new URL(page.url()).pathname, { timeout: 10_000 }).toBe('/support/settings/kb/en/do-you-deliver-to-the-moon-base');
    expect((await t.app.services.assistant.getArticle(seed.workspace.id, 'en', 'do-you-deliver-to-the-moon-base'))?.answer).toContain('every Tuesday');

    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('an owner changes the widget colour, adds and removes an origin, rotates the secret once, and creates an invite link', async () => {
    const { page, errors } = await signIn(ownerEmail, '/support/settings/widget');
    // A deep link survives the sign-in.
    await page.getByRole('heading', { name: 'Widget', level: 2 }).waitFor({ timeout: 15_000 });
    const colour = page.getByLabel('Colour', { exact: true });
    await colour.fill('red');
    expect(await page.getByRole('button', { name: 'Save changes' }).isDisabled()).toBe(true);
    await page.getByText('Write the colour as # and six hex digits').first().waitFor();
    await colour.fill('#12ab34');
    await page.getByRole('img', { name: /colour #12ab34/ }).waitFor();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved. Storefronts show it' }).waitFor({ timeout: 10_000 });
    const token = await agentToken(t, seed.workspace.siteKey, ownerEmail, seed.password);
    const settings = async () => json(await fetch(`${t.url}/api/v1/workspace/settings`, { headers: { authorization: `Bearer ${token}` } }));
    expect((await settings()).color).toBe('#12ab34');

    // Origins: a wrong address is explained; a right one is added, then removed after a confirmation.
    const input = page.getByLabel('Add an origin');
    await input.fill('blog.example/path');
    await page.getByRole('button', { name: 'Add origin' }).click();
    await page.getByRole('alert').filter({ hasText: 'is not an origin' }).waitFor();
    expect(await input.getAttribute('aria-invalid')).toBe('true');
    await input.fill('HTTPS://Blog.Example/');
    await page.getByRole('button', { name: 'Add origin' }).click();
    const origins = page.getByRole('list', { name: 'Allowed origins' });
    await origins.getByText('https://blog.example', { exact: true }).waitFor({ timeout: 10_000 });
    expect((await settings()).allowedOrigins).toContain('https://blog.example');
    await page.getByRole('button', { name: 'Remove https://blog.example' }).click();
    await page.getByRole('button', { name: 'Yes, remove' }).click();
    await expect.poll(() => origins.getByText('https://blog.example', { exact: true }).count(), { timeout: 10_000 }).toBe(0);
    expect((await settings()).allowedOrigins).toEqual([t.url]);

    // The secret: never shown, until a rotation shows the new one, once.
    const old = (await t.db.prisma.workspace.findUniqueOrThrow({ where: { id: seed.workspace.id } })).secret;
    await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: /^Security/ }).click();
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    expect(await page.content()).not.toContain(old);
    await page.getByRole('button', { name: 'Yes, rotate' }).click();
    const shown = page.getByRole('region', { name: 'New secret' }).getByRole('textbox');
    await shown.waitFor({ timeout: 10_000 });
    const secret = await shown.inputValue();
    const ws = await t.db.prisma.workspace.findUniqueOrThrow({ where: { id: seed.workspace.id } });
    expect(secret).toBe(ws.secret);
    expect(secret).not.toBe(old);
    await page.getByText('Rotation in progress.').waitFor();
    await page.getByRole('button', { name: 'I have stored it' }).click();
    expect(await page.content()).not.toContain(secret);
    await page.reload();
    await page.getByRole('button', { name: 'Rotate secret' }).waitFor({ timeout: 15_000 });
    expect(await page.content()).not.toContain(secret);
    await page.getByRole('button', { name: 'End rotation now' }).click();
    await page.getByRole('button', { name: 'Yes, end it' }).click();
    await page.getByRole('status').filter({ hasText: 'Rotation ended' }).waitFor({ timeout: 10_000 });
    expect((await settings()).previousSecretExpiresAt).toBeNull();

    // An invite link, single use, shown with a copy button.
    await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: /^Team/ }).click();
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByRole('button', { name: 'Create invite link' }).click();
    await page.getByRole('alert').filter({ hasText: 'Write an email address' }).waitFor();
    await page.getByLabel('Email').fill('new.teammate@shop.example');
    await page.getByLabel('Role').selectOption('admin');
    await page.getByRole('button', { name: 'Create invite link' }).click();
    const link = page.getByRole('region', { name: 'Invite link for new.teammate@shop.example' });
    const url = await link.getByRole('textbox').inputValue({ timeout: 10_000 });
    expect(url).toMatch(/\/support\/invite\/[^/]+$/);
    await link.getByRole('button', { name: /^Copy/ }).waitFor();
    const invite = await fetch(url.replace('localhost', '127.0.0.1'));
    expect(invite.status).toBe(200);

    // Back to the inbox.
    await page.getByRole('link', { name: 'Back to inbox' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/support');
    await page.locator('.list-pane').waitFor();
    expect(await page.getByRole('navigation', { name: 'Settings sections' }).count()).toBe(0);

    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('an agent (role agent) has no settings entry, and the settings address shows the inbox', async () => {
    const { page, errors } = await signIn(seed.agent.email, '/support/settings/kb');
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor({ timeout: 15_000 });
    await page.locator('.list-pane').waitFor();
    expect(await settingsLink(page).count()).toBe(0);
    expect(await page.getByRole('navigation', { name: 'Settings sections' }).count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'Knowledge base' }).count()).toBe(0);
    // The owner, for contrast, has the entry.
    const owner = await signIn(ownerEmail);
    await settingsLink(owner.page).waitFor();
    expect(errors).toEqual([]);
    await page.context().close();
    await owner.page.context().close();
  });
});
