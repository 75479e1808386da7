// HTML pages served by the product itself. In demo mode: the demo storefront at `/` (and a hostile-CSS test
// page), wired to the demo workspace. Otherwise `/` only says what this server is: a real deployment serves
// no storefront and names no workspace.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { PrismaClient } from '../db/generated/client.ts';
import { QUIET_ROUTE } from '../logger.ts';
import { REPO_ROOT } from '../paths.ts';
import { findDemoWorkspace } from '../services/bootstrap.ts';
import { escapeHtml } from './html.ts';

export function pageRoutes(app: FastifyInstance, deps: { prisma: PrismaClient; demo: boolean }) {
  // Browsers ask for it on every page; answer without a 404 in their console.
  app.get('/favicon.ico', QUIET_ROUTE, (_request, reply) => reply.status(204).header('cache-control', 'public, max-age=86400').send());

  if (!deps.demo) {
    app.get('/', (_request, reply) => html(reply, SERVER_PAGE));
    return;
  }

  const storefront = path.join(REPO_ROOT, 'examples', 'storefront');
  async function servePage(file: string): Promise<string | null> {
    const siteKey = (await findDemoWorkspace(deps.prisma))?.siteKey ?? '';
    const page = await readFile(path.join(storefront, file), 'utf8').catch(() => null);
    return page?.replaceAll('{{SITE_KEY}}', escapeHtml(siteKey)) ?? null;
  }

  app.get('/', async (_request, reply) => html(reply, (await servePage('index.html')) ?? SERVER_PAGE));

  app.get('/demo/hostile', async (_request, reply) => {
    const page = await servePage('hostile.html');
    return page ? html(reply, page) : reply.callNotFound();
  });
}

function html(reply: FastifyReply, page: string) {
  return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page);
}

const SERVER_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>VeryChat</title></head><body style="font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem">
<h1>VeryChat is running</h1><p>This server hosts the VeryChat widget and its API. Add the widget to a store with
<code>&lt;script src="/widget.js" data-site-key="pk_…" async&gt;&lt;/script&gt;</code>.</p>
<p>Health: <a href="/health">/health</a></p></body></html>`;
