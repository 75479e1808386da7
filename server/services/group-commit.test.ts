import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.ts';

interface Item {
  id: number;
  key: string;
  tag?: string;
}

/** A GroupCommit over a fake statement that records each batch and answers `id * 10`. */
function harness(opts: { fail?: (batch: Item[]) => boolean; delayMs?: number; maxBatch?: number } = {}) {
  const batches: number[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const gc = new GroupCommit<Item, number>({
    keys: (i) => [i.key],
    shareTag: (i) => i.tag ?? null,
    ...(opts.maxBatch !== undefined && { maxBatch: opts.maxBatch }),
    async write(batch) {
      batches.push(batch.map((i) => i.id));
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      try {
        await new Promise((r) => setTimeout(r, opts.delayMs ?? 1));
        if (opts.fail?.(batch)) throw new Error(`batch ${batch.map((i) => i.id).join(',')} refused`);
        return batch.map((i) => i.id * 10);
      } finally {
        inFlight--;
      }
    },
  });
  return { gc, batches, maxInFlight: () => maxInFlight };
}

describe('GroupCommit', () => {
  it('writes what arrives together in one batch, and answers each caller with its own result', async () => {
    const { gc, batches } = harness();
    const results = await Promise.all(Array.from({ length: 20 }, (_, id) => gc.write({ id, key: `k${id}` })));
    expect(results).toEqual(Array.from({ length: 20 }, (_, id) => id * 10));
    expect(batches).toEqual([Array.from({ length: 20 }, (_, id) => id)]);
  });

  it('keeps one batch in flight; what arrives meanwhile leaves together right after it', async () => {
    const { gc, batches, maxInFlight } = harness({ delayMs: 20 });
    const first = gc.write({ id: 1, key: 'a' });
    await new Promise((r) => setTimeout(r, 5)); // the first batch is in flight
    const later = [2, 3, 4].map((id) => gc.write({ id, key: `k${id}` }));
    expect(await Promise.all([first, ...later])).toEqual([10, 20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
    expect(maxInFlight()).toBe(1);
  });

  it('never puts two items with one key in a batch: the later one waits for the next, in arrival order', async () => {
    const { gc, batches } = harness();
    const results = await Promise.all([
      gc.write({ id: 1, key: 'same' }),
      gc.write({ id: 2, key: 'other' }),
      gc.write({ id: 3, key: 'same' }),
      gc.write({ id: 4, key: 'same' }),
    ]);
    expect(results).toEqual([10, 20, 30, 40]);
    expect(batches).toEqual([[1, 2], [3], [4]]);
  });

  it('caps the batch size', async () => {
    const { gc, batches } = harness({ maxBatch: 3 });
    await Promise.all(Array.from({ length: 7 }, (_, id) => gc.write({ id, key: `k${id}` })));
    expect(batches.map((b) => b.length)).toEqual([3, 3, 1]);
  });

  it('when a batch fails, writes each item alone: only the bad one fails, nothing is lost', async () => {
    const { gc, batches } = harness({ fail: (batch) => batch.some((i) => i.id === 3) });
    const settled = await Promise.allSettled(Array.from({ length: 5 }, (_, id) => gc.write({ id, key: `k${id}` })));
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : 'refused'))).toEqual([0, 10, 20, 'refused', 40]);
    expect((settled[3] as PromiseRejectedResult).reason.message).toBe('batch 3 refused');
    expect(batches[0]).toEqual([0, 1, 2, 3, 4]);
    expect(batches.slice(1).sort()).toEqual([[0], [1], [2], [3], [4]]);
    // And the next batch is written normally.
    expect(await gc.write({ id: 9, key: 'k9' })).toBe(90);
  });

  it('lets items with a key in common share a batch when they carry the same tag; a different tag, and all after it with that key, wait', async () => {
    const { gc, batches } = harness();
    const results = await Promise.all([
      gc.write({ id: 1, key: 'conv', tag: 'alice' }),
      gc.write({ id: 2, key: 'conv', tag: 'alice' }),
      gc.write({ id: 3, key: 'conv', tag: 'agent' }),
      gc.write({ id: 4, key: 'conv', tag: 'alice' }),
      gc.write({ id: 5, key: 'other' }),
    ]);
    expect(results).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([[1, 2, 5], [3], [4]]);
  });

  it('reports how long the oldest item not yet written has waited, the batch being written included', async () => {
    let clock = 1_000;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const gc = new GroupCommit<Item, number>({
      keys: (i) => [i.key],
      now: () => clock,
      async write(batch) {
        await gate;
        return batch.map((i) => i.id);
      },
    });
    expect(gc.backlogMs()).toBe(0);
    const first = gc.write({ id: 1, key: 'a' });
    await new Promise((r) => setImmediate(r)); // its statement is running
    clock += 150;
    const second = gc.write({ id: 2, key: 'b' });
    clock += 100;
    expect(gc.backlogMs()).toBe(250);
    release();
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(gc.backlogMs()).toBe(0);
  });
});
