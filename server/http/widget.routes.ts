// The widget's bootstrap call: workspace look, plus a visitor token (reused while valid).
import type { FastifyInstance } from 'fastify';
import { WidgetSessionRequest, type WidgetSessionResponse } from '../../protocol/rest.ts';
import { AppError, parseInput } from '../errors.ts';
import type { Services } from '../services/index.ts';
import { workspaceSettings } from '../services/workspaces.service.ts';

export function widgetRoutes(app: FastifyInstance, services: Services) {
  app.post('/api/v1/widget/session', async (request): Promise<WidgetSessionResponse> => {
    const body = parseInput(WidgetSessionRequest, request.body);
    const ws = await services.workspaces.authorizeOrigin(body.siteKey, request.headers.origin);
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
    const s = workspaceSettings(ws);
    return {
      workspace: { name: ws.name },
      settings: { color: s.color, position: s.position, locale: s.locale, greeting: s.greeting },
      visitorToken: visitor.token,
      visitorId: visitor.visitorId,
    };
  });
}
