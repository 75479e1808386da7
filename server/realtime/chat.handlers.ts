// Chat commands: parse (in the registrar), authorize through the service, reply. No business rules here.
import type { Socket } from 'socket.io';
import {
  JoinChatRoom,
  JoinUserRoom,
  LoadHistory,
  MarkRead,
  SendMessage,
  StartConversation,
  Typing,
} from '../../protocol/chat.ts';
import { AppError } from '../errors.ts';
import type { ChatService } from '../services/chat/chat.service.ts';
import { customerKey, rooms } from '../services/rooms.ts';
import type { makeRegistrar } from './handle.ts';

export function registerChatHandlers(socket: Socket, register: ReturnType<typeof makeRegistrar>, chat: ChatService) {
  register(socket, 'join-user-room', JoinUserRoom, ['command:conn'], async (payload, { data }) => {
    // Only your own room: asking for another user's id is refused, not silently redirected.
    if (payload.userId !== undefined && payload.userId !== data.publicUserRoom && customerKey(payload.userId) !== data.publicUserRoom) {
      throw new AppError('FORBIDDEN', 'You may only join your own user room.');
    }
    await socket.join(data.userRoom);
    return { room: data.publicUserRoom };
  });

  register(socket, 'start-conversation', StartConversation, ['command:conn'], async (payload, { data }) => {
    const result = await chat.startConversation(data.principal, payload);
    await socket.join(rooms.conversation(result.conversation.id));
    data.joined.add(result.conversation.id);
    return result;
  });

  register(socket, 'join-chat-room', JoinChatRoom, ['command:conn'], async ({ conversationId }, { data }) => {
    const conversation = await chat.describe(data.principal, conversationId);
    await socket.join(rooms.conversation(conversationId));
    data.joined.add(conversationId);
    return { conversation };
  });

  register(socket, 'send-message', SendMessage, ['send:conn', 'send:identity'], async (payload, { data }) => {
    return chat.send(data.principal, payload.conversationId, {
      clientMessageId: payload.clientMessageId,
      text: payload.text,
    });
  });

  register(socket, 'load-history', LoadHistory, ['command:conn'], async (payload, { data }) => {
    return chat.history(data.principal, payload.conversationId, payload);
  });

  register(socket, 'mark-read', MarkRead, ['command:conn'], async (payload, { data }) => {
    return chat.markRead(data.principal, payload.conversationId, payload.seq, payload.status ?? 'read');
  });

  // Typing is relayed, never stored; membership was checked when the socket joined the room.
  register(socket, 'typing', Typing, ['typing:conn', 'typing:identity'], async (payload, { data }) => {
    if (!data.joined.has(payload.conversationId)) throw new AppError('FORBIDDEN', 'Join the conversation first.');
    const p = data.principal;
    socket.to(rooms.conversation(payload.conversationId)).emit('typing', {
      conversationId: payload.conversationId,
      sender:
        p.kind === 'agent'
          ? { type: 'agent', id: p.agentId, name: p.name }
          : { type: 'contact', id: p.contactId, name: null },
      isTyping: payload.isTyping,
    });
    return {};
  });
}
