// Rate limits (rate-limiter-flexible): in memory, or in Redis so every instance shares the counters.
import type { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { AppError } from '../errors.ts';

export type Tier = 'visitor' | 'customer' | 'agent';
export type LimitName =
  | 'handshake'
  | 'login:ip'
  | 'login:account'
  | 'send:conn'
  | 'send:identity'
  | 'ai:identity'
  | 'typing:conn'
  | 'typing:identity'
  | 'command:conn'
  | 'invalid:conn'
  | 'session:ip'
  | 'settings:ip'
  | 'help:ip'
  | 'new-conversation'
  | 'payments:workspace'
  | 'console:identity'
  | 'search:identity'
  | 'invite:identity';

/** points per duration (seconds); anonymous visitors get the least. */
const LIMITS: Record<LimitName, { duration: number; points: Record<Tier, number> }> = {
  handshake: { duration: 60, points: { visitor: 60, customer: 60, agent: 60 } },
  // Password guessing, per IP and per (IP, email).
  'login:ip': { duration: 15 * 60, points: { visitor: 50, customer: 50, agent: 50 } },
  'login:account': { duration: 15 * 60, points: { visitor: 10, customer: 10, agent: 10 } },
  'send:conn': { duration: 10, points: { visitor: 10, customer: 20, agent: 60 } },
  'send:identity': { duration: 10, points: { visitor: 20, customer: 40, agent: 120 } },
  // Questions to the assistant, per person (all their tabs): each may be composed by a paid model.
  'ai:identity': { duration: 60, points: { visitor: 20, customer: 30, agent: 30 } },
  'typing:conn': { duration: 10, points: { visitor: 10, customer: 10, agent: 20 } },
  'typing:identity': { duration: 10, points: { visitor: 20, customer: 20, agent: 40 } },
  'command:conn': { duration: 10, points: { visitor: 60, customer: 60, agent: 200 } },
  // Unknown events, invalid payloads: past this, the connection is closed (PROTOCOL_VIOLATION).
  'invalid:conn': { duration: 60, points: { visitor: 20, customer: 20, agent: 20 } },
  // The widget's HTTP calls before its socket, per client IP: a session (a visitor token) per page view at
  // most; settings are cached by browsers for a minute.
  'session:ip': { duration: 60, points: { visitor: 60, customer: 60, agent: 60 } },
  'settings:ip': { duration: 60, points: { visitor: 120, customer: 120, agent: 120 } },
  // The help center, per client IP: its pages and the widget's FAQ panel (as-you-type search is debounced).
  'help:ip': { duration: 60, points: { visitor: 300, customer: 300, agent: 300 } },
  // start-conversation { forceNew }: every one is a stored conversation in the agents' inbox.
  // Agents start conversations with customers from the console (POST /api/v1/conversations).
  'new-conversation': { duration: 10 * 60, points: { visitor: 5, customer: 10, agent: 60 } },
  // Signed payment events from a merchant's backend, counted per workspace after the signature checks out
  // (the site key is public: strangers must not be able to spend a merchant's budget).
  'payments:workspace': { duration: 10, points: { visitor: 1000, customer: 1000, agent: 1000 } },
  // The console's changes (assign, status, notes, outbound conversations) and reads of lists and threads,
  // per agent (all tabs): generous for a person, a wall for a runaway script. (Customers are refused with
  // FORBIDDEN after validation; limits are spent before it, so theirs must not be smaller than other commands'.)
  'console:identity': { duration: 10, points: { visitor: 60, customer: 60, agent: 200 } },
  // Search costs a full-text query (bounded in time); typed searches are debounced by the console.
  'search:identity': { duration: 10, points: { visitor: 20, customer: 20, agent: 20 } },
  // Invitations (owner/admin) and their acceptance (per IP: the accept route has no identity yet).
  'invite:identity': { duration: 60 * 60, points: { visitor: 20, customer: 20, agent: 50 } },
};

/**
 * Open sockets allowed at once on one instance: per client IP (visitors and customers; agents are signed-in
 * staff, often many behind one office address) and per identity (one visitor, customer or agent, all tabs
 * and devices). Counted per instance: a node that dies leaves no count behind in a shared store.
 */
const CONNECTION_CAPS = { ip: 50, identity: { visitor: 10, customer: 10, agent: 30 } } as const;

export interface RateLimitOptions {
  redis?: Redis;
  /** Redis key namespace. */
  prefix?: string;
  /** Scales every limit (load tests raise it; 1 in production). */
  multiplier?: number;
}

export class RateLimits {
  private readonly limiters = new Map<string, RateLimiterAbstract>();

  constructor(private readonly opts: RateLimitOptions = {}) {}

  /** Most open sockets per client IP (`ip`), or per identity of this tier. */
  connectionCap(of: 'ip' | Tier): number {
    const cap = of === 'ip' ? CONNECTION_CAPS.ip : CONNECTION_CAPS.identity[of];
    return Math.max(1, Math.round(cap * (this.opts.multiplier ?? 1)));
  }

  /** Points one key of this tier may spend per window of `name` (after the configured multiplier). */
  points(name: LimitName, tier: Tier): number {
    return Math.max(1, Math.round(LIMITS[name].points[tier] * (this.opts.multiplier ?? 1)));
  }

  /** Spend one point or throw RATE_LIMITED with the wait before a retry can succeed. */
  async consume(name: LimitName, tier: Tier, key: string): Promise<void> {
    try {
      await this.limiter(name, tier).consume(key);
    } catch (res) {
      if (res instanceof RateLimiterRes) {
        throw new AppError('RATE_LIMITED', 'Too many requests; slow down.', {
          retryAfterMs: Math.max(1, Math.ceil(res.msBeforeNext)),
        });
      }
      throw res;
    }
  }

  private limiter(name: LimitName, tier: Tier): RateLimiterAbstract {
    const id = `${name}:${tier}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      const spec = LIMITS[name];
      const common = {
        keyPrefix: `${this.opts.prefix ?? 'verychat'}:rl:${id}`,
        points: this.points(name, tier),
        duration: spec.duration,
      };
      limiter = this.opts.redis
        ? new RateLimiterRedis({
            ...common,
            storeClient: this.opts.redis,
            // If Redis is down, keep limiting per instance rather than failing every request.
            insuranceLimiter: new RateLimiterMemory(common),
          })
        : new RateLimiterMemory(common);
      this.limiters.set(id, limiter);
    }
    return limiter;
  }
}
