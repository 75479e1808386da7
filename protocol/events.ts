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
}

/** Server → client, fire and forget. */
export interface ServerEvents {
  session: SessionEvent;
  'message-received': MessageDto;
  typing: TypingEvent;
  'message-status': MessageStatusEvent;
}

export type CommandName = keyof Commands;
export type CommandReply<K extends CommandName> = Ack<Commands[K]['reply']>;

export type ClientToServerEvents = {
  [K in CommandName]: (payload: Commands[K]['payload'], ack: (reply: CommandReply<K>) => void) => void;
};
export type ServerToClientEvents = {
  [K in keyof ServerEvents]: (payload: ServerEvents[K]) => void;
};
