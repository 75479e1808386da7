// Agent authentication over REST: login, logout, whoami.
import type { FastifyInstance } from 'fastify';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AgentLoginRequest, type AgentDto, type AgentLoginResponse } from '../../protocol/rest.ts';
import type { Agent } from '../db/generated/client.ts';
import { AppError, parseInput } from '../errors.ts';
import type { Services } from '../services/index.ts';
import { bearerToken, requireAgent } from './auth.ts';

export function toAgentDto(agent: Agent): AgentDto {
  return { id: agent.id, email: agent.email, name: agent.name, role: agent.role, workspaceId: agent.workspaceId };
}

export function agentRoutes(app: FastifyInstance, services: Services) {
  // Password guessing: 10 attempts per 15 minutes per (IP, email), and 50 per IP.
  const perAccount = new RateLimiterMemory({ points: 10, duration: 15 * 60 });
  const perIp = new RateLimiterMemory({ points: 50, duration: 15 * 60 });

  app.post('/api/v1/agent/login', async (request): Promise<AgentLoginResponse> => {
    const body = parseInput(AgentLoginRequest, request.body);
    try {
      await perIp.consume(request.ip);
      await perAccount.consume(`${request.ip}|${body.email.toLowerCase()}`);
    } catch (res) {
      if (res instanceof RateLimiterRes) {
        throw new AppError('RATE_LIMITED', 'Too many login attempts; retry later.', { retryAfterMs: res.msBeforeNext });
      }
      throw res;
    }
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
