// The agent console (console/, issue 10): the page at /support (and its client-side routes: /support/c/:id,
// /support/invite/:token…) and its hashed chunks under /support/assets/. Read-only glue: the console talks to
// the same REST and socket API as every agent client. The page names the entry from dist/console/manifest.json
// (written by the build) and no inline script (the CSP allows 'self' scripts only).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';
import { QUIET_ROUTE } from '../logger.ts';
import { DIST_DIR } from '../paths.ts';
import { escapeHtml } from './html.ts';

interface Manifest {
  entry: string;
  preload: string[];
}

export async function supportRoutes(app: FastifyInstance, deps: { distDir?: string } = {}) {
  const root = path.join(deps.distDir ?? DIST_DIR, 'console');
  await app.register(fastifyStatic, {
    ...QUIET_ROUTE,
    root,
    prefix: '/support/assets/',
    decorateReply: false,
    preCompressed: true,
    etag: true,
    lastModified: true,
    cacheControl: false,
    // Console files only: never the manifest or anything outside the hashed chunks.
    allowedPath: (pathName) => /^\/[\w-]+\.[0-9a-z]{6,}\.js(\.map)?$/.test(pathName),
    setHeaders(res) {
      res.header('cache-control', 'public, max-age=31536000, immutable');
    },
  });

  let manifest: Manifest | null = null;
  const readManifest = async (): Promise<Manifest | null> => {
    // Cached once found; re-read while missing (a build may land after the server started, as in `npm run dev`).
    manifest ??= await readFile(path.join(root, 'manifest.json'), 'utf8')
      .then((s) => JSON.parse(s) as Manifest)
      .catch(() => null);
    return manifest;
  };

  const page = async (_request: unknown, reply: FastifyReply) => {
    const m = await readManifest();
    if (!m) return reply.status(503).type('text/plain; charset=utf-8').send('The console is not built yet: run `npm run build`.');
    const asset = (f: string) => `/support/assets/${escapeHtml(f)}`;
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><meta name="color-scheme" content="light dark">
<title>VeryChat Support</title>${m.preload.map((f) => `<link rel="modulepreload" href="${asset(f)}">`).join('')}
<script type="module" src="${asset(m.entry)}"></script></head><body><div id="app"></div></body></html>`;
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').header('x-robots-tag', 'noindex').send(html);
  };
  app.get('/support', page);
  app.get('/support/*', page);
}
