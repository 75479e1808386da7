// The assistant for agents over REST: how it did over a period (the report `npm run verychat -- ai:report` prints).
import type { FastifyInstance } from 'fastify';
import { AssistantReportQuery, type AssistantReportResponse } from '../../protocol/rest.ts';
import { AppError, parseInput } from '../errors.ts';
import { parseDuration } from '../services/assistant/interactions.ts';
import type { Services } from '../services/index.ts';
import { requireAgent } from './auth.ts';

/** The longest period a report covers. */
const MAX_REPORT_MS = 366 * 24 * 60 * 60 * 1000;

export function assistantRoutes(app: FastifyInstance, services: Services) {
  app.get('/api/v1/assistant/report', async (request): Promise<AssistantReportResponse> => {
    const { agent } = await requireAgent(services, request);
    const query = parseInput(AssistantReportQuery, request.query);
    const ms = parseDuration(query.since);
    if (ms === null || ms <= 0 || ms > MAX_REPORT_MS) {
      const message = 'a duration like 30m, 24h, 7d or 4w, at most 366 days';
      throw new AppError('VALIDATION_FAILED', `Invalid since: ${message}`, { issues: [{ path: 'since', message }] });
    }
    const report = await services.assistant.report(agent.workspaceId, { from: new Date(Date.now() - ms), top: query.top });
    return {
      ...report,
      from: report.from.toISOString(),
      to: report.to.toISOString(),
      topUnanswered: report.topUnanswered.map((q) => ({ ...q, lastAskedAt: q.lastAskedAt.toISOString() })),
    };
  });
}
