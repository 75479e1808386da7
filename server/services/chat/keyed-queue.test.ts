import { describe, expect, it } from 'vitest';
import { KeyedQueue } from './keyed-queue.ts';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('KeyedQueue', () => {
  it('runs tasks of one key in arrival order even when later ones are faster', async () => {
    const q = new KeyedQueue();
    const done: number[] = [];
    await Promise.all([40, 5, 20, 0].map((ms, i) => q.run('a', async () => (await tick(ms), done.push(i)))));
    expect(done).toEqual([0, 1, 2, 3]);
    expect(q.size).toBe(0);
  });

  it('runs different keys concurrently and survives a failing task', async () => {
    const q = new KeyedQueue();
    const order: string[] = [];
    const slow = q.run('a', async () => (await tick(30), order.push('a')));
    const fast = q.run('b', async () => order.push('b'));
    const failing = q.run('c', async () => {
      throw new Error('boom');
    });
    const after = q.run('c', async () => 'still runs');
    await Promise.all([slow, fast]);
    await expect(failing).rejects.toThrow('boom');
    await expect(after).resolves.toBe('still runs');
    expect(order).toEqual(['b', 'a']);
  });
});
