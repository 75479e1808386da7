// Assistant commands: authorize and answer through AssistantChat, reply. Payloads arrive validated by the
// registrar; the answer itself arrives later as `ai-response` events to the conversation's room.
import type { AssistantChat } from '../services/assistant/assistant-chat.ts';
import type { CommandHandlers } from './handle.ts';
import { joinConversation } from './chat.handlers.ts';

export function assistantHandlers(assistantChat: AssistantChat) {
  return {
    'send-ai-query': {
      // A stored message, and an answer composed (perhaps by a paid model): both budgets.
      limits: ['send:conn', 'send:identity', 'ai:identity'],
      run: (payload, { socket, data }) => assistantChat.ask(data.principal, payload, (id) => joinConversation(socket, data, id), socket.id),
    },
    'ai-feedback': {
      limits: ['command:conn'],
      run: (payload, { data }) => assistantChat.feedback(data.principal, payload),
    },
    'request-handoff': {
      limits: ['command:conn'],
      run: (payload, { data }) => assistantChat.requestHandoff(data.principal, payload.conversationId),
    },
  } satisfies Partial<CommandHandlers>;
}
