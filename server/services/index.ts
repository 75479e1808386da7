// Builds every domain service from its dependencies. No module-level state: tests build fresh ones.
import type { PrismaClient } from '../db/generated/client.ts';
import { AgentService } from './auth/agents.service.ts';
import { TokenService } from './auth/tokens.ts';
import { WorkspaceService } from './workspaces.service.ts';

export interface Services {
  workspaces: WorkspaceService;
  agents: AgentService;
  tokens: TokenService;
}

export function createServices(prisma: PrismaClient, now: () => number = Date.now): Services {
  return {
    workspaces: new WorkspaceService(prisma, { now }),
    agents: new AgentService(prisma, now),
    tokens: new TokenService(now),
  };
}
