// Group commit for payment events: events that arrive together are written by one statement, in one
// transaction. Under load that is one round trip, one commit (WAL flush) and no per-event planning instead of
// one of each per event; alone, an event leaves at once (a batch leaves as soon as the previous one is back,
// never on a timer: measured at 500 events/s on PostgreSQL, waiting 4 or 8 ms for company saved nothing).

export interface GroupCommitOptions<In, R> {
  /** Writes a batch; one result per input, in order. */
  write(batch: In[]): Promise<R[]>;
  /**
   * Items with the same key never share a batch (the later waits for the next one): a statement cannot
   * insert two rows under one unique key, and whichever comes second must see the first one committed.
   */
  keys(item: In): readonly string[];
  /** Items per statement. */
  maxBatch?: number;
}

interface Pending<In, R> {
  item: In;
  resolve(result: R): void;
  reject(err: unknown): void;
}

export class GroupCommit<In, R> {
  private queue: Pending<In, R>[] = [];
  private busy = false;
  private scheduled = false;
  private readonly maxBatch: number;

  constructor(private readonly opts: GroupCommitOptions<In, R>) {
    this.maxBatch = opts.maxBatch ?? 128;
  }

  write(item: In): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Items waiting or being written. */
  get pending(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.scheduled || this.busy || this.queue.length === 0) return;
    this.scheduled = true;
    // Everything that arrives in this turn of the event loop leaves together.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.busy || this.queue.length === 0) return;
    const batch: Pending<In, R>[] = [];
    const rest: Pending<In, R>[] = [];
    const taken = new Set<string>();
    for (const p of this.queue) {
      const keys = this.opts.keys(p.item);
      if (batch.length < this.maxBatch && !keys.some((k) => taken.has(k))) {
        for (const k of keys) taken.add(k);
        batch.push(p);
      } else rest.push(p);
    }
    this.queue = rest;
    this.busy = true;
    try {
      await this.store(batch);
    } finally {
      this.busy = false;
      this.schedule();
    }
  }

  private async store(batch: Pending<In, R>[]): Promise<void> {
    let results: R[];
    try {
      results = await this.opts.write(batch.map((p) => p.item));
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      // One item's failure (a unique key taken meanwhile by another instance, say) must not fail the others:
      // each is written alone and gets its own answer.
      await Promise.all(
        batch.map(async (p) => {
          try {
            p.resolve((await this.opts.write([p.item]))[0]!);
          } catch (e) {
            p.reject(e);
          }
        }),
      );
      return;
    }
    batch.forEach((p, i) => p.resolve(results[i]!));
  }
}
