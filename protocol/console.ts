// The agent console's wire contract (issue 10): inbox views and rows, counts, notes, threads, search,
// assignment and status changes, invites, cookie sign-in, and the console's socket commands and events.
// Schemas validate on the server; the console imports the types only (zod stays out of the browser).
import { z } from 'zod';
import { MAX_MESSAGE_LENGTH, MAX_NOTE_CHARS } from './limits.ts';
import { ClientMessageId, MAX_HISTORY_PAGE, type ConversationDto, type MessageDto, type SenderType, type MessageKind } from './chat.ts';
import type { AgentDto } from './rest.ts';
import type { PaymentDto } from './payments.ts';

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

export { MAX_NOTE_CHARS };
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
    text: z.string().min(1).max(MAX_MESSAGE_LENGTH),
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

// ---- console admin (issue 10 points 5 and 9): customer sidebar, canned replies, knowledge base, settings ----

/** One of the customer's payments as the sidebar shows it (a PaymentDto plus the reason in plain words). */
/**
 * One of the customer's payments as the sidebar shows it: the merchant's PaymentDto (exact decimal amount
 * strings, names, hash) with the customer's side of it, the failure reason in plain words and both receipt links.
 */
export interface SidebarPaymentDto extends Omit<PaymentDto, 'failure' | 'receipt' | 'updatedAt'> {
  /** The customer's side of it. */
  direction: 'out' | 'in';
  /** The merchant's code and message, plus the reason in plain words (the assistant's mapping) and its article. */
  failure: { code: string; message: string; reason: string; article: string } | null;
  initiatedAt: string;
  /**
   * `url`: the receipt page for agents (opens with the console's cookie or an agent's bearer token);
   * `customerUrl`: the customer's own receipt link (expires in 24 h), safe to send in a reply.
   */
  receipt: { id: string; number: number; url: string; customerUrl: string } | null;
}

export interface SidebarConversationDto {
  id: string;
  status: InboxStatus;
  mode: 'ai' | 'human';
  lastMessageAt: string | null;
  createdAt: string;
  preview: { sender: SenderType; text: string } | null;
}

/** GET /api/v1/contacts/:id (any agent of the workspace). */
export interface ContactSidebarResponse {
  contact: {
    id: string;
    name: string | null;
    email: string | null;
    externalId: string | null;
    identified: boolean;
    firstSeenAt: string;
    lastSeenAt: string | null;
  };
  /** Most recent first (at most MAX_SIDEBAR_CONVERSATIONS). */
  conversations: SidebarConversationDto[];
  /** Identified customers only (empty otherwise): failed and pending first, then newest first (at most MAX_SIDEBAR_PAYMENTS). */
  payments: SidebarPaymentDto[];
  /** More payments exist than were sent. */
  morePayments: boolean;
}
export const MAX_SIDEBAR_CONVERSATIONS = 20;
export const MAX_SIDEBAR_PAYMENTS = 50;

export const MAX_CANNED_TEXT = 2000;
export const MAX_CANNED_REPLIES = 500;
/** Variables a canned reply may use; rendered by POST /api/v1/canned-replies/:id/render from that conversation's customer only. */
export const CANNED_VARIABLES = ['customer.name', 'customer.email', 'payment.amount', 'payment.status', 'payment.reference', 'agent.name'] as const;
/** A shortcut: typed after `/` in the composer; lowercase letters, digits, - and _ (no `/`). */
export const CannedShortcut = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(40)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, - and _, without the /');
export const CannedReplyInput = z
  .object({ shortcut: CannedShortcut, title: z.string().trim().min(1).max(120), text: z.string().trim().min(1).max(MAX_CANNED_TEXT) })
  .strict();
export type CannedReplyInput = z.input<typeof CannedReplyInput>;
export interface CannedReplyDto {
  id: string;
  shortcut: string;
  title: string;
  text: string;
  createdBy: { id: string; name: string } | null;
  createdAt: string;
  updatedAt: string;
}
/** GET /api/v1/canned-replies (any agent), shortcut order. */
export interface CannedRepliesResponse {
  cannedReplies: CannedReplyDto[];
}
export const CannedRenderRequest = z.object({ conversationId: id }).strict();
export interface CannedRenderResponse {
  text: string;
  /** Variables that had no value for this customer (left as written), e.g. payment.* for an anonymous visitor. */
  missing: string[];
}

/** Knowledge base admin (owner/admin). */
export const KbLanguage = z.enum(['en', 'es']);
export const KbListQuery = z.object({ lang: KbLanguage.default('en') }).strict();
export interface KbArticleDto {
  slug: string;
  language: 'en' | 'es';
  category: string;
  title: string;
  alternatives: string[];
  tags: string[];
  answer: string;
  details: string;
  /** default: the shipped article · workspace: the workspace's own (override or addition) · archived: hidden from customers. */
  origin: 'default' | 'workspace' | 'archived';
  /** A shipped article of this slug exists (restore of an override brings it back). */
  hasDefault: boolean;
  updatedAt: string | null;
}
export interface KbArticlesResponse {
  articles: KbArticleDto[];
}
/** PUT /api/v1/kb/articles/:lang/:slug: the article's fields (checked with the import's format rules). */
export const KbArticleInput = z
  .object({
    category: z.string().min(1).max(60),
    title: z.string().min(1).max(200),
    alternatives: z.array(z.string().max(200)).max(30).default([]),
    tags: z.array(z.string().max(200)).max(20).default([]),
    answer: z.string().min(1).max(2000),
    details: z.string().max(20000).default(''),
  })
  .strict();
export type KbArticleInput = z.input<typeof KbArticleInput>;

export const UnansweredQuery = z
  .object({ since: z.string().regex(/^\d{1,3}[hdw]$/, 'like 24h, 7d or 2w').default('7d'), limit: z.coerce.number().int().min(1).max(100).default(50) })
  .strict();
export interface UnansweredQuestionDto {
  question: string;
  language: 'en' | 'es';
  count: number;
  notSure: number;
  downVotes: number;
  lastAskedAt: string;
  /** The article search ranks first for it now (null: nothing close). */
  bestGuess: { slug: string; title: string; score: number } | null;
}
export interface UnansweredResponse {
  since: string;
  questions: UnansweredQuestionDto[];
}
export const AddAlternativeRequest = z
  .object({ question: z.string().trim().min(1).max(200), lang: KbLanguage, slug: z.string().min(1).max(80).regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/) })
  .strict();

/** Workspace settings (owner/admin). */
export interface WorkspaceSettingsDto {
  name: string;
  siteKey: string;
  color: string;
  position: 'right' | 'left';
  locale: string;
  greeting: string | null;
  replyTime: string | null;
  theme: 'auto' | 'light' | 'dark';
  allowedOrigins: string[];
  /** While a rotation's grace period runs, the previous secret is accepted until then. */
  previousSecretExpiresAt: string | null;
}
export const WorkspaceSettingsRequest = z
  .object({
    name: z.string().trim().min(1).max(120).optional(),
    color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour like #4f46e5').optional(),
    position: z.enum(['right', 'left']).optional(),
    locale: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/, 'a language tag like en or pt-BR').optional(),
    greeting: z.string().trim().min(1).max(280).nullable().optional(),
    replyTime: z.string().trim().min(1).max(80).nullable().optional(),
    theme: z.enum(['auto', 'light', 'dark']).optional(),
  })
  .strict();
export const OriginRequest = z.object({ origin: z.string().trim().min(1).max(300) }).strict();
export const RotateSecretRequest = z.object({ graceHours: z.number().int().min(0).max(24 * 30).optional() }).strict();
/** The new secret, shown once (never logged, never readable again from the console). */
export interface RotateSecretResponse {
  secret: string;
  previousSecretExpiresAt: string | null;
}
