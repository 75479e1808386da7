// Widget files: the loader at /widget.js (short cache: merchants' pages name it, and it names the
// current app chunk) and the content-hashed ES-module chunks under /widget/ (cached for a year).
// Browsers import() the chunks from merchants' pages, so they carry CORS headers. ETags and
// pre-compressed br/gzip via @fastify/static.
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { QUIET_ROUTE } from '../logger.ts';
import { DIST_DIR } from '../paths.ts';

const HASHED = /\.[0-9a-z]{8,}\.(js|css|mjs)$/i;

export async function staticRoutes(app: FastifyInstance, opts: { distDir?: string } = {}) {
  const root = path.join(opts.distDir ?? DIST_DIR, 'public');
  await app.register(fastifyStatic, {
    ...QUIET_ROUTE,
    root: path.join(root, 'widget'),
    prefix: '/widget/',
    preCompressed: true,
    etag: true,
    lastModified: true,
    cacheControl: false,
    setHeaders(res, filePath) {
      const immutable = HASHED.test(path.basename(filePath));
      res.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=300, must-revalidate');
      res.header('access-control-allow-origin', '*');
      res.header('timing-allow-origin', '*');
    },
  });
  app.get('/widget.js', QUIET_ROUTE, (_request, reply) => reply.sendFile('widget.js', root));
}
