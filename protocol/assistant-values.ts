// The assistant's answer shape and knowledge-base article shape, as plain types and values. No zod here, so
// the widget can import them at run time without pulling zod in; protocol/assistant.ts has the schemas.
import type { ErrorBody } from './errors.ts';
import type { MessageDto, SenderDto } from './chat.ts';

/** Languages the knowledge base and the embedded answer engine speak. */
export const ASSISTANT_LANGUAGES = ['en', 'es'] as const;
export type AssistantLanguage = (typeof ASSISTANT_LANGUAGES)[number];

/**
 * How a question was answered:
 * - `faq`: from a knowledge-base article; `payments`: from the customer's own payments;
 * - `clarify`: "Did you mean A or B?" (two articles fit about equally);
 * - `handoff`: the customer asked for a person (`handoff: true` on the answer);
 * - `smalltalk`: greetings, thanks, "are you a bot?";
 * - `refuse`: out of scope, someone else's data, an action on money, or the assistant's instructions;
 * - `sign-in`: a question about one's own payments from an anonymous visitor;
 * - `not-sure`: nothing fits well enough; a person is offered instead.
 */
export const ASSISTANT_ROUTES = ['faq', 'payments', 'clarify', 'handoff', 'smalltalk', 'refuse', 'sign-in', 'not-sure'] as const;
export type AssistantRoute = (typeof ASSISTANT_ROUTES)[number];

/** Routes that count as a miss for the "two misses in a row offer a person directly" rule. */
export const MISS_ROUTES: readonly AssistantRoute[] = ['clarify', 'not-sure'];

export const KB_CATEGORIES = [
  'sending-receiving',
  'payment-links-qr',
  'failed-payments',
  'pending-payments',
  'refunds',
  'receipts',
  'fees',
  'wallets',
  'vrc-tokens-networks',
  'transactions-explorers',
  'security-phishing',
  'sign-in-verification',
  'merchants-widget',
  'disputes',
  'limits',
  'privacy-data',
  'contact-support',
  'using-chat',
] as const;
export type KbCategory = (typeof KB_CATEGORIES)[number];

/** Buttons the transport renders under an answer. */
export type AssistantAction =
  /** "Talk to a person": the customer accepting switches the conversation to human mode. */
  | { type: 'handoff' }
  /** "View receipt": the transport mints the customer's receipt link for this receipt. */
  | { type: 'receipt'; receiptId: string; receiptNumber: number; paymentId: string }
  /** Opens the article (widget article view, or /help/<slug>). */
  | { type: 'article'; slug: string; title: string }
  /** Questions about one's own payments need the customer signed in on the merchant's site. */
  | { type: 'sign-in' };

export interface AssistantSources {
  /** Article slugs the answer came from, most relevant first. */
  articles: string[];
  /** Ids of the customer's own payments the answer is about. */
  payments: string[];
}

/** The whole answer: what `ai-response` `final` carries (plus the transport's query and interaction ids). */
export interface AssistantAnswerDto {
  route: AssistantRoute;
  /** Markdown-light (paragraphs, **bold**, lists), in `language`. Data from payments (memos, names) is quoted, never markup. */
  text: string;
  /** The language of the answer: the question's, which may differ from the widget's locale. */
  language: AssistantLanguage;
  sources: AssistantSources;
  /** 2–3 suggested next questions, in `language`. */
  followUps: string[];
  actions: AssistantAction[];
  /** 0..1, calibrated on the evaluation set: how likely the route and answer are right. */
  confidence: number;
  /** The customer asked for a person: the transport switches the conversation to human mode. */
  handoff: boolean;
}

/** A knowledge-base article as the widget's FAQ panel and /help show it. */
export interface FaqArticleDto {
  slug: string;
  language: AssistantLanguage;
  category: KbCategory | string;
  title: string;
  /** The short answer (one paragraph). */
  answer: string;
  /** Markdown; relative links (`[Title](other-slug)`) name other articles. */
  details: string;
  tags: string[];
}

/** A search hit for the FAQ panel's as-you-type search. */
export interface FaqSearchHitDto {
  slug: string;
  title: string;
  category: string;
  answer: string;
  score: number;
}

export const FEEDBACK_RATINGS = ['up', 'down'] as const;
export type FeedbackRating = (typeof FEEDBACK_RATINGS)[number];
export const MAX_FEEDBACK_REASON_LENGTH = 500;

/** Who answers a conversation now: the assistant, or the merchant's team. */
export const CONVERSATION_MODES = ['ai', 'human'] as const;
export type ConversationMode = (typeof CONVERSATION_MODES)[number];

/**
 * Why a conversation's mode changed:
 * - to `human`: the customer asked for a person in words (`customer-asked`) or with the button
 *   (`offer-accepted`); an agent replied (`agent-replied`) or took it over (`agent-took-over`);
 * - to `ai`: an agent handed it back (`returned`), or the customer reopened a resolved one (`reopened`).
 */
export const MODE_CHANGE_REASONS = ['customer-asked', 'offer-accepted', 'agent-replied', 'agent-took-over', 'returned', 'reopened'] as const;
export type ModeChangeReason = (typeof MODE_CHANGE_REASONS)[number];

/** `handoff` (server → client): a conversation's mode changed. Sent to the conversation and to the workspace's agents. */
export interface HandoffEvent {
  conversationId: string;
  mode: ConversationMode;
  reason: ModeChangeReason;
  /** The agent who caused it, when one did. */
  by: SenderDto | null;
  /** To `human`: whether any of the team was online then (the customer is told when they usually reply if not). */
  agentsOnline: boolean | null;
  /** ISO 8601 */
  at: string;
}

/** The payload of a stored `answer` message (the text is the message's text). */
export interface AnswerPayload {
  queryId: string;
  interactionId: string;
  answer: Omit<AssistantAnswerDto, 'text'>;
}

/**
 * A measured reply time as people say it: under 5, 10, 15 or 30 minutes, under an hour, about N hours, about
 * N days. Both the server's English line and the widget's languages word it from this.
 */
export function replyTimeWording(minutes: number): { key: 'minutes' | 'hour' | 'hours' | 'days'; n: number } {
  if (minutes <= 30) return { key: 'minutes', n: [5, 10, 15, 30].find((m) => minutes <= m)! };
  if (minutes <= 60) return { key: 'hour', n: 1 };
  if (minutes < 23.5 * 60) return { key: 'hours', n: Math.max(2, Math.round(minutes / 60)) };
  return { key: 'days', n: Math.max(1, Math.round(minutes / 1440)) };
}

/** The payload of a system message about a mode change (its text is the English line, for agents and old clients). */
export interface ModeChangePayload {
  event: 'mode';
  mode: ConversationMode;
  reason: ModeChangeReason;
  agentsOnline: boolean | null;
  /** The workspace's "usually replies within …" text, when the team is offline. */
  replyTime?: string;
  /** Without that text: the team's measured median minutes from a handoff to a first reply (recent handoffs). */
  typicalReplyMinutes?: number;
  agentName?: string | null;
}

interface AiResponseBase {
  conversationId: string;
  /** From the `send-ai-query` ack. */
  queryId: string;
}
/**
 * `ai-response` (server → client), to the conversation's room, in this order: `start` (typing), any number of
 * `delta` (text to append, batched), then `final` or `error`. `final` is authoritative: its text replaces
 * whatever the deltas built (an LLM answer that failed a check is replaced by the embedded one). A handoff
 * ends a stream with nothing more: no `final`.
 */
export type AiResponseEvent =
  | (AiResponseBase & { type: 'start' })
  | (AiResponseBase & { type: 'delta'; text: string })
  | (AiResponseBase & { type: 'final'; interactionId: string; text: string; answer: AssistantAnswerDto; message: MessageDto })
  | (AiResponseBase & { type: 'error'; error: ErrorBody });

/** `send-ai-query`'s ack: `human` means the text went to the team as a normal message (no ai-response follows). */
export interface SendAiQueryReply {
  queryId: string;
  status: 'accepted' | 'human';
  /** The question, stored as the customer's message. */
  message: MessageDto;
  duplicate: boolean;
}

export interface AiFeedbackReply {
  interactionId: string;
  rating: FeedbackRating;
  reason: string | null;
  /** A thumbs-down in assistant mode: offer "Talk to a person". */
  offerHandoff: boolean;
}

/** `request-handoff`'s ack. `changed: false` when it already was with the team. */
export interface RequestHandoffReply {
  mode: ConversationMode;
  changed: boolean;
}
