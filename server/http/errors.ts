// One error envelope for every HTTP failure: { error: { code, message } }. 5xx details stay in the logs.
import type { FastifyError, FastifyInstance } from 'fastify';
import type { ErrorBody } from '../../protocol/errors.ts';
import { AppError, HTTP_STATUS, toErrorBody } from '../errors.ts';

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    let body: ErrorBody;
    let status: number;
    if (error instanceof AppError) {
      body = error.toBody();
      status = HTTP_STATUS[error.code];
    } else if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      body = { code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large.' };
      status = 413;
    } else if (error.statusCode === 429) {
      body = { code: 'RATE_LIMITED', message: 'Too many requests; retry later.' };
      status = 429;
    } else if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      // Malformed JSON, unsupported media type, bad URL encoding and the like.
      body = { code: 'VALIDATION_FAILED', message: error.message };
      status = error.statusCode === 415 ? 415 : 400;
    } else {
      body = toErrorBody(error);
      status = HTTP_STATUS[body.code];
    }
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: body.code }, 'request refused');
    if (body.code === 'RATE_LIMITED' && body.retryAfterMs) {
      void reply.header('retry-after', Math.ceil(body.retryAfterMs / 1000));
    }
    return reply.status(status).send({ error: body });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: 'NOT_FOUND', message: `No route for ${request.method} ${request.url.split('?')[0]}` } }),
  );
}
