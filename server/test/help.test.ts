// The knowledge base over HTTP: the widget's FAQ REST (categories, search, articles), the agents' assistant report,
// and the /help center's server-rendered pages (default workspace and /w/:siteKey), through a real server.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapDemo } from '../services/bootstrap.ts';
import type { Article } from '../services/assistant/kb.ts';
import { agentToken, json, seedWorkspace, startTestApp, type TestApp } from './support/app.ts';

const SHOP = 'https://shop.example';
const OTHER = 'https://other.example';

let t: TestApp;
/** The demo workspace: /help's, allows this server's origin (so its pages carry the widget) and SHOP. */
let demo: { siteKey: string; id: string };
/** A second workspace with an article of its own (a hostile title), origins OTHER only: no widget on its pages. */
let other: Awaited<ReturnType<typeof seedWorkspace>>;
let spanish: Awaited<ReturnType<typeof seedWorkspace>>;

const hostileOverride: Article = {
  slug: 'how-refunds-work',
  language: 'en',
  category: 'refunds',
  title: '<script>alert("title")</script> Refunds & returns',
  alternatives: ['how do refunds work here'],
  tags: ['refund'],
  answer: 'Our own policy: <img src=x onerror=alert(1)> **30 days**.',
  details: 'Read [the dispute guide](open-dispute) or [this](javascript:alert(1)).\n\n- <b>one</b>\n- `<script>x</script>`',
};

beforeAll(async () => {
  t = await startTestApp();
  const boot = await bootstrapDemo(t.db.prisma, t.app.services, { origins: [t.url, SHOP] });
  demo = { siteKey: boot.workspace.siteKey, id: boot.workspace.id };
  other = await seedWorkspace(t, [OTHER]);
  await t.app.services.workspaces.rename(other.workspace.siteKey, 'Other Shop');
  await t.app.services.assistant.kb.upsert(other.workspace.id, hostileOverride);
  spanish = await seedWorkspace(t, [SHOP]);
  await t.app.services.workspaces.updateSettings(spanish.workspace.siteKey, { locale: 'es' });
});
afterAll(() => t?.close());

const api = (path: string, origin: string | null = SHOP, headers: Record<string, string> = {}) =>
  fetch(`${t.url}${path}`, { headers: { ...(origin && { origin }), ...headers } });
const page = (path: string, headers: Record<string, string> = {}) => fetch(`${t.url}${path}`, { headers });

describe('GET /api/v1/widget/help', () => {
  it('lists categories in order with localized titles, cacheable with an ETag', async () => {
    const res = await api(`/api/v1/widget/help?siteKey=${demo.siteKey}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    expect(res.headers.get('vary')).toMatch(/origin/i);
    const body = await json(res);
    expect(body.language).toBe('en');
    expect(body.categories[0]).toMatchObject({ id: 'sending-receiving', title: 'Sending and receiving' });
    const refunds = body.categories.find((c: { id: string }) => c.id === 'refunds');
    expect(refunds.title).toBe('Refunds');
    expect(refunds.articles).toContainEqual({ slug: 'how-refunds-work', title: 'How do refunds work?' });
    // Articles by title within a category.
    const titles = refunds.articles.map((a: { title: string }) => a.title);
    expect(titles).toEqual([...titles].sort((a: string, b: string) => a.localeCompare(b, 'en', { sensitivity: 'base' })));

    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"/);
    const again = await api(`/api/v1/widget/help?siteKey=${demo.siteKey}`, SHOP, { 'if-none-match': etag });
    expect(again.status).toBe(304);
  });

  it('speaks Spanish by lang, by the workspace locale, and English for languages the knowledge base lacks', async () => {
    const es = await json(await api(`/api/v1/widget/help?siteKey=${demo.siteKey}&lang=es-MX`));
    expect(es.language).toBe('es');
    expect(es.categories.find((c: { id: string }) => c.id === 'refunds').title).toBe('Reembolsos');
    expect((await json(await api(`/api/v1/widget/help?siteKey=${demo.siteKey}&lang=ar`))).language).toBe('en');
    expect((await json(await api(`/api/v1/widget/help?siteKey=${spanish.workspace.siteKey}`))).language).toBe('es');
    expect((await json(await api(`/api/v1/widget/help?siteKey=${spanish.workspace.siteKey}&lang=en`))).language).toBe('en');
  });

  it('refuses an unknown site key and a page the workspace does not allow, with codes', async () => {
    const unknown = await api('/api/v1/widget/help?siteKey=pk_nope');
    expect(unknown.status).toBe(401);
    expect((await json(unknown)).error.code).toBe('SITE_KEY_UNKNOWN');
    const missing = await api('/api/v1/widget/help');
    expect(missing.status).toBe(400);
    expect((await json(missing)).error.code).toBe('VALIDATION_FAILED');
    const foreign = await api(`/api/v1/widget/help?siteKey=${demo.siteKey}`, OTHER);
    expect(foreign.status).toBe(403);
    expect((await json(foreign)).error.code).toBe('ORIGIN_NOT_ALLOWED');
    // Readable by the page that was refused (the widget says "not available here").
    expect(foreign.headers.get('access-control-allow-origin')).toBe(OTHER);
  });
});

describe('GET /api/v1/widget/help/search', () => {
  it('finds a refund article first for "how long do refunds take"', async () => {
    const body = await json(await api(`/api/v1/widget/help/search?siteKey=${demo.siteKey}&q=${encodeURIComponent('how long do refunds take')}`));
    expect(body.language).toBe('en');
    expect(body.hits.length).toBeGreaterThan(0);
    expect(body.hits[0]).toMatchObject({ category: 'refunds' });
    expect(body.hits[0]).toHaveProperty('answer');
    expect(body.hits[0]).toHaveProperty('score');
  });

  it('searches in Spanish and honours limit', async () => {
    const body = await json(await api(`/api/v1/widget/help/search?siteKey=${demo.siteKey}&lang=es&limit=2&q=${encodeURIComponent('cuánto tarda un reembolso')}`));
    expect(body.language).toBe('es');
    expect(body.hits.length).toBeLessThanOrEqual(2);
    expect(body.hits[0].category).toBe('refunds');
    expect(body.hits[0].title).toMatch(/reembols/i);
  });

  it('answers an empty query with no hits, and refuses a long one or a bad limit with VALIDATION_FAILED', async () => {
    expect(await json(await api(`/api/v1/widget/help/search?siteKey=${demo.siteKey}&q=`))).toEqual({ language: 'en', hits: [] });
    expect(await json(await api(`/api/v1/widget/help/search?siteKey=${demo.siteKey}&q=%20%20`))).toEqual({ language: 'en', hits: [] });
    for (const query of [`q=${'a'.repeat(201)}`, 'q=refund&limit=0', 'q=refund&limit=500']) {
      const res = await api(`/api/v1/widget/help/search?siteKey=${demo.siteKey}&${query}`);
      expect(res.status, query).toBe(400);
      expect((await json(res)).error.code, query).toBe('VALIDATION_FAILED');
    }
  });
});

describe('GET /api/v1/widget/help/articles/:slug', () => {
  it('answers the article and the ones it links to first', async () => {
    const body = await json(await api(`/api/v1/widget/help/articles/how-refunds-work?siteKey=${demo.siteKey}`));
    expect(body.article).toMatchObject({ slug: 'how-refunds-work', language: 'en', category: 'refunds', title: 'How do refunds work?' });
    expect(body.article.details).toContain('[How do I ask for a refund?](request-refund)');
    expect(body.related[0]).toEqual({ slug: 'request-refund', title: expect.any(String) });
    expect(body.related.length).toBeLessThanOrEqual(5);
    expect(body.related.map((r: { slug: string }) => r.slug)).not.toContain('how-refunds-work');
    const es = await json(await api(`/api/v1/widget/help/articles/how-refunds-work?siteKey=${demo.siteKey}&lang=es`));
    expect(es.article.title).toBe('¿Cómo funcionan los reembolsos?');
  });

  it('answers 404 ARTICLE_NOT_FOUND for an unknown or impossible slug', async () => {
    // (Past 100 characters Fastify answers 414 itself.)
    for (const slug of ['no-such-article', 'Not_A_Slug', 'x'.repeat(95)]) {
      const res = await api(`/api/v1/widget/help/articles/${slug}?siteKey=${demo.siteKey}`);
      expect(res.status, slug).toBe(404);
      expect((await json(res)).error.code, slug).toBe('ARTICLE_NOT_FOUND');
    }
  });

  it("serves a workspace's own article to its pages only", async () => {
    const own = await json(await api(`/api/v1/widget/help/articles/how-refunds-work?siteKey=${other.workspace.siteKey}`, OTHER));
    expect(own.article.title).toBe(hostileOverride.title);
    const demoOne = await json(await api(`/api/v1/widget/help/articles/how-refunds-work?siteKey=${demo.siteKey}`));
    expect(demoOne.article.title).toBe('How do refunds work?');
  });
});

describe('GET /api/v1/assistant/report', () => {
  it('needs an agent, and shows each agent their own workspace only', async () => {
    const none = await fetch(`${t.url}/api/v1/assistant/report`);
    expect(none.status).toBe(401);
    expect((await json(none)).error.code).toBe('AUTH_REQUIRED');

    const base = { answer: '…', language: 'en' as const, articles: [], paymentTools: [], paymentIds: [], confidence: 0.2, engine: 'embedded', latencyMs: 12 };
    for (const question of ['Can I pay with PayPal?', 'can i pay with paypal', 'Do you ship to Mars?']) {
      await t.app.services.assistant.interactions.record({ ...base, workspaceId: other.workspace.id, queryId: randomUUID(), question, route: 'not-sure' });
    }
    await t.app.services.assistant.interactions.record({ ...base, workspaceId: other.workspace.id, queryId: randomUUID(), question: 'refund?', route: 'faq', confidence: 0.9 });

    const ownToken = await agentToken(t, other.workspace.siteKey, other.agent.email, other.password);
    const res = await fetch(`${t.url}/api/v1/assistant/report?since=24h`, { headers: { authorization: `Bearer ${ownToken}` } });
    expect(res.status).toBe(200);
    const report = await json(res);
    expect(report).toMatchObject({ questions: 4, answeredRate: 0.25, handoffRate: 0, helpfulRate: null, byRoute: { 'not-sure': 3, faq: 1 } });
    expect(report.topUnanswered[0]).toMatchObject({ question: expect.stringMatching(/paypal/i), count: 2 });
    expect(new Date(report.to).getTime() - new Date(report.from).getTime()).toBeCloseTo(24 * 3600 * 1000, -4);

    // Another workspace's agent sees their own (empty) report, never these questions.
    const strangerToken = await agentToken(t, spanish.workspace.siteKey, spanish.agent.email, spanish.password);
    const theirs = await json(await fetch(`${t.url}/api/v1/assistant/report?since=7d`, { headers: { authorization: `Bearer ${strangerToken}` } }));
    expect(theirs).toMatchObject({ questions: 0, topUnanswered: [] });
  });

  it('takes since like the CLI, bounded', async () => {
    const token = await agentToken(t, other.workspace.siteKey, other.agent.email, other.password);
    const get = (q: string) => fetch(`${t.url}/api/v1/assistant/report?${q}`, { headers: { authorization: `Bearer ${token}` } });
    expect((await get('')).status).toBe(200);
    expect((await get('since=30d&top=3')).status).toBe(200);
    for (const q of ['since=400d', 'since=0d', 'since=yesterday', 'since=7x', 'top=0', `since=${'9'.repeat(50)}d`]) {
      const res = await get(q);
      expect(res.status, q).toBe(400);
      expect((await json(res)).error.code, q).toBe('VALIDATION_FAILED');
    }
  });
});

describe('/help pages', () => {
  it("shows the demo workspace's categories and articles, with the widget and no inline script", async () => {
    const res = await page('/help');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    const html = await res.text();
    expect(html).toContain('<html lang="en" dir="ltr">');
    expect(html).toContain('How can we help?');
    expect(html).toContain('<h3>Refunds</h3>');
    expect(html).toContain('href="/help/how-refunds-work"');
    expect(html).toContain('<form class="search search-large" role="search" method="get" action="/help/search">');
    expect(html).toContain(`<script src="/widget.js" data-site-key="${demo.siteKey}" data-locale="en" async></script>`);
    expect(html).toContain('href="/help?ask=1" data-verychat="chat"');
    expect(html).toContain('<a class="skip" href="#main">');
    // Every script is a file of this server's.
    expect([...html.matchAll(/<script\b[^>]*>/g)].every((m) => /src="\//.test(m[0]))).toBe(true);
    expect((await page('/help/help.js')).headers.get('content-type')).toMatch(/javascript/);
  });

  it('renders an article: escaped markdown, links to other articles, related articles', async () => {
    const html = await (await page('/help/how-refunds-work')).text();
    expect(html).toContain('<h1 id="article-title">How do refunds work?</h1>');
    expect(html).toContain('<strong>Who starts it:</strong>');
    expect(html).toContain('<a href="/help/request-refund">How do I ask for a refund?</a>');
    expect(html).toMatch(/<h2 id="related-title">Related articles<\/h2>\s*<ul><li><a href="\/help\/request-refund">/);
    expect(html).toContain('href="/help#topic-refunds"');

    const widgetArticle = await (await page('/help/add-chat-widget')).text();
    expect(widgetArticle).toContain('<code>&lt;script src=&quot;https://chat.example.com/widget.js&quot;');
    expect(widgetArticle).not.toContain('<script src="https://chat.example.com');
  });

  it("escapes a workspace's own article (script in its title) under /w/:siteKey/help", async () => {
    const res = await page(`/w/${other.workspace.siteKey}/help/how-refunds-work`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt; Refunds &amp; returns');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; <strong>30 days</strong>');
    expect(html).toContain(`<a href="/w/${other.workspace.siteKey}/help/open-dispute">the dispute guide</a>`);
    expect(html).not.toMatch(/<script>|<img|<b>|javascript:alert\(1\)"|href="javascript/);
    expect(html).toContain('<code>&lt;script&gt;x&lt;/script&gt;</code>');
    // This workspace does not allow this server's origin: no widget, and the page says where to ask instead.
    expect(html).not.toContain('/widget.js');
    expect(html).not.toContain('data-verychat');
    expect(html).toContain('through the chat on their website');
  });

  it("shows each workspace's own articles in its help center", async () => {
    const own = await (await page(`/w/${other.workspace.siteKey}/help`)).text();
    expect(own).toContain('&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt; Refunds &amp; returns');
    expect(own).toContain(`href="/w/${other.workspace.siteKey}/help/how-refunds-work"`);
    const demoHome = await (await page('/help')).text();
    expect(demoHome).not.toContain('Refunds &amp; returns');
    expect(demoHome).toContain('>How do refunds work?</a>');
  });

  it('searches with a plain GET, with snippets and highlights', async () => {
    const res = await page(`/help/search?q=${encodeURIComponent('how long do refunds take')}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Results for “how long do refunds take”');
    const first = /<li class="result">\s*<h2><a href="\/help\/([a-z0-9-]+)">/.exec(html);
    expect(first).not.toBeNull();
    const article = await json(await api(`/api/v1/widget/help/articles/${first![1]}?siteKey=${demo.siteKey}`));
    expect(article.article.category).toBe('refunds');
    expect(html).toMatch(/<mark>[Rr]efunds?<\/mark>/);
    expect(html).toContain('value="how long do refunds take"');

    const none = await (await page('/help/search?q=zzqxv+blorf')).text();
    expect(none).toContain('No articles match “zzqxv blorf”');
    expect(none).toContain('<h3>Refunds</h3>');
    const hostile = await (await page(`/help/search?q=${encodeURIComponent('<script>alert(1)</script>')}`)).text();
    expect(hostile).not.toContain('<script>alert');
    expect(hostile).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // A query past the limit is cut, not refused.
    const long = await page(`/help/search?q=${'refund '.repeat(100)}`);
    expect(long.status).toBe(200);
    expect(await page('/help/search?q=a&q=b').then((r) => r.status)).toBe(200);
  });

  it('chooses Spanish from Accept-Language, lets ?lang= override it, and keeps the chosen lang in links', async () => {
    const es = await (await page('/help', { 'accept-language': 'es-ES,es;q=0.9,en;q=0.5' })).text();
    expect(es).toContain('<html lang="es" dir="ltr">');
    expect(es).toContain('¿Cómo podemos ayudarte?');
    expect(es).toContain('<h3>Reembolsos</h3>');
    expect(es).toContain('href="/help/how-refunds-work"');
    expect(es).toContain('data-locale="es"');

    const en = await (await page('/help?lang=en', { 'accept-language': 'es' })).text();
    expect(en).toContain('<html lang="en" dir="ltr">');
    expect(en).toContain('href="/help/how-refunds-work?lang=en"');
    expect(en).toContain('<input type="hidden" name="lang" value="en">');

    const article = await (await page('/help/how-refunds-work?lang=es')).text();
    expect(article).toContain('¿Cómo funcionan los reembolsos?');
    expect(article).toContain('href="/help/request-refund?lang=es"');
    expect(article).toContain('href="/help/how-refunds-work?lang=en" hreflang="en" lang="en"');
  });

  it('shows Arabic readers the English content as left-to-right English, with the widget in Arabic', async () => {
    const html = await (await page('/help?lang=ar')).text();
    expect(html).toContain('<html lang="en" dir="ltr">');
    expect(html).toContain('How can we help?');
    expect(html).toContain('data-locale="ar"');
    expect(html).toContain('href="/help/how-refunds-work?lang=ar"');
    const arBrowser = await (await page('/help', { 'accept-language': 'ar' })).text();
    expect(arBrowser).toContain('<html lang="en" dir="ltr">');
  });

  it('answers unknown workspaces and articles with a 404 page', async () => {
    for (const path of ['/w/pk_nope/help', `/w/${'x'.repeat(99)}/help`, '/w/bad$key/help', '/w/pk_nope/help/how-refunds-work', '/w/pk_nope/help/search?q=x']) {
      const res = await page(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toBe('text/html; charset=utf-8');
      expect(await res.text(), path).toContain('There is no help center at this address');
    }
    const missing = await page('/help/no-such-article');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('We couldn’t find that article');
    expect((await page(`/help/${'x'.repeat(95)}`)).status).toBe(404);
  });

  it('sends /help/ to /help, keeping the query', async () => {
    const res = await fetch(`${t.url}/help/?lang=es`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/help?lang=es');
    const own = await fetch(`${t.url}/w/${other.workspace.siteKey}/help/`, { redirect: 'manual' });
    expect(own.headers.get('location')).toBe(`/w/${other.workspace.siteKey}/help`);
  });
});

describe('/help without a demo workspace', () => {
  it('shows the only workspace, and a 404 page once there are several', async () => {
    const solo = await startTestApp({ DEMO: 'off' });
    try {
      const first = await seedWorkspace(solo, [SHOP]);
      const res = await fetch(`${solo.url}/help`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('Test Shop');
      await seedWorkspace(solo, [SHOP]);
      const none = await fetch(`${solo.url}/help`, { headers: { 'accept-language': 'es' } });
      expect(none.status).toBe(404);
      expect(await none.text()).toContain('No hay ningún centro de ayuda en esta dirección');
      // Each workspace still has its own.
      expect((await fetch(`${solo.url}/w/${first.workspace.siteKey}/help`)).status).toBe(200);
    } finally {
      await solo.close();
    }
  });
});
