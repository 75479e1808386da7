// Chat commands: authorize through the service, reply. Payloads arrive validated by the registrar; no
// business rules here.
import { AppError } from '../errors.ts';
import type { ChatService } from '../services/chat/chat.service.ts';
import type { RateLimits } from '../services/rate-limits.ts';
import { customerKey, identityKey, rooms } from '../services/rooms.ts';
import type { Socket } from 'socket.io';
import type { CommandHandlers, SocketData } from './handle.ts';

/** Conversations one socket is in at once; joining another leaves the one joined longest ago. */
export const MAX_JOINED = 200;

/** Into the conversation's room (typing and live messages); bounded, as everything a client can grow. */
export async function joinConversation(socket: Socket, data: SocketData, conversationId: string): Promise<void> {
  if (data.joined.has(conversationId)) return;
  if (data.joined.size >= MAX_JOINED) {
    const oldest = data.joined.values().next().value!;
    data.joined.delete(oldest);
    await socket.leave(rooms.conversation(oldest));
  }
  await socket.join(rooms.conversation(conversationId));
  data.joined.add(conversationId);
}

export function chatHandlers(chat: ChatService, rateLimits: RateLimits) {
  return {
    'join-user-room': {
      limits: ['command:conn'],
      async run(payload, { socket, data }) {
        // Only your own room: asking for another user's id is refused, not silently redirected.
        if (payload.userId !== undefined && payload.userId !== data.publicUserRoom && customerKey(payload.userId) !== data.publicUserRoom) {
          throw new AppError('FORBIDDEN', 'You may only join your own user room.');
        }
        await socket.join(data.userRoom);
        return { room: data.publicUserRoom };
      },
    },

    'start-conversation': {
      limits: ['command:conn'],
      async run(payload, { socket, data }) {
        // Each new conversation is a row (and a line in the agents' inbox): only a few per person.
        if (payload.forceNew) await rateLimits.consume('new-conversation', data.tier, identityKey(data.principal));
        // Joined before the page is read: a message stored meanwhile is in the page, or arrives live.
        return chat.startConversation(data.principal, payload, (conversationId) => joinConversation(socket, data, conversationId));
      },
    },

    'list-conversations': {
      limits: ['command:conn'],
      run: (payload, { data }) => chat.listForContact(data.principal, payload),
    },

    'join-chat-room': {
      limits: ['command:conn'],
      async run({ conversationId }, { socket, data }) {
        const conversation = await chat.describe(data.principal, conversationId);
        await joinConversation(socket, data, conversationId);
        return { conversation };
      },
    },

    'send-message': {
      limits: ['send:conn', 'send:identity'],
      run: (payload, { data, socket }) =>
        chat.send(data.principal, payload.conversationId, { clientMessageId: payload.clientMessageId, text: payload.text, from: socket.id }),
    },

    'load-history': {
      limits: ['command:conn'],
      run: (payload, { data }) => chat.history(data.principal, payload.conversationId, payload),
    },

    'mark-read': {
      limits: ['command:conn'],
      run: (payload, { data }) => chat.markRead(data.principal, payload.conversationId, payload.seq, payload.status ?? 'read'),
    },

    // Typing is relayed, never stored; membership was checked when the socket joined the room.
    typing: {
      limits: ['typing:conn', 'typing:identity'],
      async run(payload, { socket, data }) {
        if (!data.joined.has(payload.conversationId)) throw new AppError('FORBIDDEN', 'Join the conversation first.');
        const p = data.principal;
        // A customer's typing also goes to the workspace's agents: the console joins no conversation room (it
        // shows "Customer is typing…" in the open thread and in the list's rows).
        const to = p.kind === 'agent' ? rooms.conversation(payload.conversationId) : [rooms.conversation(payload.conversationId), rooms.agents(p.workspaceId)];
        socket.to(to).emit('typing', {
          conversationId: payload.conversationId,
          sender:
            p.kind === 'agent'
              ? { type: 'agent', id: p.agentId, name: p.name }
              : { type: 'contact', id: p.contactId, name: null },
          isTyping: payload.isTyping,
        });
        return {};
      },
    },
  } satisfies Partial<CommandHandlers>;
}
