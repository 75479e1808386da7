// The one place the process environment is read. Everything else receives a frozen Config.
import { z } from 'zod';
import { MAX_PROXY_HOPS, parseTrustProxy, type TrustProxy } from './proxy.ts';

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

interface NumberRange {
  min: number;
  max: number;
  /** Integers only. */
  whole?: boolean;
  /** `min` itself is refused (the value must be greater). */
  minExclusive?: boolean;
}

/** Number variables, with the ranges their error messages state in full, whichever bound was crossed. */
const NUMBER_VARS = {
  PORT: { min: 0, max: 65535, whole: true },
  RATE_LIMIT_MULTIPLIER: { min: 0, max: 10_000, minExclusive: true },
  SECRET_ROTATION_GRACE_HOURS: { min: 0, max: 720 },
  MAX_RUNNING_COMMANDS: { min: 1, max: 1_000_000, whole: true },
  VERYCHAT_API_FIRST_TOKEN_TIMEOUT_MS: { min: 100, max: 120_000, whole: true },
  VERYCHAT_API_TIMEOUT_MS: { min: 100, max: 300_000, whole: true },
} satisfies Record<string, NumberRange>;

function numberVar(r: NumberRange, fallback: number) {
  const n = r.whole ? z.coerce.number().int() : z.coerce.number();
  return (r.minExclusive ? n.gt(r.min) : n.min(r.min)).max(r.max).default(fallback);
}

const kindOf = (r: NumberRange) => (r.whole ? 'a whole number' : 'a number');
const rangeOf = (r: NumberRange) =>
  `a number ${r.minExclusive ? `greater than ${r.min} and at most ${r.max}` : `from ${r.min} to ${r.max}`}${r.whole ? ' (no decimals)' : ''}`;

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: numberVar(NUMBER_VARS.PORT, 3001),
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
  RATE_LIMIT_MULTIPLIER: numberVar(NUMBER_VARS.RATE_LIMIT_MULTIPLIER, 1),
  DEMO: z.enum(['on', 'off']).optional(),
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((v, ctx): TrustProxy => {
      const parsed = parseTrustProxy(v ?? 'off');
      if (parsed) return parsed;
      ctx.addIssue({
        code: 'custom',
        message: `off, a number of proxy hops (1–${MAX_PROXY_HOPS}), or comma-separated proxy addresses (IPs, CIDR ranges, loopback, linklocal, uniquelocal)`,
      });
      return z.NEVER;
    }),
  SECRET_ROTATION_GRACE_HOURS: numberVar(NUMBER_VARS.SECRET_ROTATION_GRACE_HOURS, 24),
  MAX_RUNNING_COMMANDS: numberVar(NUMBER_VARS.MAX_RUNNING_COMMANDS, 1024),
  // The optional LLM of the assistant (an OpenAI-compatible chat-completions endpoint): all three or none.
  VERYCHAT_API_URL: urlString(['http:', 'https:']).optional(),
  VERYCHAT_API_KEY: z.string().trim().min(1).optional(),
  VERYCHAT_MODEL: z.string().trim().min(1).max(200).optional(),
  VERYCHAT_API_FIRST_TOKEN_TIMEOUT_MS: numberVar(NUMBER_VARS.VERYCHAT_API_FIRST_TOKEN_TIMEOUT_MS, 4000),
  VERYCHAT_API_TIMEOUT_MS: numberVar(NUMBER_VARS.VERYCHAT_API_TIMEOUT_MS, 20_000),
});

const LLM_VARS = ['VERYCHAT_API_URL', 'VERYCHAT_API_KEY', 'VERYCHAT_MODEL'] as const;

/** The assistant's LLM provider, as createServices takes it. */
export interface LlmConfig {
  /** The OpenAI-compatible base URL (…/v1); chat completions are POSTed to `${url}/chat/completions`. */
  url: string;
  /** Not enumerable: never in JSON, log lines or util.inspect of the config. Pass the object, don't spread it. */
  readonly key: string;
  model: string;
  /** No first streamed token within this: the embedded answer instead. */
  firstTokenTimeoutMs: number;
  /** The whole answer (every tool round) within this, or the embedded answer instead. */
  timeoutMs: number;
}

function llmConfig(e: z.output<typeof envSchema>, ctx: z.core.$RefinementCtx): LlmConfig | null {
  const set = LLM_VARS.filter((v) => e[v] !== undefined);
  if (set.length === 0) return null;
  if (set.length < LLM_VARS.length) {
    const missing = LLM_VARS.filter((v) => e[v] === undefined);
    ctx.addIssue({
      code: 'custom',
      path: [missing[0]!],
      message: `to be set too: the assistant's LLM needs ${LLM_VARS.join(', ')} together (${set.join(' and ')} ${set.length === 1 ? 'is' : 'are'} set), or none of them`,
    });
    return null;
  }
  if (e.VERYCHAT_API_FIRST_TOKEN_TIMEOUT_MS > e.VERYCHAT_API_TIMEOUT_MS) {
    ctx.addIssue({
      code: 'custom',
      path: ['VERYCHAT_API_FIRST_TOKEN_TIMEOUT_MS'],
      message: `at most VERYCHAT_API_TIMEOUT_MS (${e.VERYCHAT_API_TIMEOUT_MS})`,
    });
    return null;
  }
  const llm = {
    url: e.VERYCHAT_API_URL!.replace(/\/+$/, ''),
    model: e.VERYCHAT_MODEL!,
    firstTokenTimeoutMs: e.VERYCHAT_API_FIRST_TOKEN_TIMEOUT_MS,
    timeoutMs: e.VERYCHAT_API_TIMEOUT_MS,
  } as LlmConfig;
  Object.defineProperty(llm, 'key', { value: e.VERYCHAT_API_KEY!, enumerable: false });
  return Object.freeze(llm);
}

/** Every variable the server reads (README's table and .env.example list exactly these). */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape);

/** The validated environment as the rest of the server sees it. */
const configSchema = envSchema.transform((e, ctx) => {
  const llm = llmConfig(e, ctx);
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    /** Where browsers reach this server: receipt links, the start-up banner; its origin is always allowed. */
    publicUrl,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    redisUrl: e.REDIS_URL,
    /** Namespaces every Redis key and channel, so deployments (or test runs) can share one Redis. */
    redisPrefix: e.REDIS_PREFIX,
    logLevel: e.LOG_LEVEL,
    /** Origins given to the demo workspace on first start. */
    demoOrigins: demoOrigins(e.ALLOWED_ORIGINS, e.FRONTEND_URL, publicUrl, e.PORT),
    /** Scales every rate limit; raise only for load tests. */
    rateLimitMultiplier: e.RATE_LIMIT_MULTIPLIER,
    /** Demo pages may sign in demo customers and simulate payments for the demo workspace. Off in production. */
    demo: e.DEMO ? e.DEMO === 'on' : e.NODE_ENV !== 'production',
    /** Which reverse proxies' X-Forwarded-* headers are believed (client address, protocol, host). Off by default. */
    trustProxy: e.TRUST_PROXY,
    /** How long the previous secret stays accepted after a rotation, unless the rotation says otherwise. */
    secretGraceMs: Math.round(e.SECRET_ROTATION_GRACE_HOURS * 60 * 60 * 1000),
    /** Socket commands running at once on this instance; past it they are refused with OVERLOADED (bounded queues, bounded latency). */
    maxRunningCommands: e.MAX_RUNNING_COMMANDS,
    /** The assistant composes answers with this model when VERYCHAT_API_URL, _KEY and VERYCHAT_MODEL are set; else the embedded engine alone. */
    llm,
  };
});

export type Env = Record<string, string | undefined>;

export type Config = z.output<typeof configSchema> & { version: string };

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
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    throw new ConfigError(variable, describeIssue(issue, variable));
  }
  return Object.freeze({ ...parsed.data, version });
}

function demoOrigins(allowed: string[] | undefined, frontendUrl: string | undefined, publicUrl: string, port: number): string[] {
  const origins = new Set<string>(allowed ?? []);
  if (frontendUrl) origins.add(new URL(frontendUrl).origin);
  if (origins.size === 0) {
    // The demo storefront is served by this server itself.
    origins.add(new URL(publicUrl).origin);
    origins.add(`http://127.0.0.1:${port}`);
  }
  return [...origins];
}

function describeIssue(issue: z.core.$ZodIssue, variable: string): string {
  const range: NumberRange | undefined = NUMBER_VARS[variable as keyof typeof NUMBER_VARS];
  switch (issue.code) {
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
    case 'too_big':
      return range ? rangeOf(range) : issue.message;
    case 'invalid_type':
      return range ? kindOf(range) : `a ${issue.expected}`;
    default:
      return issue.message;
  }
}
