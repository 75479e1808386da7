// Agent REST API over conversations: list, read, reply, take over from the assistant or hand back. Same
// services and rules as the socket path.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AgentReplyRequest, ConversationModeRequest, HistoryQuery, ListConversationsQuery, type ConversationModeResponse } from '../../protocol/rest.ts';
import { parseInput } from '../errors.ts';
import type { Services } from '../services/index.ts';
import type { Principal } from '../services/principal.ts';
import { identityKey } from '../services/rooms.ts';
import { requireAgent } from './auth.ts';

const Params = z.object({ id: z.string().uuid() });

export function conversationRoutes(app: FastifyInstance, services: Services) {
  const { chat, rateLimits } = services;

  async function agentPrincipal(request: FastifyRequest): Promise<Principal & { kind: 'agent' }> {
    const { agent } = await requireAgent(services, request);
    return { kind: 'agent', workspaceId: agent.workspaceId, agentId: agent.id, name: agent.name };
  }

  app.get('/api/v1/conversations', async (request) => {
    const p = await agentPrincipal(request);
    const query = parseInput(ListConversationsQuery, request.query);
    return chat.listForWorkspace(p.workspaceId, query);
  });

  app.get('/api/v1/conversations/:id', async (request) => {
    const p = await agentPrincipal(request);
    const { id } = parseInput(Params, request.params);
    return { conversation: await chat.describe(p, id) };
  });

  app.get('/api/v1/conversations/:id/messages', async (request) => {
    const p = await agentPrincipal(request);
    const { id } = parseInput(Params, request.params);
    return chat.history(p, id, parseInput(HistoryQuery, request.query));
  });

  app.post('/api/v1/conversations/:id/messages', async (request, reply) => {
    const p = await agentPrincipal(request);
    await rateLimits.consume('send:identity', 'agent', identityKey(p));
    const { id } = parseInput(Params, request.params);
    const body = parseInput(AgentReplyRequest, request.body);
    const result = await chat.send(p, id, { text: body.text, clientMessageId: body.clientMessageId ?? randomUUID() });
    return reply.status(result.duplicate ? 200 : 201).send(result);
  });

  app.post('/api/v1/conversations/:id/mode', async (request): Promise<ConversationModeResponse> => {
    const p = await agentPrincipal(request);
    await rateLimits.consume('send:identity', 'agent', identityKey(p));
    const { id } = parseInput(Params, request.params);
    const { mode } = parseInput(ConversationModeRequest, request.body);
    return mode === 'human' ? services.assistantChat.takeOver(p, id) : services.assistantChat.returnToAssistant(p, id);
  });
}
