// The agent console's REST API (issue 10): inbox views and counts, threads with notes, assignment, status,
// notes, search, and conversations started by an agent. Agents sign in by bearer token or by the console's
// cookie (then changes need the CSRF header and this server's Origin: see auth.ts). Thin: parse, authorize,
// call the inbox service.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  AssignRequest,
  InboxListQuery,
  NoteRequest,
  SearchQuery,
  StartConversationRequest,
  StatusRequest,
  ThreadQuery,
} from '../../protocol/console.ts';
import { parseInput } from '../errors.ts';
import type { Services } from '../services/index.ts';
import type { Principal } from '../services/principal.ts';
import { identityKey } from '../services/rooms.ts';
import type { LimitName } from '../services/rate-limits.ts';
import { requireAgent } from './auth.ts';

const Params = z.object({ id: z.string().uuid() });

export function consoleRoutes(app: FastifyInstance, services: Services) {
  const { inbox, rateLimits } = services;

  async function agent(request: FastifyRequest, limit: LimitName = 'console:identity'): Promise<Principal & { kind: 'agent' }> {
    const { agent: a } = await requireAgent(services, request);
    const p = { kind: 'agent' as const, workspaceId: a.workspaceId, agentId: a.id, name: a.name };
    // The same key as the agent's console socket: one budget per agent, whichever way they come.
    await rateLimits.consume(limit, 'agent', identityKey(p));
    return p;
  }

  app.get('/api/v1/inbox', async (request) => {
    const p = await agent(request);
    return inbox.list(p, parseInput(InboxListQuery, request.query));
  });

  app.get('/api/v1/inbox/counts', async (request) => ({ counts: await inbox.counts(await agent(request)) }));

  app.get('/api/v1/conversations/:id/thread', async (request) => {
    const p = await agent(request);
    const { id } = parseInput(Params, request.params);
    return inbox.thread(p, id, parseInput(ThreadQuery, request.query));
  });

  app.post('/api/v1/conversations/:id/assign', async (request) => {
    const p = await agent(request);
    const { id } = parseInput(Params, request.params);
    return inbox.assign(p, id, parseInput(AssignRequest, request.body));
  });

  app.post('/api/v1/conversations/:id/status', async (request) => {
    const p = await agent(request);
    const { id } = parseInput(Params, request.params);
    return inbox.setStatus(p, id, parseInput(StatusRequest, request.body));
  });

  app.post('/api/v1/conversations/:id/notes', async (request, reply) => {
    const p = await agent(request);
    const { id } = parseInput(Params, request.params);
    const result = await inbox.addNote(p, id, parseInput(NoteRequest, request.body));
    return reply.status(result.duplicate ? 200 : 201).send(result);
  });

  app.get('/api/v1/search', async (request) => {
    const p = await agent(request, 'search:identity');
    const { q, limit } = parseInput(SearchQuery, request.query);
    return services.search.search(p, q, limit);
  });

  app.post('/api/v1/conversations', async (request, reply) => {
    const p = await agent(request);
    // Each is a new conversation in the customer's widget: the same budget as customers starting them.
    await rateLimits.consume('new-conversation', 'agent', identityKey(p));
    const result = await inbox.startConversation(p, parseInput(StartConversationRequest, request.body));
    return reply.status(201).send(result);
  });
}
