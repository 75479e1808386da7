// The help center's pages (/help and /w/:siteKey/help): home (search and topics), an article, search results, and
// the 404 and 429 pages. Server-rendered HTML that needs no JavaScript: navigation is links, search is a GET form.
// The workspace's colour is the accent (as on receipts, page-kit.ts); every knowledge-base string is escaped
// (html.ts) and article markdown goes through the safe renderer (markdown.ts). Scripts come from this server only
// (the page's CSP allows no inline script): the widget, when the workspace allows this server's own origin, and
// HELP_JS, which opens it for `?ask=1`.
import type { AssistantLanguage, FaqSearchHitDto } from '../../protocol/assistant-values.ts';
import { createAnalyzer, LEXICONS, type Analyzer } from '../services/assistant/lexicon/index.ts';
import type { HelpArticleLink, HelpCategory } from '../services/assistant/help.ts';
import type { Article } from '../services/assistant/kb.ts';
import { fold, stem } from '../services/assistant/text.ts';
import { escapeHtml } from './html.ts';
import { renderMarkdown } from './markdown.ts';
import { brandColor, brandVars, DEFAULT_BRAND, fill, initial } from './page-kit.ts';

export const HELP_LANGUAGES: readonly AssistantLanguage[] = ['en', 'es'];
const LANGUAGE_NAMES: Record<AssistantLanguage, string> = { en: 'English', es: 'Español' };

interface Texts {
  helpCenter: string;
  skip: string;
  language: string;
  heroTitle: string;
  heroLead: string;
  searchLabel: string;
  searchPlaceholder: string;
  searchButton: string;
  topics: string;
  articles: (n: number) => string;
  showMore: (n: number) => string;
  showLess: string;
  breadcrumb: string;
  shortAnswer: string;
  related: string;
  stillNeedHelp: string;
  askLead: string;
  askButton: string;
  askElsewhere: string;
  askNeedsJs: string;
  resultsFor: string;
  results: (n: number) => string;
  noResults: string;
  noResultsHint: string;
  emptySearch: string;
  browseInstead: string;
  articleMissing: string;
  articleMissingText: string;
  backHome: string;
  noHelpCenter: string;
  noHelpCenterText: string;
  busy: string;
  busyText: string;
  poweredBy: string;
}

const TEXTS: Record<AssistantLanguage, Texts> = {
  en: {
    helpCenter: 'Help Center',
    skip: 'Skip to content',
    language: 'Language',
    heroTitle: 'How can we help?',
    heroLead: 'Search our articles or browse by topic.',
    searchLabel: 'Search the help center',
    searchPlaceholder: 'Search for answers',
    searchButton: 'Search',
    topics: 'Browse by topic',
    articles: (n) => (n === 1 ? '1 article' : `${n} articles`),
    showMore: (n) => (n === 1 ? 'Show 1 more' : `Show ${n} more`),
    showLess: 'Show fewer',
    breadcrumb: 'Breadcrumb',
    shortAnswer: 'Short answer',
    related: 'Related articles',
    stillNeedHelp: 'Still need help?',
    askLead: 'Our assistant answers in seconds, day or night, and can bring in a person from our team.',
    askButton: 'Ask the assistant',
    askElsewhere: 'Write to {name} through the chat on their website: the assistant answers there, and can bring in a person.',
    askNeedsJs: 'The assistant answers in the chat window, which needs JavaScript. Turn JavaScript on and reload this page, or browse the articles below.',
    resultsFor: 'Results for “{q}”',
    results: (n) => (n === 1 ? '1 article found' : `${n} articles found`),
    noResults: 'No articles match “{q}”',
    noResultsHint: 'Try fewer or different words, check the spelling, or browse the topics below.',
    emptySearch: 'Type a question in the search box to find an answer.',
    browseInstead: 'Or browse by topic',
    articleMissing: 'We couldn’t find that article',
    articleMissingText: 'It may have moved, or the address may be mistyped. Search for it, or start from the help center’s home page.',
    backHome: 'Go to the help center',
    noHelpCenter: 'There is no help center at this address',
    noHelpCenterText: 'Check the link you followed: it may be incomplete, or the help center may have moved.',
    busy: 'Too many requests',
    busyText: 'You have opened many pages in a short time. Wait a minute, then try again.',
    poweredBy: 'Powered by VeryChat',
  },
  es: {
    helpCenter: 'Centro de ayuda',
    skip: 'Saltar al contenido',
    language: 'Idioma',
    heroTitle: '¿Cómo podemos ayudarte?',
    heroLead: 'Busca en nuestros artículos o explora por tema.',
    searchLabel: 'Buscar en el centro de ayuda',
    searchPlaceholder: 'Busca respuestas',
    searchButton: 'Buscar',
    topics: 'Explorar por tema',
    articles: (n) => (n === 1 ? '1 artículo' : `${n} artículos`),
    showMore: (n) => (n === 1 ? 'Ver 1 más' : `Ver ${n} más`),
    showLess: 'Ver menos',
    breadcrumb: 'Ruta de navegación',
    shortAnswer: 'Respuesta corta',
    related: 'Artículos relacionados',
    stillNeedHelp: '¿Todavía necesitas ayuda?',
    askLead: 'Nuestro asistente responde en segundos, de día o de noche, y puede pasarte con una persona del equipo.',
    askButton: 'Pregúntale al asistente',
    askElsewhere: 'Escribe a {name} desde el chat de su sitio web: allí responde el asistente, y puede pasarte con una persona.',
    askNeedsJs: 'El asistente responde en la ventana del chat, que necesita JavaScript. Activa JavaScript y vuelve a cargar la página, o explora los artículos de abajo.',
    resultsFor: 'Resultados para “{q}”',
    results: (n) => (n === 1 ? '1 artículo encontrado' : `${n} artículos encontrados`),
    noResults: 'Ningún artículo coincide con “{q}”',
    noResultsHint: 'Prueba con menos palabras o con otras, revisa la ortografía o explora los temas de abajo.',
    emptySearch: 'Escribe una pregunta en el buscador para encontrar una respuesta.',
    browseInstead: 'O explora por tema',
    articleMissing: 'No encontramos ese artículo',
    articleMissingText: 'Puede que se haya movido o que la dirección tenga un error. Búscalo, o empieza desde la portada del centro de ayuda.',
    backHome: 'Ir al centro de ayuda',
    noHelpCenter: 'No hay ningún centro de ayuda en esta dirección',
    noHelpCenterText: 'Revisa el enlace que seguiste: puede estar incompleto, o el centro de ayuda puede haberse movido.',
    busy: 'Demasiadas solicitudes',
    busyText: 'Abriste muchas páginas en poco tiempo. Espera un minuto y vuelve a intentarlo.',
    poweredBy: 'Con la tecnología de VeryChat',
  },
};

/** Everything a page needs to know about where it is. */
export interface HelpContext {
  /** The language of the content and of the page's own texts. */
  language: AssistantLanguage;
  workspace: { name: string; color: unknown };
  /** `/help` or `/w/<siteKey>/help`. */
  base: string;
  /** The `lang` links carry: the one the reader chose by URL, or null (then the browser's Accept-Language decides). */
  linkLang: string | null;
  /** The widget on this page, or null when the workspace does not allow this server's origin. */
  widget: { siteKey: string; locale: string } | null;
  /** The reader followed "Ask the assistant" (`?ask=1`). */
  ask: boolean;
}

/** A link within the help center, keeping the reader's chosen language. */
function link(ctx: Pick<HelpContext, 'base' | 'linkLang'>, path: string, params: Record<string, string> = {}, hash = ''): string {
  const all = { ...params, ...(ctx.linkLang && { lang: ctx.linkLang }) };
  const search = new URLSearchParams(all).toString();
  return `${ctx.base}${path}${search ? `?${search}` : ''}${hash}`;
}

const categoryAnchor = (id: string) => `topic-${id}`;
/** Articles a topic card lists before "Show N more". */
const TOPIC_PREVIEW = 5;

// --- Pages ------------------------------------------------------------------------------------------------------

export function helpHomePage(ctx: HelpContext, categories: HelpCategory[]): string {
  const t = TEXTS[ctx.language];
  const hero = `
  <div class="hero">
    <h1>${escapeHtml(t.heroTitle)}</h1>
    <p class="hero-lead">${escapeHtml(t.heroLead)}</p>
    ${searchForm(ctx, '', true)}
  </div>`;
  const main = `
  <section aria-labelledby="topics-title">
    <h2 id="topics-title" class="section-title">${escapeHtml(t.topics)}</h2>
    ${topicGrid(ctx, categories)}
  </section>
  ${askSection(ctx, '')}`;
  return shell(ctx, { title: `${t.helpCenter} · ${ctx.workspace.name}`, description: t.heroLead, hero, main, path: '' });
}

export function helpArticlePage(ctx: HelpContext, article: Article, category: { id: string; title: string }, related: HelpArticleLink[], known: ReadonlySet<string>): string {
  const t = TEXTS[ctx.language];
  const articleHref = (slug: string) => (known.has(slug) ? link(ctx, `/${slug}`) : null);
  const details = article.details.trim() ? `<div class="prose">${renderMarkdown(article.details, { articleHref })}</div>` : '';
  const aside = related.length
    ? `
    <aside class="related" aria-labelledby="related-title">
      <h2 id="related-title">${escapeHtml(t.related)}</h2>
      <ul>${related.map((r) => `<li><a href="${escapeHtml(link(ctx, `/${r.slug}`))}">${escapeHtml(r.title)}</a></li>`).join('')}</ul>
    </aside>`
    : '';
  const main = `
  <nav class="crumbs" aria-label="${escapeHtml(t.breadcrumb)}">
    <ol>
      <li><a href="${escapeHtml(link(ctx, ''))}">${escapeHtml(t.helpCenter)}</a></li>
      <li><a href="${escapeHtml(link(ctx, '', {}, `#${categoryAnchor(category.id)}`))}">${escapeHtml(category.title)}</a></li>
    </ol>
  </nav>
  <div class="article-layout${aside ? '' : ' single'}">
    <article class="article" aria-labelledby="article-title">
      <h1 id="article-title">${escapeHtml(article.title)}</h1>
      <div class="answer" role="note" aria-label="${escapeHtml(t.shortAnswer)}">${renderMarkdown(article.answer, { articleHref })}</div>
      ${details}
    </article>${aside}
  </div>
  ${askSection(ctx, `/${article.slug}`)}`;
  return shell(ctx, { title: `${article.title} · ${ctx.workspace.name}`, description: article.answer, hero: compactHero(ctx, ''), main, path: `/${article.slug}` });
}

export function helpSearchPage(ctx: HelpContext, query: string, hits: FaqSearchHitDto[], categories: HelpCategory[]): string {
  const t = TEXTS[ctx.language];
  let main: string;
  if (!query) {
    main = `
  <h1 class="page-title">${escapeHtml(t.searchButton)}</h1>
  <p class="muted">${escapeHtml(t.emptySearch)}</p>
  <h2 class="section-title">${escapeHtml(t.browseInstead)}</h2>
  ${topicGrid(ctx, categories)}`;
  } else if (!hits.length) {
    main = `
  <h1 class="page-title">${escapeHtml(fill(t.noResults, { q: query }))}</h1>
  <p class="muted">${escapeHtml(t.noResultsHint)}</p>
  ${askSection(ctx, '/search', { q: query })}
  <h2 class="section-title">${escapeHtml(t.browseInstead)}</h2>
  ${topicGrid(ctx, categories)}`;
  } else {
    const highlight = highlighter(ctx.language, query);
    const items = hits.map(
      (h) => `
    <li class="result">
      <h2><a href="${escapeHtml(link(ctx, `/${h.slug}`))}">${highlight(h.title)}</a></h2>
      <p class="result-topic">${escapeHtml(categories.find((c) => c.id === h.category)?.title ?? h.category)}</p>
      <p class="snippet">${highlight(snippet(h.answer))}</p>
    </li>`,
    );
    main = `
  <h1 class="page-title">${escapeHtml(fill(t.resultsFor, { q: query }))}</h1>
  <p class="muted" role="status">${escapeHtml(t.results(hits.length))}</p>
  <ol class="results">${items.join('')}
  </ol>
  ${askSection(ctx, '/search', { q: query })}`;
  }
  const title = query ? `${fill(t.resultsFor, { q: query })} · ${ctx.workspace.name}` : `${t.searchButton} · ${ctx.workspace.name}`;
  return shell(ctx, { title, description: t.heroLead, hero: compactHero(ctx, query), main, path: '/search', params: query ? { q: query } : {} });
}

/** A page of a known help center that is not there: a wrong article address. */
export function helpArticleMissingPage(ctx: HelpContext): string {
  const t = TEXTS[ctx.language];
  const main = `
  <div class="message">
    <h1 class="page-title">${escapeHtml(t.articleMissing)}</h1>
    <p class="muted">${escapeHtml(t.articleMissingText)}</p>
    <p><a class="button" href="${escapeHtml(link(ctx, ''))}">${escapeHtml(t.backHome)}</a></p>
  </div>`;
  return shell(ctx, { title: `${t.articleMissing} · ${ctx.workspace.name}`, description: t.articleMissingText, hero: compactHero(ctx, ''), main, path: '', noindex: true });
}

/** No workspace here (an unknown site key, or `/help` on a server with no single default workspace). */
export function helpUnavailablePage(language: AssistantLanguage, reason: 'missing' | 'busy'): string {
  const t = TEXTS[language];
  const [title, text] = reason === 'busy' ? [t.busy, t.busyText] : [t.noHelpCenter, t.noHelpCenterText];
  return document(language, title, text, DEFAULT_BRAND, true, `
<main id="main" class="standalone" tabindex="-1">
  <div class="message card">
    <h1 class="page-title">${escapeHtml(title)}</h1>
    <p class="muted">${escapeHtml(text)}</p>
  </div>
</main>`);
}

// --- Parts ------------------------------------------------------------------------------------------------------

function shell(
  ctx: HelpContext,
  page: { title: string; description: string; hero: string; main: string; path: string; params?: Record<string, string>; noindex?: boolean },
): string {
  const t = TEXTS[ctx.language];
  const languages = HELP_LANGUAGES.map((l) => {
    const current = l === ctx.language ? ' aria-current="true"' : '';
    const href = `${ctx.base}${page.path}?${new URLSearchParams({ ...page.params, lang: l }).toString()}`;
    return `<a href="${escapeHtml(href)}" hreflang="${l}" lang="${l}"${current}>${LANGUAGE_NAMES[l]}</a>`;
  }).join('');
  const widget = ctx.widget
    ? `
<script src="/widget.js" data-site-key="${escapeHtml(ctx.widget.siteKey)}" data-locale="${escapeHtml(ctx.widget.locale)}" async></script>
<script src="/help/help.js" defer></script>`
    : '';
  const body = `
<a class="skip" href="#main">${escapeHtml(t.skip)}</a>
<header class="masthead">
  <div class="bar">
    <a class="brand" href="${escapeHtml(link(ctx, ''))}">
      <span class="mark" aria-hidden="true">${escapeHtml(initial(ctx.workspace.name))}</span>
      <span class="brand-name"><bdi>${escapeHtml(ctx.workspace.name)}</bdi></span>
      <span class="brand-tag">${escapeHtml(t.helpCenter)}</span>
    </a>
    <nav class="languages" aria-label="${escapeHtml(t.language)}">${languages}</nav>
  </div>${page.hero}
</header>
<main id="main" tabindex="-1">${ctx.ask && ctx.widget ? `\n  <noscript><p class="notice">${escapeHtml(t.askNeedsJs)}</p></noscript>` : ''}${page.main}
</main>
<footer class="footer">
  <p><a href="${escapeHtml(link(ctx, ''))}"><bdi>${escapeHtml(ctx.workspace.name)}</bdi> · ${escapeHtml(t.helpCenter)}</a></p>
  <p class="powered">${escapeHtml(t.poweredBy)}</p>
</footer>${widget}`;
  return document(ctx.language, page.title, page.description, brandColor(ctx.workspace.color), page.noindex ?? false, body);
}

function document(language: AssistantLanguage, title: string, description: string, brand: string, noindex: boolean, body: string): string {
  // The pages' texts and content are in `language` (Arabic readers get the English knowledge base): left to right.
  return `<!doctype html>
<html lang="${language}" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="description" content="${escapeHtml(description.slice(0, 300))}">${noindex ? '\n<meta name="robots" content="noindex">' : ''}
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<style>:root{${brandVars(brand, { light: '#eeeef3', dark: '#1b1e26' })}}${PAGE_CSS}</style>
</head>
<body>${body}
</body>
</html>
`;
}

function searchForm(ctx: HelpContext, query: string, large: boolean): string {
  const t = TEXTS[ctx.language];
  const lang = ctx.linkLang ? `<input type="hidden" name="lang" value="${escapeHtml(ctx.linkLang)}">` : '';
  return `<form class="search${large ? ' search-large' : ''}" role="search" method="get" action="${escapeHtml(`${ctx.base}/search`)}">
      <label class="visually-hidden" for="q">${escapeHtml(t.searchLabel)}</label>
      <svg class="search-icon" aria-hidden="true" viewBox="0 0 24 24" width="20" height="20"><circle cx="11" cy="11" r="7" fill="none" stroke="currentColor" stroke-width="2"/><path d="m20 20-3.5-3.5" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg>
      <input id="q" name="q" type="search" value="${escapeHtml(query)}" maxlength="200" autocomplete="off" placeholder="${escapeHtml(t.searchPlaceholder)}">${lang}
      <button type="submit">${escapeHtml(t.searchButton)}</button>
    </form>`;
}

function compactHero(ctx: HelpContext, query: string): string {
  return `
  <div class="hero hero-compact">
    ${searchForm(ctx, query, false)}
  </div>`;
}

function topicGrid(ctx: HelpContext, categories: HelpCategory[]): string {
  const t = TEXTS[ctx.language];
  const item = (a: HelpArticleLink) => `<li><a href="${escapeHtml(link(ctx, `/${a.slug}`))}">${escapeHtml(a.title)}</a></li>`;
  const cards = categories.map((c) => {
    // Long topics show their first articles; the rest open in place (a <details>: no JavaScript).
    const shown = c.articles.length > TOPIC_PREVIEW + 1 ? c.articles.slice(0, TOPIC_PREVIEW) : c.articles;
    const more = c.articles.slice(shown.length);
    const rest = more.length
      ? `<details class="more"><summary><span class="closed">${escapeHtml(t.showMore(more.length))}</span><span class="open">${escapeHtml(t.showLess)}</span></summary><ul>${more.map(item).join('')}</ul></details>`
      : '';
    return `
    <li class="topic" id="${escapeHtml(categoryAnchor(c.id))}">
      <h3>${escapeHtml(c.title)}</h3>
      <p class="topic-count">${escapeHtml(t.articles(c.articles.length))}</p>
      <ul>${shown.map(item).join('')}</ul>${rest}
    </li>`;
  });
  return `<ul class="topics">${cards.join('')}
  </ul>`;
}

/**
 * "Still need help?": a plain link to this page with `?ask=1` that the widget turns into opening the chat (it
 * handles clicks on `data-verychat="chat"`; HELP_JS opens it on `?ask=1` as well). Without the widget here (the
 * workspace does not allow this server's origin), it says where to ask instead.
 */
function askSection(ctx: HelpContext, path: string, params: Record<string, string> = {}): string {
  const t = TEXTS[ctx.language];
  const action = ctx.widget
    ? `<a class="button" href="${escapeHtml(link(ctx, path, { ...params, ask: '1' }))}" data-verychat="chat">${CHAT_ICON}<span>${escapeHtml(t.askButton)}</span></a>`
    : '';
  const lead = ctx.widget ? escapeHtml(t.askLead) : fill(escapeHtml(t.askElsewhere), { name: `<bdi>${escapeHtml(ctx.workspace.name)}</bdi>` });
  return `
  <section class="ask" aria-labelledby="ask-title">
    <div>
      <h2 id="ask-title">${escapeHtml(t.stillNeedHelp)}</h2>
      <p>${lead}</p>
    </div>
    ${action}
  </section>`;
}

const CHAT_ICON =
  '<svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20"><path d="M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.2 3.6A.5.5 0 0 1 5 19.2V16h-.5A.5.5 0 0 1 4 15.5z" fill="currentColor"/></svg>';

// --- Search snippets --------------------------------------------------------------------------------------------

const SNIPPET_LENGTH = 220;

/** The short answer as plain text (link targets and emphasis marks dropped), cut at a word near SNIPPET_LENGTH. */
function snippet(answer: string): string {
  const plain = answer
    .replace(/\[([^[\]\n]{1,300})\]\([^()\s]{1,300}\)/g, '$1')
    .replace(/\*\*|`/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (plain.length <= SNIPPET_LENGTH) return plain;
  const cut = plain.slice(0, SNIPPET_LENGTH);
  const space = cut.lastIndexOf(' ');
  return `${(space > SNIPPET_LENGTH * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,.;:]+$/, '')}…`;
}

const analyzers = new Map<AssistantLanguage, { analyzer: Analyzer; stop: Set<string> }>();
/** Words of a question that carry no subject: never marked (retrieval keeps them for phrasing). */
const QUESTION_WORDS: Record<AssistantLanguage, string[]> = {
  en: ['how', 'what', 'why', 'when', 'where', 'who', 'which', 'can', 'could', 'do', 'does', 'did', 'is', 'are', 'was', 'will', 'would', 'should', 'my', 'i'],
  es: ['como', 'que', 'por', 'porque', 'cuando', 'donde', 'quien', 'cual', 'cuanto', 'cuanta', 'cuantos', 'cuantas', 'puedo', 'puede', 'mi', 'mis', 'es', 'esta'],
};

/**
 * Escapes a text, marking its words that match the query's search terms (the same stems retrieval uses). One pass
 * over the words: the reader's query is never turned into a pattern.
 */
function highlighter(language: AssistantLanguage, query: string): (text: string) => string {
  let entry = analyzers.get(language);
  if (!entry) {
    entry = { analyzer: createAnalyzer(language), stop: new Set([...LEXICONS[language].stopwords, ...QUESTION_WORDS[language]].map(fold)) };
    analyzers.set(language, entry);
  }
  const { analyzer, stop } = entry;
  const terms = new Set(analyzer.terms(query));
  return (text) => {
    if (!terms.size) return escapeHtml(text);
    let out = '';
    let last = 0;
    for (const m of text.matchAll(/[\p{L}\p{N}]+/gu)) {
      const word = fold(m[0]);
      if (word.length < 2 || stop.has(word) || !terms.has(stem(word, language))) continue;
      out += `${escapeHtml(text.slice(last, m.index))}<mark>${escapeHtml(m[0])}</mark>`;
      last = m.index + m[0].length;
    }
    return out + escapeHtml(text.slice(last));
  };
}

// --- Script and styles ------------------------------------------------------------------------------------------

/**
 * Served as /help/help.js. "Ask the assistant" leads to `?ask=1`: open the chat there (the loader's command queue
 * takes the call before the widget has loaded), and take the parameter out of the address.
 */
export const HELP_JS = `// The help center's "Ask the assistant": the page's CSP allows scripts from this server only, never inline ones.
(function () {
  var url = new URL(window.location.href);
  if (!url.searchParams.has('ask')) return;
  var w = window;
  w.VeryChat = w.VeryChat || function () { (w.VeryChat.q = w.VeryChat.q || []).push(arguments); };
  w.VeryChat('open');
  url.searchParams.delete('ask');
  window.history.replaceState(null, '', url.pathname + url.search + url.hash);
})();
`;

const PAGE_CSS = `
*,*::before,*::after{box-sizing:border-box}
:root{color-scheme:light dark;--bg:#f6f6f9;--surface:#fff;--text:#17171c;--muted:#585866;--line:#e3e3ea;--accent:var(--accent-light);--tint:color-mix(in srgb,var(--brand) 7%,var(--surface));--code:#f0f0f4;--mark:color-mix(in srgb,var(--brand) 16%,transparent);--shadow:0 1px 2px rgba(16,24,40,.05),0 10px 30px -14px rgba(16,24,40,.18);--radius:16px}
@media (prefers-color-scheme:dark){:root{--bg:#0e1014;--surface:#171a21;--text:#ececf1;--muted:#a3a3b2;--line:#2a2e39;--accent:var(--accent-dark);--tint:color-mix(in srgb,var(--brand) 14%,var(--surface));--code:#232733;--mark:color-mix(in srgb,var(--brand) 38%,transparent);--shadow:0 1px 2px rgba(0,0,0,.4)}}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;min-height:100vh;display:flex;flex-direction:column;background:var(--bg);color:var(--text);font:16px/1.6 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Helvetica Neue",Arial,sans-serif;-webkit-font-smoothing:antialiased}
a{color:var(--accent);text-underline-offset:.18em;text-decoration-thickness:1px}
a:hover{text-decoration-thickness:2px}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px;border-radius:4px}
.visually-hidden{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.skip{position:absolute;inset-inline-start:1rem;top:-4rem;z-index:10;padding:.6rem 1rem;border-radius:10px;background:var(--surface);color:var(--text);font-weight:600;box-shadow:var(--shadow);text-decoration:none}
.skip:focus{top:1rem}
main{flex:1;width:100%;max-width:72rem;margin:0 auto;padding:2.5rem 1.5rem 3.5rem}
main:focus{outline:none}
.masthead{background:var(--brand);color:var(--on-brand);background-image:radial-gradient(120% 140% at 100% 0,color-mix(in srgb,var(--on-brand) 14%,transparent) 0,transparent 55%),radial-gradient(90% 120% at 0 100%,color-mix(in srgb,#000 14%,transparent) 0,transparent 60%)}
.masthead :focus-visible{outline-color:var(--on-brand)}
.bar{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.75rem 1.5rem;max-width:72rem;margin:0 auto;padding:1rem 1.5rem}
.brand{display:flex;align-items:center;gap:.7rem;min-width:0;color:inherit;text-decoration:none}
.mark{flex:none;display:grid;place-items:center;width:2.25rem;height:2.25rem;border-radius:10px;background:color-mix(in srgb,var(--on-brand) 16%,transparent);font-weight:700;font-size:1.05rem}
.brand-name{font-weight:680;font-size:1.05rem;overflow-wrap:anywhere}
.brand-tag{padding-inline-start:.7rem;border-inline-start:1px solid color-mix(in srgb,var(--on-brand) 35%,transparent);opacity:.88;white-space:nowrap}
.languages{display:flex;gap:.25rem;padding:.2rem;border-radius:999px;background:color-mix(in srgb,var(--on-brand) 12%,transparent)}
.languages a{padding:.25rem .75rem;border-radius:999px;color:inherit;font-size:.875rem;font-weight:560;text-decoration:none}
.languages a:hover{background:color-mix(in srgb,var(--on-brand) 14%,transparent)}
.languages a[aria-current]{background:var(--on-brand);color:var(--brand)}
.hero{max-width:72rem;margin:0 auto;padding:2.25rem 1.5rem 3.25rem}
.hero h1{margin:0;font-size:clamp(1.85rem,4.2vw,2.75rem);line-height:1.15;letter-spacing:-.02em;font-weight:750}
.hero-lead{margin:.5rem 0 1.6rem;font-size:1.125rem;opacity:.9}
.hero-compact{padding:.25rem 1.5rem 1.5rem}
.search{position:relative;display:flex;align-items:center;gap:.5rem;max-width:42rem;padding:.35rem;border-radius:14px;background:var(--surface);color:var(--text);box-shadow:0 12px 32px -12px rgba(0,0,0,.35)}
.search:focus-within{outline:3px solid color-mix(in srgb,var(--on-brand) 70%,transparent);outline-offset:2px}
.search-icon{flex:none;margin-inline-start:.6rem;color:var(--muted)}
.search input{flex:1;min-width:0;padding:.6rem .25rem;border:0;background:transparent;color:inherit;font:inherit;font-size:1rem}
.search input:focus{outline:none}
.search input::placeholder{color:var(--muted);opacity:1}
.search-large input{padding:.8rem .25rem;font-size:1.075rem}
.search button{flex:none;align-self:stretch;padding:0 1.25rem;border:0;border-radius:10px;background:var(--brand);color:var(--on-brand);font:inherit;font-weight:640;cursor:pointer}
.search button:hover{filter:brightness(1.08)}
.search button:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.section-title{margin:0 0 1.25rem;font-size:1.3rem;letter-spacing:-.01em}
.page-title{margin:0 0 .5rem;font-size:clamp(1.5rem,3vw,2rem);line-height:1.2;letter-spacing:-.015em;overflow-wrap:anywhere}
.muted{margin:0 0 2rem;color:var(--muted)}
.topics{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,19rem),1fr));gap:1rem;margin:0 0 3rem;padding:0;list-style:none}
.topic{padding:1.35rem 1.4rem 1.1rem;border:1px solid var(--line);border-radius:var(--radius);background:var(--surface);box-shadow:var(--shadow);scroll-margin-top:1rem}
.topic:target{border-color:var(--brand);box-shadow:0 0 0 3px color-mix(in srgb,var(--brand) 30%,transparent)}
.topic h3{display:flex;align-items:center;gap:.6rem;margin:0;font-size:1.075rem;letter-spacing:-.005em}
.topic h3::before{content:"";flex:none;width:.55rem;height:1.1rem;border-radius:3px;background:var(--brand)}
.topic-count{margin:.1rem 0 .7rem;padding-inline-start:1.15rem;color:var(--muted);font-size:.85rem}
.topic ul{margin:0;padding:0;list-style:none}
.topic li a{display:block;padding:.42rem 0;border-top:1px solid var(--line);color:var(--text);text-decoration:none;font-size:.95rem;line-height:1.45}
.topic>ul>li:first-child a{border-top:0}
.more summary{display:inline-flex;align-items:center;gap:.35rem;margin-top:.45rem;padding:.3rem 0;color:var(--accent);font-size:.9rem;font-weight:600;cursor:pointer;list-style:none}
.more summary::-webkit-details-marker{display:none}
.more summary::after{content:"";width:.45rem;height:.45rem;border:solid currentColor;border-width:0 2px 2px 0;transform:translateY(-2px) rotate(45deg)}
.more[open] summary::after{transform:translateY(2px) rotate(-135deg)}
.more .open,.more[open] .closed{display:none}
.more[open] .open{display:inline}
.more[open] summary{margin-bottom:.2rem}
.more ul li a{border-top:1px solid var(--line)}
.topic li a:hover{color:var(--accent);text-decoration:underline}
.crumbs ol{display:flex;flex-wrap:wrap;gap:.35rem;margin:0 0 1.5rem;padding:0;list-style:none;font-size:.9rem;color:var(--muted)}
.crumbs li+li::before{content:"›";margin-inline-end:.35rem;color:var(--muted)}
.crumbs a{color:var(--muted)}
.crumbs a:hover{color:var(--accent)}
.article-layout{display:grid;grid-template-columns:minmax(0,1fr) 19rem;gap:2rem 3.5rem;align-items:start}
.article-layout.single{grid-template-columns:minmax(0,46rem)}
.article h1{margin:0 0 1.25rem;font-size:clamp(1.7rem,3.4vw,2.35rem);line-height:1.18;letter-spacing:-.02em;overflow-wrap:anywhere}
.answer{margin:0 0 1.75rem;padding:1.1rem 1.35rem;border-inline-start:4px solid var(--brand);border-radius:12px;background:var(--tint);font-size:1.1rem;line-height:1.6}
.answer p{margin:0}
.prose{font-size:1.0625rem;line-height:1.7;max-width:46rem}
.prose>:first-child{margin-top:0}
.prose p,.prose ul,.prose ol,.prose blockquote,.prose pre,.prose .table-wrap{margin:0 0 1.1rem}
.prose ul,.prose ol{padding-inline-start:1.5rem}
.prose li{margin:.4rem 0}
.prose li>ul,.prose li>ol{margin:.4rem 0 0}
.prose li::marker{color:var(--muted)}
.prose h2,.prose h3,.prose h4,.prose h5,.prose h6{margin:2rem 0 .75rem;line-height:1.3;letter-spacing:-.01em}
.prose h2{font-size:1.35rem}.prose h3{font-size:1.15rem}.prose h4,.prose h5,.prose h6{font-size:1rem}
.prose strong{font-weight:650}
.prose blockquote{padding:.25rem 1rem;border-inline-start:3px solid var(--line);color:var(--muted)}
.prose code{padding:.12em .4em;border-radius:6px;background:var(--code);font:.88em/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
.prose pre{padding:1rem;border-radius:12px;background:var(--code);overflow-x:auto}
.prose pre code{padding:0;background:none}
.table-wrap{overflow-x:auto;border:1px solid var(--line);border-radius:12px;background:var(--surface)}
.prose table{width:100%;border-collapse:collapse;font-size:.95rem}
.prose th,.prose td{padding:.6rem .9rem;text-align:start;border-top:1px solid var(--line);vertical-align:top}
.prose thead th{border-top:0;background:var(--tint);font-weight:640}
.related{position:sticky;top:1.5rem;padding:1.25rem 1.35rem;border:1px solid var(--line);border-radius:var(--radius);background:var(--surface);box-shadow:var(--shadow)}
.related h2{margin:0 0 .6rem;font-size:.8rem;font-weight:700;letter-spacing:.06em;text-transform:uppercase;color:var(--muted)}
.related ul{margin:0;padding:0;list-style:none}
.related li a{display:block;padding:.5rem 0;border-top:1px solid var(--line);text-decoration:none;line-height:1.4}
.related li:first-child a{border-top:0}
.related li a:hover{text-decoration:underline}
.ask{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:1rem 2rem;margin:3rem 0 0;padding:1.6rem 1.75rem;border:1px solid color-mix(in srgb,var(--brand) 25%,var(--line));border-radius:var(--radius);background:var(--tint)}
.muted+.ask{margin-top:0}
.ask+.section-title{margin-top:2.75rem}
.ask>div{flex:1 1 20rem}
.ask h2{margin:0 0 .25rem;font-size:1.2rem}
.ask p{margin:0;color:var(--muted)}
.button{display:inline-flex;align-items:center;gap:.55rem;padding:.75rem 1.35rem;border-radius:999px;background:var(--brand);color:var(--on-brand);font-weight:640;text-decoration:none;box-shadow:0 6px 16px -8px color-mix(in srgb,var(--brand) 80%,transparent)}
.button:hover{filter:brightness(1.08);text-decoration:none}
.results{margin:0 0 1rem;padding:0;list-style:none;display:grid;gap:.85rem;max-width:50rem}
.result{position:relative;padding:1.15rem 1.35rem;border:1px solid var(--line);border-radius:var(--radius);background:var(--surface);box-shadow:var(--shadow)}
.result:hover{border-color:color-mix(in srgb,var(--brand) 45%,var(--line))}
.result h2{margin:0;font-size:1.1rem;line-height:1.35}
.result h2 a{color:var(--text);text-decoration:none}
.result h2 a::after{content:"";position:absolute;inset:0;border-radius:var(--radius)}
.result h2 a:hover{color:var(--accent)}
.result:focus-within{outline:3px solid var(--accent);outline-offset:2px}
.result h2 a:focus-visible{outline:none}
.result-topic{margin:.15rem 0 .45rem;color:var(--muted);font-size:.85rem;font-weight:560}
.snippet{margin:0;color:var(--muted);line-height:1.55}
mark{padding:0 .12em;border-radius:4px;background:var(--mark);color:var(--text)}
.notice{margin:0 0 2rem;padding:.9rem 1.1rem;border:1px solid var(--line);border-inline-start:4px solid var(--brand);border-radius:12px;background:var(--surface)}
.message{max-width:36rem}
.standalone{display:grid;place-items:center;padding-top:12vh}
.card{padding:2.25rem 2rem 2rem;border:1px solid var(--line);border-radius:var(--radius);background:linear-gradient(var(--brand),var(--brand)) top/100% 4px no-repeat var(--surface);box-shadow:var(--shadow)}
.card .muted{margin:0}
.footer{padding:1.75rem 1.5rem 2.25rem;border-top:1px solid var(--line);text-align:center;color:var(--muted);font-size:.875rem}
.footer p{margin:.15rem 0}
.footer a{color:inherit;text-decoration:none}
.footer a:hover{text-decoration:underline}
.powered{font-size:.8rem;opacity:.85}
@media (max-width:56rem){
  .article-layout{grid-template-columns:minmax(0,1fr)}
  .related{position:static}
}
@media (max-width:36rem){
  main{padding:1.75rem 1rem 2.5rem}
  .bar{padding:.85rem 1rem}
  .brand-tag{display:none}
  .bar{flex-wrap:nowrap}
  .brand-name{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
  .languages a{padding:.25rem .6rem;font-size:.8125rem}
  .hero{padding:1.5rem 1rem 2.25rem}
  .hero-compact{padding:.1rem 1rem 1.1rem}
  .hero-lead{font-size:1rem;margin-bottom:1.25rem}
  .search button{padding:0 .95rem}
  .search-icon{display:none}
  .search input{padding-inline-start:.6rem}
  .answer{font-size:1.0625rem;padding:1rem 1.1rem}
  .ask{padding:1.35rem}
  .button{width:100%;justify-content:center}
}
@media (prefers-reduced-motion:no-preference){.topic li a,.result,.button,.languages a{transition:color .15s,background-color .15s,border-color .15s,filter .15s}}
@media print{.masthead .hero,.languages,.ask,.related,.footer,.skip{display:none}.masthead{background:none;color:#000}body{background:#fff}}
`;
