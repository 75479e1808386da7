// The assistant's chunk (assistant.<hash>.js), fetched through its descriptor (feature.ts) when the window
// opens: what the visitor types goes out as `send-ai-query` (the server decides whether the assistant or
// the team answers), answers stream into the conversation (`ai-response`), the stored answer and the
// mode-change lines are drawn as cards, votes and "Talk to a person" go back to the server, and the help
// panel (home, search, topics, articles: help.tsx, its own chunk) opens from the header, the page and the
// JS API. Page listeners get `ai-response` (final answers and errors, not deltas) and `handoff`.
import { useEffect, useState } from 'preact/hooks';
import type { AiResponseEvent, ConversationMode } from '../../protocol/assistant-values.ts';
import type { ConversationDto } from '../../protocol/chat.ts';
import { useStore } from '../components/context.ts';
import { Icon } from '../components/Icon.tsx';
import { VeryChatError } from '../errors.ts';
import type { Feature, FeatureHost, FeatureViewProps, SendText } from '../feature.ts';
import type { ChatMessage, ChatState } from '../state/chat.ts';
import { createStore, type Store } from '../state/store.ts';
import type { VeryChatAiResponse } from '../types.ts';
import css from './assistant.css?inline';
import { createHelpApi, type HelpApi } from './help-api.ts';
import { messages, type AssistantI18n } from './i18n/index.ts';
import { HELP_ICON } from './icons.ts';
import { asked, handoffState, initialAssistantState, onHandoff, onResponse, retrying, voted, type AssistantState } from './state.ts';
import { AnswerCard, asAnswer, asModeChange, ModeLine, Streams } from './ui.tsx';

type HelpModule = typeof import('./help.tsx');

export { css, messages };

/** Where the help panel is: the search text, the topic or article shown, and the way back. */
export interface Nav {
  query: string;
  category: string | null;
  slug: string | null;
  /** Views to go back to (a panel id of ours, or null for the conversation), most recent last. */
  back: { panel: string | null; category: string | null; slug: string | null }[];
}

/** What the assistant's and the help panel's components may do (one object, made once per widget). */
export interface Actions {
  store: Store<AssistantState>;
  chat: Store<ChatState>;
  nav: Store<Nav>;
  help: HelpApi;
  host: FeatureHost;
  /** Sends a question (as if typed), showing the conversation. */
  ask(text: string): string;
  /** Shows the conversation with the composer focused. */
  compose(): void;
  /** "Talk to a person": starts the conversation first if needed, then shows it. */
  handoff(): Promise<void>;
  vote(interactionId: string, rating: 'up' | 'down', reason?: string): Promise<void>;
  skipReason(interactionId: string): void;
  retry(queryId: string): void;
  openArticle(slug: string): void;
  openCategory(id: string): void;
  search(query: string): void;
  back(): void;
  articleHref(slug: string, lang: string): string;
  receiptUrl(ref: { paymentId: string; receiptId: string }, locale: string): string | null;
}

/** The feature, plus its state for tests and tools to read. */
export interface AssistantFeature extends Feature {
  store: Store<AssistantState>;
  nav: Store<Nav>;
}

/** The visitor's time zone ("yesterday" and times in answers are theirs), when the browser names one. */
function timeZone(): string | undefined {
  try {
    const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    return tz && tz.length <= 64 ? tz : undefined;
  } catch {
    return undefined;
  }
}

const HANDOFF_WAIT_MS = 15_000;
const PANEL = 'assistant:';

export function create(host: FeatureHost): AssistantFeature {
  const store = createStore(initialAssistantState());
  const nav = createStore<Nav>({ query: '', category: null, slug: null, back: [] });
  const chat = host.chatState;
  const help = createHelpApi(host.apiUrl, host.siteKey);
  /** Page events already emitted (a retried query's stored answer is published again). */
  const emitted = new Set<string>();

  const query = (conversationId: string, clientQueryId: string, text: string) =>
    host.connection.request('send-ai-query', { conversationId, clientQueryId, text, locale: host.locale(), ...(timeZone() && { timeZone: timeZone() }) });

  /** The outbox's way out for typed text (same ordering, ids and retries as send-message). */
  const send: SendText = async ({ conversationId, clientMessageId, text }) => {
    const res = await query(conversationId, clientMessageId, text);
    if (res.ok) {
      store.set((s) => asked(s, res.queryId, { conversationId, clientQueryId: clientMessageId, text }));
      // Typing at once, before the server's `start`; `human`: it went to the team, no answer follows.
      if (res.status === 'accepted') store.set((s) => (s.streams.some((x) => x.queryId === res.queryId) ? s : onResponse(s, { type: 'start', queryId: res.queryId, conversationId })));
      else store.set((s) => onHandoff(s, { conversationId, mode: 'human' }));
    }
    return res;
  };

  function toPage(e: Extract<AiResponseEvent, { type: 'final' | 'error' }>): VeryChatAiResponse {
    const { conversationId, queryId } = e;
    if (e.type === 'error') return { type: 'error', queryId, conversationId, error: { code: e.error.code, message: e.error.message } };
    const a = e.answer;
    return {
      type: 'final',
      queryId,
      conversationId,
      messageId: e.message.id,
      interactionId: e.interactionId,
      text: e.text,
      route: a.route,
      language: a.language,
      sources: { articles: [...a.sources.articles], payments: [...a.sources.payments] },
      followUps: [...a.followUps],
      actions: a.actions.map((x) => ({ ...x })),
      confidence: a.confidence,
      handoff: a.handoff,
    };
  }

  const stop = [
    host.connection.on('ai-response', (e) => {
      store.set((s) => onResponse(s, e));
      if (e.type === 'start' || e.type === 'delta') return;
      // The stored answer comes with `final` (and as message-received too): merged once, by id.
      if (e.type === 'final') host.chat.receive(e.message);
      const key = `${e.type}:${e.queryId}`;
      if (emitted.has(key)) return;
      emitted.add(key);
      host.emit('ai-response', toPage(e));
    }),
    host.connection.on('handoff', (e) => {
      store.set((s) => onHandoff(s, e));
      host.emit('handoff', { conversationId: e.conversationId, mode: e.mode, reason: e.reason, agentsOnline: e.agentsOnline });
    }),
  ];

  /** The conversation, once the session has one (the window's opening starts it). */
  function conversation(): Promise<ConversationDto | null> {
    host.chat.start();
    return new Promise((resolve) => {
      const now = chat.get().conversation;
      if (now) return resolve(now);
      const timer = setTimeout(() => (unsubscribe(), resolve(null)), HANDOFF_WAIT_MS);
      const unsubscribe = chat.subscribe((s) => {
        if (!s.conversation) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(s.conversation);
      });
    });
  }

  const here = (): Nav['back'][number] => {
    const panel = host.ui.get().panel;
    const { category, slug } = nav.get();
    return { panel: host.ui.get().open && panel?.startsWith(PANEL) ? panel.slice(PANEL.length) : null, category, slug };
  };
  /** Shows one of the help panel's views, remembering where the visitor came from. */
  const go = (panel: string, patch: Partial<Nav>): void => {
    const from = here();
    nav.set((n) => ({ ...n, ...patch, back: from.panel === panel && from.slug === (patch.slug ?? n.slug) ? n.back : [...n.back, from].slice(-10) }));
    host.chat.open();
    host.showPanel(panel);
  };

  const actions: Actions = {
    store,
    chat,
    nav,
    help,
    host,
    ask(text) {
      const { status, error } = host.ui.get();
      if (status === 'failed' && error) throw new VeryChatError(error.code, `ask(): ${error.message}`);
      host.chat.open();
      host.showPanel(null);
      return host.chat.send(text);
    },
    compose() {
      host.chat.open();
      host.showPanel(null);
    },
    async handoff() {
      const c = await conversation();
      if (!c) return void store.set((s) => handoffState(s, '', 'failed'));
      store.set((s) => handoffState(s, c.id, 'pending'));
      const res = await host.connection.request('request-handoff', { conversationId: c.id });
      if (!res.ok) return void store.set((s) => handoffState(s, c.id, 'failed'));
      store.set((s) => onHandoff(s, { conversationId: c.id, mode: res.mode as ConversationMode }));
      // The system line (and the team's replies) show in the conversation.
      host.showPanel(null);
    },
    async vote(interactionId, rating, reason) {
      const before = store.get().votes[interactionId];
      store.set((s) => voted(s, interactionId, { rating, step: rating === 'down' && reason === undefined ? 'reason' : 'done', offerHandoff: before?.offerHandoff ?? false }));
      const res = await host.connection.request('ai-feedback', { interactionId, rating, ...(reason && { reason }) });
      if (res.ok) store.set((s) => (s.votes[interactionId] ? voted(s, interactionId, { ...s.votes[interactionId]!, offerHandoff: res.offerHandoff }) : s));
      // Not recorded (offline, refused): the buttons come back, so the visitor can vote again.
      else if (reason === undefined) store.set((s) => ({ ...s, votes: Object.fromEntries(Object.entries(s.votes).filter(([k]) => k !== interactionId)) }));
    },
    skipReason(interactionId) {
      store.set((s) => (s.votes[interactionId] ? voted(s, interactionId, { ...s.votes[interactionId]!, step: 'done' }) : s));
    },
    retry(queryId) {
      const q = store.get().questions[queryId];
      if (!q) return;
      store.set((s) => retrying(s, queryId));
      void query(q.conversationId, q.clientQueryId, q.text).then((res) => {
        if (!res.ok) store.set((s) => onResponse(s, { type: 'error', queryId, conversationId: q.conversationId, error: res.error } as AiResponseEvent));
      });
    },
    openArticle: (slug) => go('article', { slug }),
    openCategory: (category) => go('category', { category }),
    search(q) {
      nav.set((n) => ({ ...n, query: q, back: [] }));
      host.chat.open();
      host.showPanel('home');
    },
    back() {
      const n = nav.get();
      const to = n.back.at(-1);
      const current = here().panel;
      if (!to) return host.showPanel(current === 'home' ? null : 'home');
      nav.set({ ...n, back: n.back.slice(0, -1), category: to.category, slug: to.slug });
      host.showPanel(to.panel);
    },
    articleHref: (slug, lang) => help.pageUrl(slug, lang),
    receiptUrl: (ref, locale) => host.service('receiptUrl')?.(ref, locale) ?? null,
  };

  // The help panel's views: a chunk of their own (help.<hash>.js), fetched the first time one shows.
  let helpChunk: Promise<HelpModule> | null = null;
  let helpModule: HelpModule | null = null; // Once here, views switch without a blank frame.
  const loadHelp = (): Promise<HelpModule> =>
    (helpChunk ??= import('./help.tsx').then(
      (m) => (host.adoptCss(m.css), (helpModule = m)),
      (e: unknown) => {
        helpChunk = null;
        throw e;
      },
    ));
  const view = (name: 'home' | 'category' | 'article') =>
    function HelpPanel({ i18n }: FeatureViewProps) {
      const [m, setM] = useState<HelpModule | null>(helpModule);
      const [failed, setFailed] = useState(false);
      const load = (): void =>
        void loadHelp().then(
          (x) => setM(() => x),
          (e: unknown) => (host.log.warn('Could not load the help panel.', e), setFailed(true)),
        );
      useEffect(() => void (m || load()), []);
      if (m) return <m.Help view={name} i18n={i18n as AssistantI18n} actions={actions} />;
      return (
        <div class="vc-body vc-help-wait" aria-busy={!failed}>
          {failed && (
            <p class="vc-note">
              {(i18n as AssistantI18n).t('loadFailed')}{' '}
              <button type="button" class="vc-link-button" onClick={() => (setFailed(false), load())}>
                {(i18n as AssistantI18n).t('tryAgain')}
              </button>
            </p>
          )}
        </div>
      );
    };

  function HeaderButtons({ i18n, panel }: FeatureViewProps) {
    const t = (i18n as AssistantI18n).t;
    const open = panel !== null;
    return (
      <button type="button" class="vc-icon-button" aria-label={t('help')} title={t('help')} aria-expanded={open} onClick={() => (open ? host.showPanel(null) : actions.search(''))}>
        <Icon path={HELP_ICON} />
      </button>
    );
  }

  function Log({ i18n }: FeatureViewProps) {
    return <Streams i18n={i18n as AssistantI18n} actions={actions} />;
  }

  /** For screen readers: the assistant is writing, then has answered (the answer itself is read from the log). */
  function Overlay({ i18n, ui }: FeatureViewProps) {
    const s = useStore(store);
    return (
      <div class="vc-sr" role="status">
        {ui.open && s.status ? (i18n as AssistantI18n).t(s.status) : ''}
      </div>
    );
  }

  const answer = (m: ChatMessage, i18n: AssistantI18n) => {
    const payload = asAnswer(m.payload);
    return payload ? <AnswerCard m={m} payload={payload} i18n={i18n} actions={actions} /> : null;
  };
  const system = (m: ChatMessage, i18n: AssistantI18n) => {
    const p = asModeChange(m.payload);
    return p ? <ModeLine p={p} i18n={i18n} /> : null;
  };

  return {
    store,
    nav,
    HeaderButtons,
    Log,
    Overlay,
    panels: { home: view('home'), category: view('category'), article: view('article') },
    messages: { answer, system },
    send,
    api: {
      async showHelp(q) {
        actions.search(typeof q === 'string' ? q : '');
      },
      async showArticle(slug) {
        nav.set((n) => ({ ...n, back: [] }));
        actions.openArticle(slug as string);
      },
      async ask(text) {
        return { clientMessageId: actions.ask(text as string) };
      },
    },
    reset() {
      store.set(initialAssistantState());
      nav.set({ query: '', category: null, slug: null, back: [] });
      emitted.clear();
    },
    destroy() {
      for (const u of stop) u();
    },
  };
}
