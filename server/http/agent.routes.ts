// Agent authentication over REST: login (bearer token, and the console's cookie when asked from the
// console's own origin), logout (the session ends everywhere, its sockets close), whoami, preferences,
// invitations.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  AcceptInviteRequest,
  AgentPreferences,
  InviteRequest,
  type AgentMeResponse,
  type InviteResponse,
} from '../../protocol/console.ts';
import { AgentLoginRequest, type AgentDto, type AgentLoginResponse } from '../../protocol/rest.ts';
import type { Agent } from '../db/generated/client.ts';
import { parseInput } from '../errors.ts';
import type { ProxyRule } from '../proxy.ts';
import type { Services } from '../services/index.ts';
import { identityKey } from '../services/rooms.ts';
import { clearSessionCookies, requireAgent, setSessionCookie } from './auth.ts';

export function toAgentDto(agent: Agent): AgentDto {
  return { id: agent.id, email: agent.email, name: agent.name, role: agent.role, workspaceId: agent.workspaceId };
}

/** The console signs in from this server's own origin; anything else gets a bearer token only. */
const fromConsole = (services: Services, request: FastifyRequest) => request.headers.origin === services.publicOrigin();

export function inviteUrl(services: Services, token: string): string {
  return `${services.publicOrigin()}/support/invite/${encodeURIComponent(token)}`;
}

export function agentRoutes(app: FastifyInstance, services: Services, opts: { proxy: ProxyRule }) {
  const { rateLimits } = services;
  app.post('/api/v1/agent/login', async (request, reply): Promise<AgentLoginResponse> => {
    const body = parseInput(AgentLoginRequest, request.body);
    await rateLimits.consume('login:ip', 'agent', request.ip);
    await rateLimits.consume('login:account', 'agent', `${request.ip}|${body.email.toLowerCase()}`);
    const cookie = fromConsole(services, request);
    const kind = cookie ? 'cookie' : 'bearer';
    const { token, expiresAt, agent } = body.siteKey
      ? await services.agents.login((await services.workspaces.resolveSiteKey(body.siteKey)).id, body.email, body.password, kind)
      : await services.agents.loginByEmail(body.email, body.password, kind);
    if (cookie) setSessionCookie(reply, request, opts.proxy, token, expiresAt);
    return { token, expiresAt: expiresAt.toISOString(), agent: toAgentDto(agent) };
  });

  app.post('/api/v1/agent/logout', async (request, reply) => {
    const auth = await requireAgent(services, request);
    await services.agents.endSession(auth);
    clearSessionCookies(reply);
    return reply.status(204).send();
  });

  app.get('/api/v1/agent/me', async (request): Promise<AgentMeResponse> => {
    const { agent, expiresAt } = await requireAgent(services, request);
    const ws = await services.workspaces.byId(agent.workspaceId);
    return {
      agent: toAgentDto(agent),
      expiresAt: expiresAt.toISOString(),
      workspace: { id: ws.id, name: ws.name, siteKey: ws.siteKey },
      preferences: parsePreferences(await services.agents.preferences(agent.id)),
    };
  });

  app.put('/api/v1/agent/preferences', async (request) => {
    const { agent } = await requireAgent(services, request);
    await rateLimits.consume('console:identity', 'agent', identityKey({ kind: 'agent', workspaceId: agent.workspaceId, agentId: agent.id, name: agent.name }));
    const prefs = parseInput(AgentPreferences, request.body);
    return { preferences: parsePreferences(await services.agents.setPreferences(agent.id, prefs)) };
  });

  app.post('/api/v1/agent/invites', async (request, reply): Promise<InviteResponse> => {
    const { agent } = await requireAgent(services, request);
    await rateLimits.consume('invite:identity', 'agent', agent.id);
    const body = parseInput(InviteRequest, request.body);
    const invite = await services.agents.createInvite(agent.workspaceId, { email: body.email, role: body.role, invitedBy: agent });
    void reply.status(201);
    return { url: inviteUrl(services, invite.token), email: invite.email, role: invite.role, expiresAt: invite.expiresAt.toISOString() };
  });

  app.post('/api/v1/agent/invites/accept', async (request, reply): Promise<AgentLoginResponse> => {
    await rateLimits.consume('login:ip', 'agent', request.ip);
    const body = parseInput(AcceptInviteRequest, request.body);
    const cookie = fromConsole(services, request);
    const { token, expiresAt, agent } = await services.agents.acceptInvite(body.token, body, cookie ? 'cookie' : 'bearer');
    if (cookie) setSessionCookie(reply, request, opts.proxy, token, expiresAt);
    void reply.status(201);
    return { token, expiresAt: expiresAt.toISOString(), agent: toAgentDto(agent) };
  });
}

function parsePreferences(stored: Record<string, unknown>): AgentPreferences {
  const parsed = AgentPreferences.safeParse(stored);
  return parsed.success ? parsed.data : {};
}
