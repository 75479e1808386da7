// pino, with every credential-bearing field redacted wherever it appears.
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

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return destination ? pino(loggerOptions(level), destination as never) : pino(loggerOptions(level));
}

export type { Logger };
