// Request authentication helpers shared by route modules.
import type { FastifyRequest } from 'fastify';
import type { Services } from '../services/index.ts';
import type { AgentSessionInfo } from '../services/auth/agents.service.ts';

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  return m?.[1];
}

export async function requireAgent(services: Services, request: FastifyRequest): Promise<AgentSessionInfo> {
  return services.agents.authenticate(bearerToken(request));
}
