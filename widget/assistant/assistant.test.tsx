// @vitest-environment happy-dom
// The assistant in the mounted widget (shadow root, real Preact tree, fake connection, the help REST API
// stubbed): the home view and its search, questions through the outbox as send-ai-query, answers streaming
// in, failures, votes, the handoff to people, and the page events.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AiResponseEvent, AssistantAnswerDto } from '../../protocol/assistant-values.ts';
import type { Emit } from '../controller.ts';
import type { FeatureDescriptor } from '../feature.ts';
import { FEATURES } from '../features.ts';
import { createLogger } from '../log.ts';
import { CONVERSATION_ID, conversation, createFakeConnection, drawn, message, settle, type FakeConnection } from '../test/fake-connection.ts';
import { mountWidget, type WidgetHandle } from '../widget.tsx';
import type { AssistantFeature } from './assistant.tsx';
import { assistant } from './feature.ts';

// Lazy chunks: compile them once up front, so opening takes a tick, not a transform.
beforeAll(() => Promise.all([import('../components/window.ts'), import('./assistant.tsx'), import('./help.tsx')]));

let widget: WidgetHandle | null = null;
afterEach(() => {
  widget?.destroy();
  widget = null;
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

const ARTICLE = {
  article: {
    slug: 'how-refunds-work',
    language: 'en',
    category: 'refunds',
    title: 'How do refunds work?',
    answer: 'Only the person you paid can refund you.',
    details: '- **Who starts it:** the recipient. See [Partial refunds](partial-refund).\n- <img src=x onerror="window.pwned=1">',
    tags: [],
  },
  related: [{ slug: 'partial-refund', title: 'Partial refunds' }],
};
const INDEX = { language: 'en', categories: [{ id: 'refunds', title: 'Refunds', articles: [{ slug: 'how-refunds-work', title: 'How do refunds work?' }] }] };
const HITS = [
  { slug: 'how-refunds-work', title: 'How do refunds work?', category: 'refunds', answer: 'Only the **person** you paid can refund you.', score: 9 },
  { slug: 'refund-timeline', title: 'How long do refunds take?', category: 'refunds', answer: 'Within 5 business days.', score: 7 },
];

/** The help REST API: every request recorded; searches answer when the test says (or at once). */
function stubHelp(opts: { holdSearches?: boolean } = {}) {
  const requests: { url: URL; aborted: () => boolean }[] = [];
  const held: (() => void)[] = [];
  vi.stubGlobal('fetch', (input: string, init: RequestInit = {}) => {
    const url = new URL(input);
    requests.push({ url, aborted: () => init.signal?.aborted ?? false });
    const body = url.pathname.endsWith('/search') ? { language: 'en', hits: HITS } : url.pathname.includes('/articles/') ? ARTICLE : INDEX;
    const respond = () => ({ ok: true, status: 200, json: async () => body }) as unknown as Response;
    if (!url.pathname.endsWith('/search') || !opts.holdSearches) return Promise.resolve(respond());
    return new Promise((resolve, reject) => {
      init.signal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })));
      held.push(() => resolve(respond()));
    });
  });
  return { requests, searches: () => requests.filter((r) => r.url.pathname.endsWith('/search')), release: () => held.splice(0).forEach((f) => f()) };
}

async function mount(o: { locale?: string; features?: readonly FeatureDescriptor[]; open?: boolean } = {}) {
  localStorage.clear();
  const connection = createFakeConnection();
  const events: [string, unknown][] = [];
  const emit: Emit = (event, payload) => void events.push([event, payload]);
  const w = mountWidget({
    doc: document,
    siteKey: 'pk_test',
    apiUrl: 'https://chat.example',
    appearance: { locale: o.locale },
    consent: true,
    log: createLogger(false, { debug() {}, warn() {}, error() {} }),
    emit,
    connection,
    features: o.features ?? FEATURES,
  });
  widget = w;
  await drawn(w.root);
  const root = w.root;
  if (o.open !== false) {
    root.querySelector<HTMLButtonElement>('.vc-launcher')!.click();
    await settle();
    connection.connectNow();
    await settle();
  }
  return { w, root, connection, events };
}

const assistantOf = async (w: WidgetHandle) => {
  await vi.waitFor(() => expect(w.features.get('assistant')).not.toBeNull());
  return w.features.get('assistant') as AssistantFeature;
};
const key = (el: Element, k: string) => el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));
const type = (input: HTMLInputElement | HTMLTextAreaElement, text: string) => {
  input.value = text;
  input.dispatchEvent(new Event('input', { bubbles: true }));
};
/** Back from the home view to the conversation, composer ready. */
async function toChat(w: WidgetHandle) {
  await assistantOf(w);
  w.controller.showPanel(null);
  await vi.waitFor(() => expect(w.root.querySelector('textarea.vc-input')).not.toBeNull());
}

/** Types a question in the composer and sends it (Enter). */
async function ask(root: ShadowRoot, text: string) {
  const composer = root.querySelector<HTMLTextAreaElement>('textarea.vc-input')!;
  type(composer, text);
  await settle();
  key(composer, 'Enter');
  await settle();
}

function final(queryId: string, text: string, overrides: Partial<AssistantAnswerDto> = {}, seq = 101): Extract<AiResponseEvent, { type: 'final' }> {
  const answer: AssistantAnswerDto = {
    route: 'faq',
    text,
    language: 'en',
    sources: { articles: ['how-refunds-work'], payments: [] },
    followUps: ['Partial refunds', 'My refund hasn’t arrived'],
    actions: [{ type: 'article', slug: 'how-refunds-work', title: 'How do refunds work?' }],
    confidence: 0.92,
    handoff: false,
    ...overrides,
  };
  const { text: _, ...rest } = answer;
  const stored = message(seq, {
    sender: { type: 'assistant', id: null, name: null },
    kind: 'answer',
    text,
    clientMessageId: `ai-${queryId}`,
    payload: { queryId, interactionId: 'i-1', answer: rest } as unknown as Record<string, unknown>,
  });
  return { type: 'final', conversationId: CONVERSATION_ID, queryId, interactionId: 'i-1', text, answer, message: stored };
}

describe('the home view', () => {
  it('opens when the window opens on an empty conversation: search as you type (debounced, stale ones aborted, count announced), arrows and Enter, Escape back', async () => {
    const help = stubHelp({ holdSearches: true });
    const { root } = await mount();
    await vi.waitFor(() => expect(root.querySelector('.vc-search-input')).not.toBeNull());
    const input = root.querySelector<HTMLInputElement>('.vc-search-input')!;
    await vi.waitFor(() => expect(root.activeElement).toBe(input));
    expect(root.querySelector('textarea.vc-input')).toBeNull();
    await vi.waitFor(() => expect(root.querySelector('.vc-list-title')?.textContent).toBe('Refunds'));
    expect(help.requests[0]!.url.searchParams.get('siteKey')).toBe('pk_test');

    vi.useFakeTimers();
    type(input, 'ref');
    await vi.advanceTimersByTimeAsync(60);
    type(input, 'refund');
    await vi.advanceTimersByTimeAsync(100);
    expect(help.searches()).toHaveLength(0); // Still typing: nothing asked yet.
    await vi.advanceTimersByTimeAsync(300);
    // One search, for what was typed once typing paused ("ref" never went out).
    expect(help.searches().map((r) => r.url.searchParams.get('q'))).toEqual(['refund']);
    type(input, 'refunds');
    await vi.advanceTimersByTimeAsync(300);
    expect(help.searches()).toHaveLength(2);
    expect(help.searches()[0]!.aborted()).toBe(true); // The stale one, still running, was aborted.
    expect(help.searches()[1]!.url.searchParams.get('limit')).toBe('8');
    help.release();
    vi.useRealTimers();
    await vi.waitFor(() => expect(root.querySelectorAll('[role="option"]')).toHaveLength(3));
    expect(root.querySelector('[role="status"].vc-sr')!.textContent).toBe('2 articles found');
    expect(root.querySelector('.vc-result-snippet')!.textContent).toBe('Only the person you paid can refund you.');
    expect(input.getAttribute('aria-expanded')).toBe('true');

    key(input, 'ArrowDown');
    key(input, 'ArrowDown');
    await settle();
    expect(input.getAttribute('aria-activedescendant')).toBe('vc-hit-1');
    expect(root.getElementById('vc-hit-1')!.getAttribute('aria-selected')).toBe('true');
    key(input, 'ArrowUp');
    await settle();
    key(input, 'Enter');
    await vi.waitFor(() => expect(root.querySelector('.vc-help-title')!.textContent).toBe('How do refunds work?'));
    await vi.waitFor(() => expect(root.activeElement).toBe(root.querySelector('.vc-help-title')));
    // The article: markdown drawn safely, links to other articles, related, ask or a person.
    const article = root.querySelector('.vc-article')!;
    expect(article.querySelector('strong')!.textContent).toBe('Who starts it:');
    expect(article.querySelector('a')!.textContent).toBe('Partial refunds');
    expect(article.querySelector('a')!.getAttribute('href')).toBe('https://chat.example/w/pk_test/help/partial-refund?lang=en');
    expect(article.querySelectorAll('img')).toHaveLength(0);
    expect(article.textContent).toContain('<img src=x onerror="window.pwned=1">');
    expect(root.querySelector('.vc-still')!.textContent).toContain('Ask the assistant');

    key(root.querySelector('.vc-help-title')!, 'Escape');
    await settle();
    expect(root.querySelector('.vc-search-input')).not.toBeNull();
    expect(root.querySelector('[role="dialog"]')).not.toBeNull(); // Back, not closed.
    await vi.waitFor(() => expect(root.activeElement).toBe(root.querySelector('.vc-search-input')));
  });

  it('is reachable from the header once there are messages, and "Ask the assistant" focuses the composer', async () => {
    stubHelp();
    const { root, connection } = await mount();
    await vi.waitFor(() => expect(root.querySelector('.vc-home-ask')).not.toBeNull());
    (root.querySelector('.vc-home-ask') as HTMLButtonElement).click();
    await vi.waitFor(() => expect(root.activeElement).toBe(root.querySelector('textarea.vc-input')));
    connection.emit('message-received', message(1));
    await settle();
    const helpButton = root.querySelector<HTMLButtonElement>('.vc-header [aria-label="Help"]')!;
    helpButton.click();
    await vi.waitFor(() => expect(root.querySelector('.vc-recent-preview')?.textContent).toBe('message 1'));
    expect(helpButton.getAttribute('aria-expanded')).toBe('true');
  });

  it('gives way to the conversation when a returning visitor’s history arrives just after the window opened', async () => {
    stubHelp();
    const { root, connection, w } = await mount({ open: false });
    connection.handlers['start-conversation'] = () => ({ ok: true, conversation: conversation({ lastSeq: 2 }), created: false, others: 0, messages: [message(1), message(2)], hasMore: false });
    root.querySelector<HTMLButtonElement>('.vc-launcher')!.click();
    await settle();
    expect(w.ui.get().panel).toBe('assistant:home');
    connection.connectNow();
    await vi.waitFor(() => expect(w.ui.get().panel).toBeNull());
    await vi.waitFor(() => expect(root.querySelector('[role="log"]')!.textContent).toContain('message 2'));
  });
});

describe('questions and answers', () => {
  it('go out as send-ai-query with the outbox’s client id, the widget’s locale and the time zone; an outage resends the same id', async () => {
    stubHelp();
    const { root, connection, w } = await mount({ locale: 'es' });
    await toChat(w);
    const realHandler = connection.handlers['send-ai-query']!;
    connection.handlers['send-ai-query'] = () => ({ ok: false, error: { code: 'OFFLINE', message: 'gone' } });
    await ask(root, '¿cuánto tarda un reembolso?');
    const local = w.chat.get().messages.at(-1)!;
    expect(connection.sent('send-ai-query')).toEqual([
      { conversationId: CONVERSATION_ID, clientQueryId: local.clientMessageId, text: '¿cuánto tarda un reembolso?', locale: 'es', timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone },
    ]);
    expect(w.chat.get().messages.at(-1)!.sendState).toBe('queued');
    connection.handlers['send-ai-query'] = realHandler;
    connection.connectNow();
    await vi.waitFor(() => expect(connection.sent('send-ai-query')).toHaveLength(2));
    expect((connection.sent('send-ai-query')[1] as { clientQueryId: string }).clientQueryId).toBe(local.clientMessageId);
    expect(connection.sent('send-message')).toEqual([]);
    await vi.waitFor(() => expect(w.chat.get().messages.at(-1)!.seq).not.toBeNull());
  });

  it('stream in: typing at once, deltas, then the stored answer with sources, follow-ups and votes; page listeners hear the final only', async () => {
    stubHelp();
    const { root, connection, w, events } = await mount();
    const feature = await assistantOf(w);
    await toChat(w);
    await ask(root, 'how long do refunds take');
    const queryId = `q-${w.chat.get().messages.at(-1)!.clientMessageId}`;
    // Typing shows with the ack, before the server's `start`.
    expect(root.querySelector('.vc-writing .vc-dots')).not.toBeNull();
    expect(root.querySelector('[role="status"].vc-sr')!.textContent).toBe('The assistant is writing…');
    connection.emit('ai-response', { type: 'start', conversationId: CONVERSATION_ID, queryId });
    connection.emit('ai-response', { type: 'delta', conversationId: CONVERSATION_ID, queryId, text: 'Refunds arrive ' });
    connection.emit('ai-response', { type: 'delta', conversationId: CONVERSATION_ID, queryId, text: 'within **5 business' });
    await settle();
    const writing = root.querySelector('.vc-writing')!;
    expect(writing.getAttribute('aria-hidden')).toBe('true');
    expect(writing.textContent).toContain('Refunds arrive within **5 business');

    const text = 'Refunds arrive within **5 business days**. <img src=x onerror="window.pwned=1">';
    const done = final(queryId, text);
    connection.emit('ai-response', done);
    connection.emit('message-received', done.message); // The same answer, as everyone in the room gets it.
    await settle();
    expect(root.querySelector('.vc-writing')).toBeNull();
    expect(w.chat.get().messages.filter((m) => m.kind === 'answer')).toHaveLength(1);
    const card = root.querySelector('.vc-answer')!;
    expect(card.querySelector('.vc-md strong')!.textContent).toBe('5 business days');
    expect(card.querySelectorAll('img')).toHaveLength(0);
    expect(card.querySelector('.vc-source')!.textContent).toBe('How do refunds work?');
    expect([...card.querySelectorAll('.vc-followups .vc-chip')].map((b) => b.textContent)).toEqual(['Partial refunds', 'My refund hasn’t arrived']);
    expect(card.querySelectorAll('.vc-vote')).toHaveLength(2);
    expect(root.querySelector('[role="status"].vc-sr')!.textContent).toBe('The assistant answered.');

    const page = events.filter(([e]) => e === 'ai-response').map(([, p]) => p);
    expect(page).toEqual([expect.objectContaining({ type: 'final', queryId, text, route: 'faq', sources: { articles: ['how-refunds-work'], payments: [] }, followUps: done.answer.followUps })]);
    // A retried query's stored answer is published again: not a second page event.
    connection.emit('ai-response', done);
    await settle();
    expect(events.filter(([e]) => e === 'ai-response')).toHaveLength(1);

    // A source opens the article view; a follow-up asks it.
    (card.querySelector('.vc-source') as HTMLElement).click();
    await vi.waitFor(() => expect(root.querySelector('.vc-help-title')!.textContent).toBe('How do refunds work?'));
    key(root.querySelector('.vc-help-title')!, 'Escape');
    await settle();
    (root.querySelector('.vc-followups .vc-chip') as HTMLButtonElement).click();
    await vi.waitFor(() => expect(connection.sent('send-ai-query')).toHaveLength(2));
    expect((connection.sent('send-ai-query')[1] as { text: string }).text).toBe('Partial refunds');
    expect(feature.store.get().questions[queryId]!.text).toBe('how long do refunds take');
  });

  it('a failed answer says so with its code, and offers to try again (same client id) or a person', async () => {
    stubHelp();
    const { root, connection, w, events } = await mount();
    await toChat(w);
    await ask(root, 'what are the fees');
    const clientQueryId = w.chat.get().messages.at(-1)!.clientMessageId;
    const queryId = `q-${clientQueryId}`;
    connection.emit('ai-response', { type: 'error', conversationId: CONVERSATION_ID, queryId, error: { code: 'RATE_LIMITED', message: 'slow down' } });
    await settle();
    const line = root.querySelector('.vc-ai-error')!;
    expect(line.getAttribute('role')).toBe('alert');
    expect(line.textContent).toContain('Too many questions at once');
    expect(line.textContent).toContain('Code: RATE_LIMITED');
    expect(events.filter(([e]) => e === 'ai-response').map(([, p]) => p)).toEqual([{ type: 'error', queryId, conversationId: CONVERSATION_ID, error: { code: 'RATE_LIMITED', message: 'slow down' } }]);
    (line.querySelector('.vc-chip:not(.vc-chip-person)') as HTMLButtonElement).click();
    await settle();
    expect(connection.sent('send-ai-query')).toHaveLength(2);
    expect(connection.sent('send-ai-query')[1]).toMatchObject({ clientQueryId, text: 'what are the fees' });
    expect(root.querySelector('.vc-ai-error')).toBeNull();
    expect(root.querySelector('.vc-writing .vc-dots')).not.toBeNull();
  });

  it('a handoff mid-stream hides the answer being written; the system line is in the visitor’s language, with when the team replies', async () => {
    stubHelp();
    const { root, connection, w, events } = await mount({ locale: 'es' });
    await toChat(w);
    await ask(root, 'quiero hablar con alguien');
    const queryId = `q-${w.chat.get().messages.at(-1)!.clientMessageId}`;
    connection.emit('ai-response', { type: 'delta', conversationId: CONVERSATION_ID, queryId, text: 'Claro, te' });
    await settle();
    expect(root.querySelector('.vc-writing')).not.toBeNull();
    connection.emit('handoff', { conversationId: CONVERSATION_ID, mode: 'human', reason: 'agent-replied', by: null, agentsOnline: false, at: new Date().toISOString() });
    connection.emit('message-received', message(102, {
      sender: { type: 'system', id: null, name: null },
      kind: 'system',
      text: "You're in line for our team…",
      payload: { event: 'mode', mode: 'human', reason: 'customer-asked', agentsOnline: false, replyTime: 'Normalmente responde en una hora' },
    }));
    connection.emit('ai-response', { type: 'delta', conversationId: CONVERSATION_ID, queryId, text: ' paso' }); // Late: ignored.
    await settle();
    expect(root.querySelector('.vc-writing')).toBeNull();
    const mode = root.querySelector('.vc-mode')!;
    expect(mode.textContent).toContain('Estás en la fila de nuestro equipo. Ahora mismo no hay nadie conectado');
    expect(mode.querySelector('.vc-mode-time')!.textContent).toBe('Normalmente responde en una hora');
    expect(events.filter(([e]) => e === 'handoff').map(([, p]) => p)).toEqual([{ conversationId: CONVERSATION_ID, mode: 'human', reason: 'agent-replied', agentsOnline: false }]);
  });

  it('without the merchant’s words, the team’s measured reply time is told in the visitor’s language', async () => {
    for (const [locale, minutes, expected] of [
      ['en', 95, 'The team typically replies in about 2 hours.'],
      ['es', 12, 'El equipo suele responder en menos de 15 minutos.'],
      ['ar', 3 * 1440, 'يرد الفريق عادةً في غضون 3 أيام تقريبًا.'],
    ] as const) {
      stubHelp();
      const { root, connection, w } = await mount({ locale });
      await toChat(w);
      connection.emit('message-received', message(110, {
        sender: { type: 'system', id: null, name: null },
        kind: 'system',
        text: "You're in line for our team…",
        payload: { event: 'mode', mode: 'human', reason: 'customer-asked', agentsOnline: false, typicalReplyMinutes: minutes },
      }));
      await settle();
      expect(root.querySelector('.vc-mode .vc-mode-time')?.textContent, locale).toBe(expected);
      w.destroy();
      widget = null;
    }
  });

  it('👎 asks what went wrong, records the reason, then offers a person, who takes over (request-handoff)', async () => {
    stubHelp();
    const { root, connection, w } = await mount();
    const feature = await assistantOf(w);
    await toChat(w);
    await ask(root, 'how do refunds work');
    const queryId = `q-${w.chat.get().messages.at(-1)!.clientMessageId}`;
    connection.emit('ai-response', final(queryId, 'Only the person you paid can refund you.'));
    await settle();
    const [, down] = root.querySelectorAll<HTMLButtonElement>('.vc-vote');
    expect(down!.getAttribute('aria-label')).toBe('No, not helpful');
    down!.click();
    await settle();
    // Recorded at once (the reason may never come), then the question, with focus on it.
    expect(connection.sent('ai-feedback')).toEqual([{ interactionId: 'i-1', rating: 'down' }]);
    const why = root.querySelector('.vc-why')!;
    await vi.waitFor(() => expect(root.activeElement).toBe(why.querySelector('.vc-why-title')));
    const send = why.querySelector<HTMLButtonElement>('button[type="submit"]')!;
    expect(send.disabled).toBe(true);
    const reasons = why.querySelectorAll<HTMLButtonElement>('.vc-why-reasons .vc-chip');
    reasons[0]!.click();
    await settle();
    expect(reasons[0]!.getAttribute('aria-pressed')).toBe('true');
    type(why.querySelector('textarea')!, 'I paid a merchant, not a person');
    await settle();
    send.click();
    await settle();
    expect(connection.sent('ai-feedback')[1]).toEqual({ interactionId: 'i-1', rating: 'down', reason: 'It didn’t answer my question: I paid a merchant, not a person' });
    expect(feature.store.get().votes['i-1']).toEqual({ rating: 'down', step: 'done', offerHandoff: true });
    const offer = root.querySelector('.vc-offer')!;
    expect(offer.textContent).toContain('A person from our team can take a look');
    (offer.querySelector('.vc-chip-person') as HTMLButtonElement).click();
    await settle();
    expect(connection.sent('request-handoff')).toEqual([{ conversationId: CONVERSATION_ID }]);
    // With the team now, no more offers of a person, nor follow-up questions for the assistant.
    expect(root.querySelector('.vc-offer')).toBeNull();
    expect(root.querySelector('.vc-followups')).toBeNull();
  });

  it('👍 thanks, and "Talk to a person" from the home starts the conversation first if needed', async () => {
    stubHelp();
    const { root, connection, w } = await mount({ open: false });
    connection.handlers['start-conversation'] = () => ({ ok: true, conversation: conversation(), created: true, others: 0, messages: [], hasMore: false });
    root.querySelector<HTMLButtonElement>('.vc-launcher')!.click();
    await vi.waitFor(() => expect(root.querySelectorAll('.vc-home-card')).toHaveLength(2));
    (root.querySelectorAll('.vc-home-card')[1] as HTMLButtonElement).click();
    await settle();
    expect(connection.sent('request-handoff')).toEqual([]); // No conversation yet: waits for the session.
    connection.connectNow();
    await vi.waitFor(() => expect(connection.sent('request-handoff')).toEqual([{ conversationId: CONVERSATION_ID }]));
    await vi.waitFor(() => expect(w.ui.get().panel).toBeNull());
  });
});

describe('without the assistant’s code', () => {
  it('the outbox falls back to send-message when the chunk cannot be fetched: nothing is lost', async () => {
    const broken: FeatureDescriptor = { ...assistant, load: () => Promise.reject(new Error('chunk failed')) };
    const { root, connection, w } = await mount({ features: [broken] });
    // The home could not come: back to the conversation.
    await vi.waitFor(() => expect(root.querySelector('textarea.vc-input')).not.toBeNull());
    await ask(root, 'hello?');
    await vi.waitFor(() => expect(connection.sent('send-message')).toEqual([expect.objectContaining({ text: 'hello?' })]));
    expect(connection.sent('send-ai-query')).toEqual([]);
    expect(w.chat.get().messages.at(-1)!.sendState).toBe('sent');
  });
});
