// The conversation as the widget sees it: pure functions from state to state, no DOM, no timers,
// no socket. The controller feeds them wire events; components read the result.
import type { ConversationDto, MessageDto, MessageKind, SenderDto } from '../../protocol/chat.ts';

/**
 * Where an own message is on its way out. `queued`: waiting for a connection; `sending`: emitted,
 * ack pending; `sent`: the server stored it (it has a seq); `failed`: refused, the user may retry.
 * `delivered` and `read` are not stored: they follow from the seq and the agent-side cursors.
 */
export type SendState = 'queued' | 'sending' | 'sent' | 'failed';
export type MessageStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed';

export interface ChatMessage {
  /** Stable render key: the client message id, which a local message keeps once the server knows it. */
  key: string;
  id: string | null;
  clientMessageId: string;
  seq: number | null;
  sender: SenderDto;
  kind: MessageKind;
  text: string;
  /** Structured content: the payment of a `payment` or `receipt` card. Untrusted until checked. */
  payload: Record<string, unknown> | null;
  createdAt: string;
  own: boolean;
  sendState: SendState;
  error: { code: string; message: string } | null;
  /** Order among messages the server has not numbered yet (local, unsent ones). */
  localOrder: number;
}

export interface ChatState {
  conversation: ConversationDto | null;
  messages: ChatMessage[];
  /** Older messages exist on the server before the first loaded one. */
  hasMore: boolean;
  loadingOlder: boolean;
  /** Highest seq the visitor has read (drives the unread badge). */
  readByContact: number;
  /** Highest seq the support side has read / received (drives read / delivered ticks). */
  readByAgent: number;
  deliveredToAgent: number;
  /** Who on the support side is typing, if anyone. */
  typing: SenderDto | null;
  /** How many more conversations of theirs have messages (the list offers them). */
  others: number;
}

export const initialChatState = (): ChatState => ({
  conversation: null,
  messages: [],
  hasMore: false,
  loadingOlder: false,
  readByContact: 0,
  readByAgent: 0,
  deliveredToAgent: 0,
  typing: null,
  others: 0,
});

const isOwn = (sender: SenderDto): boolean => sender.type === 'contact';

/** Local messages are ordered after each other; server ones by seq, so their localOrder is only a tiebreak. */
const nextOrder = (messages: readonly ChatMessage[]): number => messages.reduce((max, m) => Math.max(max, m.localOrder), 0) + 1;

function fromDto(dto: MessageDto, previous?: ChatMessage): ChatMessage {
  return {
    key: previous?.key ?? dto.clientMessageId ?? dto.id,
    id: dto.id,
    clientMessageId: dto.clientMessageId,
    seq: dto.seq,
    sender: dto.sender,
    kind: dto.kind,
    text: dto.text,
    payload: dto.payload ?? null,
    createdAt: dto.createdAt,
    own: isOwn(dto.sender),
    sendState: 'sent',
    error: null,
    localOrder: previous?.localOrder ?? 0,
  };
}

/** Server-numbered messages by seq; unnumbered (local) ones after them, in the order they were typed. */
function compare(a: ChatMessage, b: ChatMessage): number {
  const sa = a.seq ?? Number.POSITIVE_INFINITY;
  const sb = b.seq ?? Number.POSITIVE_INFINITY;
  return sa !== sb ? sa - sb : a.localOrder - b.localOrder;
}

/**
 * Adds or updates server messages. A message is the same one when its server id matches or, for a
 * message still local, its client message id does: that is how an ack, the room broadcast of the
 * same message and a history page that contains it all collapse into one bubble.
 */
export function mergeMessages(state: ChatState, dtos: readonly MessageDto[]): ChatState {
  if (dtos.length === 0) return state;
  const messages = [...state.messages];
  let readByContact = state.readByContact;
  let delivered = state.deliveredToAgent;
  for (const dto of dtos) {
    if (state.conversation && dto.conversationId !== state.conversation.id) continue;
    const i = messages.findIndex((m) => m.id === dto.id || (m.id === null && m.clientMessageId === dto.clientMessageId));
    if (i >= 0) messages[i] = fromDto(dto, messages[i]);
    else messages.push(fromDto(dto));
    // Writing a message implies having read everything before it (e.g. from another tab).
    if (isOwn(dto.sender) && dto.seq > readByContact) readByContact = dto.seq;
    // A reply from the support side (agent or assistant) means what came before reached it.
    if ((dto.sender.type === 'agent' || dto.sender.type === 'assistant') && dto.seq - 1 > delivered) delivered = dto.seq - 1;
  }
  messages.sort(compare);
  return { ...state, messages, readByContact, deliveredToAgent: delivered };
}

/** A conversation was (re)started: keep local unsent messages, take the server's page and cursors. */
export function setConversation(state: ChatState, conversation: ConversationDto, page: { messages: MessageDto[]; hasMore: boolean; others?: number }): ChatState {
  const sameConversation = state.conversation?.id === conversation.id;
  const base: ChatState = {
    ...state,
    conversation,
    others: page.others ?? state.others,
    // A reconnect returns only the newest page: keep older ones already loaded.
    messages: sameConversation ? state.messages : state.messages.filter((m) => m.id === null),
    hasMore: sameConversation ? state.hasMore || page.hasMore : page.hasMore,
    readByContact: Math.max(sameConversation ? state.readByContact : 0, conversation.read.contact),
    readByAgent: Math.max(sameConversation ? state.readByAgent : 0, conversation.read.agent),
  };
  if (!sameConversation) base.deliveredToAgent = 0;
  return mergeMessages(base, page.messages);
}

export function prependHistory(state: ChatState, page: { messages: MessageDto[]; hasMore: boolean }): ChatState {
  return { ...mergeMessages(state, page.messages), hasMore: page.hasMore, loadingOlder: false };
}

/** A message the visitor typed, shown at once; the controller sends it when it can. */
export function addLocalMessage(state: ChatState, text: string, clientMessageId: string, now: Date): ChatState {
  const message: ChatMessage = {
    key: clientMessageId,
    id: null,
    clientMessageId,
    seq: null,
    sender: { type: 'contact', id: null, name: null },
    kind: 'text',
    text,
    payload: null,
    createdAt: now.toISOString(),
    own: true,
    sendState: 'queued',
    error: null,
    localOrder: nextOrder(state.messages),
  };
  return { ...state, messages: [...state.messages, message] };
}

function updateLocal(state: ChatState, clientMessageId: string, patch: (m: ChatMessage) => ChatMessage | null): ChatState {
  let changed = false;
  const messages = state.messages.map((m) => {
    if (m.clientMessageId !== clientMessageId || m.id !== null) return m;
    const next = patch(m);
    if (!next || next === m) return m;
    changed = true;
    return next;
  });
  return changed ? { ...state, messages } : state;
}

/**
 * queued -> sending. Only a queued message moves, so calling this twice for one message (two
 * reconnects in a row, a double click) cannot put it on the wire twice.
 */
export function markSending(state: ChatState, clientMessageId: string): ChatState {
  return updateLocal(state, clientMessageId, (m) => (m.sendState === 'queued' ? { ...m, sendState: 'sending', error: null } : null));
}

/** The send did not reach the server (offline, timeout): back to the queue, same client id. */
export function requeue(state: ChatState, clientMessageId: string): ChatState {
  return updateLocal(state, clientMessageId, (m) => (m.sendState === 'sending' ? { ...m, sendState: 'queued' } : null));
}

export function markFailed(state: ChatState, clientMessageId: string, error: { code: string; message: string }): ChatState {
  return updateLocal(state, clientMessageId, (m) => ({ ...m, sendState: 'failed', error }));
}

/** The user pressed retry: failed -> queued, keeping the client id so the server can dedupe. */
export function retryMessage(state: ChatState, clientMessageId: string): ChatState {
  return updateLocal(state, clientMessageId, (m) => (m.sendState === 'failed' ? { ...m, sendState: 'queued', error: null } : null));
}

/** The next message to put on the wire, oldest first so the server sees them in typing order. */
export function nextQueued(state: ChatState): ChatMessage | undefined {
  return state.messages.find((m) => m.id === null && m.sendState === 'queued');
}

export function messageStatus(state: ChatState, m: ChatMessage): MessageStatus {
  if (m.seq === null) return m.sendState;
  if (m.seq <= state.readByAgent) return 'read';
  if (m.seq <= state.deliveredToAgent) return 'delivered';
  return 'sent';
}

/** Cursors only move forward: a late or duplicated event cannot take a tick back. */
export function setReadCursor(state: ChatState, reader: 'contact' | 'agent', seq: number, kind: 'read' | 'delivered' = 'read'): ChatState {
  if (reader === 'contact') return kind === 'read' && seq > state.readByContact ? { ...state, readByContact: seq } : state;
  const next = { ...state };
  if (kind === 'read' && seq > state.readByAgent) next.readByAgent = seq;
  const delivered = Math.max(seq, next.readByAgent);
  if (delivered > state.deliveredToAgent) next.deliveredToAgent = delivered;
  return next.readByAgent === state.readByAgent && next.deliveredToAgent === state.deliveredToAgent ? state : next;
}

export function setTyping(state: ChatState, sender: SenderDto | null): ChatState {
  if (sender && isOwn(sender)) return state; // Our own typing, echoed from another tab.
  return { ...state, typing: sender };
}

/** Messages from the support side (agent, assistant, system) the visitor has not read. */
export function unreadCount(state: ChatState): number {
  let n = 0;
  for (const m of state.messages) if (!m.own && m.seq !== null && m.seq > state.readByContact) n++;
  return n;
}

/** The highest seq loaded: what `mark-read` reports once the visitor has seen the bottom of the list. */
export function lastSeq(state: ChatState): number {
  let max = 0;
  for (const m of state.messages) if (m.seq !== null && m.seq > max) max = m.seq;
  return max;
}

export function oldestSeq(state: ChatState): number | null {
  for (const m of state.messages) if (m.seq !== null) return m.seq;
  return null;
}

/**
 * The first hole among the messages held: two neighbours whose seqs are not consecutive (the server
 * numbers a conversation's messages without gaps, so a hole is messages this device missed: stored
 * while it was reconnecting, or whose broadcast never reached it). Older history not loaded yet is no hole;
 * but when the server said there is none (hasMore false), the history starts at seq 1, so a first message
 * held with a higher seq follows a hole too (the conversation's first messages, missed live).
 */
export function firstGap(state: ChatState): { afterSeq: number; beforeSeq: number } | null {
  let previous: number | null = state.conversation && !state.hasMore ? 0 : null;
  for (const m of state.messages) {
    if (m.seq === null) continue;
    if (previous !== null && m.seq > previous + 1) return { afterSeq: previous, beforeSeq: m.seq };
    previous = m.seq;
  }
  return null;
}
