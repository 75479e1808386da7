// Chat wire contract: the schemas the server validates with, and the DTO types both sides use.
import { z } from 'zod';

import { MAX_CONVERSATIONS_PAGE, MAX_HISTORY_PAGE, MAX_MESSAGE_LENGTH } from './limits.ts';
import type { ConversationStatus } from './values.ts';

export { MAX_HISTORY_PAGE, MAX_MESSAGE_LENGTH };

const id = z.string().uuid();
/** The sender's idempotency key for a message: a retry with the same one is answered with the original. */
export const ClientMessageId = z
  .string()
  .min(8)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "-" and "_" only');

/**
 * Socket.io handshake `auth` payload. Exactly one credential is used, in the order agent, identity, visitor.
 * Strict: any other field is refused (the handshake is kept for the socket's life).
 */
export const HandshakeAuth = z
  .object({
    siteKey: z.string().min(1).max(128),
    visitorToken: z.string().min(1).max(2048).optional(),
    identityToken: z.string().min(1).max(4096).optional(),
    agentToken: z.string().min(1).max(256).optional(),
  })
  .strict();
export type HandshakeAuth = z.infer<typeof HandshakeAuth>;

export const JoinUserRoom = z.object({ userId: z.string().min(1).max(256).optional() }).strict();
export const JoinChatRoom = z.object({ conversationId: id }).strict();
export const StartConversation = z
  .object({
    /** Start a new conversation even when one is open. */
    forceNew: z.boolean().optional(),
    /** Resume this one of yours (the one a device was showing, or one picked from list-conversations). */
    conversationId: id.optional(),
  })
  .strict()
  .refine((p) => !(p.forceNew && p.conversationId), { message: 'forceNew and conversationId exclude each other', path: ['conversationId'] });
/** `list-conversations`: the customer's own conversations, most recent first. */
export const ListConversations = z
  .object({
    /** `nextCursor` of the previous page. */
    cursor: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(MAX_CONVERSATIONS_PAGE).optional(),
  })
  .strict();
export const SendMessage = z
  .object({
    conversationId: id,
    clientMessageId: ClientMessageId,
    // Length is checked after normalisation (trim, control characters), in the service.
    text: z.string().max(MAX_MESSAGE_LENGTH * 2),
  })
  .strict();
export const LoadHistory = z
  .object({
    conversationId: id,
    /** Return messages with seq < beforeSeq; omit for the newest page. */
    beforeSeq: z.number().int().positive().optional(),
    /**
     * Return the oldest messages with seq > afterSeq instead (with beforeSeq too: inside that window): what a
     * device catching up after a reconnection or a seq jump asks for, from the last seq it holds.
     */
    afterSeq: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(MAX_HISTORY_PAGE).optional(),
  })
  .strict();
export const MarkRead = z
  .object({
    conversationId: id,
    seq: z.number().int().min(0),
    /** 'delivered' when a message reached a device but was not seen (chat closed). */
    status: z.enum(['read', 'delivered']).optional(),
  })
  .strict();
export const Typing = z.object({ conversationId: id, isTyping: z.boolean() }).strict();

export type JoinUserRoom = z.infer<typeof JoinUserRoom>;
export type JoinChatRoom = z.infer<typeof JoinChatRoom>;
export type StartConversation = z.infer<typeof StartConversation>;
export type ListConversations = z.infer<typeof ListConversations>;
export type SendMessage = z.infer<typeof SendMessage>;
export type LoadHistory = z.infer<typeof LoadHistory>;
export type MarkRead = z.infer<typeof MarkRead>;
export type Typing = z.infer<typeof Typing>;

export type SenderType = 'contact' | 'agent' | 'assistant' | 'system';
/** `answer`: the assistant's answer (payload: AnswerPayload in assistant-values.ts). */
export type MessageKind = 'text' | 'payment' | 'receipt' | 'system' | 'attachment' | 'answer';

export interface SenderDto {
  type: SenderType;
  id: string | null;
  name: string | null;
}

export interface MessageDto {
  id: string;
  conversationId: string;
  seq: number;
  clientMessageId: string;
  sender: SenderDto;
  kind: MessageKind;
  text: string;
  payload: Record<string, unknown> | null;
  /** ISO 8601 */
  createdAt: string;
}

export interface ConversationDto {
  id: string;
  status: ConversationStatus;
  mode: 'ai' | 'human';
  contact: { id: string; name: string | null; email: string | null; externalId: string | null };
  assigneeId: string | null;
  lastSeq: number;
  lastMessageAt: string | null;
  createdAt: string;
  /** Highest seq each side has read. */
  read: { contact: number; agent: number };
}

/** A line of a customer's conversation list. */
export interface ConversationSummaryDto extends ConversationDto {
  lastMessage: MessageDto | null;
}

export interface ConversationsPage {
  conversations: ConversationSummaryDto[];
  nextCursor: string | null;
}

export interface HistoryPage {
  /** Oldest first. */
  messages: MessageDto[];
  /**
   * More exist in the direction asked: older ones before the first returned (newest page, `beforeSeq`), or
   * newer ones after the last returned (`afterSeq`).
   */
  hasMore: boolean;
}

export interface TypingEvent {
  conversationId: string;
  sender: SenderDto;
  isTyping: boolean;
}

export interface MessageStatusEvent {
  conversationId: string;
  /** Who read: the customer side or the agent side. */
  reader: 'contact' | 'agent';
  /** Every message with seq <= this has been read (or delivered to) `reader`. */
  seq: number;
  status: 'read' | 'delivered';
}

/** Who the server says you are, sent right after the handshake. */
export interface SessionEvent {
  role: 'visitor' | 'customer' | 'agent';
  workspace: { id: string; name: string };
  /** The room name `join-user-room` joins: `user-<externalId>` for customers, `visitor-<id>`, `agent-<id>`. */
  userRoom: string;
  contactId: string | null;
  agentId: string | null;
}
