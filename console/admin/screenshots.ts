// Screenshots of the workspace settings for review (not a test): `npx tsx console/admin/screenshots.ts`.
// Writes /tmp/console-shots/admin-*.png (light, 1440×900; a few in Spanish, dark and narrow).
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { launchChromium } from '../../widget/test/browser.ts';
import { seedWorkspace, startTestApp } from '../../server/test/support/app.ts';

const OUT = process.env.SHOTS_DIR ?? '/tmp/console-shots';
mkdirSync(OUT, { recursive: true });
const t = await startTestApp({ RATE_LIMIT_MULTIPLIER: '1000' });
const seed = await seedWorkspace(t, [t.url, 'https://shop.northwind.example']);
await t.db.prisma.workspace.update({ where: { id: seed.workspace.id }, data: { name: 'Northwind Goods' } });
const email = 'olga@northwind.example';
await t.app.services.agents.create(seed.workspace.id, { email, name: 'Olga Owner', password: seed.password, role: 'owner' });
for (const [text, n, locale] of [
  ['can I pay with my parrot', 3, 'en'],
  ['do you ship to antarctica', 2, 'en'],
  ['mi loro quiere pagar', 1, 'es'],
] as const)
  for (let i = 0; i < n; i++) await t.app.services.assistant.ask({ workspaceId: seed.workspace.id, principal: { kind: 'visitor' }, text, locale, queryId: randomUUID() });

const browser = await launchChromium();
const base = t.url.replace('127.0.0.1', 'localhost');
async function page(opts: { width?: number; height?: number; dark?: boolean; locale?: string } = {}) {
  const context = await browser.newContext({ viewport: { width: opts.width ?? 1440, height: opts.height ?? 900 }, colorScheme: opts.dark ? 'dark' : 'light', locale: opts.locale ?? 'en-US' });
  const p = await context.newPage();
  p.on('pageerror', (e) => console.error('pageerror', e));
  await p.goto(`${base}/support`);
  await p.locator('input[type=email]').fill(email);
  await p.locator('input[type=password]').fill(seed.password);
  await p.locator('button[type=submit]').click();
  await p.locator('nav.nav').waitFor({ timeout: 15_000 });
  return p;
}
const shot = async (p: Awaited<ReturnType<typeof page>>, name: string) => {
  await p.waitForTimeout(400);
  await p.screenshot({ path: `${OUT}/admin-${name}.png` });
  console.log(`${OUT}/admin-${name}.png`);
};

const p = await page();
await p.getByRole('link', { name: 'Workspace settings' }).click();
await p.locator('.adm-item').first().waitFor({ timeout: 15_000 });
await shot(p, 'kb');
await p.getByRole('link', { name: /How do refunds work|refund/i }).first().click();
await p.locator('.adm-editor').waitFor();
await shot(p, 'kb-editor');
await p.getByRole('link', { name: /Unanswered/ }).click();
await p.locator('.un-item').first().waitFor({ timeout: 15_000 });
await shot(p, 'unanswered');
await p.getByRole('button', { name: 'Write a new article' }).first().click();
await p.locator('.adm-editor').waitFor();
await shot(p, 'kb-new');
await p.getByRole('link', { name: /^Widget/ }).click();
await p.getByLabel('Name shown in the chat').waitFor();
await p.getByLabel('Colour', { exact: true }).fill('#e8590c');
await p.getByText('Left', { exact: true }).click();
await p.getByLabel('Add an origin').fill('shop.example');
await p.getByRole('button', { name: 'Add origin' }).click();
await shot(p, 'widget');
await p.getByRole('link', { name: /^Security/ }).click();
await p.getByRole('button', { name: 'Rotate secret' }).click();
await p.getByRole('button', { name: 'Yes, rotate' }).click();
await p.locator('.secret-box').waitFor();
await shot(p, 'security');
await p.getByRole('link', { name: /^Team/ }).click();
await p.getByLabel('Email').fill('new.agent@northwind.example');
await p.getByRole('button', { name: 'Create invite link' }).click();
await p.locator('.invite-result').waitFor();
await p.locator('.canned-list').waitFor().catch(() => undefined);
await shot(p, 'team');

const es = await page({ locale: 'es-ES', dark: true });
await es.goto(`${base}/support/settings/unanswered`);
await es.locator('.un-item, .empty').first().waitFor({ timeout: 15_000 });
await shot(es, 'unanswered-es-dark');
await es.goto(`${base}/support/settings/widget`);
await es.locator('.w-preview').waitFor({ timeout: 15_000 });
await shot(es, 'widget-es-dark');

const narrow = await page({ width: 390, height: 844 });
await narrow.goto(`${base}/support/settings/kb`);
await narrow.locator('.adm-item').first().waitFor({ timeout: 15_000 });
await shot(narrow, 'kb-phone');

await browser.close();
await t.close();
