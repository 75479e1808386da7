// The one place the process environment is read. Everything else receives a frozen Config.
import { z } from 'zod';

const optionalString = z
  .string()
  .transform((v) => v.trim())
  .pipe(z.string())
  .optional()
  .transform((v) => (v ? v : undefined));

const originList = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const items = (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const out: string[] = [];
    for (const item of items) {
      const origin = normalizeOrigin(item);
      if (!origin) {
        ctx.addIssue({ code: 'custom', message: `comma-separated origins like https://shop.example (got "${item}")` });
        return z.NEVER;
      }
      out.push(origin);
    }
    return out;
  });

const urlString = (protocols: string[]) =>
  z
    .string()
    .trim()
    .refine((v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, `a URL starting with ${protocols.map((p) => p + '//').join(' or ')}`);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  PUBLIC_URL: urlString(['http:', 'https:']).optional(),
  DATABASE_URL: urlString(['postgres:', 'postgresql:']).optional(),
  DATA_DIR: z.string().trim().min(1).default('.verychat'),
  REDIS_URL: urlString(['redis:', 'rediss:']).optional(),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/, 'letters, digits, ":", "_" or "-" (at most 64)')
    .default('verychat'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ALLOWED_ORIGINS: originList,
  FRONTEND_URL: urlString(['http:', 'https:']).optional(),
  VERYCHAT_API_URL: urlString(['http:', 'https:']).optional(),
  VERYCHAT_API_KEY: optionalString,
  VERYCHAT_MODEL: optionalString,
  RATE_LIMIT_MULTIPLIER: z.coerce.number().positive().max(10_000).default(1),
  DEMO: z.enum(['on', 'off']).optional(),
});

export type Env = Record<string, string | undefined>;

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  /** Where browsers reach this server; used in printed links and as the widget's default API URL. */
  publicUrl: string;
  databaseUrl?: string;
  dataDir: string;
  redisUrl?: string;
  /** Namespaces every Redis key and channel, so deployments (or test runs) can share one Redis. */
  redisPrefix: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Origins given to the demo workspace on first start. */
  demoOrigins: string[];
  ai: { apiUrl?: string; apiKey?: string; model?: string };
  /** Scales every rate limit; raise only for load tests. */
  rateLimitMultiplier: number;
  /** Demo pages may sign in demo customers and simulate payments for the demo workspace. Off in production. */
  demo: boolean;
  version: string;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly expected: string,
  ) {
    super(`Invalid configuration: ${variable} — expected ${expected}`);
    this.name = 'ConfigError';
  }
}

/** Lower-cased scheme://host[:port], or null when the string is not an http(s) origin. */
export function normalizeOrigin(value: string): string | null {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username) return null;
    return url.origin;
  } catch {
    return null;
  }
}

export function loadConfig(env: Env = process.env, version = '0.0.0'): Readonly<Config> {
  // Empty strings count as unset, as in most .env tooling.
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''),
  );
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    throw new ConfigError(variable, describeIssue(issue));
  }
  const e = parsed.data;
  const localUrl = `http://localhost:${e.PORT}`;
  const publicUrl = (e.PUBLIC_URL ?? localUrl).replace(/\/+$/, '');
  const demoOrigins = new Set<string>(e.ALLOWED_ORIGINS ?? []);
  if (e.FRONTEND_URL) demoOrigins.add(new URL(e.FRONTEND_URL).origin);
  if (demoOrigins.size === 0) {
    // The demo storefront is served by this server itself.
    demoOrigins.add(new URL(publicUrl).origin);
    demoOrigins.add(`http://127.0.0.1:${e.PORT}`);
  }
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    logLevel: e.LOG_LEVEL,
    demoOrigins: [...demoOrigins],
    ai: { apiUrl: e.VERYCHAT_API_URL, apiKey: e.VERYCHAT_API_KEY, model: e.VERYCHAT_MODEL },
    rateLimitMultiplier: e.RATE_LIMIT_MULTIPLIER,
    demo: e.DEMO ? e.DEMO === 'on' : e.NODE_ENV !== 'production',
    version,
  });
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
    case 'too_big':
      return `a number from 0 to 65535 (${issue.message})`;
    case 'invalid_type':
      return issue.expected === 'number' ? 'a whole number' : `a ${issue.expected}`;
    default:
      return issue.message;
  }
}
