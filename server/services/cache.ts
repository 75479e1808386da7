// Every in-memory cache of the server is one of these: bounded in entries (least recently used goes first)
// and, when given, in age. Unbounded maps keyed by anything a client sends are a memory leak on demand.
import { LRUCache } from 'lru-cache';

export interface CacheOptions {
  /** Most entries kept. */
  max: number;
  /** Entries older than this are not returned. */
  ttlMs?: number;
  /** The clock, for tests that move time. */
  now?: () => number;
}

export type BoundedCache<V extends {}> = LRUCache<string, V>;

export function boundedCache<V extends {}>(opts: CacheOptions): BoundedCache<V> {
  return new LRUCache<string, V>({
    max: opts.max,
    ...(opts.ttlMs !== undefined && { ttl: opts.ttlMs }),
    ...(opts.now && { perf: { now: opts.now } }),
  });
}
