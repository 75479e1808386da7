// REST bodies shared by the server (validation) and clients (types).
import { z } from 'zod';
import { ClientMessageId, MAX_HISTORY_PAGE } from './chat.ts';
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
    siteKey: z.string().min(1).max(128),
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
    text: z.string().max(8000),
    /** Optional idempotency key; generated when absent. */
    clientMessageId: ClientMessageId.optional(),
  })
  .strict();
