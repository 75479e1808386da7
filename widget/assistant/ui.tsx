// What the assistant draws in the conversation: answers (markdown-light, sources, receipts, follow-up
// questions, actions, 👍/👎 with "What went wrong?"), the answer being written, a failed answer's line,
// and the system lines of mode changes in the visitor's language. Everything from the wire is checked
// before it is drawn, and drawn as text (markdown.tsx makes elements, never HTML).
import type { ComponentChild } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { MAX_FEEDBACK_REASON_LENGTH, replyTimeWording, type AnswerPayload, type AssistantAction, type ModeChangePayload } from '../../protocol/assistant-values.ts';
import { useStore } from '../components/context.ts';
import { Icon } from '../components/Icon.tsx';
import type { ChatMessage } from '../state/chat.ts';
import type { Actions } from './assistant.tsx';
import type { AssistantI18n as I18n } from './i18n/index.ts';
import { ALERT_ICON, ARTICLE_ICON, CLOCK_ICON, LOCK_ICON, DOWN_ICON, PERSON_ICON, RECEIPT_ICON, SPARKLE_ICON, UP_ICON } from './icons.ts';
import { markdown } from './markdown.tsx';
import { modeOf, type Stream } from './state.ts';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** An answer message's payload, if it has the shape we draw (else the text bubble shows). */
export function asAnswer(payload: unknown): AnswerPayload | null {
  if (!isObject(payload) || typeof payload.interactionId !== 'string' || !isObject(payload.answer)) return null;
  const a = payload.answer;
  const ok = typeof a.route === 'string' && isObject(a.sources) && strings(a.sources.articles) && strings(a.followUps) && Array.isArray(a.actions);
  return ok ? (payload as unknown as AnswerPayload) : null;
}

export function asModeChange(payload: unknown): ModeChangePayload | null {
  return isObject(payload) && payload.event === 'mode' && (payload.mode === 'ai' || payload.mode === 'human') ? (payload as unknown as ModeChangePayload) : null;
}

/** Plain clicks open inside the widget; a click asking for a new tab or window follows the link. */
const inWidget = (e: MouseEvent, go: () => void): void => {
  if (e.button || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  go();
};

/** A link to a help article: opens the article view, or the help center's page in a new tab. */
export function ArticleLink({ slug, lang, actions, children, class: cls }: { slug: string; lang: string; actions: Actions; children: ComponentChild; class?: string }) {
  return (
    <a class={cls ?? 'vc-md-link'} href={actions.articleHref(slug, lang)} onClick={(e) => inWidget(e, () => actions.openArticle(slug))}>
      {children}
    </a>
  );
}

export function PersonButton({ i18n, actions, class: cls }: { i18n: I18n; actions: Actions; class?: string }) {
  const s = useStore(actions.store);
  const id = actions.chat.get().conversation?.id ?? '';
  const pending = s.handoff[id] === 'pending';
  return (
    <>
      <button type="button" class={cls ?? 'vc-chip vc-chip-person'} disabled={pending} aria-busy={pending} onClick={() => void actions.handoff()}>
        <Icon path={PERSON_ICON} />
        {i18n.t('person')}
      </button>
      {s.handoff[id] === 'failed' && (
        <p class="vc-ai-note vc-ai-fail" role="alert">
          {i18n.t('handoffFailed')}
        </p>
      )}
    </>
  );
}

export function AnswerCard({ m, payload, i18n, actions }: { m: ChatMessage; payload: AnswerPayload; i18n: I18n; actions: Actions }) {
  const chat = useStore(actions.chat);
  const s = useStore(actions.store);
  const { answer, interactionId } = payload;
  const lang = answer.language ?? i18n.locale;
  const ai = modeOf(s, chat.conversation) !== 'human';
  // Follow-up questions belong to the latest answer only, while nothing newer is being written.
  const latest = chat.messages.at(-1)?.key === m.key && !s.streams.some((x) => x.conversationId === chat.conversation?.id);
  const list = answer.actions.filter((a): a is AssistantAction => isObject(a) && typeof a.type === 'string');
  const articles = list.filter((a) => a.type === 'article');
  const receipts = list.filter((a) => a.type === 'receipt');
  const offersPerson = ai && list.some((a) => a.type === 'handoff');
  return (
    <div class="vc-answer">
      <div class="vc-bubble vc-md" dir="auto" lang={lang}>
        {markdown(m.text, { article: (slug, children) => <ArticleLink slug={slug} lang={lang} actions={actions} children={children} /> })}
      </div>
      {articles.length > 0 && (
        <div class="vc-sources" role="group" aria-label={i18n.t('sources')}>
          <span class="vc-sources-label" aria-hidden="true">
            {i18n.t('sources')}
          </span>
          {articles.map((a) => (
            <ArticleLink slug={a.slug} lang={lang} actions={actions} class="vc-source">
              <Icon path={ARTICLE_ICON} />
              <span dir="auto">{a.title}</span>
            </ArticleLink>
          ))}
        </div>
      )}
      {receipts.map((r) => {
        const href = actions.receiptUrl({ paymentId: r.paymentId, receiptId: r.receiptId }, i18n.locale);
        return href ? (
          <a class="vc-chip vc-chip-receipt" href={href} target="_blank" rel="noopener noreferrer">
            <Icon path={RECEIPT_ICON} />
            {i18n.t('answerReceipt', { n: r.receiptNumber })}
            <span class="vc-sr"> ({i18n.t('opensInNewTab')})</span>
          </a>
        ) : (
          <p class="vc-ai-note">
            <Icon path={RECEIPT_ICON} />
            {i18n.t('receiptNo', { n: r.receiptNumber })}
          </p>
        );
      })}
      {list.some((a) => a.type === 'sign-in') && (
        <p class="vc-ai-note vc-ai-callout">
          <Icon path={LOCK_ICON} />
          {i18n.t('signIn')}
        </p>
      )}
      {offersPerson && <PersonButton i18n={i18n} actions={actions} />}
      {latest && ai && answer.followUps.length > 0 && (
        <div class="vc-followups" role="group" aria-label={i18n.t('followUps')}>
          {answer.followUps.slice(0, 3).map((q) => (
            <button type="button" class="vc-chip" dir="auto" lang={lang} onClick={() => actions.ask(q)}>
              {q}
            </button>
          ))}
        </div>
      )}
      {!answer.handoff && <Feedback interactionId={interactionId} i18n={i18n} actions={actions} ai={ai} />}
    </div>
  );
}

const REASONS = ['unanswered', 'wrong', 'unclear', 'other'] as const;

/** 👍/👎. A thumbs-down is recorded at once, asks what went wrong, then offers a person if the server says so. */
export function Feedback({ interactionId, i18n, actions, ai }: { interactionId: string; i18n: I18n; actions: Actions; ai: boolean }) {
  const s = useStore(actions.store);
  const vote = s.votes[interactionId];
  const [reason, setReason] = useState<(typeof REASONS)[number] | null>(null);
  const [more, setMore] = useState('');
  const step = useRef<HTMLElement>(null);
  // Each new step takes focus, so keyboard and screen reader users land on what changed.
  useEffect(() => step.current?.focus(), [vote?.step]);

  if (vote?.step === 'reason') {
    const send = (): void => {
      const text = [reason && i18n.t(`reason_${reason}`), more.trim()].filter(Boolean).join(': ').slice(0, MAX_FEEDBACK_REASON_LENGTH);
      void actions.vote(interactionId, 'down', text || undefined);
    };
    return (
      <form
        class="vc-why"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        <p class="vc-why-title" tabIndex={-1} ref={step as { current: HTMLParagraphElement | null }}>
          {i18n.t('whatWrong')}
        </p>
        <div class="vc-why-reasons" role="group" aria-label={i18n.t('whatWrong')}>
          {REASONS.map((r) => (
            <button type="button" class="vc-chip" aria-pressed={reason === r} onClick={() => setReason(reason === r ? null : r)}>
              {i18n.t(`reason_${r}`)}
            </button>
          ))}
        </div>
        <textarea
          class="vc-why-more"
          rows={2}
          maxLength={400}
          value={more}
          aria-label={i18n.t('reasonMore')}
          placeholder={i18n.t('reasonMore')}
          onInput={(e) => setMore(e.currentTarget.value)}
        />
        <div class="vc-why-buttons">
          <button type="button" class="vc-link-button" onClick={() => actions.skipReason(interactionId)}>
            {i18n.t('skip')}
          </button>
          <button type="submit" class="vc-button" disabled={!reason && !more.trim()}>
            {i18n.t('sendFeedback')}
          </button>
        </div>
      </form>
    );
  }
  if (vote?.step === 'done') {
    return (
      <div class="vc-votes-done">
        <p class="vc-ai-note" tabIndex={-1} ref={step as { current: HTMLParagraphElement | null }}>
          {i18n.t('thanks')}
        </p>
        {vote.rating === 'down' && vote.offerHandoff && ai && (
          <div class="vc-offer">
            <p class="vc-ai-note">{i18n.t('personOffer')}</p>
            <PersonButton i18n={i18n} actions={actions} />
          </div>
        )}
      </div>
    );
  }
  return (
    <div class="vc-votes" role="group" aria-label={i18n.t('helpful')}>
      <span class="vc-votes-label" aria-hidden="true">
        {i18n.t('helpful')}
      </span>
      <button type="button" class="vc-vote" aria-label={i18n.t('voteUp')} title={i18n.t('voteUp')} onClick={() => void actions.vote(interactionId, 'up')}>
        <Icon path={UP_ICON} />
      </button>
      <button type="button" class="vc-vote" aria-label={i18n.t('voteDown')} title={i18n.t('voteDown')} onClick={() => void actions.vote(interactionId, 'down')}>
        <Icon path={DOWN_ICON} />
      </button>
    </div>
  );
}

/** Answers being written in the conversation on screen, and the failed ones with what to do next. */
export function Streams({ i18n, actions }: { i18n: I18n; actions: Actions }) {
  const s = useStore(actions.store);
  const chat = useStore(actions.chat);
  const id = chat.conversation?.id;
  return (
    <>
      {s.streams
        .filter((x) => x.conversationId === id)
        .map((x) => (x.phase === 'error' ? <Failed key={x.queryId} stream={x} i18n={i18n} actions={actions} retry={!!s.questions[x.queryId]} /> : <Writing key={x.queryId} stream={x} i18n={i18n} />))}
    </>
  );
}

// Hidden from screen readers while it changes (the log would read every delta): they hear "writing…"
// from the status region, then the stored answer when it is added to the log.
function Writing({ stream, i18n }: { stream: Stream; i18n: I18n }) {
  return (
    <div class="vc-msg vc-msg-assistant vc-writing" aria-hidden="true" data-query={stream.queryId}>
      <div class="vc-sender">{i18n.t('assistant')}</div>
      {stream.phase === 'typing' ? (
        <div class="vc-bubble vc-typing-bubble">
          <span class="vc-dots">
            <span />
            <span />
            <span />
          </span>
        </div>
      ) : (
        <div class="vc-bubble vc-md" dir="auto">
          {markdown(stream.text, { article: () => null })}
          <span class="vc-caret" />
        </div>
      )}
    </div>
  );
}

function Failed({ stream, i18n, actions, retry }: { stream: Stream; i18n: I18n; actions: Actions; retry: boolean }) {
  const code = stream.error?.code ?? 'INTERNAL';
  const specific = `error_${code}`;
  const text = i18n.t(specific as 'error') === specific ? i18n.t('error') : i18n.t(specific as 'error');
  return (
    <div class="vc-ai-error" role="alert" data-query={stream.queryId}>
      <Icon path={ALERT_ICON} />
      <div class="vc-ai-error-body">
        <p>
          {text} <span class="vc-ai-code">{i18n.t('errorCode', { code })}</span>
        </p>
        <div class="vc-ai-error-actions">
          {retry && (
            <button type="button" class="vc-chip" onClick={() => actions.retry(stream.queryId)}>
              {i18n.t('tryAgain')}
            </button>
          )}
          <PersonButton i18n={i18n} actions={actions} />
        </div>
      </div>
    </div>
  );
}

/** The team's measured reply time in the visitor's language (null without a usable figure). */
function typicalReply(minutes: unknown, i18n: I18n): string | null {
  if (typeof minutes !== 'number' || !Number.isFinite(minutes) || minutes <= 0) return null;
  const { key, n } = replyTimeWording(minutes);
  return key === 'hour' ? i18n.t('reply_hour') : i18n.plural(`reply_${key}`, n);
}

/**
 * A mode change, told in the visitor's language from its payload (its stored text is English, for agents).
 * No one of the team online: when they usually reply, in the merchant's own words, on a line of its own.
 */
export function ModeLine({ p, i18n }: { p: ModeChangePayload; i18n: I18n }) {
  const offline = p.mode === 'human' && !p.agentName && p.agentsOnline === false;
  const when = !offline ? null : typeof p.replyTime === 'string' && p.replyTime ? p.replyTime : typicalReply(p.typicalReplyMinutes, i18n);
  const text =
    p.mode === 'ai'
      ? i18n.t(p.reason === 'returned' ? 'mode_returned' : 'mode_reopened')
      : p.agentName
        ? i18n.t('mode_joined', { name: p.agentName })
        : i18n.t(offline ? 'mode_offline' : 'mode_human');
  return (
    <div class={`vc-mode vc-mode-${p.mode}${offline ? ' vc-mode-offline' : ''}`} dir="auto">
      <Icon path={p.mode === 'ai' ? SPARKLE_ICON : PERSON_ICON} />
      <span>
        {text}
        {/* Its own line on screen; a pause for screen readers. */}
        {when && ' '}
        {when && (
          <strong class="vc-mode-time" dir="auto">
            <Icon path={CLOCK_ICON} />
            {when}
          </strong>
        )}
      </span>
    </div>
  );
}
