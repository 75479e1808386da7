// The agent console's wire contract (issue 10): inbox views and rows, counts, notes, threads, search,
// assignment and status changes, invites, cookie sign-in, and the console's socket commands and events.
// Schemas validate on the server; the console imports the types only (zod stays out of the browser).
import { z } from 'zod';
import { ClientMessageId, MAX_HISTORY_PAGE, type ConversationDto, type MessageDto, type SenderType, type MessageKind } from './chat.ts';
import type { AgentDto } from './rest.ts';

const id = z.string().uuid();

/** Header a cookie-authenticated state-changing request must carry (with this server's Origin): CSRF. */
export const CSRF_HEADER = 'X-VeryChat-CSRF';
/** The console's session cookie: `__Host-` prefixed over HTTPS (Secure, Path=/, no Domain). */
export const SESSION_COOKIE = 'vc_session';
export const SECURE_SESSION_COOKIE = '__Host-vc_session';

/** Every state a conversation can be in, as agents see it (customers see `snoozed` as `open`). */
export const INBOX_STATUSES = ['open', 'pending', 'snoozed', 'resolved'] as const;
export type InboxStatus = (typeof INBOX_STATUSES)[number];

/**
 * Inbox views. needs-reply: with a person (mode human), open, and the customer waiting (handed off and not
 * answered, or their last message unanswered) · mine: assigned to me, open or pending · unassigned: with a
 * person, open, nobody assigned · assistant: mode ai, open · open: open or pending · snoozed · resolved.
 */
export const INBOX_VIEWS = ['needs-reply', 'mine', 'unassigned', 'assistant', 'open', 'snoozed', 'resolved'] as const;
export type InboxView = (typeof INBOX_VIEWS)[number];

export const MAX_INBOX_PAGE = 100;
/** Characters of the last message a row carries. */
export const PREVIEW_CHARS = 160;

/** GET /api/v1/inbox and `inbox-list`. Order: waiting longest first (snoozed: waking soonest; resolved: latest). */
export const InboxListQuery = z
  .object({
    view: z.enum(INBOX_VIEWS).default('needs-reply'),
    /** Opaque keyset cursor from the previous page: rows inserted meanwhile never shift the pages. */
    cursor: z.string().min(1).max(400).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_INBOX_PAGE).optional(),
  })
  .strict();
export type InboxListQuery = z.input<typeof InboxListQuery>;

export interface InboxRowDto {
  id: string;
  status: InboxStatus;
  mode: 'ai' | 'human';
  contact: { id: string; name: string | null; email: string | null; externalId: string | null };
  assignee: { id: string; name: string } | null;
  /** The last switch to a person, with its reason (customer-asked, offer-accepted, agent-replied, agent-took-over). */
  handoff: { reason: string; at: string } | null;
  lastSeq: number;
  lastMessageAt: string | null;
  /** Since when the customer has waited for an answer (null: nobody is waiting). */
  waitingSince: string | null;
  snoozedUntil: string | null;
  resolvedAt: string | null;
  createdAt: string;
  /** The last customer-visible message, shortened (notes are never previews). */
  preview: { seq: number; sender: SenderType; kind: MessageKind; text: string } | null;
  /**
   * The requesting agent's read position and unread count. Absent in `conversation-updated` (one frame for
   * every agent): the console computes unread as lastSeq − the readSeq it holds.
   */
  readSeq?: number;
  unread?: number;
}

export interface InboxPage {
  rows: InboxRowDto[];
  nextCursor: string | null;
}

export type SharedCounts = Record<Exclude<InboxView, 'mine'>, number>;
/** One agent's counts: every view plus `unread` (conversations of mine or unassigned-with-a-person with unread messages). */
export type InboxCounts = Record<InboxView, number> & { unread: number };

/** POST /api/v1/conversations/:id/assign and `assign-conversation`. */
export const AssignRequest = z
  .object({
    /** An agent of the workspace, `me`, or null to unassign. */
    assigneeId: z.union([id, z.literal('me'), z.null()]),
    /**
     * Compare-and-set: the assignee the client saw. Omitted: a claim, which succeeds only while nobody is
     * assigned (or it is already the same agent). A loser gets CONFLICT naming who holds it.
     */
    expectedAssigneeId: id.nullable().optional(),
  })
  .strict();
export const AssignCommand = AssignRequest.extend({ conversationId: id }).strict();

/** POST /api/v1/conversations/:id/status and `set-status`. */
export const StatusRequest = z
  .object({
    status: z.enum(INBOX_STATUSES),
    /** status snoozed: wake at this time (ISO 8601, within a year); omitted: until the customer writes. */
    snoozedUntil: z.iso.datetime({ offset: true }).optional(),
  })
  .strict()
  .refine((r) => r.status === 'snoozed' || r.snoozedUntil === undefined, { message: 'snoozedUntil is for status snoozed', path: ['snoozedUntil'] });
export const StatusCommand = z
  .object({ conversationId: id, status: z.enum(INBOX_STATUSES), snoozedUntil: z.iso.datetime({ offset: true }).optional() })
  .strict()
  .refine((r) => r.status === 'snoozed' || r.snoozedUntil === undefined, { message: 'snoozedUntil is for status snoozed', path: ['snoozedUntil'] });

/** Reply of assign and status changes: the row as it is now. */
export interface ConversationChangeReply {
  conversation: InboxRowDto;
  changed: boolean;
}

export const MAX_NOTE_CHARS = 4000;
/** POST /api/v1/conversations/:id/notes and `add-note`. */
export const NoteRequest = z
  .object({ text: z.string().min(1).max(MAX_NOTE_CHARS), clientNoteId: ClientMessageId.optional() })
  .strict();
export const AddNoteCommand = z.object({ conversationId: id, text: z.string().min(1).max(MAX_NOTE_CHARS), clientNoteId: ClientMessageId }).strict();

/** An internal note: agents only, never sent to a customer. `afterSeq` places it after that message. */
export interface NoteDto {
  id: string;
  conversationId: string;
  clientNoteId: string;
  afterSeq: number;
  author: { id: string; name: string } | null;
  text: string;
  createdAt: string;
}

/** GET /api/v1/conversations/:id/thread and `load-thread`: messages and notes of one range of seqs. */
export const ThreadQuery = z
  .object({
    beforeSeq: z.coerce.number().int().positive().optional(),
    /** Catching up after a reconnect: what came after the last seq held. */
    afterSeq: z.coerce.number().int().min(0).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_HISTORY_PAGE).optional(),
  })
  .strict();
export const LoadThreadCommand = ThreadQuery.extend({ conversationId: id }).strict();

/** Messages oldest first; notes whose afterSeq falls in the page's range, oldest first (merge by afterSeq, then time). */
export interface ThreadPage {
  conversation: InboxRowDto;
  messages: MessageDto[];
  notes: NoteDto[];
  hasMore: boolean;
}

/** GET /api/v1/search?q= */
export const SearchQuery = z.object({ q: z.string().trim().min(1).max(200), limit: z.coerce.number().int().min(1).max(50).optional() }).strict();
export type SearchHitDto =
  /** Message text (full-text): open the conversation at `seq`. */
  | { type: 'message'; conversationId: string; seq: number; snippet: string; createdAt: string; contact: SearchContact }
  | { type: 'contact'; conversationId: string | null; contact: SearchContact }
  /** A payment by id (the merchant's reference or ours) or transaction-hash prefix: the payer's latest conversation. */
  | {
      type: 'payment';
      conversationId: string | null;
      payment: { id: string; reference: string; status: string; amount: string; token: string; txHash: string | null };
      contact: SearchContact | null;
    };
export interface SearchContact {
  id: string;
  name: string | null;
  email: string | null;
  externalId: string | null;
}
export interface SearchResponse {
  hits: SearchHitDto[];
  /** True when the message search hit its time limit (the other hits are still there). */
  partial: boolean;
}

/** POST /api/v1/conversations: a new conversation with a customer, opened by an agent's first message. */
export const StartConversationRequest = z
  .object({
    contactId: id.optional(),
    externalId: z.string().min(1).max(256).optional(),
    /** The merchant's payment reference or our payment id: the payer is the customer. */
    paymentId: z.string().min(1).max(256).optional(),
    text: z.string().min(1).max(4000),
    clientMessageId: ClientMessageId.optional(),
  })
  .strict()
  .refine((r) => [r.contactId, r.externalId, r.paymentId].filter((v) => v !== undefined).length === 1, {
    message: 'Name the customer by exactly one of contactId, externalId or paymentId.',
    path: ['contactId'],
  });
export interface StartConversationResponse {
  conversation: InboxRowDto;
  message: MessageDto;
}

/** POST /api/v1/agent/invites (owner/admin). */
export const InviteRequest = z.object({ email: z.string().email().max(320), role: z.enum(['agent', 'admin']).default('agent') }).strict();
export interface InviteResponse {
  /** Single use: `<publicUrl>/support/invite/<token>`. Shown once. */
  url: string;
  email: string;
  role: 'agent' | 'admin';
  expiresAt: string;
}
/** POST /api/v1/agent/invites/accept: creates the agent and signs in (cookie set, token returned). */
export const AcceptInviteRequest = z
  .object({ token: z.string().min(10).max(200), name: z.string().trim().min(1).max(100), password: z.string().min(10).max(1024) })
  .strict();

/** GET /api/v1/agent/me */
export interface AgentMeResponse {
  agent: AgentDto;
  expiresAt: string;
  workspace: { id: string; name: string; siteKey: string };
  preferences: AgentPreferences;
}

export const AgentPreferences = z
  .object({ sound: z.boolean().optional(), browserNotifications: z.boolean().optional(), titleCount: z.boolean().optional() })
  .strict();
export type AgentPreferences = z.infer<typeof AgentPreferences>;

// ---- socket commands (entries of protocol/events.ts COMMANDS) -------------------------------------------

/** `view-conversation`: the conversation this socket shows (null: none). Others see it in `viewers`. */
export const ViewConversation = z.object({ conversationId: id.nullable() }).strict();
/** `console-typing`: an agent writing a reply or a note; relayed to the workspace's other agents only. */
export const ConsoleTyping = z.object({ conversationId: id, isTyping: z.boolean(), target: z.enum(['reply', 'note']).default('reply') }).strict();
export const InboxCountsCommand = z.object({}).strict();

// ---- server events --------------------------------------------------------------------------------------

/** A conversation changed (new, message, handoff, assignment, status): the row as the list shows it. */
export interface ConversationUpdatedEvent {
  conversation: InboxRowDto;
  /** Views the row belongs to now, except `mine` (the console knows from `assignee`). */
  views: Exclude<InboxView, 'mine'>[];
}
/** Fresh counts after changes (coalesced): the shared views, plus each agent's `mine` and `unread`. */
export interface InboxCountsEvent {
  counts: SharedCounts;
  agents: Record<string, { mine: number; unread: number }>;
}
export interface ViewersEvent {
  conversationId: string;
  agents: { id: string; name: string }[];
}
export interface AgentTypingEvent {
  conversationId: string;
  agent: { id: string; name: string };
  isTyping: boolean;
  target: 'reply' | 'note';
}
/** This agent read up to `seq` (from another tab or device of theirs). */
export interface AgentReadEvent {
  conversationId: string;
  seq: number;
}
/**
 * Sent to a customer's user room when an agent starts a conversation with them: the widget joins it
 * (`join-chat-room`) and shows it. A customer who is not connected finds it on their next
 * `start-conversation` (the most recent open conversation is resumed).
 */
export interface ConversationStartedEvent {
  conversation: ConversationDto;
  message: MessageDto;
}
