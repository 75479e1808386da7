// The knowledge base over REST for the widget's FAQ panel: categories, as-you-type search, one article. Public
// like the widget's other calls before its socket: the site key names the workspace and the page's origin must be
// one it allows (the refusal is readable from any origin: app.ts), rate-limited per client IP, and cacheable for a
// minute with an ETag (a browser revalidating gets 304 without the body).
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { KB_SLUG, MAX_KB_SLUG_LENGTH } from '../../protocol/assistant.ts';
import {
  HelpArticleQuery,
  HelpIndexQuery,
  HelpSearchQuery,
  type HelpArticleResponse,
  type HelpIndexResponse,
  type HelpSearchResponse,
} from '../../protocol/rest.ts';
import { browserOrigin } from '../cors.ts';
import { AppError, parseInput } from '../errors.ts';
import type { ProxyRule } from '../proxy.ts';
import { helpCategories, kbLanguage, relatedArticles } from '../services/assistant/help.ts';
import { toArticleDto } from '../services/assistant/kb.ts';
import type { Services } from '../services/index.ts';
import { workspaceSettings } from '../services/workspaces.service.ts';

export function helpRoutes(app: FastifyInstance, services: Services, deps: { proxy: ProxyRule }) {
  const { assistant, rateLimits } = services;

  /** Spends the client's point, then resolves the workspace for this page's origin and the reader's language. */
  async function reader(request: FastifyRequest, query: { siteKey: string; lang?: string | undefined }) {
    const ws = await services.workspaces.authorizeOrigin(query.siteKey, browserOrigin(request.raw, deps.proxy));
    return { ws, language: kbLanguage(query.lang, workspaceSettings(ws).locale) };
  }

  app.get('/api/v1/widget/help', async (request, reply) => {
    await rateLimits.consume('help:ip', 'visitor', request.ip);
    const query = parseInput(HelpIndexQuery, request.query);
    const { ws, language } = await reader(request, query);
    const body: HelpIndexResponse = { language, categories: helpCategories(await assistant.listArticles(ws.id, language), language) };
    return sendCacheable(request, reply, body);
  });

  app.get('/api/v1/widget/help/search', async (request, reply) => {
    await rateLimits.consume('help:ip', 'visitor', request.ip);
    const query = parseInput(HelpSearchQuery, request.query);
    const { ws, language } = await reader(request, query);
    const q = query.q.trim();
    const body: HelpSearchResponse = { language, hits: q ? await assistant.searchArticles(ws.id, language, q, query.limit) : [] };
    return sendCacheable(request, reply, body);
  });

  app.get<{ Params: { slug: string } }>('/api/v1/widget/help/articles/:slug', async (request, reply) => {
    await rateLimits.consume('help:ip', 'visitor', request.ip);
    const query = parseInput(HelpArticleQuery, request.query);
    const { ws, language } = await reader(request, query);
    const { slug } = request.params;
    // A slug that cannot be one is no article either: the same coded 404, without a look-up.
    const article = slug.length <= MAX_KB_SLUG_LENGTH && KB_SLUG.test(slug) ? await assistant.getArticle(ws.id, language, slug) : null;
    if (!article) throw new AppError('ARTICLE_NOT_FOUND', `No article "${slug.slice(0, MAX_KB_SLUG_LENGTH)}" in ${language}.`);
    const body: HelpArticleResponse = { article: toArticleDto(article), related: relatedArticles(article, await assistant.listArticles(ws.id, language)) };
    return sendCacheable(request, reply, body);
  });
}

/**
 * JSON that browsers may keep for a minute, with a weak ETag of its bytes: a matching If-None-Match gets 304.
 * The answer depends on the page's Origin (allowed or not), hence Vary.
 */
function sendCacheable(request: FastifyRequest, reply: FastifyReply, body: object) {
  const json = JSON.stringify(body);
  const etag = `W/"${createHash('sha256').update(json).digest('base64url').slice(0, 27)}"`;
  void reply.header('cache-control', 'public, max-age=60').header('vary', 'origin').header('etag', etag);
  const ifNoneMatch = request.headers['if-none-match'];
  if (typeof ifNoneMatch === 'string' && ifNoneMatch.split(',').some((tag) => tag.trim() === etag)) return reply.status(304).send();
  return reply.type('application/json; charset=utf-8').send(json);
}
