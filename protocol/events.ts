// The event table: every client → server command with its payload schema and whether it is acknowledged.
// The server registers one handler per entry and answers any other name with UNKNOWN_EVENT; Socket.io's
// typed maps for both sides are derived from it. The widget imports this module with `import type` only,
// so the schemas (and zod) never reach the browser.
import type { z, ZodType } from 'zod';
import type { Ack, ErrorBody } from './errors.ts';
import {
  JoinChatRoom,
  JoinUserRoom,
  ListConversations,
  LoadHistory,
  MarkRead,
  SendMessage,
  StartConversation,
  Typing,
  type ConversationDto,
  type ConversationsPage,
  type HistoryPage,
  type MessageDto,
  type MessageStatusEvent,
  type SessionEvent,
  type TypingEvent,
} from './chat.ts';
import { AiFeedback, RequestHandoff, SendAiQuery, type AiFeedbackReply, type AiResponseEvent, type HandoffEvent, type RequestHandoffReply, type SendAiQueryReply } from './assistant.ts';
import {
  AddNoteCommand,
  AssignCommand,
  ConsoleTyping,
  InboxCountsCommand,
  InboxListQuery,
  LoadThreadCommand,
  StatusCommand,
  ViewConversation,
  type AgentReadEvent,
  type AgentTypingEvent,
  type ConversationChangeReply,
  type ConversationStartedEvent,
  type ConversationUpdatedEvent,
  type InboxCounts,
  type InboxCountsEvent,
  type InboxPage,
  type NoteDto,
  type ThreadPage,
  type ViewersEvent,
} from './console.ts';
import {
  GetNotifications,
  MarkNotificationsRead,
  type NotificationsPage,
  type NotificationsReadEvent,
  type PaymentEventDto,
} from './payments.ts';

interface CommandSpec {
  /** Validates the untrusted payload before any handler sees it. */
  payload: ZodType;
  /** Answered through the Socket.io ack with `{ ok: true, …reply }` or `{ ok: false, error }`. */
  acked: boolean;
}

/** Client → server. */
export const COMMANDS = {
  'join-user-room': { payload: JoinUserRoom, acked: true },
  'join-chat-room': { payload: JoinChatRoom, acked: true },
  'start-conversation': { payload: StartConversation, acked: true },
  'list-conversations': { payload: ListConversations, acked: true },
  'send-message': { payload: SendMessage, acked: true },
  'load-history': { payload: LoadHistory, acked: true },
  'mark-read': { payload: MarkRead, acked: true },
  typing: { payload: Typing, acked: true },
  /** Customers only (visitors get an empty page); newest first. */
  'get-notifications': { payload: GetNotifications, acked: true },
  /** Also sent as `notifications-read` to the user's other devices. */
  'mark-notifications-read': { payload: MarkNotificationsRead, acked: true },
  /** A question to the assistant; answered with `ai-response` events to the conversation's room. */
  'send-ai-query': { payload: SendAiQuery, acked: true },
  /** A vote on an answer; voting again changes it. */
  'ai-feedback': { payload: AiFeedback, acked: true },
  /** "Talk to a person": the conversation goes to the team (compare-and-set; the assistant stops at once). */
  'request-handoff': { payload: RequestHandoff, acked: true },
  // ---- the agent console (agents only; others get FORBIDDEN) ----
  /** A page of an inbox view (keyset: pages never shift); also the resync after a reconnect. */
  'inbox-list': { payload: InboxListQuery, acked: true },
  /** Every view's count for this agent, and their unread. */
  'get-inbox-counts': { payload: InboxCountsCommand, acked: true },
  /** Messages and internal notes of one range (`afterSeq`: catching up after a reconnect or a seq gap). */
  'load-thread': { payload: LoadThreadCommand, acked: true },
  /** An internal note: to the workspace's agents only, never to the customer. */
  'add-note': { payload: AddNoteCommand, acked: true },
  /** Claim or (re)assign by compare-and-set: CONFLICT (with `assignee`) when someone else won. */
  'assign-conversation': { payload: AssignCommand, acked: true },
  /** open, pending, snoozed (until a time, or until the customer writes), resolved. */
  'set-status': { payload: StatusCommand, acked: true },
  /** The conversation this socket shows (null: none): `viewers` goes to the workspace's agents. */
  'view-conversation': { payload: ViewConversation, acked: true },
  /** "Ana is replying…" (or writing a note), to the other agents only. */
  'console-typing': { payload: ConsoleTyping, acked: true },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

/** Own keys only: `toString` and friends are not commands. */
export const isCommandName = (name: string): name is CommandName => Object.hasOwn(COMMANDS, name);

/** What each command's ack carries on success. Replies are built by the server and never parsed: types only. */
export interface CommandReplies {
  'join-user-room': { room: string };
  'join-chat-room': { conversation: ConversationDto };
  /**
   * Resumes the open conversation unless `forceNew` (limited: a few per person). A visitor who never wrote
   * gets a conversation that is stored with their first message (`lastSeq` 0). The page is read after the
   * socket joined the conversation: a message may arrive as `message-received` before this ack, and also be
   * in the page; merge by id.
   */
  /** `others`: how many more conversations of this customer have messages (list-conversations shows them). */
  'start-conversation': { conversation: ConversationDto; created: boolean; others: number } & HistoryPage;
  'list-conversations': ConversationsPage;
  'send-message': { message: MessageDto; duplicate: boolean };
  'load-history': HistoryPage;
  'mark-read': { seq: number };
  typing: object;
  'get-notifications': NotificationsPage;
  'mark-notifications-read': NotificationsReadEvent;
  'send-ai-query': SendAiQueryReply;
  'ai-feedback': AiFeedbackReply;
  'request-handoff': RequestHandoffReply;
  'inbox-list': InboxPage;
  'get-inbox-counts': { counts: InboxCounts };
  'load-thread': ThreadPage;
  'add-note': { note: NoteDto; duplicate: boolean };
  'assign-conversation': ConversationChangeReply;
  'set-status': ConversationChangeReply;
  'view-conversation': { viewers: ViewersEvent['agents'] };
  'console-typing': object;
}

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
/** A reply type without a command in the table (or the reverse) fails to compile. */
type RepliesMatchCommands = Assert<Same<keyof CommandReplies, CommandName>>;

export type Commands = {
  [K in CommandName]: { payload: z.infer<(typeof COMMANDS)[K]['payload']>; reply: CommandReplies[K] };
};

/** Server → client, fire and forget. Built by the server and never parsed, so types only. */
export interface ServerEvents {
  session: SessionEvent;
  /**
   * A stored message. The same one may arrive again (a retry that found it stored publishes it once more, for
   * devices that missed it): keep one per id. A seq jump means messages were missed: load them (`afterSeq`).
   */
  'message-received': MessageDto;
  typing: TypingEvent;
  'message-status': MessageStatusEvent;
  /** A payment concerning this customer: show a toast. Sent to the payer's and payee's user rooms. */
  'payment-event': PaymentEventDto;
  /** Unread notifications, right after `join-user-room` (catch-up after being offline). */
  notifications: NotificationsPage;
  'notifications-read': NotificationsReadEvent;
  /**
   * Sent just before the server closes this socket on purpose, saying why: UNAVAILABLE (restarting: reconnect),
   * AUTH_INVALID (the agent was removed or signed out everywhere), ORIGIN_NOT_ALLOWED / SITE_KEY_UNKNOWN (the
   * workspace no longer allows this page, or is gone), PROTOCOL_VIOLATION, CONNECTION_LIMIT.
   */
  'session-ended': ErrorBody;
  /** The assistant answering a `send-ai-query`: start, batched deltas, then final (or error). */
  'ai-response': AiResponseEvent;
  /** A conversation's mode changed (to the team, or back to the assistant). */
  handoff: HandoffEvent;
  /**
   * Customers: an agent started a new conversation with you (`POST /api/v1/conversations`). Sent to the
   * customer's user room (join-user-room first); the widget joins it with `join-chat-room` and shows it. The
   * first message is in the event; later ones arrive as `message-received` once joined (load-history
   * `afterSeq` covers the gap). Not connected: the next `start-conversation` resumes it (most recent open one).
   */
  'conversation-started': ConversationStartedEvent;
  // ---- the agent console (to the workspace's agents room, or one agent's own room) ----
  /** A conversation's row changed (new, message, handoff, assignment, status): replace it in the lists. May be missed: resync with inbox-list. */
  'conversation-updated': ConversationUpdatedEvent;
  /** Fresh counts (coalesced): shared views plus each agent's mine/unread. */
  'inbox-counts': InboxCountsEvent;
  /** An internal note was added (agents only). */
  'note-added': NoteDto;
  /** Which agents have a conversation open. */
  viewers: ViewersEvent;
  /** Another agent is writing a reply or a note. */
  'agent-typing': AgentTypingEvent;
  /** You read up to `seq` on another tab or device (your own room only). */
  'agent-read': AgentReadEvent;
}

export type CommandReply<K extends CommandName> = Ack<Commands[K]['reply']>;

export type ClientToServerEvents = {
  [K in CommandName]: (typeof COMMANDS)[K]['acked'] extends true
    ? (payload: Commands[K]['payload'], ack: (reply: CommandReply<K>) => void) => void
    : (payload: Commands[K]['payload']) => void;
};
export type ServerToClientEvents = {
  [K in keyof ServerEvents]: (payload: ServerEvents[K]) => void;
};
