// The assistant as the customer sees it, apart from the stored messages (the core holds those): answers
// being written (`ai-response` start → deltas → final | error), the votes on answers, and who answers
// each conversation (the assistant or people). Pure functions from state to state, like state/chat.ts;
// assistant.tsx feeds them the wire events.
import type { AiResponseEvent, ConversationMode, HandoffEvent } from '../../protocol/assistant-values.ts';

/** An answer being written. `typing`: started, no text yet; `writing`: deltas arrived; `error`: it failed. */
export interface Stream {
  queryId: string;
  conversationId: string;
  phase: 'typing' | 'writing' | 'error';
  /** What the deltas built so far (the final text replaces it, as a stored message). */
  text: string;
  error: { code: string; message: string } | null;
}

/** A question this device asked (from the send-ai-query ack): what a retry sends again, same client id. */
export interface Question {
  conversationId: string;
  clientQueryId: string;
  text: string;
}

/**
 * The customer's vote on one answer. A thumbs-down is recorded at once, then asks why (`reason` step);
 * `offerHandoff` is the server's word that a person may take over (the conversation is still the assistant's).
 */
export interface Vote {
  rating: 'up' | 'down';
  step: 'reason' | 'done';
  offerHandoff: boolean;
}

export interface AssistantState {
  /** In the order they started. */
  streams: Stream[];
  /** By query id. */
  questions: Record<string, Question>;
  /** By interaction id. */
  votes: Record<string, Vote>;
  /** Mode changes heard since the conversation was loaded, by conversation id. */
  modes: Record<string, ConversationMode>;
  /** "Talk to a person" asked for (and not answered yet), or refused, by conversation id. */
  handoff: Record<string, 'pending' | 'failed'>;
  /** What the screen reader is told (a status region): the assistant is writing, or has answered. */
  status: 'writing' | 'answered' | null;
}

export const initialAssistantState = (): AssistantState => ({ streams: [], questions: {}, votes: {}, modes: {}, handoff: {}, status: null });

const without = (streams: Stream[], queryId: string): Stream[] => streams.filter((s) => s.queryId !== queryId);

function upsert(state: AssistantState, e: { queryId: string; conversationId: string }, patch: (s: Stream) => Stream): AssistantState {
  const i = state.streams.findIndex((s) => s.queryId === e.queryId);
  const current: Stream = i >= 0 ? state.streams[i]! : { queryId: e.queryId, conversationId: e.conversationId, phase: 'typing', text: '', error: null };
  const streams = [...state.streams];
  if (i >= 0) streams[i] = patch(current);
  else streams.push(patch(current));
  return { ...state, streams };
}

/**
 * One `ai-response` event. A delta without a start (a device that reconnected mid-answer) starts the
 * stream; the final answer ends it (its text arrives as the stored message, merged by the caller); an
 * error keeps a line with the code. Events of a conversation already handed to people are ignored.
 */
export function onResponse(state: AssistantState, e: AiResponseEvent): AssistantState {
  if (state.modes[e.conversationId] === 'human' && e.type !== 'final') return { ...state, streams: without(state.streams, e.queryId) };
  switch (e.type) {
    case 'start':
      return { ...upsert(state, e, (s) => ({ ...s, phase: 'typing', text: '', error: null })), status: 'writing' };
    case 'delta':
      return upsert(state, e, (s) => (s.phase === 'error' ? s : { ...s, phase: 'writing', text: s.text + e.text }));
    case 'final':
      return { ...state, streams: without(state.streams, e.queryId), status: 'answered' };
    case 'error':
      return { ...upsert(state, e, (s) => ({ ...s, phase: 'error', error: { code: e.error.code, message: e.error.message } })), status: null };
  }
}

/** A mode change: to people, any answer being written stops showing (the server stops it too). */
export function onHandoff(state: AssistantState, e: Pick<HandoffEvent, 'conversationId' | 'mode'>): AssistantState {
  const streams = e.mode === 'human' ? state.streams.filter((s) => s.conversationId !== e.conversationId) : state.streams;
  const { [e.conversationId]: _, ...handoff } = state.handoff;
  return { ...state, streams, modes: { ...state.modes, [e.conversationId]: e.mode }, handoff, status: e.mode === 'human' ? null : state.status };
}

export const handoffState = (state: AssistantState, conversationId: string, value: 'pending' | 'failed'): AssistantState => ({
  ...state,
  handoff: { ...state.handoff, [conversationId]: value },
});

export const asked = (state: AssistantState, queryId: string, q: Question): AssistantState => ({ ...state, questions: { ...state.questions, [queryId]: q } });

/** A retry of a failed answer: back to typing until the server says more. */
export const retrying = (state: AssistantState, queryId: string): AssistantState => ({
  ...state,
  streams: state.streams.map((s) => (s.queryId === queryId ? { ...s, phase: 'typing', text: '', error: null } : s)),
});

export const voted = (state: AssistantState, interactionId: string, vote: Vote): AssistantState => ({ ...state, votes: { ...state.votes, [interactionId]: vote } });

/** Who answers this conversation now, as far as this device knows. */
export const modeOf = (state: AssistantState, conversation: { id: string; mode: ConversationMode } | null): ConversationMode | null =>
  conversation ? (state.modes[conversation.id] ?? conversation.mode) : null;
