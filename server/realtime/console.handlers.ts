// The agent console's socket commands: inbox pages and counts, threads, notes, assignment and status,
// viewers presence and agent typing. Authorize, call the inbox service, reply; presence is the transport's
// own state (rooms per socket, so it works across instances through the adapter and ends with the socket).
import type { Namespace, Socket } from 'socket.io';
import type { ViewersEvent } from '../../protocol/console.ts';
import { AppError } from '../errors.ts';
import type { ChatService } from '../services/chat/chat.service.ts';
import type { InboxService } from '../services/inbox/inbox.service.ts';
import type { Principal } from '../services/principal.ts';
import { rooms } from '../services/rooms.ts';
import type { CommandHandlers, SocketData } from './handle.ts';

/** Viewer avatars per conversation shown at most. */
const MAX_VIEWERS = 50;

function agentOf(data: SocketData): Principal & { kind: 'agent' } {
  if (data.principal.kind !== 'agent') throw new AppError('FORBIDDEN', 'Only agents use the console.');
  return data.principal;
}

/** The agents (one entry per agent, whatever their tabs) whose console shows the conversation, on any instance. */
export async function viewersOf(nsp: Namespace, conversationId: string): Promise<ViewersEvent['agents']> {
  const sockets = await nsp.in(rooms.viewing(conversationId)).fetchSockets();
  const agents = new Map<string, { id: string; name: string }>();
  for (const s of sockets) {
    const p = (s.data as SocketData).principal;
    if (p.kind === 'agent' && agents.size < MAX_VIEWERS) agents.set(p.agentId, { id: p.agentId, name: p.name });
  }
  return [...agents.values()];
}

export async function announceViewers(nsp: Namespace, workspaceId: string, conversationId: string): Promise<ViewersEvent['agents']> {
  const agents = await viewersOf(nsp, conversationId);
  nsp.to(rooms.agents(workspaceId)).emit('viewers', { conversationId, agents } satisfies ViewersEvent);
  return agents;
}

export function consoleHandlers(inbox: InboxService, chat: ChatService) {
  return {
    'inbox-list': {
      limits: ['command:conn', 'console:identity'],
      run: (payload, { data }) => inbox.list(agentOf(data), payload),
    },
    'get-inbox-counts': {
      limits: ['command:conn'],
      run: async (_payload, { data }) => ({ counts: await inbox.counts(agentOf(data)) }),
    },
    'load-thread': {
      limits: ['command:conn', 'console:identity'],
      run: ({ conversationId, ...range }, { data }) => inbox.thread(agentOf(data), conversationId, range),
    },
    'add-note': {
      limits: ['send:conn', 'console:identity'],
      run: ({ conversationId, text, clientNoteId }, { data }) => inbox.addNote(agentOf(data), conversationId, { text, clientNoteId }),
    },
    'assign-conversation': {
      limits: ['command:conn', 'console:identity'],
      run: ({ conversationId, ...req }, { data }) => inbox.assign(agentOf(data), conversationId, req),
    },
    'set-status': {
      limits: ['command:conn', 'console:identity'],
      run: ({ conversationId, ...req }, { data }) => inbox.setStatus(agentOf(data), conversationId, req),
    },
    'view-conversation': {
      limits: ['command:conn'],
      async run({ conversationId }, { socket, data }) {
        const agent = agentOf(data);
        if (conversationId) await chat.conversationFor(agent, conversationId);
        const previous = data.viewing ?? null;
        if (previous === conversationId) return { viewers: conversationId ? await viewersOf(socket.nsp, conversationId) : [] };
        if (previous) await socket.leave(rooms.viewing(previous));
        data.viewing = conversationId;
        if (conversationId) await socket.join(rooms.viewing(conversationId));
        if (previous) await announceViewers(socket.nsp, agent.workspaceId, previous);
        return { viewers: conversationId ? await announceViewers(socket.nsp, agent.workspaceId, conversationId) : [] };
      },
    },
    'console-typing': {
      limits: ['typing:conn', 'typing:identity'],
      async run({ conversationId, isTyping, target }, { socket, data }) {
        const agent = agentOf(data);
        await chat.conversationFor(agent, conversationId);
        // To the other agents only (never the conversation's room: a note being written is nobody else's business).
        (socket as Socket).to(rooms.agents(agent.workspaceId)).emit('agent-typing', {
          conversationId,
          agent: { id: agent.agentId, name: agent.name },
          isTyping,
          target,
        });
        return {};
      },
    },
  } satisfies Partial<CommandHandlers>;
}
