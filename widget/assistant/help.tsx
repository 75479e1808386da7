// The help panel (help.<hash>.js, fetched the first time one of its views shows): the home (search as you
// type, "Ask the assistant" / "Talk to a person", the visitor's recent conversation, topics), a topic's
// articles, and an article. Keyboard: arrows move through the results and Enter opens one, Escape goes
// back; each view takes focus when it shows, and the number of results is announced.
import type { ComponentChild } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { FaqSearchHitDto } from '../../protocol/assistant-values.ts';
import type { ConversationSummaryDto } from '../../protocol/chat.ts';
import type { HelpArticleResponse, HelpIndexResponse } from '../../protocol/rest.ts';
import { useStore } from '../components/context.ts';
import { Icon } from '../components/Icon.tsx';
import type { Actions } from './assistant.tsx';
import css from './help.css?inline';
import { MAX_HELP_QUERY_LENGTH, type HelpResult } from './help-api.ts';
import type { AssistantI18n as I18n } from './i18n/index.ts';
import { ARTICLE_ICON, BACK_ICON, CHEVRON_ICON, CLEAR_ICON, PERSON_ICON, SEARCH_ICON, SPARKLE_ICON } from './icons.ts';
import { markdown } from './markdown.tsx';
import { ArticleLink, PersonButton } from './ui.tsx';

export { css };

/** As-you-type: a search starts once typing pauses this long (the one before is aborted). */
export const SEARCH_DEBOUNCE_MS = 150;

interface ViewProps {
  i18n: I18n;
  actions: Actions;
}

export function Help({ view, i18n, actions }: ViewProps & { view: 'home' | 'category' | 'article' }) {
  return (
    <div
      class={`vc-help vc-help-${view}`}
      onKeyDown={(e) => {
        // Escape goes back one view; at the home it is the window's (back to the conversation).
        if (e.key === 'Escape' && view !== 'home') {
          e.stopPropagation();
          actions.back();
        }
      }}
    >
      {view === 'home' ? <Home i18n={i18n} actions={actions} /> : view === 'category' ? <Category i18n={i18n} actions={actions} /> : <Article i18n={i18n} actions={actions} />}
    </div>
  );
}

/** The categories and their article titles, in the widget's language (as the knowledge base has it). */
function useIndex(actions: Actions, lang: string): [HelpResult<HelpIndexResponse> | null, () => void] {
  const [index, setIndex] = useState<HelpResult<HelpIndexResponse> | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => void actions.help.index(lang).then(setIndex), [lang, attempt]);
  return [index, () => (setIndex(null), setAttempt((n) => n + 1))];
}

/** The direction of content in the knowledge base's language (Arabic visitors read English articles). */
const dirOf = (lang: string | undefined): 'rtl' | 'ltr' => (lang === 'ar' ? 'rtl' : 'ltr');

function Home({ i18n, actions }: ViewProps) {
  const nav = useStore(actions.nav);
  const input = useRef<HTMLInputElement>(null);
  const [index, reload] = useIndex(actions, i18n.locale);
  const [hits, setHits] = useState<{ q: string; list: FaqSearchHitDto[]; failed?: boolean } | null>(null);
  const [active, setActive] = useState(-1);
  const q = nav.query.trim();
  const lang = (index?.ok && index.value.language) || i18n.locale;

  useEffect(() => input.current?.focus(), []);
  useEffect(() => {
    setActive(-1);
    if (!q) return setHits(null);
    const timer = setTimeout(
      () =>
        void actions.help.search(q, i18n.locale).then((r) => {
          // Superseded (aborted, or the text changed meanwhile): a newer search answers.
          if (r === null || actions.nav.get().query.trim() !== q) return;
          setHits(r.ok ? { q, list: r.value } : { q, list: [], failed: true });
        }),
      SEARCH_DEBOUNCE_MS,
    );
    return () => clearTimeout(timer);
  }, [q, i18n.locale]);

  const shown = hits && hits.q === q ? hits : null;
  // The options: each hit, then asking the assistant the same words.
  const options = shown ? [...shown.list.map((h) => () => actions.openArticle(h.slug)), () => actions.ask(q)] : [];
  const setQuery = (query: string): void => actions.nav.set((n) => ({ ...n, query }));
  const onKey = (e: KeyboardEvent): void => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!options.length) return;
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive((a) => (a + step + options.length + (a < 0 && step < 0 ? 1 : 0)) % options.length);
    } else if (e.key === 'Enter' && !e.isComposing) {
      e.preventDefault();
      // Nothing chosen: the best match, or the assistant when nothing matches.
      if (active >= 0) options[active]?.();
      else if (shown?.list.length) actions.openArticle(shown.list[0]!.slug);
      else if (q) actions.ask(q);
    } else if (e.key === 'Escape' && nav.query) {
      e.stopPropagation();
      setQuery('');
    }
  };

  return (
    <div class="vc-help-scroll">
      <div class="vc-home-hero">
        <p class="vc-home-hello">{i18n.t('homeHello')}</p>
        <h3 class="vc-home-title">{i18n.t('homeTitle')}</h3>
        <div class="vc-search" role="search">
          <Icon path={SEARCH_ICON} />
          <input
            ref={input}
            type="search"
            class="vc-search-input"
            role="combobox"
            list={undefined}
            aria-label={i18n.t('searchLabel')}
            aria-autocomplete="list"
            aria-expanded={!!shown}
            aria-controls="vc-help-results"
            aria-activedescendant={active >= 0 ? `vc-hit-${active}` : undefined}
            placeholder={i18n.t('searchPlaceholder')}
            maxLength={MAX_HELP_QUERY_LENGTH}
            autocomplete="off"
            enterKeyHint="search"
            value={nav.query}
            onInput={(e) => setQuery(e.currentTarget.value)}
            onKeyDown={onKey}
          />
          {nav.query && (
            <button type="button" class="vc-search-clear" aria-label={i18n.t('clearSearch')} onClick={() => (setQuery(''), input.current?.focus())}>
              <Icon path={CLEAR_ICON} />
            </button>
          )}
        </div>
      </div>
      <p class="vc-sr" role="status">
        {shown ? (shown.failed ? i18n.t('loadFailed') : shown.list.length ? i18n.plural('results', shown.list.length) : i18n.t('noResults', { q })) : ''}
      </p>
      {q ? (
        <div class="vc-results-wrap">
          {shown && !shown.failed && shown.list.length === 0 && <p class="vc-help-empty">{i18n.t('noResults', { q })}</p>}
          {shown?.failed && <p class="vc-help-empty">{i18n.t('loadFailed')}</p>}
          {shown && (
            <ul id="vc-help-results" class="vc-results" role="listbox" aria-label={i18n.t('searchLabel')}>
              {shown.list.map((h, i) => (
                <li id={`vc-hit-${i}`} role="option" aria-selected={active === i} class="vc-result" onClick={options[i]} onMouseMove={() => active !== i && setActive(i)}>
                  <Icon path={ARTICLE_ICON} />
                  <span class="vc-result-text" dir={dirOf(lang)} lang={lang}>
                    <span class="vc-result-title">{h.title}</span>
                    <span class="vc-result-snippet">{plain(h.answer)}</span>
                  </span>
                </li>
              ))}
              <li id={`vc-hit-${shown.list.length}`} role="option" aria-selected={active === shown.list.length} class="vc-result vc-result-ask" onClick={options[shown.list.length]}>
                <Icon path={SPARKLE_ICON} />
                <span class="vc-result-text">
                  <span class="vc-result-title" dir="auto">
                    {i18n.t('askThis', { q })}
                  </span>
                </span>
              </li>
            </ul>
          )}
        </div>
      ) : (
        <>
          <div class="vc-home-cards">
            <button type="button" class="vc-home-card vc-home-ask" onClick={actions.compose}>
              <span class="vc-home-card-icon">
                <Icon path={SPARKLE_ICON} />
              </span>
              <span class="vc-home-card-text">
                <strong>{i18n.t('ask')}</strong>
                <span>{i18n.t('askHint')}</span>
              </span>
              <Icon path={CHEVRON_ICON} />
            </button>
            <PersonCard i18n={i18n} actions={actions} />
          </div>
          <Recent i18n={i18n} actions={actions} />
          <Topics i18n={i18n} index={index} reload={reload} actions={actions} />
        </>
      )}
    </div>
  );
}

function PersonCard({ i18n, actions }: ViewProps) {
  const s = useStore(actions.store);
  const id = actions.chat.get().conversation?.id ?? '';
  return (
    <>
      <button type="button" class="vc-home-card" disabled={s.handoff[id] === 'pending'} aria-busy={s.handoff[id] === 'pending'} onClick={() => void actions.handoff()}>
        <span class="vc-home-card-icon">
          <Icon path={PERSON_ICON} />
        </span>
        <span class="vc-home-card-text">
          <strong>{i18n.t('person')}</strong>
          <span>{i18n.t('personHint')}</span>
        </span>
        <Icon path={CHEVRON_ICON} />
      </button>
      {s.handoff[id] === 'failed' && (
        <p class="vc-ai-note vc-ai-fail" role="alert">
          {i18n.t('handoffFailed')}
        </p>
      )}
    </>
  );
}

/** Markdown markers out, for one-line previews (results, the last message). */
const plain = (text: string): string => text.replace(/\\(.)/g, '$1').replace(/\*\*|__|[*_`#>]|\[([^\]]*)\]\([^)]*\)/g, (m, label: string | undefined) => label ?? '');

/** The conversation to go back to: this one if it has messages, else the customer's most recent other one. */
function Recent({ i18n, actions }: ViewProps) {
  const chat = useStore(actions.chat);
  const [other, setOther] = useState<ConversationSummaryDto | null>(null);
  const last = chat.messages.at(-1);
  useEffect(() => {
    if (last || !chat.conversation || chat.others === 0) return;
    void actions.host.chat.listConversations().then((page) => setOther(page?.conversations.find((c) => c.lastMessage && c.id !== chat.conversation?.id) ?? null));
  }, [chat.conversation?.id, chat.others, !last]);
  const m = last ?? other?.lastMessage;
  if (!m) return null;
  const who = 'own' in m ? m.own : m.sender.type === 'contact';
  const open = (): void => {
    if (last) return actions.compose();
    void actions.host.chat.openConversation(other!.id).then(actions.compose);
  };
  return (
    <section class="vc-home-section" aria-labelledby="vc-recent-title">
      <h4 id="vc-recent-title" class="vc-home-section-title">
        {i18n.t('recent')}
      </h4>
      <button type="button" class="vc-recent" onClick={open}>
        <span class="vc-recent-text">
          <span class="vc-recent-preview" dir="auto">
            {who ? `${i18n.t('you')}: ` : ''}
            {plain(m.text)}
          </span>
          <span class="vc-recent-meta">
            {i18n.t('continueChat')} · <time dateTime={m.createdAt}>{i18n.day(m.createdAt)}</time>
          </span>
        </span>
        <Icon path={CHEVRON_ICON} />
      </button>
      {chat.others > 0 && (
        <button type="button" class="vc-link-button vc-all-convs" onClick={() => actions.host.chat.showPanel('conversations')}>
          {i18n.t('allConversations')}
        </button>
      )}
    </section>
  );
}

function Topics({ i18n, actions, index, reload }: ViewProps & { index: HelpResult<HelpIndexResponse> | null; reload(): void }) {
  if (!index) return <p class="vc-note">{i18n.t('helpLoading')}</p>;
  if (!index.ok) return <Failed i18n={i18n} retry={reload} />;
  const { language, categories } = index.value;
  return (
    <section class="vc-home-section" aria-labelledby="vc-topics-title">
      <h4 id="vc-topics-title" class="vc-home-section-title">
        {i18n.t('topics')}
      </h4>
      <ul class="vc-list">
        {categories.map((c) => (
          <li>
            <button type="button" class="vc-list-item" onClick={() => actions.openCategory(c.id)}>
              <span class="vc-list-text">
                <span class="vc-list-title">
                  <bdi lang={language}>{c.title}</bdi>
                </span>
                <span class="vc-list-meta">{i18n.plural('articleCount', c.articles.length)}</span>
              </span>
              <Icon path={CHEVRON_ICON} />
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Failed({ i18n, retry, text = 'loadFailed' }: { i18n: I18n; retry: () => void; text?: 'loadFailed' | 'articleMissing' }) {
  return (
    <p class="vc-help-empty" role="alert">
      {i18n.t(text)}{' '}
      {text === 'loadFailed' && (
        <button type="button" class="vc-link-button" onClick={retry}>
          {i18n.t('tryAgain')}
        </button>
      )}
    </p>
  );
}

/** The view's bar: back, and the heading that takes focus when the view shows. */
function Bar({ i18n, actions, title, lang, focusKey }: ViewProps & { title: ComponentChild; lang?: string; focusKey: unknown }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [focusKey]);
  return (
    <div class="vc-help-bar">
      <button type="button" class="vc-icon-button vc-back" aria-label={i18n.t('back')} title={i18n.t('back')} onClick={actions.back}>
        <Icon path={BACK_ICON} />
      </button>
      <h3 class="vc-help-title" tabIndex={-1} ref={heading} lang={lang} dir={lang ? dirOf(lang) : undefined}>
        {title}
      </h3>
    </div>
  );
}

function Category({ i18n, actions }: ViewProps) {
  const nav = useStore(actions.nav);
  const [index, reload] = useIndex(actions, i18n.locale);
  const category = index?.ok ? index.value.categories.find((c) => c.id === nav.category) : undefined;
  const lang = index?.ok ? index.value.language : undefined;
  return (
    <>
      <Bar i18n={i18n} actions={actions} title={category?.title ?? ''} lang={lang} focusKey={`${nav.category}:${!!index}`} />
      <div class="vc-help-scroll">
        {!index ? (
          <p class="vc-note">{i18n.t('helpLoading')}</p>
        ) : !category ? (
          <Failed i18n={i18n} retry={reload} text={index.ok ? 'articleMissing' : 'loadFailed'} />
        ) : (
          <ArticleList articles={category.articles} lang={lang!} actions={actions} />
        )}
      </div>
    </>
  );
}

function Article({ i18n, actions }: ViewProps) {
  const { slug } = useStore(actions.nav);
  const [res, setRes] = useState<{ slug: string; r: HelpResult<HelpArticleResponse> } | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (!slug) return;
    let live = true;
    void actions.help.article(slug, i18n.locale).then((r) => live && setRes({ slug, r }));
    return () => void (live = false);
  }, [slug, i18n.locale, attempt]);
  const current = res?.slug === slug ? res.r : null;
  const data = current?.ok ? current.value : null;
  const lang = data?.article.language;
  const link = (s: string, children: ComponentChild[]) => <ArticleLink slug={s} lang={lang ?? i18n.locale} actions={actions} children={children} />;
  return (
    <>
      <Bar i18n={i18n} actions={actions} title={data?.article.title ?? ''} lang={lang} focusKey={`${slug}:${!!current}`} />
      <div class="vc-help-scroll">
        {!current ? (
          <p class="vc-note">{i18n.t('helpLoading')}</p>
        ) : !data ? (
          <Failed i18n={i18n} retry={() => setAttempt((n) => n + 1)} text={!current.ok && current.code === 'ARTICLE_NOT_FOUND' ? 'articleMissing' : 'loadFailed'} />
        ) : (
          <>
            <article class="vc-article vc-md" lang={lang} dir={dirOf(lang)}>
              <div class="vc-article-lead">{markdown(data.article.answer, { article: link })}</div>
              {markdown(data.article.details, { article: link })}
            </article>
            {data.related.length > 0 && (
              <section class="vc-home-section" aria-labelledby="vc-related-title">
                <h4 id="vc-related-title" class="vc-home-section-title">
                  {i18n.t('related')}
                </h4>
                <ArticleList articles={data.related} lang={lang!} actions={actions} />
              </section>
            )}
            <section class="vc-still" aria-labelledby="vc-still-title">
              <h4 id="vc-still-title" class="vc-home-section-title">
                {i18n.t('stillNeedHelp')}
              </h4>
              <div class="vc-still-buttons">
                <button type="button" class="vc-button" onClick={actions.compose}>
                  <Icon path={SPARKLE_ICON} />
                  {i18n.t('ask')}
                </button>
                <PersonButton i18n={i18n} actions={actions} class="vc-button vc-button-quiet" />
              </div>
            </section>
          </>
        )}
      </div>
    </>
  );
}

/** A list of article links (a topic's articles, an article's related ones). */
function ArticleList({ articles, lang, actions }: { articles: { slug: string; title: string }[]; lang: string; actions: Actions }) {
  return (
    <ul class="vc-list">
      {articles.map((a) => (
        <li>
          <ArticleLink slug={a.slug} lang={lang} actions={actions} class="vc-list-item">
            <Icon path={ARTICLE_ICON} />
            <span class="vc-list-text">
              <span class="vc-list-title">
                <bdi lang={lang}>{a.title}</bdi>
              </span>
            </span>
            <Icon path={CHEVRON_ICON} />
          </ArticleLink>
        </li>
      ))}
    </ul>
  );
}
