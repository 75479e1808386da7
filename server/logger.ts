// pino, with every credential-bearing field redacted wherever it appears: JSON lines, or readable text in development.
import { createRequire } from 'node:module';
import { pino, type Logger, type LoggerOptions } from 'pino';
import { SIGNATURE_HEADER } from '../protocol/values.ts';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  `req.headers["${SIGNATURE_HEADER.toLowerCase()}"]`,
  '*.password',
  '*.passwordHash',
  '*.secret',
  '*.visitorKey',
  '*.token',
  '*.visitorToken',
  '*.identityToken',
  '*.agentToken',
  '*.apiKey',
  '*.databaseUrl',
  '*.redisUrl',
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: 'verychat' },
  };
}

/**
 * Route options for requests not worth a log line at `info`: health checks (load balancers poll them every few
 * seconds) and static files. Their warnings and errors are still logged.
 */
export const QUIET_ROUTE = { logLevel: 'warn' } as const;

/** `pretty`: one readable line per entry, for people at a terminal; `json`: one JSON object per line, for machines. */
export type LogFormat = 'json' | 'pretty';

/** Development reads as text; production (log collectors) and tests (which parse lines) get JSON. */
export function logFormatFor(env: string): LogFormat {
  return env === 'development' ? 'pretty' : 'json';
}

export function createLogger(level: string, destination?: NodeJS.WritableStream, format: LogFormat = 'json'): Logger {
  const pretty = format === 'pretty' ? prettyStream(destination ?? process.stdout) : null;
  const stream = pretty ?? destination;
  const logger = stream ? pino(loggerOptions(level), stream as never) : pino(loggerOptions(level));
  if (format === 'pretty' && !pretty) logger.warn('pino-pretty is not installed (a development dependency): logging JSON lines');
  return logger;
}

/**
 * pino-pretty as a synchronous stream in this thread (no transport worker), so lines keep their order with
 * the start-up banner and nothing is lost at exit. Loaded on demand: it is a development dependency, absent
 * from `npm ci --omit=dev` installs, which then log JSON.
 */
function prettyStream(destination: NodeJS.WritableStream): NodeJS.WritableStream | null {
  let build: (options: Record<string, unknown>) => NodeJS.WritableStream;
  try {
    build = createRequire(import.meta.url)('pino-pretty') as typeof build;
  } catch {
    return null;
  }
  return build({
    destination,
    sync: true,
    colorize: Boolean((destination as { isTTY?: boolean }).isTTY),
    translateTime: 'HH:MM:ss.l',
    // Fastify's request lines carry their point in the message; the request id and objects only add noise.
    ignore: 'pid,hostname,service,reqId,req,res,responseTime',
    messageFormat: requestLine,
  });
}

/** `incoming request GET /api/v1/…` and `request completed 200 in 3 ms`. */
function requestLine(log: Record<string, unknown>, messageKey: string): string {
  const req = log.req as { method?: string; url?: string } | undefined;
  const res = log.res as { statusCode?: number } | undefined;
  let line = String(log[messageKey] ?? '');
  if (req?.method) line += ` ${req.method} ${req.url}`;
  if (res?.statusCode) line += ` ${res.statusCode} in ${Math.round(Number(log.responseTime))} ms`;
  return line;
}

export type { Logger };
