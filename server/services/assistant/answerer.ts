// The seam between the transport and whatever composes answers. The embedded engine is the default; an LLM
// provider implements the same interface (streaming deltas) and falls back to the engine. Both get the same
// input; the customer's identity is in `principal`, set by the server from verified credentials.
import type { AssistantAnswerDto, AssistantLanguage, AssistantRoute } from '../../../protocol/assistant-values.ts';
import type { PaymentToolName } from './payments-tools.ts';

/** Who asks: a visitor (anonymous) or an identified customer. Built by the transport from the session only. */
export type AssistantPrincipal =
  | { kind: 'visitor'; workspaceId?: string }
  | { kind: 'customer'; externalId: string; workspaceId?: string; name?: string | null };

/** One earlier answer of the assistant in this conversation (this episode), for the two-misses rule. */
export interface RecentOutcome {
  route: AssistantRoute;
  /** The customer's vote on it, if any: a thumbs-down counts as a miss. */
  feedback?: 'up' | 'down' | null;
}

export interface ConversationContext {
  /** Oldest first; only the current assistant episode (a conversation reopened after a handoff starts afresh). */
  recent: RecentOutcome[];
}

export interface AnswerInput {
  workspaceId: string;
  principal: AssistantPrincipal;
  /** The customer's question as typed. */
  text: string;
  /** The widget's language; the answer follows the question's language when it is clearly another. */
  locale: AssistantLanguage;
  context?: ConversationContext;
  /** The clock for periods ("yesterday"); defaults to the current time. */
  now?: Date;
  /** IANA time zone for periods and times shown; UTC unless the transport knows the customer's. */
  timeZone?: string;
}

/** The whole answer, plus what the interaction record needs. */
export interface AssistantAnswer extends AssistantAnswerDto {
  /** Payment tools consulted (recorded in AiInteraction.paymentTools). */
  paymentTools: PaymentToolName[];
}

/** Why an LLM answer was replaced by the embedded engine's (recorded in AiInteraction.fallbackReason). */
export type FallbackReason = 'first-token-timeout' | 'timeout' | 'error' | 'dropped-stream' | 'unverified-figure' | 'empty';

/** Which engine actually composed a final answer, when it is not the answerer's own name. */
export interface AnswerMeta {
  /** "embedded" when an LLM answerer fell back or did not call its model (handoff, refusals…), else "llm:<model>". */
  engine: string;
  fallbackReason: FallbackReason | null;
}

export type AnswerChunk = { type: 'delta'; text: string } | { type: 'final'; answer: AssistantAnswer; meta?: AnswerMeta };

/**
 * Composes an answer. Either all at once (the embedded engine) or as a stream of text deltas ending with
 * the final answer (an LLM). `signal` aborts it: a handoff landed, the customer left, a timeout fired; an
 * aborted answerer emits nothing more (it throws the signal's reason, as the embedded engine does).
 *
 * Deltas are a preview. The final answer's `text` is the answer, and it need not be the deltas joined:
 * an LLM answerer that falls back after streaming some deltas (timeout, dropped stream, an unverified
 * figure) ends with the embedded engine's answer, and the transport replaces the streamed text with it.
 */
export interface Answerer {
  /** Recorded as AiInteraction.engine: "embedded", "llm:<model>". */
  readonly name: string;
  answer(input: AnswerInput, signal?: AbortSignal): Promise<AssistantAnswer> | AsyncIterable<AnswerChunk>;
}

/** Any answerer's output as a stream (a whole answer becomes one final chunk), so the transport has one loop. */
export async function* streamAnswer(answerer: Answerer, input: AnswerInput, signal?: AbortSignal): AsyncGenerator<AnswerChunk> {
  const out = answerer.answer(input, signal);
  if (isPromise(out)) {
    const answer = await out;
    signal?.throwIfAborted();
    yield { type: 'final', answer };
    return;
  }
  for await (const chunk of out) {
    signal?.throwIfAborted();
    yield chunk;
  }
}

function isPromise<T>(v: unknown): v is Promise<T> {
  return typeof (v as Promise<T>)?.then === 'function';
}

/** The wire shape of an answer (what `ai-response` `final` carries, with the transport's ids). */
export function toAnswerDto(a: AssistantAnswer): AssistantAnswerDto {
  const { paymentTools: _tools, ...dto } = a;
  return dto;
}
