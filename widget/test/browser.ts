// Debian's Chromium, headless, for the browser tests (driven by playwright-core; nothing downloaded).
// Without the background-networking flags it would keep trying Google's hosts on this closed network.
import { chromium, type Browser } from 'playwright-core';
import type { Env } from '../../server/config.ts';
import { agentToken, seedWorkspace, startTestApp } from '../../server/test/support/app.ts';
import { CHROMIUM_PATH } from '../../server/test/support/needs.ts';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const launchChromium = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM_PATH, args: FLAGS, headless: true });

/**
 * A test server whose storefront (`/`) is wired to a fresh workspace (the demo page follows `settings.demo`,
 * which only bootstrap writes otherwise), that workspace's agent signed in over the API, and a browser.
 */
export async function demoStorefront(env: Env = {}) {
  const t = await startTestApp(env);
  const seed = await seedWorkspace(t, [t.url]);
  await t.db.prisma.workspace.update({ where: { id: seed.workspace.id }, data: { settings: { demo: true } } });
  const token = await agentToken(t, seed.workspace.siteKey, seed.agent.email, seed.password);
  const browser = await launchChromium();
  return {
    t,
    seed,
    token,
    browser,
    async close() {
      await browser.close();
      await t.close();
    },
  };
}
export type DemoStorefront = Awaited<ReturnType<typeof demoStorefront>>;
