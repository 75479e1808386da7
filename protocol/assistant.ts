// The assistant's wire contract: schemas for what the server validates, and the DTO types both sides use.
// Widget code imports the types from ./assistant-values.ts (no zod at run time).
import { z } from 'zod';
import { MAX_MESSAGE_LENGTH } from './limits.ts';
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
