// The console's sidebar and admin REST API (issue 10 points 5 and 9): the customer sidebar and canned replies
// (any agent reads; owners and admins change canned replies), the knowledge base and the assistant's
// unanswered questions, and the workspace's widget settings, origins and secret rotation (owners and admins).
// Same rules as the other console routes: bearer or cookie (then CSRF header + our Origin on changes, in
// requireAgent), the console's per-agent rate limit, zod-validated input, services do the work.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { KbSlug } from '../../protocol/assistant.ts';
import {
  AddAlternativeRequest,
  CannedRenderRequest,
  CannedReplyInput,
  KbArticleInput,
  KbLanguage,
  KbListQuery,
  OriginRequest,
  RotateSecretRequest,
  UnansweredQuery,
  WorkspaceSettingsRequest,
  type RotateSecretResponse,
  type WorkspaceSettingsDto,
} from '../../protocol/console.ts';
import type { Workspace } from '../db/generated/client.ts';
import { AppError, parseInput } from '../errors.ts';
import type { Services } from '../services/index.ts';
import { parseDuration } from '../services/assistant/interactions.ts';
import type { Principal } from '../services/principal.ts';
import { identityKey } from '../services/rooms.ts';
import { workspaceSettings } from '../services/workspaces.service.ts';
import { requireAgent } from './auth.ts';

const Params = z.object({ id: z.string().uuid() }).strict();
/** The language of the failure reasons in words (the console's). */
const SidebarQuery = z.object({ lang: z.enum(['en', 'es']).default('en') }).strict();
const ArticleParams = z.object({ lang: KbLanguage, slug: KbSlug }).strict();
/** The longest look-back of the unanswered list. */
const MAX_UNANSWERED_MS = 90 * 24 * 60 * 60 * 1000;

type AgentPrincipal = Principal & { kind: 'agent' };

export function consoleAdminRoutes(app: FastifyInstance, services: Services) {
  const { rateLimits } = services;

  async function agent(request: FastifyRequest, opts: { admin?: boolean } = {}): Promise<AgentPrincipal> {
    const { agent: a } = await requireAgent(services, request);
    const p: AgentPrincipal = { kind: 'agent', workspaceId: a.workspaceId, agentId: a.id, name: a.name };
    await rateLimits.consume('console:identity', 'agent', identityKey(p));
    if (opts.admin && a.role !== 'owner' && a.role !== 'admin') throw new AppError('FORBIDDEN', 'Only the workspace’s owners and admins can do this.');
    return p;
  }
  const admin = (request: FastifyRequest) => agent(request, { admin: true });

  // ---- customer sidebar ------------------------------------------------------------------------------

  app.get('/api/v1/contacts/:id', async (request) => {
    const p = await agent(request);
    const { id } = parseInput(Params, request.params);
    const { lang } = parseInput(SidebarQuery, request.query);
    return services.contacts.sidebar(p, id, lang);
  });

  // ---- canned replies --------------------------------------------------------------------------------

  app.get('/api/v1/canned-replies', async (request) => ({ cannedReplies: await services.canned.list((await agent(request)).workspaceId) }));

  app.post('/api/v1/canned-replies', async (request, reply) => {
    const p = await admin(request);
    return reply.status(201).send(await services.canned.create(p, parseInput(CannedReplyInput, request.body)));
  });

  app.put('/api/v1/canned-replies/:id', async (request) => {
    const p = await admin(request);
    const { id } = parseInput(Params, request.params);
    return services.canned.update(p.workspaceId, id, parseInput(CannedReplyInput, request.body));
  });

  app.delete('/api/v1/canned-replies/:id', async (request, reply) => {
    const p = await admin(request);
    const { id } = parseInput(Params, request.params);
    await services.canned.delete(p.workspaceId, id);
    return reply.status(204).send();
  });

  app.post('/api/v1/canned-replies/:id/render', async (request) => {
    const p = await agent(request);
    const { id } = parseInput(Params, request.params);
    const { conversationId } = parseInput(CannedRenderRequest, request.body);
    return services.canned.render(p, id, conversationId);
  });

  // ---- knowledge base and the assistant's misses ---------------------------------------------------------

  app.get('/api/v1/kb/articles', async (request) => {
    const p = await admin(request);
    const { lang } = parseInput(KbListQuery, request.query);
    return { articles: await services.kbAdmin.list(p.workspaceId, lang) };
  });

  app.get('/api/v1/kb/articles/:lang/:slug', async (request) => {
    const p = await admin(request);
    const { lang, slug } = parseInput(ArticleParams, request.params);
    return services.kbAdmin.get(p.workspaceId, lang, slug);
  });

  app.put('/api/v1/kb/articles/:lang/:slug', async (request) => {
    const p = await admin(request);
    const { lang, slug } = parseInput(ArticleParams, request.params);
    return services.kbAdmin.put(p.workspaceId, lang, slug, parseInput(KbArticleInput, request.body));
  });

  app.post('/api/v1/kb/articles/:lang/:slug/archive', async (request) => {
    const p = await admin(request);
    const { lang, slug } = parseInput(ArticleParams, request.params);
    return services.kbAdmin.archive(p.workspaceId, lang, slug);
  });

  app.post('/api/v1/kb/articles/:lang/:slug/restore', async (request) => {
    const p = await admin(request);
    const { lang, slug } = parseInput(ArticleParams, request.params);
    return services.kbAdmin.restore(p.workspaceId, lang, slug);
  });

  app.get('/api/v1/assistant/unanswered', async (request) => {
    const p = await admin(request);
    const { since, limit } = parseInput(UnansweredQuery, request.query);
    const ms = Math.min(parseDuration(since) ?? MAX_UNANSWERED_MS, MAX_UNANSWERED_MS);
    return { since: new Date(Date.now() - ms).toISOString(), questions: await services.kbAdmin.unanswered(p.workspaceId, new Date(Date.now() - ms), limit) };
  });

  app.post('/api/v1/assistant/unanswered/alternative', async (request) => {
    const p = await admin(request);
    return services.kbAdmin.addAlternative(p.workspaceId, parseInput(AddAlternativeRequest, request.body));
  });

  // ---- workspace settings, origins, secret ---------------------------------------------------------------

  const workspace = (p: AgentPrincipal) => services.workspaces.byId(p.workspaceId);

  app.get('/api/v1/workspace/settings', async (request) => settingsDto(await workspace(await admin(request))));

  app.put('/api/v1/workspace/settings', async (request) => {
    const p = await admin(request);
    const { name, ...patch } = parseInput(WorkspaceSettingsRequest, request.body);
    let ws = await workspace(p);
    if (name !== undefined && name !== ws.name) ws = await services.workspaces.rename(ws.siteKey, name);
    if (Object.keys(patch).length) ws = await services.workspaces.updateSettings(ws.siteKey, patch);
    return settingsDto(ws);
  });

  app.post('/api/v1/workspace/origins', async (request) => {
    const p = await admin(request);
    const { origin } = parseInput(OriginRequest, request.body);
    return settingsDto(await services.workspaces.addOrigin((await workspace(p)).siteKey, origin));
  });

  // The origin in the body or, for clients that send no body with DELETE, in ?origin=.
  app.delete('/api/v1/workspace/origins', async (request) => {
    const p = await admin(request);
    const { origin } = parseInput(OriginRequest, request.body ?? request.query);
    return settingsDto(await services.workspaces.removeOrigin((await workspace(p)).siteKey, origin));
  });

  // The new secret is in this answer only: never stored in clear elsewhere, never cached, and never logged
  // (the request log has no bodies, and `*.secret` is redacted from any object logged).
  app.post('/api/v1/workspace/secret/rotate', async (request, reply: FastifyReply): Promise<RotateSecretResponse> => {
    const p = await admin(request);
    const { graceHours } = parseInput(RotateSecretRequest, request.body ?? {});
    const ws = await services.workspaces.rotateSecret((await workspace(p)).siteKey, graceHours === undefined ? {} : { graceMs: graceHours * 3_600_000 });
    void reply.header('cache-control', 'no-store');
    return { secret: ws.secret, previousSecretExpiresAt: ws.previousSecretExpiresAt?.toISOString() ?? null };
  });

  app.post('/api/v1/workspace/secret/end-rotation', async (request) => {
    const p = await admin(request);
    return settingsDto(await services.workspaces.endSecretRotation((await workspace(p)).siteKey));
  });
}

function settingsDto(ws: Workspace): WorkspaceSettingsDto {
  const s = workspaceSettings(ws);
  const graceRunning = ws.previousSecret !== null && ws.previousSecretExpiresAt !== null && ws.previousSecretExpiresAt.getTime() > Date.now();
  return {
    name: ws.name,
    siteKey: ws.siteKey,
    color: s.color,
    position: s.position,
    locale: s.locale,
    greeting: s.greeting,
    replyTime: s.replyTime,
    theme: s.theme,
    allowedOrigins: ws.allowedOrigins,
    previousSecretExpiresAt: graceRunning ? ws.previousSecretExpiresAt!.toISOString() : null,
  };
}
