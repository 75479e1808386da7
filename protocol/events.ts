// The event table: every socket event name with its payload and ack types. Socket.io's typed
// client/server maps are derived from it so neither side can drift.
import type { Ack } from './errors.ts';
import type {
  ConversationDto,
  HistoryPage,
  JoinChatRoom,
  JoinUserRoom,
  LoadHistory,
  MarkRead,
  MessageDto,
  MessageStatusEvent,
  SendMessage,
  SessionEvent,
  StartConversation,
  Typing,
  TypingEvent,
} from './chat.ts';
import type {
  GetNotifications,
  MarkNotificationsRead,
  NotificationsPage,
  NotificationsReadEvent,
  PaymentEventDto,
} from './payments.ts';

/** Client → server; each is acknowledged. */
export interface Commands {
  'join-user-room': { payload: JoinUserRoom; reply: { room: string } };
  'join-chat-room': { payload: JoinChatRoom; reply: { conversation: ConversationDto } };
  'start-conversation': {
    payload: StartConversation;
    reply: { conversation: ConversationDto; created: boolean } & HistoryPage;
  };
  'send-message': { payload: SendMessage; reply: { message: MessageDto; duplicate: boolean } };
  'load-history': { payload: LoadHistory; reply: HistoryPage };
  'mark-read': { payload: MarkRead; reply: { seq: number } };
  typing: { payload: Typing; reply: object };
  /** Customers only (visitors get an empty page); newest first. */
  'get-notifications': { payload: GetNotifications; reply: NotificationsPage };
  /** Also sent as `notifications-read` to the user's other devices. */
  'mark-notifications-read': { payload: MarkNotificationsRead; reply: NotificationsReadEvent };
}

/** Server → client, fire and forget. */
export interface ServerEvents {
  session: SessionEvent;
  'message-received': MessageDto;
  typing: TypingEvent;
  'message-status': MessageStatusEvent;
  /** A payment concerning this customer: show a toast. Sent to the payer's and payee's user rooms. */
  'payment-event': PaymentEventDto;
  /** Unread notifications, right after `join-user-room` (catch-up after being offline). */
  notifications: NotificationsPage;
  'notifications-read': NotificationsReadEvent;
}

export type CommandName = keyof Commands;
export type CommandReply<K extends CommandName> = Ack<Commands[K]['reply']>;

export type ClientToServerEvents = {
  [K in CommandName]: (payload: Commands[K]['payload'], ack: (reply: CommandReply<K>) => void) => void;
};
export type ServerToClientEvents = {
  [K in keyof ServerEvents]: (payload: ServerEvents[K]) => void;
};
