// The help center: server-rendered pages of a workspace's knowledge base, for people (no JavaScript needed).
//   /help, /help/search?q=, /help/:slug                 the default workspace's: the demo workspace (demo mode),
//                                                       else the only workspace; otherwise a 404 page
//   /w/:siteKey/help, …/search?q=, …/:slug              any workspace's, by its public site key
// The language is `?lang=` (links keep it), else the browser's Accept-Language, else the workspace's locale;
// the knowledge base has English and Spanish, so other languages (Arabic) read the English one. The widget is on
// the pages when the workspace allows this server's own origin (the demo workspace does); otherwise the pages
// work the same without it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { KB_SLUG, MAX_KB_SLUG_LENGTH } from '../../protocol/assistant.ts';
import { MAX_HELP_QUERY_LENGTH } from '../../protocol/rest.ts';
import type { PrismaClient, Workspace } from '../db/generated/client.ts';
import { AppError } from '../errors.ts';
import type { ProxyRule } from '../proxy.ts';
import { findDemoWorkspace } from '../services/bootstrap.ts';
import { categoryTitle, helpCategories, kbLanguage, relatedArticles } from '../services/assistant/help.ts';
import type { Services } from '../services/index.ts';
import { workspaceSettings } from '../services/workspaces.service.ts';
import {
  HELP_JS,
  HELP_LANGUAGES,
  helpArticleMissingPage,
  helpArticlePage,
  helpHomePage,
  helpSearchPage,
  helpUnavailablePage,
  type HelpContext,
} from './help-page.ts';
import { negotiateLanguage, primaryLanguage } from './page-kit.ts';

/** Languages the widget speaks (it has Arabic texts, the knowledge base does not). */
const WIDGET_LOCALES = ['en', 'es', 'ar'];
const SITE_KEY = /^[A-Za-z0-9_-]{1,128}$/;
/** Results on the search page. */
const SEARCH_RESULTS = 10;
/** Results scoring less than this share of the best one are left out. */
const MIN_SCORE_SHARE = 0.1;

type Page = { kind: 'home' } | { kind: 'search' } | { kind: 'article'; slug: string };

interface PageQuery {
  lang: string | undefined;
  q: string;
  ask: boolean;
}

/** The page's query, leniently: a malformed or repeated parameter counts as absent, a long search is cut. */
function pageQuery(request: FastifyRequest): PageQuery {
  const raw = (request.query ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const lang = str(raw.lang);
  return {
    lang: lang && lang.length <= 35 ? lang : undefined,
    q: (str(raw.q) ?? '').slice(0, MAX_HELP_QUERY_LENGTH).replace(/\s+/g, ' ').trim(),
    ask: raw.ask !== undefined,
  };
}

export function helpCenterRoutes(app: FastifyInstance, services: Services, deps: { prisma: PrismaClient; demo: boolean; proxy: ProxyRule }) {
  const { assistant, rateLimits, workspaces } = services;

  /** `/help`'s workspace: the demo one in demo mode, else the only one; null when there is no single one. */
  async function defaultWorkspace(): Promise<Workspace | null> {
    const demo = deps.demo ? await findDemoWorkspace(deps.prisma) : null;
    if (demo) return demo;
    const some = await deps.prisma.workspace.findMany({ take: 2, orderBy: { createdAt: 'asc' } });
    return some.length === 1 ? some[0]! : null;
  }

  async function bySiteKey(siteKey: string): Promise<Workspace | null> {
    if (!SITE_KEY.test(siteKey)) return null;
    try {
      return await workspaces.resolveSiteKey(siteKey);
    } catch (err) {
      if (err instanceof AppError && err.code === 'SITE_KEY_UNKNOWN') return null;
      throw err;
    }
  }

  async function render(request: FastifyRequest, reply: FastifyReply, page: Page, find: () => Promise<Workspace | null>, base: (ws: Workspace) => string) {
    // `/help/` is the home page: one address for it.
    if (page.kind === 'article' && page.slug === '') {
      const [path = '', search] = request.url.split('?', 2);
      return reply.redirect(`${path.replace(/\/+$/, '')}${search === undefined ? '' : `?${search}`}`, 301);
    }
    const query = pageQuery(request);
    const acceptLanguage = request.headers['accept-language'];
    // Pages differ by language, and the language may come from Accept-Language.
    void reply.type('text/html; charset=utf-8').header('vary', 'accept-language');
    try {
      await rateLimits.consume('help:ip', 'visitor', request.ip);
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'RATE_LIMITED')) throw err;
      const language = readerLanguage(query.lang, acceptLanguage, 'en');
      if (err.extra.retryAfterMs) void reply.header('retry-after', Math.ceil(err.extra.retryAfterMs / 1000));
      return reply.status(429).header('cache-control', 'no-store').send(helpUnavailablePage(language, 'busy'));
    }
    const ws = await find();
    if (!ws) {
      const language = readerLanguage(query.lang, acceptLanguage, 'en');
      return reply.status(404).header('cache-control', 'no-store').send(helpUnavailablePage(language, 'missing'));
    }
    const settings = workspaceSettings(ws);
    const language = readerLanguage(query.lang, acceptLanguage, settings.locale);
    const requested = query.lang ? primaryLanguage(query.lang) : null;
    const ctx: HelpContext = {
      language,
      workspace: { name: ws.name, color: settings.color },
      base: base(ws),
      linkLang: requested ? (WIDGET_LOCALES.includes(requested) ? requested : language) : null,
      widget: workspaces.allowsOrigin(ws, ownOrigin(request, deps.proxy))
        ? { siteKey: ws.siteKey, locale: requested && WIDGET_LOCALES.includes(requested) ? requested : language }
        : null,
      ask: query.ask,
    };
    const articles = await assistant.listArticles(ws.id, language);
    void reply.header('cache-control', 'public, max-age=60');

    if (page.kind === 'home') return reply.send(helpHomePage(ctx, helpCategories(articles, language)));
    if (page.kind === 'search') {
      const found = query.q ? await assistant.searchArticles(ws.id, language, query.q, SEARCH_RESULTS) : [];
      // Hits far below the best are noise on a results page (scores compare within one search only).
      const hits = found.filter((h) => h.score >= found[0]!.score * MIN_SCORE_SHARE);
      return reply.send(helpSearchPage(ctx, query.q, hits, helpCategories(articles, language)));
    }
    const article = page.slug.length <= MAX_KB_SLUG_LENGTH && KB_SLUG.test(page.slug) ? articles.find((a) => a.slug === page.slug) : undefined;
    if (!article) return reply.status(404).header('cache-control', 'no-store').send(helpArticleMissingPage(ctx));
    const category = { id: article.category, title: categoryTitle(article.category, language) };
    const known = new Set(articles.map((a) => a.slug));
    return reply.send(helpArticlePage(ctx, article, category, relatedArticles(article, articles), known));
  }

  const DEFAULT_BASE = () => '/help';
  const ownBase = (ws: Workspace) => `/w/${encodeURIComponent(ws.siteKey)}/help`;

  // Before `/help/:slug`: a static path wins over the parameter.
  app.get('/help/help.js', { logLevel: 'warn' }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=86400').send(HELP_JS),
  );

  app.get('/help', (request, reply) => render(request, reply, { kind: 'home' }, defaultWorkspace, DEFAULT_BASE));
  app.get('/help/search', (request, reply) => render(request, reply, { kind: 'search' }, defaultWorkspace, DEFAULT_BASE));
  app.get<{ Params: { slug: string } }>('/help/:slug', (request, reply) =>
    render(request, reply, { kind: 'article', slug: request.params.slug }, defaultWorkspace, DEFAULT_BASE),
  );

  type SiteParams = { Params: { siteKey: string; slug?: string } };
  const site = (request: FastifyRequest<SiteParams>) => () => bySiteKey(request.params.siteKey);
  app.get<SiteParams>('/w/:siteKey/help', (request, reply) => render(request, reply, { kind: 'home' }, site(request), ownBase));
  app.get<SiteParams>('/w/:siteKey/help/search', (request, reply) => render(request, reply, { kind: 'search' }, site(request), ownBase));
  app.get<SiteParams>('/w/:siteKey/help/:slug', (request, reply) =>
    render(request, reply, { kind: 'article', slug: request.params.slug ?? '' }, site(request), ownBase),
  );
}

/** `?lang=` (Arabic and other languages the knowledge base lacks read English), else Accept-Language, else the workspace's. */
function readerLanguage(lang: string | undefined, acceptLanguage: string | undefined, workspaceLocale: string) {
  if (lang) return kbLanguage(lang, workspaceLocale);
  return negotiateLanguage(HELP_LANGUAGES, undefined, acceptLanguage) ?? kbLanguage(undefined, workspaceLocale);
}

/** This server's origin as the browser addressed it (behind a trusted proxy, as the proxy reports it). */
function ownOrigin(request: FastifyRequest, proxy: ProxyRule): string | undefined {
  const host = proxy.host(request.raw);
  return host ? `${proxy.protocol(request.raw)}://${host}` : undefined;
}
