// HTML pages served by the product itself: the demo storefront at `/`.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../db/generated/client.ts';
import { REPO_ROOT } from '../paths.ts';
import { escapeHtml } from './html.ts';

export function pageRoutes(app: FastifyInstance, deps: { prisma: PrismaClient; demo: boolean }) {
  const storefront = path.join(REPO_ROOT, 'examples', 'storefront');

  /** The demo storefront uses the first workspace (the one bootstrap creates). */
  async function demoSiteKey(): Promise<string | null> {
    const ws = await deps.prisma.workspace.findFirst({ orderBy: { createdAt: 'asc' }, select: { siteKey: true } });
    return ws?.siteKey ?? null;
  }

  async function servePage(file: string) {
    const siteKey = (await demoSiteKey()) ?? '';
    const html = await readFile(path.join(storefront, file), 'utf8').catch(() => null);
    const demoScript = deps.demo ? '<script src="/demo/storefront.js" defer></script>' : '';
    return html?.replaceAll('{{SITE_KEY}}', escapeHtml(siteKey)).replaceAll('{{DEMO_SCRIPT}}', demoScript) ?? null;
  }

  app.get('/', async (_request, reply) => {
    const html = (await servePage('index.html')) ?? fallbackPage((await demoSiteKey()) ?? '');
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  });

  // Browsers ask for it on every page; answer without a 404 in their console.
  app.get('/favicon.ico', (_request, reply) => reply.status(204).header('cache-control', 'public, max-age=86400').send());

  app.get('/demo/hostile', async (_request, reply) => {
    const html = await servePage('hostile.html');
    if (!html) return reply.callNotFound();
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  });
}

function fallbackPage(siteKey: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>VeryChat</title></head><body style="font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem">
<h1>VeryChat is running</h1><p>Demo site key: <code>${escapeHtml(siteKey)}</code></p>
<p>Health: <a href="/health">/health</a></p>
<script src="/widget.js" data-site-key="${escapeHtml(siteKey)}" async></script></body></html>`;
}
