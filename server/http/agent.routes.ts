// Agent authentication over REST: login, logout, whoami.
import type { FastifyInstance } from 'fastify';
import { AgentLoginRequest, type AgentDto, type AgentLoginResponse } from '../../protocol/rest.ts';
import type { Agent } from '../db/generated/client.ts';
import { parseInput } from '../errors.ts';
import type { Services } from '../services/index.ts';
import { bearerToken, requireAgent } from './auth.ts';

export function toAgentDto(agent: Agent): AgentDto {
  return { id: agent.id, email: agent.email, name: agent.name, role: agent.role, workspaceId: agent.workspaceId };
}

export function agentRoutes(app: FastifyInstance, services: Services) {
  const { rateLimits } = services;
  app.post('/api/v1/agent/login', async (request): Promise<AgentLoginResponse> => {
    const body = parseInput(AgentLoginRequest, request.body);
    await rateLimits.consume('login:ip', 'agent', request.ip);
    await rateLimits.consume('login:account', 'agent', `${request.ip}|${body.email.toLowerCase()}`);
    const ws = await services.workspaces.resolveSiteKey(body.siteKey);
    const { token, expiresAt, agent } = await services.agents.login(ws.id, body.email, body.password);
    return { token, expiresAt: expiresAt.toISOString(), agent: toAgentDto(agent) };
  });

  app.post('/api/v1/agent/logout', async (request, reply) => {
    await requireAgent(services, request);
    await services.agents.revoke(bearerToken(request)!);
    return reply.status(204).send();
  });

  app.get('/api/v1/agent/me', async (request) => {
    const { agent, expiresAt } = await requireAgent(services, request);
    return { agent: toAgentDto(agent), expiresAt: expiresAt.toISOString() };
  });
}
