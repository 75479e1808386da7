// The widget's calls before its socket: the workspace's look (public, cacheable: the launcher's first
// paint), and the session: the look plus a visitor token (reused while valid).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { WidgetSessionRequest, type WidgetSessionResponse, type WidgetSettingsResponse } from '../../protocol/rest.ts';
import { browserOrigin } from '../cors.ts';
import { AppError, parseInput } from '../errors.ts';
import type { ProxyRule } from '../proxy.ts';
import type { Services } from '../services/index.ts';
import { widgetSettings } from '../services/workspaces.service.ts';

const SettingsQuery = z.object({ siteKey: WidgetSessionRequest.shape.siteKey });

export function widgetRoutes(app: FastifyInstance, services: Services, deps: { proxy: ProxyRule }) {
  const { rateLimits } = services;

  app.get('/api/v1/widget/settings', async (request, reply): Promise<WidgetSettingsResponse> => {
    // request.ip follows TRUST_PROXY, as the socket handshake does.
    await rateLimits.consume('settings:ip', 'visitor', request.ip);
    const { siteKey } = parseInput(SettingsQuery, request.query);
    const ws = await services.workspaces.authorizeOrigin(siteKey, browserOrigin(request.raw, deps.proxy));
    // A minute of caching spares repeat page views the request; the answer depends on the Origin.
    void reply.header('cache-control', 'public, max-age=60').header('vary', 'origin');
    return widgetSettings(ws);
  });

  app.post('/api/v1/widget/session', async (request): Promise<WidgetSessionResponse> => {
    // Each answer may be a new visitor token: spent per client IP before anything else.
    await rateLimits.consume('session:ip', 'visitor', request.ip);
    const body = parseInput(WidgetSessionRequest, request.body);
    const ws = await services.workspaces.authorizeOrigin(body.siteKey, browserOrigin(request.raw, deps.proxy));
    let visitor: { token: string; visitorId: string } | undefined;
    if (body.visitorToken) {
      try {
        const id = await services.tokens.verifyVisitorToken(ws, body.visitorToken);
        visitor = { token: body.visitorToken, visitorId: id.visitorId };
      } catch (err) {
        // An expired or foreign token just means a fresh visitor; anything else is a real failure.
        if (!(err instanceof AppError)) throw err;
      }
    }
    visitor ??= await services.tokens.issueVisitorToken(ws);
    return { ...widgetSettings(ws), visitorToken: visitor.token, visitorId: visitor.visitorId };
  });
}
