// REST bodies shared by the server (validation) and clients (types).
import { z } from 'zod';
import type { AssistantLanguage, AssistantRoute, FaqArticleDto, FaqSearchHitDto } from './assistant-values.ts';
import { ClientMessageId, MAX_HISTORY_PAGE, MAX_MESSAGE_LENGTH } from './chat.ts';
import { CONVERSATION_STATUSES } from './values.ts';

/** POST /api/v1/widget/session — the widget's first call: settings plus a visitor token. */
export const WidgetSessionRequest = z
  .object({
    siteKey: z.string().min(1).max(128),
    /** A previously issued token; reused when still valid for this workspace. */
    visitorToken: z.string().min(1).max(2048).optional(),
  })
  .strict();
export type WidgetSessionRequest = z.infer<typeof WidgetSessionRequest>;

export interface WidgetSettings {
  color: string;
  position: 'right' | 'left';
  locale: string;
  greeting: string | null;
  /** How soon the merchant usually answers, in their words ("Usually replies within an hour"); absent when not set. */
  replyTime?: string;
  /** `auto` follows the visitor's light or dark preference. */
  theme: 'auto' | 'light' | 'dark';
}

/** GET /api/v1/widget/settings?siteKey= — the workspace's look, public and cacheable: the launcher's first paint. */
export interface WidgetSettingsResponse {
  workspace: { name: string };
  settings: WidgetSettings;
}

export interface WidgetSessionResponse extends WidgetSettingsResponse {
  visitorToken: string;
  visitorId: string;
}

/** POST /api/v1/agent/login */
export const AgentLoginRequest = z
  .object({
    /** Optional: without it, the email and password pick the workspace (WORKSPACE_REQUIRED when several match). */
    siteKey: z.string().min(1).max(128).optional(),
    email: z.string().email().max(320),
    password: z.string().min(1).max(1024),
  })
  .strict();
export type AgentLoginRequest = z.infer<typeof AgentLoginRequest>;

export interface AgentDto {
  id: string;
  email: string;
  name: string;
  role: 'owner' | 'admin' | 'agent';
  workspaceId: string;
}

export interface AgentLoginResponse {
  token: string;
  expiresAt: string;
  agent: AgentDto;
}

/** GET /api/v1/conversations */
export const ListConversationsQuery = z.object({
  status: z.enum(CONVERSATION_STATUSES).optional(),
  /** One customer's conversations (a guest who signed in keeps the ones from before: all are theirs). */
  contactId: z.string().uuid().optional(),
  /** Opaque cursor from the previous page's `nextCursor`. */
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});

/** GET /api/v1/conversations/:id/messages */
export const HistoryQuery = z.object({
  beforeSeq: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(MAX_HISTORY_PAGE).optional(),
});

/** POST /api/v1/conversations/:id/messages — an agent reply. */
export const AgentReplyRequest = z
  .object({
    text: z.string().max(MAX_MESSAGE_LENGTH),
    /** Optional idempotency key; generated when absent. */
    clientMessageId: ClientMessageId.optional(),
  })
  .strict();

/**
 * POST /api/v1/conversations/:id/mode — `human`: take the conversation over from the assistant; `ai`: hand it
 * back (a fresh assistant episode). Compare-and-set: `changed` is false when it already was in that mode.
 */
export const ConversationModeRequest = z.object({ mode: z.enum(['ai', 'human']) }).strict();
export interface ConversationModeResponse {
  mode: 'ai' | 'human';
  changed: boolean;
}

// --- Help center: the knowledge base for the widget's FAQ panel (public, per site key) ----------------------

/** Longest search text: an as-you-type question, not a document. */
export const MAX_HELP_QUERY_LENGTH = 200;

/** GET /api/v1/widget/help?siteKey=&lang= — categories and their articles. */
export const HelpIndexQuery = z.object({
  siteKey: WidgetSessionRequest.shape.siteKey,
  /** A language tag ("es", "es-MX"); absent: the workspace's locale. Languages the knowledge base lacks get English. */
  lang: z.string().min(1).max(35).optional(),
});

/** GET /api/v1/widget/help/search?siteKey=&q=&lang=&limit= — as-you-type search; an empty `q` finds nothing. */
export const HelpSearchQuery = HelpIndexQuery.extend({
  q: z.string().max(MAX_HELP_QUERY_LENGTH).default(''),
  limit: z.coerce.number().int().min(1).max(20).default(8),
});

/** GET /api/v1/widget/help/articles/:slug?siteKey=&lang= */
export const HelpArticleQuery = HelpIndexQuery;

export interface HelpArticleLinkDto {
  slug: string;
  title: string;
}

export interface HelpCategoryDto {
  /** The category's slug (`refunds`); workspaces may add their own. */
  id: string;
  /** In `language`. */
  title: string;
  articles: HelpArticleLinkDto[];
}

/** `language`: the knowledge base's language the answer is in (en or es). */
export interface HelpIndexResponse {
  language: AssistantLanguage;
  categories: HelpCategoryDto[];
}

export interface HelpSearchResponse {
  language: AssistantLanguage;
  /** Best first. */
  hits: FaqSearchHitDto[];
}

/** 404 ARTICLE_NOT_FOUND when the workspace has no such article in that language. */
export interface HelpArticleResponse {
  article: FaqArticleDto;
  /** Articles to read next: the ones it links to, then others of its category. */
  related: HelpArticleLinkDto[];
}

// --- Assistant report (agents) --------------------------------------------------------------------------------

/** GET /api/v1/assistant/report?since=7d&top=10 — `since`: a duration like 30m, 24h, 7d, 4w (at most 366 days). */
export const AssistantReportQuery = z.object({
  since: z.string().trim().min(2).max(8).default('7d'),
  top: z.coerce.number().int().min(1).max(100).default(10),
});

/** How the assistant did over the period (server/services/assistant/interactions.ts computes it). */
export interface AssistantReportResponse {
  from: string;
  to: string;
  questions: number;
  /** Answered without a person (0..1 of all questions). */
  answeredRate: number;
  /** Answered, and not followed by a handoff in the same conversation within the period. */
  deflectedRate: number;
  /** Of the answers that got a vote, the share voted up; null without votes. */
  helpfulRate: number | null;
  votes: { up: number; down: number };
  handoffRate: number;
  byRoute: Partial<Record<AssistantRoute, number>>;
  byEngine: Record<string, number>;
  fallbacks: number;
  latencyMs: { p50: number | null; p95: number | null };
  /** Questions answered "not sure" or voted down, grouped, most frequent first. */
  topUnanswered: { question: string; count: number; lastAskedAt: string }[];
}
