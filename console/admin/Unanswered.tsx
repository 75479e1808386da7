// The assistant's misses: questions it could not answer (not sure) or that got 👎, grouped, with the article
// search ranks first now. Each can become an alternative phrasing of an article, or the start of a new one.
import { useEffect, useState } from 'preact/hooks';
import type { KbArticleDto, UnansweredQuestionDto, UnansweredResponse } from '../../protocol/console.ts';
import { api } from '../api.ts';
import { useArticles } from './Kb.tsx';
import { AdminIcon, ErrorMsg, errorText, Spinner, type Ctx } from './ui.tsx';

const key = (q: UnansweredQuestionDto) => `${q.language}:${q.question}`;

export function Unanswered({ ctx }: { ctx: Ctx }) {
  const { t } = ctx.t;
  const articles = useArticles(ctx);
  const [since, setSince] = useState('30d');
  const [data, setData] = useState<UnansweredResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  useEffect(() => {
    setData(null);
    api
      .get<UnansweredResponse>('/assistant/unanswered', { since, limit: 100 })
      .then((d) => (setData(d), setError(null)))
      .catch((e) => setError(errorText(ctx.t, e)));
  }, [since]);
  const rows = data?.questions.filter((q) => !hidden.has(key(q))) ?? [];
  return (
    <>
      <div class="adm-toolbar">
        <label class="field inline">
          <span>{t('un.since')}</span>
          <select value={since} onChange={(e) => setSince(e.currentTarget.value)}>
            <option value="7d">{t('un.7d')}</option>
            <option value="30d">{t('un.30d')}</option>
            <option value="90d">{t('un.90d')}</option>
          </select>
        </label>
        <p class="muted small grow">{t('un.help')}</p>
      </div>
      <p class="adm-saved big" role="status">
        {done && (
          <>
            <span class="ok-dot" aria-hidden="true" /> {done}
          </>
        )}
      </p>
      <ErrorMsg text={error ?? articles.error} />
      {!data && !error && <Spinner label={t('loading')} />}
      {data &&
        (rows.length ? (
          <ul class="adm-list un-list" aria-label={t('un.listLabel')}>
            {rows.map((q) => (
              <Question
                key={key(q)}
                ctx={ctx}
                q={q}
                articles={(articles.all ?? []).filter((a) => a.language === q.language && a.origin !== 'archived')}
                onAdded={(a) => {
                  setHidden((h) => new Set(h).add(key(q)));
                  articles.replace(a);
                  setDone(t('un.added', { question: q.question, title: a.title }));
                }}
              />
            ))}
          </ul>
        ) : (
          <div class="empty">
            <div class="empty-mark" aria-hidden="true">
              ✓
            </div>
            <p>{t('un.none')}</p>
          </div>
        ))}
    </>
  );
}

function Question({ ctx, q, articles, onAdded }: { ctx: Ctx; q: UnansweredQuestionDto; articles: KbArticleDto[]; onAdded: (a: KbArticleDto) => void }) {
  const { t } = ctx.t;
  const [slug, setSlug] = useState(q.bestGuess?.slug ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = `q-${Math.abs([...key(q)].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) | 0, 7))}`;
  const sorted = [...articles].sort((a, b) => a.title.localeCompare(b.title));
  const add = async () => {
    if (!slug) return setError(t('un.pickFirst'));
    setBusy(true);
    setError(null);
    try {
      onAdded(await api.post<KbArticleDto>('/assistant/unanswered/alternative', { question: q.question, lang: q.language, slug }));
    } catch (e) {
      setError(errorText(ctx.t, e));
      setBusy(false);
    }
  };
  return (
    <li class="un-item" aria-labelledby={`${id}-q`}>
      <div class="un-head">
        <p class="un-q" id={`${id}-q`}>
          “{q.question}”
        </p>
        <span class="tag lang">{q.language.toUpperCase()}</span>
      </div>
      <p class="un-meta muted small">
        {ctx.t.plural('un.asked', q.count)}
        {q.notSure > 0 && (
          <>
            {' · '}
            {ctx.t.plural('un.notSure', q.notSure)}
          </>
        )}
        {q.downVotes > 0 && (
          <>
            {' · '}
            <AdminIcon name="thumbDown" size={12} /> {ctx.t.plural('un.down', q.downVotes)}
          </>
        )}
        {' · '}
        {t('un.last', { when: ctx.t.dateTime(q.lastAskedAt) })}
      </p>
      <div class="un-actions">
        <label class="field inline grow">
          <span>{t('un.article')}</span>
          <select value={slug} onChange={(e) => setSlug(e.currentTarget.value)} aria-describedby={q.bestGuess ? `${id}-guess` : undefined}>
            <option value="">{t('un.choose')}</option>
            {sorted.map((a) => (
              <option key={a.slug} value={a.slug}>
                {a.title}
              </option>
            ))}
          </select>
        </label>
        <button class="btn primary" type="button" disabled={busy || !slug} onClick={() => void add()}>
          <AdminIcon name="link" size={14} /> {t('un.addAlt')}
        </button>
        <button
          class="btn"
          type="button"
          onClick={() => {
            ctx.setPrefill({ language: q.language, question: q.question });
            ctx.go('kb/new');
          }}
        >
          <AdminIcon name="edit" size={14} /> {t('un.write')}
        </button>
      </div>
      {q.bestGuess && (
        <p class="muted small" id={`${id}-guess`}>
          {t('un.guess', { title: q.bestGuess.title })}
        </p>
      )}
      <ErrorMsg text={error} />
    </li>
  );
}
