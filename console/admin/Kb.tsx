// Knowledge base: every article in both languages (search, language, archived), the editor (title, short
// answer and details in Markdown with a preview, alternative phrasings, tags, category), new articles,
// archive and restore. The server re-indexes on save: the assistant answers with the change at once.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { KbArticleDto, KbArticleInput, KbArticlesResponse } from '../../protocol/console.ts';
import { KB_CATEGORIES } from '../../protocol/assistant-values.ts';
import { api } from '../api.ts';
import { AdminIcon, ErrorMsg, errorText, Markdown, Spinner, type Ctx } from './ui.tsx';

type Lang = 'en' | 'es';
const LANGS: Lang[] = ['en', 'es'];
export const slugify = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');

/** Both languages' articles, shared by the list, the editor and the unanswered questions' picker. */
export function useArticles(ctx: Ctx) {
  const [all, setAll] = useState<KbArticleDto[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = async () => {
    try {
      const pages = await Promise.all(LANGS.map((lang) => api.get<KbArticlesResponse>('/kb/articles', { lang })));
      setAll(pages.flatMap((p) => p.articles));
      setError(null);
    } catch (e) {
      setError(errorText(ctx.t, e));
    }
  };
  useEffect(() => void load(), []);
  const replace = (a: KbArticleDto) => setAll((xs) => (xs ? [...xs.filter((x) => !(x.slug === a.slug && x.language === a.language)), a] : [a]));
  return { all, error, reload: load, replace };
}

export function Kb({ ctx }: { ctx: Ctx }) {
  const parts = ctx.path.split('/');
  const articles = useArticles(ctx);
  if (parts[1] === 'new') return <Editor ctx={ctx} articles={articles} article={null} />;
  if (parts[1] && parts[2]) {
    const lang = parts[1] as Lang;
    const slug = decodeURIComponent(parts[2]);
    if (!articles.all) return articles.error ? <ErrorMsg text={articles.error} /> : <Spinner label={ctx.t.t('loading')} />;
    const a = articles.all.find((x) => x.language === lang && x.slug === slug);
    if (!a) return <ErrorMsg text={ctx.t.t('kb.notFound', { slug })} />;
    return <Editor key={`${lang}/${slug}`} ctx={ctx} articles={articles} article={a} />;
  }
  return <List ctx={ctx} articles={articles} />;
}

function originTag(ctx: Ctx, a: KbArticleDto) {
  const { t } = ctx.t;
  if (a.origin === 'archived') return <span class="tag tag-muted">{t('kb.origin.archived')}</span>;
  if (a.origin === 'workspace') return <span class="tag tag-open">{a.hasDefault ? t('kb.origin.edited') : t('kb.origin.custom')}</span>;
  return <span class="tag">{t('kb.origin.default')}</span>;
}

function List({ ctx, articles }: { ctx: Ctx; articles: ReturnType<typeof useArticles> }) {
  const { t } = ctx.t;
  const [q, setQ] = useState('');
  const [lang, setLang] = useState<'all' | Lang>(ctx.t.locale === 'es' ? 'all' : 'all');
  const [archived, setArchived] = useState(false);
  const shown = useMemo(() => {
    const words = q.toLowerCase().split(/\s+/).filter(Boolean);
    return (articles.all ?? [])
      .filter((a) => (lang === 'all' || a.language === lang) && (archived || a.origin !== 'archived'))
      .filter((a) => {
        if (!words.length) return true;
        const hay = [a.title, a.slug, a.category, ...a.alternatives, ...a.tags].join(' ').toLowerCase();
        return words.every((w) => hay.includes(w));
      })
      .sort((a, b) => a.category.localeCompare(b.category) || a.title.localeCompare(b.title) || a.language.localeCompare(b.language));
  }, [articles.all, q, lang, archived]);
  const archivedCount = (articles.all ?? []).filter((a) => a.origin === 'archived').length;
  return (
    <>
      <div class="adm-toolbar" role="search">
        <label class="adm-search">
          <span class="sr-only">{t('kb.search')}</span>
          <AdminIcon name="book" />
          <input type="search" value={q} placeholder={t('kb.searchPlaceholder')} onInput={(e) => setQ(e.currentTarget.value)} />
        </label>
        <label class="field inline">
          <span>{t('kb.language')}</span>
          <select value={lang} onChange={(e) => setLang(e.currentTarget.value as 'all' | Lang)}>
            <option value="all">{t('lang.all')}</option>
            <option value="en">{t('lang.en')}</option>
            <option value="es">{t('lang.es')}</option>
          </select>
        </label>
        <label class="check">
          <input type="checkbox" checked={archived} onChange={(e) => setArchived(e.currentTarget.checked)} /> {t('kb.showArchived', { n: archivedCount })}
        </label>
        <button class="btn primary" type="button" onClick={() => ctx.go('kb/new')}>
          <AdminIcon name="edit" size={14} /> {t('kb.new')}
        </button>
      </div>
      <ErrorMsg text={articles.error} />
      {!articles.all && !articles.error && <Spinner label={t('loading')} />}
      {articles.all && (
        <>
          <p class="muted small adm-count" role="status">
            {ctx.t.plural('kb.count', shown.length)}
          </p>
          {shown.length ? (
            <ul class="adm-list" aria-label={t('kb.listLabel')}>
              {shown.map((a) => (
                <li key={`${a.language}/${a.slug}`} class={a.origin === 'archived' ? 'archived' : ''}>
                  <a
                    class="adm-item"
                    href={`/support/settings/kb/${a.language}/${a.slug}`}
                    onClick={(e) => {
                      if (e.ctrlKey || e.metaKey || e.shiftKey) return;
                      e.preventDefault();
                      ctx.go(`kb/${a.language}/${a.slug}`);
                    }}
                  >
                    <span class="adm-item-main">
                      <span class="adm-item-title">{a.title}</span>
                      <span class="adm-item-sub muted">
                        <code>{a.slug}</code> · {a.category}
                        {a.alternatives.length > 0 && <> · {ctx.t.plural('kb.phrasings', a.alternatives.length)}</>}
                      </span>
                    </span>
                    <span class="adm-item-tags">
                      <span class="tag lang" title={t(`lang.${a.language}`)}>
                        {a.language.toUpperCase()}
                      </span>
                      {originTag(ctx, a)}
                    </span>
                  </a>
                </li>
              ))}
            </ul>
          ) : (
            <div class="empty">
              <p>{t('kb.none')}</p>
            </div>
          )}
        </>
      )}
    </>
  );
}

interface Draft {
  language: Lang;
  slug: string;
  title: string;
  category: string;
  answer: string;
  details: string;
  alternatives: string;
  tags: string;
}

function Editor({ ctx, articles, article }: { ctx: Ctx; articles: ReturnType<typeof useArticles>; article: KbArticleDto | null }) {
  const { t } = ctx.t;
  const isNew = article === null;
  const [draft, setDraft] = useState<Draft>(() => {
    if (article)
      return {
        language: article.language,
        slug: article.slug,
        title: article.title,
        category: article.category,
        answer: article.answer,
        details: article.details,
        alternatives: article.alternatives.join('\n'),
        tags: article.tags.join(', '),
      };
    const p = ctx.prefill;
    const title = p?.question ? p.question.charAt(0).toUpperCase() + p.question.slice(1) : '';
    return {
      language: p?.language ?? (ctx.t.locale === 'es' ? 'es' : 'en'),
      slug: slugify(title),
      title,
      category: 'contact-support',
      answer: '',
      details: '',
      alternatives: p?.question ?? '',
      tags: '',
    };
  });
  const [slugTouched, setSlugTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [confirmArchive, setConfirmArchive] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (isNew) {
      first.current?.focus();
      ctx.setPrefill(null);
    }
  }, []);
  const set = (patch: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...patch, ...(isNew && !slugTouched && patch.title !== undefined && { slug: slugify(patch.title) }) }));
    setSaved(null);
  };
  const dirty = !article || draft.title !== article.title || draft.category !== article.category || draft.answer !== article.answer || draft.details !== article.details || draft.alternatives !== article.alternatives.join('\n') || draft.tags !== article.tags.join(', ');
  const slugTaken = isNew && !!articles.all?.some((a) => a.language === draft.language && a.slug === draft.slug);

  const save = async (e: Event) => {
    e.preventDefault();
    if (slugTaken) return setError(t('kb.slugTaken'));
    const body: KbArticleInput = {
      category: draft.category,
      title: draft.title.trim(),
      answer: draft.answer.trim(),
      details: draft.details.trim(),
      alternatives: draft.alternatives.split('\n').map((s) => s.trim()).filter(Boolean),
      tags: draft.tags.split(',').map((s) => s.trim()).filter(Boolean),
    };
    setBusy(true);
    setError(null);
    try {
      const a = await api.put<KbArticleDto>(`/kb/articles/${draft.language}/${draft.slug}`, body);
      articles.replace(a);
      setSaved(t('kb.saved'));
      if (isNew) ctx.go(`kb/${a.language}/${a.slug}`, { replace: true });
    } catch (err) {
      setError(errorText(ctx.t, err));
    } finally {
      setBusy(false);
    }
  };
  const archiveOrRestore = async (what: 'archive' | 'restore') => {
    if (!article) return;
    setBusy(true);
    setError(null);
    try {
      const a = await api.post<KbArticleDto>(`/kb/articles/${article.language}/${article.slug}/${what}`);
      articles.replace(a);
      setConfirmArchive(false);
      setSaved(what === 'archive' ? t('kb.archived') : t('kb.restored'));
      // A restored override shows the shipped text again: the editor follows.
      setDraft((d) => ({ ...d, title: a.title, category: a.category, answer: a.answer, details: a.details, alternatives: a.alternatives.join('\n'), tags: a.tags.join(', ') }));
    } catch (err) {
      setError(errorText(ctx.t, err));
    } finally {
      setBusy(false);
    }
  };
  const categories = KB_CATEGORIES.includes(draft.category as never) ? KB_CATEGORIES : [draft.category, ...KB_CATEGORIES];
  const current = article ? articles.all?.find((a) => a.slug === article.slug && a.language === article.language) ?? article : null;
  return (
    <form class="adm-editor" onSubmit={save} aria-labelledby="kb-editor-h" noValidate>
      <div class="adm-editor-head">
        <a
          class="link small"
          href="/support/settings/kb"
          onClick={(e) => {
            e.preventDefault();
            ctx.go('kb');
          }}
        >
          <AdminIcon name="arrowLeft" size={14} /> {t('kb.all')}
        </a>
        <h3 id="kb-editor-h">
          {isNew ? t('kb.newTitle') : draft.title || article!.title} {current && originTag(ctx, current)}
        </h3>
      </div>
      <div class="adm-editor-grid">
        <div class="adm-form">
          {isNew && (
            <div class="adm-row">
              <label class="field">
                <span>{t('kb.language')}</span>
                <select value={draft.language} onChange={(e) => set({ language: e.currentTarget.value as Lang })}>
                  <option value="en">{t('lang.en')}</option>
                  <option value="es">{t('lang.es')}</option>
                </select>
              </label>
              <label class="field grow">
                <span>{t('kb.slug')}</span>
                <input
                  class="mono"
                  required
                  value={draft.slug}
                  aria-describedby="kb-slug-hint"
                  aria-invalid={slugTaken || undefined}
                  onInput={(e) => {
                    setSlugTouched(true);
                    set({ slug: e.currentTarget.value.toLowerCase() });
                  }}
                />
                <small id="kb-slug-hint" class={slugTaken ? 'bad' : ''}>
                  {slugTaken ? t('kb.slugTaken') : t('kb.slugHint')}
                </small>
              </label>
            </div>
          )}
          <label class="field">
            <span>{t('kb.title')}</span>
            <input ref={first} required maxLength={200} value={draft.title} onInput={(e) => set({ title: e.currentTarget.value })} />
          </label>
          <label class="field">
            <span>{t('kb.category')}</span>
            <select value={draft.category} onChange={(e) => set({ category: e.currentTarget.value })}>
              {categories.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            <span>
              {t('kb.answer')} <em class="count">{draft.answer.length}/2000</em>
            </span>
            <textarea rows={4} required maxLength={2000} value={draft.answer} aria-describedby="kb-answer-hint" onInput={(e) => set({ answer: e.currentTarget.value })} />
            <small id="kb-answer-hint">{t('kb.answerHint')}</small>
          </label>
          <label class="field">
            <span>{t('kb.details')}</span>
            <textarea rows={10} maxLength={20000} value={draft.details} aria-describedby="kb-details-hint" onInput={(e) => set({ details: e.currentTarget.value })} />
            <small id="kb-details-hint">{t('kb.detailsHint')}</small>
          </label>
          <label class="field">
            <span>{t('kb.alternatives')}</span>
            <textarea rows={5} value={draft.alternatives} aria-describedby="kb-alt-hint" onInput={(e) => set({ alternatives: e.currentTarget.value })} />
            <small id="kb-alt-hint">{t('kb.alternativesHint')}</small>
          </label>
          <label class="field">
            <span>{t('kb.tags')}</span>
            <input value={draft.tags} aria-describedby="kb-tags-hint" onInput={(e) => set({ tags: e.currentTarget.value })} />
            <small id="kb-tags-hint">{t('kb.tagsHint')}</small>
          </label>
          <ErrorMsg text={error} />
          <div class="adm-actions">
            <button class="btn primary" type="submit" disabled={busy || !dirty || !draft.title.trim() || !draft.answer.trim() || (isNew && !draft.slug)}>
              {busy ? t('saving') : isNew ? t('kb.create') : t('save')}
            </button>
            <button class="btn" type="button" onClick={() => ctx.go('kb')}>
              {dirty && !isNew ? t('discard') : t('cancel')}
            </button>
            <span class="adm-saved" role="status">
              {saved && (
                <>
                  <span class="ok-dot" aria-hidden="true" /> {saved}
                </>
              )}
            </span>
            {current && (
              <span class="adm-actions-end">
                {current.origin === 'archived' || (current.origin === 'workspace' && current.hasDefault) ? (
                  <button class="btn" type="button" disabled={busy} onClick={() => void archiveOrRestore('restore')}>
                    <AdminIcon name="restore" size={14} /> {current.origin === 'archived' ? t('kb.restore') : t('kb.restoreDefault')}
                  </button>
                ) : null}
                {current.origin !== 'archived' &&
                  (confirmArchive ? (
                    <span class="confirm" role="group" aria-label={t('kb.archiveConfirm')}>
                      <span class="small">{t('kb.archiveConfirm')}</span>
                      <button class="btn danger small" type="button" disabled={busy} onClick={() => void archiveOrRestore('archive')}>
                        {t('kb.archive')}
                      </button>
                      <button class="btn small" type="button" onClick={() => setConfirmArchive(false)}>
                        {t('cancel')}
                      </button>
                    </span>
                  ) : (
                    <button class="btn" type="button" disabled={busy} onClick={() => setConfirmArchive(true)}>
                      <AdminIcon name="archive" size={14} /> {t('kb.archive')}
                    </button>
                  ))}
              </span>
            )}
          </div>
        </div>
        <aside class="adm-preview" aria-label={t('kb.preview')}>
          <div class="adm-preview-label">{t('kb.preview')}</div>
          <h4 class="pv-title">{draft.title || t('kb.untitled')}</h4>
          <div class="pv-answer">
            <Markdown text={draft.answer || '…'} />
          </div>
          {draft.details.trim() && <Markdown text={draft.details} />}
          {draft.alternatives.trim() && (
            <>
              <div class="adm-preview-label">{t('kb.alternatives')}</div>
              <ul class="pv-alts">
                {draft.alternatives
                  .split('\n')
                  .map((s) => s.trim())
                  .filter(Boolean)
                  .map((s, i) => (
                    <li key={i}>{s}</li>
                  ))}
              </ul>
            </>
          )}
        </aside>
      </div>
    </form>
  );
}
