// Cache invalidation across instances. Services cache hot look-ups (site keys, origins, conversation
// membership, agent names) and publish here after each change they make commits; every service (and the
// realtime gateway, for open sockets) subscribes to what it keeps. In one process the default bus just calls
// the listeners; with REDIS_URL the same events travel over Redis pub/sub, so a change made on one instance
// (or by the admin CLI) reaches every other one at once instead of after a cache's lifetime.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { z } from 'zod';

const id = z.string().min(1).max(128);

const InvalidationSchema = z.discriminatedUnion('type', [
  /** Renamed, settings, origins or secrets changed, or deleted. */
  z.object({ type: z.literal('workspace'), workspaceId: id, siteKey: id, deleted: z.boolean() }),
  /** Deleted, or every session revoked (a new password). */
  z.object({ type: z.literal('agent'), workspaceId: id, agentId: id, deleted: z.boolean() }),
  /** One agent session was signed out (logout): its sockets close on every instance. */
  z.object({ type: z.literal('session'), workspaceId: id, agentId: id, sessionId: id }),
  /** A visitor's conversations now belong to the customer they signed in as. */
  z.object({
    type: z.literal('conversations-moved'),
    workspaceId: id,
    fromContactId: id,
    toContactId: id,
    conversationIds: z.array(id).max(10_000),
  }),
  /** A workspace's own knowledge-base articles changed: its search indexes are rebuilt. */
  z.object({ type: z.literal('kb'), workspaceId: id }),
  /** A conversation went to a person: answers being composed for it on any instance stop at once. */
  z.object({ type: z.literal('assistant-stop'), conversationId: id }),
  /** Some events may have been missed (the subscription dropped): forget everything. */
  z.object({ type: z.literal('all') }),
]);

export type Invalidation = z.infer<typeof InvalidationSchema>;
export type InvalidationListener = (event: Invalidation) => void;

export interface InvalidationBus {
  /** Whether changes made by other processes arrive here (Redis); caches may then live longer. */
  readonly shared: boolean;
  /** Settles once events from other processes are being received (at once for the local bus). */
  readonly ready: Promise<void>;
  /**
   * Call after the change has committed. Listeners in this process run before it returns; other
   * instances get the event as soon as Redis delivers it. Never throws: the change itself succeeded,
   * and caches expire on their own if an event is lost.
   */
  publish(event: Invalidation): Promise<void>;
  subscribe(listener: InvalidationListener): () => void;
  close(): Promise<void>;
}

interface BusLog {
  warn(obj: object, msg: string): void;
}

/** Listeners of one process; a listener that throws cannot keep the others from running. */
class Listeners {
  private readonly set = new Set<InvalidationListener>();
  constructor(private readonly log: BusLog) {}
  add(listener: InvalidationListener): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }
  dispatch(event: Invalidation): void {
    for (const listener of this.set) {
      try {
        listener(event);
      } catch (err) {
        this.log.warn({ err, event: event.type }, 'cache invalidation listener failed');
      }
    }
  }
}

const silent: BusLog = { warn() {} };

/** One process: events reach this process's listeners only. The default. */
export class LocalInvalidationBus implements InvalidationBus {
  readonly shared = false;
  readonly ready = Promise.resolve();
  private readonly listeners: Listeners;
  constructor(log: BusLog = silent) {
    this.listeners = new Listeners(log);
  }
  async publish(event: Invalidation): Promise<void> {
    this.listeners.dispatch(event);
  }
  subscribe(listener: InvalidationListener): () => void {
    return this.listeners.add(listener);
  }
  async close(): Promise<void> {}
}

/** Every instance on one Redis (and key prefix): one channel, JSON events tagged with the sender. */
export class RedisInvalidationBus implements InvalidationBus {
  readonly shared = true;
  private readonly listeners: Listeners;
  /** Our own events come back from Redis; they were applied here already. */
  private readonly instance = randomUUID();
  private readonly channel: string;
  private subscribed = false;
  readonly ready: Promise<void>;

  constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    prefix: string,
    private readonly log: BusLog = silent,
  ) {
    this.listeners = new Listeners(log);
    this.channel = `${prefix}:invalidate`;
    sub.on('message', (channel: string, text: string) => {
      if (channel === this.channel) this.receive(text);
    });
    // ioredis resubscribes after a reconnection; whatever was published meanwhile is lost, so forget it all.
    sub.on('ready', () => {
      if (this.subscribed) this.listeners.dispatch({ type: 'all' });
    });
    this.ready = sub.subscribe(this.channel).then(
      () => {
        this.subscribed = true;
      },
      (err: Error) => log.warn({ err: err.message }, 'cache invalidation: subscribe failed'),
    );
  }

  async publish(event: Invalidation): Promise<void> {
    this.listeners.dispatch(event);
    try {
      await this.pub.publish(this.channel, JSON.stringify({ from: this.instance, event }));
    } catch (err) {
      this.log.warn({ err: (err as Error).message, event: event.type }, 'cache invalidation: publish failed');
    }
  }

  subscribe(listener: InvalidationListener): () => void {
    return this.listeners.add(listener);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.pub.quit(), this.sub.quit()]);
  }

  private receive(text: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
    const envelope = z.object({ from: z.string().max(64), event: InvalidationSchema }).safeParse(parsed);
    if (!envelope.success) {
      this.log.warn({ channel: this.channel }, 'cache invalidation: ignored a malformed event');
      return;
    }
    if (envelope.data.from !== this.instance) this.listeners.dispatch(envelope.data.event);
  }
}

export interface InvalidationBusOptions {
  /** Unset: one process only (LocalInvalidationBus). */
  redisUrl?: string | undefined;
  /** Namespaces the channel (REDIS_PREFIX). */
  prefix: string;
  log?: BusLog;
}

/** The bus a process should use: Redis when configured (servers and the admin CLI alike), else local. */
export function createInvalidationBus(opts: InvalidationBusOptions): InvalidationBus {
  const log = opts.log ?? silent;
  if (!opts.redisUrl) return new LocalInvalidationBus(log);
  const connect = (role: string) => {
    const client = new Redis(opts.redisUrl!, { maxRetriesPerRequest: 2 });
    // ioredis reconnects by itself; log instead of crashing on transient errors.
    client.on('error', (err: Error) => log.warn({ role, err: err.message }, 'redis error'));
    return client;
  };
  return new RedisInvalidationBus(connect('invalidation-pub'), connect('invalidation-sub'), opts.prefix, log);
}
