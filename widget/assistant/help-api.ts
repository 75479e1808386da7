// The knowledge base over REST (GET /api/v1/widget/help…, public per site key, cacheable for a minute):
// categories, as-you-type search, one article. Fetched without credentials, like every widget call
// before the socket; a stale search is aborted when the next one starts.
import type { FaqSearchHitDto } from '../../protocol/assistant-values.ts';
import type { HelpArticleResponse, HelpIndexResponse, HelpSearchResponse } from '../../protocol/rest.ts';

/** As protocol/rest.ts and assistant.ts have them (modules with zod, which the widget never loads). */
export const MAX_HELP_QUERY_LENGTH = 200;
export const SEARCH_LIMIT = 8;
export const isSlug = (v: unknown): v is string => typeof v === 'string' && v.length <= 80 && /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(v);

export type HelpResult<T> = { ok: true; value: T } | { ok: false; code: string };

export interface HelpApi {
  index(lang: string): Promise<HelpResult<HelpIndexResponse>>;
  /** Aborts the previous search still running. */
  search(q: string, lang: string): Promise<HelpResult<FaqSearchHitDto[]> | null>;
  article(slug: string, lang: string): Promise<HelpResult<HelpArticleResponse>>;
  /** The help center's page of an article (for "open in a new tab"). */
  pageUrl(slug: string, lang: string): string;
}

export function createHelpApi(apiUrl: string, siteKey: string, doFetch: typeof fetch = (...a) => fetch(...a)): HelpApi {
  const base = apiUrl.replace(/\/+$/, '');
  const indexes = new Map<string, Promise<HelpResult<HelpIndexResponse>>>();
  /** Recent articles: going back and forth costs nothing (the browser's cache has them for a minute anyway). */
  const articles = new Map<string, HelpResult<HelpArticleResponse>>();
  let searching: AbortController | null = null;

  async function get<T>(path: string, params: Record<string, string>, signal?: AbortSignal): Promise<HelpResult<T>> {
    const query = new URLSearchParams({ siteKey, ...params });
    try {
      const res = await doFetch(`${base}/api/v1/widget/help${path}?${query}`, { credentials: 'omit', signal });
      const json = (await res.json().catch(() => null)) as (T & { error?: { code?: string } }) | null;
      if (res.ok && json) return { ok: true, value: json };
      return { ok: false, code: json?.error?.code ?? `HTTP_${res.status}` };
    } catch (e) {
      return { ok: false, code: (e as Error)?.name === 'AbortError' ? 'ABORTED' : 'NETWORK' };
    }
  }

  return {
    index(lang) {
      let p = indexes.get(lang);
      if (!p) {
        p = get<HelpIndexResponse>('', { lang });
        indexes.set(lang, p);
        void p.then((r) => r.ok || indexes.delete(lang)); // A failure is tried again next time.
      }
      return p;
    },
    async search(q, lang) {
      searching?.abort();
      const controller = (searching = new AbortController());
      const r = await get<HelpSearchResponse>('/search', { q: q.slice(0, MAX_HELP_QUERY_LENGTH), lang, limit: String(SEARCH_LIMIT) }, controller.signal);
      // Superseded by a newer search: its answer no longer matters.
      if (controller.signal.aborted) return null;
      return r.ok ? { ok: true, value: r.value.hits } : r;
    },
    async article(slug, lang) {
      const key = `${lang}/${slug}`;
      const hit = articles.get(key);
      if (hit) return hit;
      const r = await get<HelpArticleResponse>(`/articles/${encodeURIComponent(slug)}`, { lang });
      if (r.ok || r.code === 'ARTICLE_NOT_FOUND') {
        if (articles.size >= 20) articles.delete(articles.keys().next().value!);
        articles.set(key, r);
      }
      return r;
    },
    pageUrl: (slug, lang) => `${base}/w/${encodeURIComponent(siteKey)}/help/${encodeURIComponent(slug)}?lang=${encodeURIComponent(lang)}`,
  };
}
