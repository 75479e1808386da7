// The assistant's wire contract: schemas for what the server validates, and the DTO types both sides use.
// Widget code imports the types from ./assistant-values.ts (no zod at run time).
import { z } from 'zod';
import { MAX_MESSAGE_LENGTH } from './limits.ts';
import { ClientMessageId } from './chat.ts';
import {
  ASSISTANT_LANGUAGES,
  ASSISTANT_ROUTES,
  FEEDBACK_RATINGS,
  MAX_FEEDBACK_REASON_LENGTH,
  type AssistantAnswerDto,
} from './assistant-values.ts';

export * from './assistant-values.ts';

/** How a knowledge-base slug looks: lowercase kebab-case, as the file name of the article. */
export const KB_SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const MAX_KB_SLUG_LENGTH = 80;

export const AssistantLanguage = z.enum(ASSISTANT_LANGUAGES);
export const KbSlug = z.string().min(1).max(MAX_KB_SLUG_LENGTH).regex(KB_SLUG, 'lowercase words joined by "-"');

export const AssistantAction = z.discriminatedUnion('type', [
  z.object({ type: z.literal('handoff') }).strict(),
  z.object({ type: z.literal('receipt'), receiptId: z.string().uuid(), receiptNumber: z.number().int().min(1), paymentId: z.string().uuid() }).strict(),
  z.object({ type: z.literal('article'), slug: KbSlug, title: z.string().max(300) }).strict(),
  z.object({ type: z.literal('sign-in') }).strict(),
]);

/** The answer shape (for tests and for an LLM provider's output, validated before it is sent). */
export const AssistantAnswer = z
  .object({
    route: z.enum(ASSISTANT_ROUTES),
    text: z.string().min(1).max(MAX_MESSAGE_LENGTH),
    language: AssistantLanguage,
    sources: z.object({ articles: z.array(KbSlug).max(10), payments: z.array(z.string().uuid()).max(20) }).strict(),
    followUps: z.array(z.string().min(1).max(200)).max(3),
    actions: z.array(AssistantAction).max(6),
    confidence: z.number().min(0).max(1),
    handoff: z.boolean(),
  })
  .strict() satisfies z.ZodType<AssistantAnswerDto>;

/** `ai-feedback` payload: a vote on one answer; voting again changes it. */
export const AiFeedback = z
  .object({
    interactionId: z.string().uuid(),
    rating: z.enum(FEEDBACK_RATINGS),
    reason: z.string().trim().min(1).max(MAX_FEEDBACK_REASON_LENGTH).optional(),
  })
  .strict();
export type AiFeedback = z.infer<typeof AiFeedback>;

/** The question itself, as `send-ai-query` carries it (the transport adds conversation and query ids). */
export const AiQuestionText = z.string().trim().min(1).max(MAX_MESSAGE_LENGTH);

/** A BCP 47 tag as browsers give it (`es-AR`); only its language is used. */
const Locale = z.string().min(2).max(35).regex(/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/, 'a language tag like "es" or "es-AR"');
/** An IANA time zone the runtime knows ("this week", "yesterday" are the customer's). */
const TimeZone = z
  .string()
  .min(1)
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'an IANA time zone like "America/Bogota"');

/**
 * `send-ai-query`: a question to the assistant, stored as the customer's message. `clientQueryId` is its
 * idempotency key (also the message's client id): a retry gets the same query id and one answer, never two.
 */
export const SendAiQuery = z
  .object({
    conversationId: z.string().uuid(),
    clientQueryId: ClientMessageId,
    // Length is checked after normalisation, as for send-message.
    text: z.string().max(MAX_MESSAGE_LENGTH * 2),
    locale: Locale.optional(),
    timeZone: TimeZone.optional(),
  })
  .strict();
export type SendAiQuery = z.infer<typeof SendAiQuery>;

/** `request-handoff`: the customer pressed "Talk to a person". */
export const RequestHandoff = z.object({ conversationId: z.string().uuid() }).strict();
